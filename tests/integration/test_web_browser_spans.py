"""Masking from the detectors' spans, end to end in real headless Chromium.

The issue's example is read by the gateway's own MIME walker and patient
detector, held with the findings they produce, and opened by a reviewer:
before a reveal the page source holds no name, street, postcode, date or
number; revealing one span shows exactly that value and writes one audit
row naming its type and place.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from gateway.detect.patient import PatientDetector, PatientDetectorOptions
from gateway.mime import parse_message
from gateway.model import Decision, Verdict
from gateway.store.db import Database
from gateway.store.quarantine import QuarantineStore
from gateway.store.users import UserStore, cheap_hasher
from gateway.web.service import WebService, start_web
from tests.integration.test_web_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, playwright_api
from tests.quarantine_fixtures import envelope, make_store, message, settings_for

pytestmark = pytest.mark.integration

NAME, STREET, POSTCODE, BORN, NHS = (
    "Philippa Quennell",
    "12 Acacia Avenue",
    "eh16 4sa",
    "3rd of April 1961",
    "943/476/5919",
)
BODY = (
    f"Patient {NAME} lives at {STREET}, {POSTCODE}, date of birth {BORN}, admitted to ward 7.\r\n"
    f"NHS no {NHS}.\r\n"
)
#: every piece of each value that must not reach the browser before a reveal
SECRETS = {
    NAME: ("Philippa", "Quennell"),
    STREET: ("Acacia",),
    POSTCODE: ("eh16", "4sa"),
    BORN: ("April", "1961"),
    NHS: ("943", "476", "5919"),
}


@dataclass
class Stack:
    url: str
    store: QuarantineStore
    qid: str


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("web-spans")
    settings = settings_for(tmp, web='listen = "127.0.0.1:0"')
    db = Database("", state_dir=tmp)
    store = make_store(db)
    users = UserStore(db, keyring=store.keyring, hasher=cheap_hasher())
    users.migrate()
    users.add("rita", PASSWORD, "reviewer")
    env = envelope()
    raw = message(subject="Handover for tomorrow", body=BODY)
    detector = PatientDetector(PatientDetectorOptions())
    detector.load()
    findings = tuple(detector.detect(parse_message(raw, env, settings.limits)))
    assert {"PATIENT_NAME", "PATIENT_ADDRESS", "DATE_OF_BIRTH", "NHS_NUMBER"} <= {f.type for f in findings}
    held = Decision(Verdict.HOLD, "patient-identifier", ("patient-identifier",), "held", findings)
    qid = store.hold(env, raw, held)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    service: WebService = asyncio.run_coroutine_threadsafe(
        start_web(settings, None, store, None, users=users), loop
    ).result(timeout=30)
    try:
        yield Stack(service.url, store, qid)
    finally:
        asyncio.run_coroutine_threadsafe(service.close(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        db.close()


@pytest.fixture()
def page() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
        browser.close()


def _source(page: Any, url: str) -> str:
    """The HTML exactly as the server sent it (not the DOM), with the session's cookies."""
    return str(page.request.get(url).text())


def _leaked(source: str, *values: str) -> list[str]:
    """The pieces of `values` in the page's text (attribute values, random tokens and ids, left out)."""
    text = re.sub(r'\b[\w-]+="[^"]*"', "", source)
    return [p for v in values for p in SECRETS[v] if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]


def test_issue_example_is_masked_from_spans_until_one_is_revealed(page: Any, stack: Stack) -> None:
    """No name, street, postcode, date or number before a reveal; after one, exactly that span and one audit row."""
    url = f"{stack.url}/messages/{stack.qid}"
    page.goto(url)
    page.fill("input[name=name]", "rita")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(re.compile(re.escape(url)))
    source = _source(page, url)
    assert "admitted to ward 7" in source
    assert _leaked(source, *SECRETS) == []
    assert _leaked(page.content(), *SECRETS) == []
    assert stack.store.audit.records(action="reveal", message_id=stack.qid) == []

    page.locator("button.masked.located", has_text="patient address").first.click()
    page.wait_for_url(re.compile(re.escape(url) + r"#s\d+"))
    source = _source(page, url)
    assert STREET in source and page.locator("mark.revealed").all_inner_texts() == [STREET]
    assert _leaked(source, NAME, POSTCODE, BORN, NHS) == []
    rows = stack.store.audit.records(action="reveal", message_id=stack.qid)
    assert [(r.actor, r.outcome) for r in rows] == [("web:rita", "ok")]
    assert re.fullmatch(r"identifier \d+ \(patient address in body\)", rows[0].detail)
