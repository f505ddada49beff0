"""Accounts in the review UI: throttling that cannot be raced, password change, enrolment, MFA for admins."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.errors import ConfigError
from gateway.store.users import UserStore, totp_code
from gateway.web.app import create_app
from tests.unit.web.conftest import PASSWORD, CountingHasher, Ui, csrf_of, login_fields, make_ui


async def _parallel_wrong_logins(app: object, n: int) -> list[int]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        page = await c.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', page.text)
        assert token is not None
        form = {"login_token": token.group(1), "name": "rita", "password": "not the password at all"}
        answers = await asyncio.gather(*(c.post("/login", data=form) for _ in range(n)))
        return [r.status_code for r in answers]


def test_parallel_wrong_passwords_get_at_most_the_limit_of_checks(ui: Ui) -> None:
    """40 wrong passwords at once: at most max_failed_logins are checked; the right one then gets 429."""
    hasher = CountingHasher()
    users = UserStore(ui.store.db, keyring=ui.store.keyring, clock=ui.clock, hasher=hasher)
    app = create_app(ui.settings, ui.store, deliver=ui.hop, users=users, clock=ui.clock)
    answers = asyncio.run(_parallel_wrong_logins(app, 40))
    limit = ui.settings.web.max_failed_logins
    assert hasher.checks <= limit
    assert answers.count(401) == hasher.checks and answers.count(429) == 40 - hasher.checks
    c = ui.client()
    c.app = app
    r = c.post("/login", data={**login_fields(c), "name": "rita", "password": PASSWORD})
    assert r.status_code == 429 and hasher.checks <= limit
    ui.clock.advance(seconds=59)
    r = c.post("/login", data={**login_fields(c), "name": "rita", "password": PASSWORD})
    assert r.status_code == 429
    ui.clock.advance(seconds=2)
    r = c.post("/login", data={**login_fields(c), "name": "rita", "password": PASSWORD})
    assert r.status_code == 303


def _change(c: object, current: str, new: str, again: str | None = None) -> str:
    page = c.get("/account").text  # type: ignore[attr-defined]
    data = {"csrf": csrf_of(page), "current": current, "new": new, "again": new if again is None else again}
    r = c.post("/account/password", data=data)  # type: ignore[attr-defined]
    assert r.status_code == 303 and r.headers["location"] == "/account"
    return str(c.get("/account").text)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("current", "new", "again", "said"),
    [
        ("wrong current password", "a brand new passphrase", None, "current password is not right"),
        (PASSWORD, "aaaaaaaaaaaa", None, "too easy to guess"),
        (PASSWORD, "123456789012", None, "too easy to guess"),
        (PASSWORD, "short", None, "at least 12 characters"),
        (PASSWORD, "a brand new passphrase", "a brand new passphrasE", "differ"),
    ],
)
def test_password_change_refusals_say_why(
    ui: Ui, current: str, new: str, again: str | None, said: str
) -> None:
    """A wrong current password, a weak or mistyped new one: not changed, with the reason, audited."""
    c = ui.login("rita")
    page = _change(c, current, new, again)
    assert "Password not changed" in page and said in page
    assert ui.users.check_current_password("rita", PASSWORD)
    row = ui.audit(action="password-change")[-1]
    assert row.outcome == "refused" and new not in row.detail and current not in row.detail


def test_password_change_ends_the_other_sessions(ui: Ui) -> None:
    """A user changes their own password: this session goes on, the others end, the new one logs in."""
    here, there = ui.login("rita"), ui.login("rita")
    page = _change(here, PASSWORD, "a brand new passphrase")
    assert "Password changed" in page
    assert here.get("/messages").status_code == 200
    assert there.get("/messages").status_code == 303  # to the login page
    ui.login("rita", "a brand new passphrase")
    assert ui.audit(action="password-change")[-1].outcome == "ok"


def test_wrong_current_passwords_are_throttled(ui: Ui) -> None:
    """The current-password check of the account page counts like a login: it is no guessing oracle."""
    c = ui.login("rita")
    for _ in range(ui.settings.web.max_failed_logins):
        _change(c, "wrong current password", "a brand new passphrase")
    page = _change(c, PASSWORD, "a brand new passphrase")
    assert "too many wrong passwords" in page and ui.users.check_current_password("rita", PASSWORD)


def _enrol_form(ui: Ui, c: object, name: str, enrolment: str | None) -> Any:
    """Start an enrolment in the UI and confirm it with a right code (and `enrolment`, when given)."""
    page = c.get("/account/mfa").text  # type: ignore[attr-defined]
    c.post("/account/mfa/start", data={"csrf": csrf_of(page)})  # type: ignore[attr-defined]
    page = c.get("/account/mfa").text  # type: ignore[attr-defined]
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', page)
    assert secret is not None
    ui.secrets[name] = secret.group(1).replace(" ", "")
    code = totp_code(ui.secrets[name], ui.clock.now.timestamp())
    form = {"csrf": csrf_of(page), "current": PASSWORD, "code": code}
    if enrolment is not None:
        form["enrolment"] = enrolment
    return c.post("/account/mfa", data=form)  # type: ignore[attr-defined]


def _enrol(ui: Ui, c: object, name: str) -> None:
    r = _enrol_form(ui, c, name, ui.users.issue_enrolment_code(name))
    assert r.status_code == 303 and r.headers["location"] == "/messages", r.text


@pytest.mark.parametrize("enrolment", [None, "", "wrong-code-0000-0000", "expired", "used"])
def test_first_required_authenticator_needs_the_administrators_enrolment_code(
    ui: Ui, enrolment: str | None
) -> None:
    """An admin's password alone cannot bind a first authenticator: a missing, wrong, expired or used code fails."""
    ui.users.set_totp("adam", "")
    if enrolment == "expired":
        enrolment = ui.users.issue_enrolment_code("adam", hours=0.01)  # 36 seconds
    elif enrolment == "used":
        enrolment = ui.users.issue_enrolment_code("adam")
        token = ui.users.create_session(ui.users.get("adam"), "10.0.0.1")  # type: ignore[arg-type]
        secret = ui.users.start_enrolment(token, "adam")
        code = totp_code(secret, ui.clock.now.timestamp())
        assert ui.users.confirm_enrolment(token, "adam", code, issued=enrolment)
        ui.users.set_totp("adam", "")  # an admin reset it after that enrolment
    c = ui.login("adam")
    ui.clock.advance(seconds=60)
    r = _enrol_form(ui, c, "adam", enrolment)
    assert r.headers["location"] == "/account/mfa"
    assert "enrolment code" in c.get("/account/mfa").text
    assert not ui.users.get("adam").mfa  # type: ignore[union-attr]
    assert ui.audit(action="mfa-enrol")[-1].outcome in ("refused", "shown")


def test_admin_without_authenticator_is_sent_to_enrolment(ui: Ui) -> None:
    """By default an admin with no authenticator logs in only to enrol one; then everything opens."""
    ui.users.set_totp("adam", "")
    del ui.secrets["adam"]
    other = ui.login("adam")
    c = ui.login("adam")
    assert c.get("/admin/users").headers["location"] == "/account/mfa"
    assert c.get("/messages").headers["location"] == "/account/mfa"
    assert ui.audit(action="login")[-1].detail == "role=admin must enrol an authenticator"
    _enrol(ui, c, "adam")
    assert c.get("/admin/users").status_code == 200
    assert other.get("/messages").status_code == 303  # enrolling ended the other session
    assert ui.users.get("adam").mfa  # type: ignore[union-attr]
    stored = str(
        ui.store.db.execute("SELECT totp_secret FROM web_users WHERE name = 'adam'")[0]["totp_secret"]
    )
    assert ui.secrets["adam"] not in stored
    ui.login("adam")  # with a code from the new authenticator


def test_reviewers_need_no_authenticator_by_default(ui: Ui) -> None:
    """A reviewer without an authenticator reaches the list: MFA is required of admins by default."""
    assert ui.login("rita").get("/messages").status_code == 200


def test_mfa_roles_can_include_reviewers(tmp_path: Path) -> None:
    """With mfa_roles naming reviewers, a reviewer without an authenticator is sent to enrolment."""
    for ui in make_ui(tmp_path, mfa_roles='["admin", "reviewer"]'):
        c = ui.login("rita")
        assert c.get("/messages").headers["location"] == "/account/mfa"
        _enrol(ui, c, "rita")
        assert c.get("/messages").status_code == 200


def test_voluntary_enrolment_with_a_wrong_code_changes_nothing(ui: Ui) -> None:
    """A wrong code (or password) does not enrol the authenticator and says so."""
    c = ui.login("rita")
    page = c.get("/account/mfa").text
    c.post("/account/mfa/start", data={"csrf": csrf_of(page)})
    page = c.get("/account/mfa").text
    r = c.post("/account/mfa", data={"csrf": csrf_of(page), "current": PASSWORD, "code": "12345"})
    assert r.headers["location"] == "/account/mfa" and "Not enrolled" in c.get("/account/mfa").text
    assert not ui.users.get("rita").mfa  # type: ignore[union-attr]


def test_unknown_role_in_mfa_roles_is_a_configuration_error(tmp_path: Path) -> None:
    """A typo in mfa_roles is refused at start-up rather than silently requiring nothing."""
    with pytest.raises(ConfigError, match="admins"):
        next(make_ui(tmp_path, mfa_roles='["admins"]'))
