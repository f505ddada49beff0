"""Search, identifier search, password change and MFA enrolment, end to end in real headless Chromium.

A reviewer's search box cannot find a masked name or number; an admin's
identifier search finds it and is audited; a user changes their password
(a weak one is refused with its reason, the other session ends); an admin
without an authenticator is sent to enrol one, does so with a code from the
secret shown, and then logs in with codes. Takes no screenshots: tests leave
the tree as they found it.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from gateway.store.db import Database
from gateway.store.quarantine import QuarantineStore
from gateway.store.users import UserStore, cheap_hasher, totp_code, totp_new_secret
from gateway.web.service import WebService, start_web
from tests.integration.test_web_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, _seed, playwright_api
from tests.quarantine_fixtures import decision, envelope, make_store, message, settings_for

pytestmark = pytest.mark.integration

SUBJECT = "Mrs Philippa Quennell 943 476 5919 follow-up"
SECRETS = {"ada": totp_new_secret()}


@dataclass
class Stack:
    url: str
    store: QuarantineStore
    users: UserStore
    ids: dict[str, str]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("web-accounts")
    settings = settings_for(tmp, web='listen = "127.0.0.1:0"')
    db = Database("", state_dir=tmp)
    store = make_store(db)
    users = UserStore(db, keyring=store.keyring, hasher=cheap_hasher())
    users.migrate()
    for name, role in (("rita", "reviewer"), ("pat", "reviewer"), ("ada", "admin"), ("nia", "admin")):
        users.add(name, PASSWORD, role)
    users.set_totp("ada", SECRETS["ada"])
    ids = _seed(store)
    ids["subject"] = store.hold(envelope(), message(subject=SUBJECT, body="See subject.\r\n"), decision())
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    service: WebService = asyncio.run_coroutine_threadsafe(
        start_web(settings, None, store, None, users=users), loop
    ).result(timeout=30)
    try:
        yield Stack(service.url, store, users, ids)
    finally:
        asyncio.run_coroutine_threadsafe(service.close(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        db.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def new_page(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def make() -> Any:
        contexts.append(browser.new_context(viewport={"width": 1280, "height": 860}))
        return contexts[-1].new_page()

    yield make
    for c in contexts:
        c.close()


def _login(page: Any, stack: Stack, name: str, password: str = PASSWORD, code: str = "") -> None:
    page.goto(stack.url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    if code:
        page.fill("input[name=code]", code)
    page.click("button:has-text('Log in')")
    page.wait_for_load_state("load")


def _search(page: Any, stack: Stack, term: str) -> tuple[int, str]:
    page.goto(stack.url + "/messages?status=all")
    page.fill("input[name=q]", term)
    page.click("button:has-text('Filter')")
    page.wait_for_load_state("load")
    return page.locator("table.messages tbody tr").count(), page.content()


def test_search_box_cannot_find_masked_values_but_the_admin_search_can(new_page: Any, stack: Stack) -> None:
    """Masked name and number find nothing in the list; the admin's identifier search finds and records them."""
    page = new_page()
    _login(page, stack, "rita")
    for term in ("Quennell", "Philippa Quennell", "943 476 5919", "5919", "Oakbridge"):
        count, html = _search(page, stack, term)
        assert count == 0 and "No messages match" in html, term
        assert "5919" not in html.split("Clear</a>", 1)[1]  # nothing below the search form shows it
    count, html = _search(page, stack, "follow-up")
    assert count == 1 and "Quennell" not in html and "943 476 5919" not in html
    assert page.locator("nav a:has-text('Find an identifier')").count() == 0

    admin = new_page()
    _login(admin, stack, "ada", code=totp_code(SECRETS["ada"], time.time()))
    admin.click("nav a:has-text('Find an identifier')")
    admin.fill("textarea[name=terms]", "9434765919")
    admin.fill("input[name=reason]", "subject access request 42")
    admin.click("button:has-text('Search and record')")
    admin.wait_for_selector("h2:has-text('Found in')")
    found = set(re.findall(r"/messages/([0-9a-f]+)", admin.inner_html("table.messages")))
    expected = {k for k in ("nhs", "subject", "old1", "old2", "old3")}  # the old ones use the default body
    assert found == {stack.ids[k] for k in expected}
    assert stack.ids["rude"] not in found and stack.ids["doc"] not in found
    rows = stack.store.audit.records(action="find")
    summary = [r for r in rows if r.outcome == "ok" and not r.message_id][-1]
    assert summary.actor == "web:ada" and "9434765919" in summary.detail and "request 42" in summary.detail
    assert {r.message_id for r in rows if r.message_id and r.outcome == "ok"} == found
    unread = {r.message_id for r in rows if r.message_id and r.outcome == "incomplete"}
    assert all(qid in admin.content() for qid in unread)  # listed as not read in full


def test_password_change_in_the_browser(new_page: Any, stack: Stack) -> None:
    """A weak new password is refused with its reason; a good one ends the other session and logs in."""
    here, there = new_page(), new_page()
    _login(here, stack, "pat")
    _login(there, stack, "pat")
    here.click("nav a:has-text('Your account')")

    def change(new: str) -> str:
        here.fill("input[name=current]", PASSWORD)
        here.fill("input[name=new]", new)
        here.fill("input[name=again]", new)
        here.click("button:has-text('Change password')")
        here.wait_for_selector("p.flash")
        return str(here.inner_text("p.flash"))

    said = change("aaaaaaaaaaaa")
    assert "Password not changed" in said and "too easy to guess" in said
    assert "Password changed" in change("pat's new long passphrase")
    here.goto(stack.url + "/messages")
    assert here.url.startswith(stack.url + "/messages")
    there.goto(stack.url + "/messages")
    assert there.url.startswith(stack.url + "/login")  # the other session ended
    third = new_page()
    _login(third, stack, "pat", "pat's new long passphrase")
    assert third.url.startswith(stack.url + "/messages")


def test_admin_without_authenticator_enrols_one_after_login(new_page: Any, stack: Stack) -> None:
    """An admin with no authenticator lands on enrolment, cannot leave it, enrols with the admin's one-time
    enrolment code (not without), then logs in with codes."""
    page = new_page()
    _login(page, stack, "nia")
    assert page.url == stack.url + "/account/mfa"
    page.click("nav a:has-text('Held messages')")
    assert page.url == stack.url + "/account/mfa"  # nothing else is open yet
    page.click("button:has-text('Start enrolling')")
    secret = page.inner_text("#secret").replace(" ", "")
    page.fill("input[name=current]", PASSWORD)
    page.fill("input[name=code]", totp_code(secret, time.time()))
    page.fill("input[name=enrolment]", "not-the-code-from-the-admin")
    page.click("button:has-text('Enrol')")
    page.wait_for_selector("p.flash")
    assert page.url == stack.url + "/account/mfa"  # not without the administrator's enrolment code
    assert "Not enrolled" in page.inner_text("p.flash")
    assert page.inner_text("#secret").replace(" ", "") == secret  # the same pending secret, to try again
    page.fill("input[name=current]", PASSWORD)
    page.fill("input[name=code]", totp_code(secret, time.time()))
    page.fill("input[name=enrolment]", stack.users.issue_enrolment_code("nia"))
    page.click("button:has-text('Enrol')")
    page.wait_for_url(re.compile(re.escape(stack.url + "/messages")))
    assert "Authenticator enrolled" in page.inner_text("p.flash")
    stored = str(
        stack.store.db.execute("SELECT totp_secret FROM web_users WHERE name = 'nia'")[0]["totp_secret"]
    )
    assert secret not in stored
    page.click("button:has-text('Log out')")
    _login(page, stack, "nia")
    assert page.url.startswith(stack.url + "/login")  # the password alone no longer logs in
    _login(page, stack, "nia", code=totp_code(secret, time.time() + 30))  # the next code
    assert page.url.startswith(stack.url + "/messages")
