"""Reviews that teach, end to end: two `gateway serve` processes sharing one store, and real Chromium.

A message naming a lecturer as if she were a patient is held by the first
gateway (relay and review UI). A reviewer reveals the name, marks the
finding wrong ("a member of staff") with it and releases the message; an
administrator accepts the proposal. The next identical message, sent
through the second gateway (relay only, its own worker, no restart), is
delivered. Declined proposals change nothing; a withdrawn entry stops
applying on that second gateway too.
"""

from __future__ import annotations

import base64
import re
import smtplib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from gateway.store.crypto import Keyring
from gateway.store.db import Database
from gateway.store.learned import LearnedStore
from gateway.store.quarantine import QuarantineStore
from gateway.store.users import UserStore, cheap_hasher
from tests.integration.servers import GatewayProcess, free_port, port_open, wait_until, write_config
from tests.integration.test_web_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, SinkHandler, playwright_api
from tests.quarantine_fixtures import KEY_A

pytestmark = pytest.mark.integration

LECTURER = "Ottoline Fairweather"  # invented: the respiratory lecturer, named as if she were a patient
SENDER, RECIPIENT = "student@example.ac.uk", "friend@mail.example.com"
OTHER = "Rosalind Pemberton"  # invented too: proposed as staff, then declined
THIRD = "Philippa Ashdown"  # invented too: accepted, then withdrawn


def _message(name: str, n: int) -> bytes:
    return (
        f"From: Student <{SENDER}>\r\nTo: {RECIPIENT}\r\nSubject: Clinic notes {n}\r\n"
        f"Message-ID: <teach{n}@example.ac.uk>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hi all,\r\nMrs {name} will take the asthma clinic tomorrow; bring your stethoscopes.\r\n"
    ).encode()


@dataclass
class Fleet:
    web: str
    first: GatewayProcess
    second: GatewayProcess
    sink: SinkHandler
    store: QuarantineStore
    learned: LearnedStore


def _config(tmp: Path, name: str, db_url: str, smtp_port: int, sink_port: int, web: str) -> Path:
    return write_config(
        tmp / f"{name}.toml",
        {
            "state_dir": str(tmp / name),
            "database": {"url": db_url},
            "quarantine": {"key": KEY_A},
            "smtp": {
                "listen": f"127.0.0.1:{smtp_port}",
                "next_hop": f"127.0.0.1:{sink_port}",
                "next_hop_tls": "none",
                "hostname": f"{name}.test",
            },
            "web": {"listen": web, "mfa_roles": []},  # the admin logs in several times within 30 s
            "metrics": {"listen": ""},
            "pipeline": {"workers": 1},
            "documents": {"reload_seconds": 0.5},  # also how often the learned entries are reloaded
            "notify": {"enabled": False},  # no sender notices in the sink
        },
    )


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    tmp = tmp_path_factory.mktemp("teach")
    db_url = f"sqlite:///{tmp / 'shared.sqlite3'}"
    db = Database(db_url)
    keyring = Keyring([base64.b64decode(KEY_A)])
    store = QuarantineStore(db, keyring)
    store.migrate()
    learned = LearnedStore(db, keyring)
    learned.migrate()
    users = UserStore(db, keyring=keyring, hasher=cheap_hasher())
    users.migrate()
    users.add("rita", PASSWORD, "reviewer")
    users.add("adam", PASSWORD, "admin")
    sink = SinkHandler()
    sink_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink_port)
    controller.start()
    web_port, first_port, second_port = free_port(), free_port(), free_port()
    gateways = [
        GatewayProcess(
            _config(tmp, "first", db_url, first_port, sink_port, f"127.0.0.1:{web_port}"),
            port=first_port,
            log_path=tmp / "first.log",
        ),
        GatewayProcess(
            _config(tmp, "second", db_url, second_port, sink_port, ""),
            port=second_port,
            log_path=tmp / "second.log",
        ),
    ]
    try:
        for gw in gateways:
            gw.start(timeout=300)
        wait_until(lambda: port_open("127.0.0.1", web_port), 60, what="the review UI")
        yield Fleet(f"http://127.0.0.1:{web_port}", *gateways, sink, store, learned)
    finally:
        for gw in gateways:
            gw.stop()
        controller.stop()
        db.close()


@pytest.fixture()
def page() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        browser.close()


def _send(gw: GatewayProcess, raw: bytes) -> None:
    """Through the gateway: 250 whether it is delivered or held (the quarantine then owns it)."""
    with smtplib.SMTP("127.0.0.1", gw.port, timeout=120) as c:
        c.sendmail(SENDER, [RECIPIENT], raw)


def _outcome(fleet: Fleet, gw: GatewayProcess, n: int, name: str = LECTURER) -> str:
    """Send message `n` naming `name` (the lecturer) through `gw`: "delivered" or "held"."""
    _send(gw, _message(name, n))
    subject = f"Clinic notes {n}"
    return str(
        wait_until(
            lambda: "delivered" if _delivered(fleet, subject) else "held" if _held(fleet, subject) else "",
            30,
            what=f"message {n} to be delivered or held",
        )
    )


def _delivered(fleet: Fleet, subject: str) -> bool:
    return any(f"Subject: {subject}".encode() in raw for _, _, raw in fleet.sink.messages)


def _held(fleet: Fleet, subject: str) -> str | None:
    return next((m.id for m in fleet.store.messages() if m.subject == subject), None)


def _login(page: Any, fleet: Fleet, name: str, target: str) -> None:
    page.goto(fleet.web + target)
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(re.compile(re.escape(fleet.web + target)))


def _review(page: Any, fleet: Fleet, qid: str, name: str, *, release: bool) -> None:
    """As rita: reveal the name, mark the finding wrong as a member of staff with it, then release."""
    url = f"/messages/{qid}"
    _login(page, fleet, "rita", url)
    page.locator("button.masked.located").first.click()  # the reveal is recorded, as always
    page.wait_for_url(re.compile(re.escape(fleet.web + url)))
    assert name in page.locator("mark.revealed").first.inner_text()
    row = page.locator("table.marks tbody tr", has_text="PATIENT_NAME").first
    row.locator("input[value=wrong]").check()
    row.locator("select").select_option(label="a member of staff")
    row.locator("input[name^=value_]").fill(name)
    page.click("button:has-text('Save marks')")
    page.wait_for_selector("p.flash")
    assert "1 entry proposed" in page.locator("p.flash").inner_text()
    if release:
        page.click("form[action$='/release'] button:has-text('Release')")
        page.wait_for_selector("p.flash")
        assert "Released" in page.locator("p.flash").inner_text()
    page.click("button:has-text('Log out')")


def _decide(page: Any, fleet: Fleet, name: str, action: str, reason: str = "") -> None:
    """As adam: find the entry for `name` on the proposals page and accept, decline or withdraw it,
    typing `reason` in that decision's reason field; the page then shows the reason on the entry's row."""
    _login(page, fleet, "adam", "/admin/learned")
    row = page.locator("table.learned tbody tr", has_text=name).first
    form = row.locator(f"form[action$='/{action}']")
    if reason:
        form.locator("input[name=reason]").fill(reason)
    form.locator("button").click()
    page.wait_for_selector("p.flash")
    if reason:
        row = page.locator("table.learned tbody tr", has_text=name).first
        shown = row.locator("div.reason").inner_text()
        assert shown.startswith("Reason:") and reason in shown
    page.click("button:has-text('Log out')")


def test_a_lecturer_marked_as_staff_passes_on_another_gateway(page: Any, fleet: Fleet) -> None:
    """Held, marked wrong as staff and released; accepted by an admin; the same message on the other process passes."""
    _send(fleet.first, _message(LECTURER, 1))
    qid = wait_until(lambda: _held(fleet, "Clinic notes 1"), 60, what="the first message to be held")
    assert not _delivered(fleet, "Clinic notes 1")
    _review(page, fleet, qid, LECTURER, release=True)
    assert wait_until(lambda: _delivered(fleet, "Clinic notes 1"), 30, what="the release")

    # before the admin decides, the other gateway still holds it: a proposal is not in use
    assert _outcome(fleet, fleet.second, 2) == "held"

    _decide(page, fleet, LECTURER, "accept", reason="Teaches the respiratory block")
    [entry] = [e for e in fleet.learned.entries() if e.value == LECTURER]
    assert (entry.status, entry.decided_by, entry.reason) == (
        "accepted",
        "web:adam",
        "Teaches the respiratory block",
    )

    # the second gateway reloads the accepted entries on its own (every reload_seconds): no restart
    tries = iter(range(3, 40))
    assert wait_until(
        lambda: _outcome(fleet, fleet.second, next(tries)) == "delivered",
        30,
        1.0,
        what="the other gateway to deliver the same message",
    )
    actions = [
        r.action for r in fleet.store.audit.records() if r.action.startswith(("learn-", "mark", "reveal"))
    ]
    assert actions == ["reveal", "learn-propose", "mark", "learn-accept"]
    assert all(LECTURER.split()[1] not in r.detail for r in fleet.store.audit.records())
    assert all("respiratory" not in r.detail for r in fleet.store.audit.records())  # the reason's length only
    for gw in (fleet.first, fleet.second):
        assert "Fairweather" not in gw.log()


def test_declined_changes_nothing_and_withdrawn_stops_applying(page: Any, fleet: Fleet) -> None:
    """A declined proposal leaves its name held; withdrawing an accepted name holds it again."""
    _send(fleet.first, _message(OTHER, 100))
    qid = wait_until(lambda: _held(fleet, "Clinic notes 100"), 60, what="the message to be held")
    _review(page, fleet, qid, OTHER, release=False)
    _decide(page, fleet, OTHER, "decline")
    time.sleep(2)  # several reloads of the entries: nothing may have changed
    _send(fleet.second, _message(OTHER, 101))
    assert wait_until(lambda: _held(fleet, "Clinic notes 101"), 30, what="the declined name to be held")
    assert not _delivered(fleet, "Clinic notes 101")

    # an entry of this test's own, proposed through the page and accepted, applies on the other process
    _send(fleet.first, _message(THIRD, 150))
    qid = wait_until(lambda: _held(fleet, "Clinic notes 150"), 60, what="the third name to be held")
    _review(page, fleet, qid, THIRD, release=False)
    _decide(page, fleet, THIRD, "accept")
    accepted = iter(range(151, 190))
    assert wait_until(
        lambda: _outcome(fleet, fleet.second, next(accepted), THIRD) == "delivered",
        30,
        1.0,
        what="the accepted name to pass",
    )

    _decide(page, fleet, THIRD, "withdraw", reason="Left the school")
    tries = iter(range(200, 260))
    assert wait_until(
        lambda: _outcome(fleet, fleet.second, next(tries), THIRD) == "held",
        30,
        1.0,
        what="the withdrawn entry to stop applying",
    )
