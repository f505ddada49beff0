"""Review UI accounts: argon2 hashes, roles, sessions with timeouts, disabling, login throttling.

The same tests run on PostgreSQL from tests/integration/test_quarantine_postgres.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.store.db import Database
from gateway.store.users import UserError, UserStore, cheap_hasher, totp_code, totp_new_secret
from tests.quarantine_fixtures import ManualClock

PW = "correct horse battery"


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database("", state_dir=tmp_path)
    yield db
    db.close()


def _users(db: Database, clock: ManualClock | None = None) -> UserStore:
    store = UserStore(db, clock=clock or ManualClock(), hasher=cheap_hasher())
    store.migrate()
    return store


def test_passwords_are_argon2_hashes(database: Database) -> None:
    """Only an argon2id hash of the password is stored, and it verifies."""
    users = _users(database)
    users.add("rita", PW, "reviewer")
    stored = database.execute("SELECT password_hash FROM web_users")[0]["password_hash"]
    assert stored.startswith("$argon2id$") and PW not in stored
    assert users.authenticate("rita", PW) is not None
    assert users.authenticate("rita", PW + "x") is None
    assert users.authenticate("nobody", PW) is None


def test_bad_accounts_are_refused(database: Database) -> None:
    """Unknown roles, short passwords, odd names and duplicates are refused."""
    users = _users(database)
    with pytest.raises(UserError, match="role"):
        users.add("a", PW, "superuser")
    with pytest.raises(UserError, match="12"):
        users.add("a", "short", "admin")
    with pytest.raises(UserError):
        users.add("a b", PW, "admin")
    users.add("a", PW, "admin")
    with pytest.raises(UserError, match="exists"):
        users.add("a", PW, "admin")


def test_session_idle_and_absolute_timeouts(database: Database) -> None:
    """A session ends after 15 idle minutes, and after 8 hours however active."""
    clock = ManualClock()
    users = _users(database, clock)
    user = users.add("rita", PW, "reviewer")
    limits = {"idle_s": 15 * 60, "absolute_s": 8 * 3600}
    token = users.create_session(user, "10.0.0.1")
    clock.advance(minutes=14)
    assert users.session(token, **limits) is not None
    clock.advance(minutes=16)
    assert users.session(token, **limits) is None
    token = users.create_session(user, "10.0.0.1")
    login = clock.now
    for _ in range(8 * 6 + 1):
        clock.advance(minutes=10)
        if users.session(token, **limits) is None:
            break
    else:
        pytest.fail("session outlived the absolute timeout")
    assert 8 * 3600 < (clock.now - login).total_seconds() <= 8 * 3600 + 600


def test_disabling_a_user_ends_their_sessions(database: Database) -> None:
    """Disabling an account kills its sessions at once and blocks new logins."""
    users = _users(database)
    user = users.add("rita", PW, "reviewer")
    token = users.create_session(user, "10.0.0.1")
    users.set_disabled("rita", True)
    assert users.session(token, idle_s=900, absolute_s=28800) is None
    assert users.authenticate("rita", PW) is None
    users.set_disabled("rita", False)
    assert users.authenticate("rita", PW) is not None


def test_tokens_are_stored_hashed(database: Database) -> None:
    """The database holds only a hash of the session token: reading it does not give a session."""
    users = _users(database)
    token = users.create_session(users.add("rita", PW, "reviewer"), "10.0.0.1")
    stored = database.execute("SELECT id_hash FROM web_sessions")[0]["id_hash"]
    assert token not in stored and users.session(stored, idle_s=900, absolute_s=28800) is None


def test_throttle_locks_after_limit_and_doubles(database: Database) -> None:
    """After the limit of failures the key is locked for a minute, then two, and resets after a quiet spell."""
    clock = ManualClock()
    users = _users(database, clock)
    for _ in range(4):
        users.record_failure([("user:rita", 5)])
    assert users.locked_for(["user:rita"]) == 0
    users.record_failure([("user:rita", 5)])
    assert users.locked_for(["user:rita"]) == pytest.approx(60)
    clock.advance(seconds=61)
    assert users.locked_for(["user:rita"]) == 0
    users.record_failure([("user:rita", 5)])
    assert users.locked_for(["user:rita"]) == pytest.approx(120)
    clock.advance(hours=1)
    users.record_failure([("user:rita", 5)])
    assert users.locked_for(["user:rita"]) == 0  # counting started afresh


def test_totp_codes_are_checked_at_login(database: Database) -> None:
    """With TOTP enrolled, the password alone no longer logs in; the current code does."""
    clock = ManualClock()
    users = _users(database, clock)
    users.add("rita", PW, "reviewer")
    secret = totp_new_secret()
    users.set_totp("rita", secret)
    assert users.get("rita").mfa  # type: ignore[union-attr]
    assert users.authenticate("rita", PW) is None
    assert users.authenticate("rita", PW, totp_code(secret, clock.now.timestamp())) is not None
    assert users.authenticate("rita", PW, totp_code(secret, clock.now.timestamp() + 300)) is None


def test_totp_code_cannot_be_replayed(database: Database) -> None:
    """A TOTP code that logged in once does not log in again, even within its window."""
    clock = ManualClock()
    users = _users(database, clock)
    users.add("rita", PW, "reviewer")
    secret = totp_new_secret()
    users.set_totp("rita", secret)
    code = totp_code(secret, clock.now.timestamp())
    assert users.authenticate("rita", PW, code) is not None
    clock.advance(seconds=20)
    assert users.authenticate("rita", PW, code) is None
    clock.advance(seconds=30)
    assert users.authenticate("rita", PW, totp_code(secret, clock.now.timestamp())) is not None


def test_rfc6238_reference_vector() -> None:
    """TOTP matches the RFC 6238 SHA-1 test vector (T=59 -> 94287082, six digits 287082)."""
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp_code(secret, 59) == "287082"
