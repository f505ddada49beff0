"""The review UI end to end in real headless Chromium (Debian's), driven by Playwright.

A reviewer logs in, finds a held message, reveals an identifier, releases
it and it arrives at a real SMTP sink through the relay's next-hop client;
rejects another; a forged cross-site POST changes nothing; an anonymous
visit lands on the login page; a reviewer cannot act as admin; a script
in a held message never runs. The list and message screenshots in
docs/screenshots/ are taken here; they are written there only by
`make screenshots` (SCREENSHOTS_DIR=docs/screenshots), otherwise to a temporary
folder, so that running the tests never changes a tracked file.
"""

from __future__ import annotations

import asyncio
import http.server
import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from gateway.config import Settings
from gateway.model import Decision, Envelope, Finding, Verdict
from gateway.relay.deliver import deliver_through
from gateway.relay.nexthop import build_next_hop
from gateway.store.audit import AuditEvent
from gateway.store.db import Database
from gateway.store.quarantine import QuarantineStore
from gateway.store.users import UserStore, cheap_hasher, totp_code, totp_new_secret
from gateway.web.service import WebService, start_web
from tests.quarantine_fixtures import make_store, message, settings_for

pytestmark = pytest.mark.integration

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "gateway-screenshots")
PASSWORD = "reviewer password 1"
#: admins need an authenticator app by default: adam has one, and _login types its code
SECRETS = {"adam": totp_new_secret()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SinkHandler:
    """A real SMTP server that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 2.0.0 Ok: queued"


@dataclass
class Stack:
    url: str
    store: QuarantineStore
    sink: SinkHandler
    ids: dict[str, str] = field(default_factory=dict)


def _finding(category: str, type_: str, where: str, evidence: str, **kw: Any) -> Finding:
    return Finding(
        category=category, type=type_, where=where, score=0.9, evidence=evidence, detector="test", **kw
    )


def _seed(store: QuarantineStore) -> dict[str, str]:
    """Held messages of every kind the list shows (all invented)."""
    ids: dict[str, str] = {}

    def hold(
        key: str, sender: str, rcpts: tuple[str, ...], raw: bytes, rule: str, findings: list[Finding]
    ) -> None:
        store.clock.advance(minutes=47)  # type: ignore[attr-defined]
        env = Envelope(
            mail_from=sender, rcpt_tos=rcpts, client_address="127.0.0.1", queue_id=f"4Q{key.upper()}"
        )
        d = Decision(
            Verdict.HOLD, rule=rule, rules=(rule,), reason=f"rule {rule} matched", findings=tuple(findings)
        )
        ids[key] = store.hold(env, raw, d)

    hold(
        "doc",
        "t.trainee@example.ac.uk",
        ("tutor@other-uni.example.org",),
        message(
            subject="Marking scheme you asked for",
            body="Here it is, don't pass it round.\r\n",
            sender="t.trainee@example.ac.uk",
            attachment=("Year 3 marking scheme.pdf", b"%PDF-1.4 invented"),
        ),
        "university-document-outside",
        [
            _finding(
                "university_document",
                "REGISTERED_DOCUMENT",
                "attachment:Year 3 marking scheme.pdf",
                "matches 'Year 3 marking scheme'",
            )
        ],
    )
    hold(
        "rude",
        "a.learner@med.example.ac.uk",
        ("club@social.example.net",),
        message(
            subject="Re: the rota",
            body="You are a useless idiot and everyone knows it.\r\n",
            sender="a.learner@med.example.ac.uk",
        ),
        "abusive-language",
        [
            _finding(
                "abusive_language",
                "INSULT",
                "body",
                "You are a useless [INSULT]",
                severity="severe",
                target="second_person",
            )
        ],
    )
    hold(
        "script",
        "p.student@example.ac.uk",
        ("someone@mail.example.com",),
        message(
            subject="Newsletter draft",
            body="See the HTML part.\r\n<img src=x onerror=\"document.title='owned'\">\r\n",
            html="<p>Hi</p><script>document.title='owned';alert('owned')</script>",
            sender="p.student@example.ac.uk",
        ),
        "uninspectable-outside",
        [_finding("uninspectable", "ACTIVE_CONTENT", "html", "script element")],
    )
    hold(
        "nhs",
        "j.student@example.ac.uk",
        ("friend@mail.example.com", "other@mail.example.com"),
        message(
            subject="Interesting case from placement",
            body=(
                "Hi both,\r\n\r\nSaw a fascinating case on the ward today. Mrs Delphine Oakbridge,\r\n"
                "NHS number 943 476 5919, born 14/02/1951, lives near EH9 1ZZ.\r\n"
                "Presented with an unusual rash; consultant thinks it is drug-related.\r\n\r\nJ\r\n"
            ),
            sender="j.student@example.ac.uk",
        ),
        "patient-identifier",
        [
            _finding("patient_identifier", "NHS_NUMBER", "body", "NHS number [NHS_NUMBER]"),
            _finding("patient_identifier", "PERSON_NAME", "body", "Mrs [NAME]"),
            _finding("patient_identifier", "DATE_OF_BIRTH", "body", "born [DATE]"),
        ],
    )
    for key in ("old1", "old2", "old3"):
        hold(key, "x@example.ac.uk", ("y@mail.example.com",), message(), "patient-identifier", [])
    store.reject(
        ids["old1"],
        actor="web:rita",
        reason="patient data",
        comment="",
        event=AuditEvent("web:rita", "reject"),
    )
    store.reject(
        ids["old2"],
        actor="web:rita",
        reason="patient data",
        comment="",
        event=AuditEvent("web:rita", "reject"),
    )
    store.claim_release(ids["old3"], AuditEvent("web:rita", "release"))
    store.finish_release(
        ids["old3"],
        delivered=True,
        error="",
        actor="web:rita",
        comment="",
        event=AuditEvent("web:rita", "release"),
    )
    return ids


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("web-browser")
    sink = SinkHandler()
    sink_port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink_port)
    controller.start()
    settings: Settings = settings_for(
        tmp, web='listen = "127.0.0.1:0"', smtp=f'next_hop = "127.0.0.1:{sink_port}"\nnext_hop_tls = "none"'
    )
    db = Database("", state_dir=tmp)
    store = make_store(db)
    users = UserStore(db, keyring=store.keyring, hasher=cheap_hasher())
    users.migrate()
    users.add("rita", PASSWORD, "reviewer")
    users.add("adam", PASSWORD, "admin")
    users.set_totp("adam", SECRETS["adam"])
    ids = _seed(store)

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    deliver = deliver_through(build_next_hop(settings))  # the relay's own next-hop client
    service: WebService = asyncio.run_coroutine_threadsafe(
        start_web(settings, None, store, deliver, users=users), loop
    ).result(timeout=30)
    try:
        yield Stack(service.url, store, sink, ids)
    finally:
        asyncio.run_coroutine_threadsafe(service.close(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        controller.stop()
        db.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs
    yield pg
    context.close()


def _login(page: Any, stack: Stack, name: str, target: str = "/messages") -> None:
    page.goto(stack.url + target)
    assert "/login" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    if name in SECRETS:
        page.fill("input[name=code]", totp_code(SECRETS[name], time.time()))
    page.click("button:has-text('Log in')")
    page.wait_for_url(re.compile(re.escape(stack.url + target)))


def test_reviewer_finds_reveals_releases_and_rejects(page: Any, stack: Stack) -> None:
    """Log in, find the held message, reveal one identifier, release it to the sink, reject another."""
    page.goto(stack.url + "/messages")
    assert page.url.startswith(stack.url + "/login")  # anonymous visit redirects to login
    _login(page, stack, "rita")
    assert page.locator("table.messages tbody tr").count() == 4
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "review-list.png"), full_page=True)

    page.fill("input[name=q]", "placement")
    page.click("button:has-text('Filter')")
    rows = page.locator("table.messages tbody tr")
    assert rows.count() == 1
    rows.first.locator("td.subject a").click()
    qid = stack.ids["nhs"]
    page.wait_for_url(re.compile(f"/messages/{qid}"))
    body = page.inner_text("main")
    assert "943 476 5919" not in body and "Oakbridge" not in body and "unusual rash" in body

    page.locator("button.masked", has_text="number").first.click()
    page.wait_for_url(re.compile(f"/messages/{qid}#s\\d+"))
    body = page.inner_text("main")
    assert "943 476 5919" in body and "Oakbridge" not in body  # only the chosen identifier
    page.screenshot(path=str(SCREENSHOTS / "review-message.png"), full_page=True)
    reveal = stack.store.audit.records(action="reveal", message_id=qid)
    assert [(r.actor, r.outcome) for r in reveal] == [("web:rita", "ok")]

    page.fill(
        "form[action$='/release'] textarea[name=comment]", "Checked with the sender: consented teaching case"
    )
    page.click("form[action$='/release'] button")
    page.wait_for_selector("p.flash")
    assert "Released" in page.inner_text("p.flash")
    arrived = [m for m in stack.sink.messages if b"Interesting case from placement" in m[2]]
    assert len(arrived) == 1
    mail_from, rcpts, data = arrived[0]
    assert (mail_from, rcpts) == (
        "j.student@example.ac.uk",
        ["friend@mail.example.com", "other@mail.example.com"],
    )
    assert data.replace(b"\r\n", b"\n") == stack.store.raw(qid).replace(b"\r\n", b"\n")

    page.goto(stack.url + f"/messages/{stack.ids['rude']}")
    page.fill(
        "form[action$='/reject'] textarea[name=reason]", "Please keep messages about colleagues professional."
    )
    page.fill("form[action$='/reject'] textarea[name=comment]", "clear insult")
    page.click("form[action$='/reject'] button")
    page.wait_for_selector("p.flash")
    m = stack.store.get(stack.ids["rude"])
    assert m is not None and (m.status, m.decision_reason) == (
        "rejected",
        "Please keep messages about colleagues professional.",
    )
    assert not any(b"Re: the rota" in x[2] for x in stack.sink.messages)


def test_forged_cross_site_post_fails(page: Any, stack: Stack) -> None:
    """A page on another site that posts a release form to the UI changes nothing."""
    qid = stack.ids["doc"]
    _login(page, stack, "rita")
    forged = (
        f'<form id="f" method="post" action="{stack.url}/messages/{qid}/release">'
        '<input name="csrf" value="guess"><input name="comment" value="forged"></form>'
        "<script>document.getElementById('f').submit()</script>"
    ).encode()

    class Evil(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(forged)

        def log_message(self, *args: object) -> None:
            pass

    evil = http.server.HTTPServer(("127.0.0.1", 0), Evil)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        before = len(stack.sink.messages)
        # "localhost" is another site than "127.0.0.1": SameSite=Strict keeps the cookie back
        page.goto(f"http://localhost:{evil.server_address[1]}/")
        page.wait_for_load_state("load")
        assert "Not allowed" in page.inner_text("body")
        assert stack.store.get(qid).status == "held"  # type: ignore[union-attr]
        assert len(stack.sink.messages) == before
        assert stack.store.audit.records(action="release", message_id=qid)[-1].outcome in (
            "unauthenticated",
            "csrf_failed",
        )
    finally:
        evil.shutdown()
        evil.server_close()


def test_reviewer_cannot_act_as_admin(page: Any, stack: Stack) -> None:
    """A reviewer sees no admin pages or delete button, and a crafted delete POST is refused."""
    _login(page, stack, "rita")
    assert page.locator("nav a:has-text('Users')").count() == 0
    page.goto(stack.url + "/admin/users")
    assert "Not allowed" in page.inner_text("main")
    qid = stack.ids["doc"]
    page.goto(stack.url + f"/messages/{qid}")
    assert page.locator("form[action$='/delete']").count() == 0
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    r = page.request.post(f"{stack.url}/messages/{qid}/delete", form={"csrf": token, "comment": ""})
    assert r.status == 403
    assert stack.store.get(qid).status == "held"  # type: ignore[union-attr]


def test_script_in_held_message_never_runs(page: Any, stack: Stack) -> None:
    """A held message's <script> and onerror handler do not run in the review UI."""
    _login(page, stack, "adam", f"/messages/{stack.ids['script']}")
    page.wait_for_load_state("load")
    assert page.title() != "owned" and page.dialogs == []
    assert "See the HTML part" in page.inner_text("main")
    assert page.locator("main script, main img[src=x]").count() == 0
