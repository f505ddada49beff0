"""Review UI accounts: argon2 hashes, password policy, roles, sessions, credentials, TOTP, throttling.

The same tests run on PostgreSQL from tests/integration/test_quarantine_postgres.py.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.errors import StoreError
from gateway.store.crypto import Keyring
from gateway.store.db import Database
from gateway.store.throttle import stored_key
from gateway.store.users import UserError, UserStore, cheap_hasher, totp_code, totp_new_secret
from tests.quarantine_fixtures import KEY_A, KEY_B, ManualClock

PW = "correct horse battery"


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database("", state_dir=tmp_path)
    yield db
    db.close()


def _keyring() -> Keyring:
    return Keyring([base64.b64decode(KEY_A)])


def _users(db: Database, clock: ManualClock | None = None, *, hasher: object = None) -> UserStore:
    store = UserStore(
        db,
        keyring=_keyring(),
        clock=clock or ManualClock(),
        hasher=hasher or cheap_hasher(),  # type: ignore[arg-type]
    )
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
    with pytest.raises(UserError, match="easy to guess"):
        users.add("a", "aaaaaaaaaaaa", "admin")
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
    """The attempt that reaches the limit locks the key for a minute, then two; a quiet spell resets it."""
    clock = ManualClock()
    throttle = _users(database, clock).throttle
    for _ in range(4):
        assert throttle.attempt([("user:rita", 5)]) == 0
    assert throttle.locked_for(["user:rita"]) == 0
    assert throttle.attempt([("user:rita", 5)]) == 0  # the fifth is still checked, and locks
    assert throttle.locked_for(["user:rita"]) == pytest.approx(60)
    assert throttle.attempt([("user:rita", 5)]) == pytest.approx(60)  # refused, not counted
    clock.advance(seconds=61)
    assert throttle.locked_for(["user:rita"]) == 0
    assert throttle.attempt([("user:rita", 5)]) == 0
    assert throttle.locked_for(["user:rita"]) == pytest.approx(120)
    clock.advance(hours=1)
    assert throttle.attempt([("user:rita", 5)]) == 0
    assert throttle.locked_for(["user:rita"]) == 0  # counting started afresh


def test_throttle_refuses_when_any_key_is_locked_and_counts_nothing(database: Database) -> None:
    """A locked address refuses an attempt on any account without counting it against the account."""
    throttle = _users(database).throttle
    for name in ("a", "b", "c"):
        assert throttle.attempt([(f"user:{name}", 5), ("ip:10.0.0.9", 3)]) == 0
    assert throttle.attempt([("user:rita", 5), ("ip:10.0.0.9", 3)]) > 0
    rows = database.execute("SELECT failures FROM login_throttle WHERE key = ?", (stored_key("user:rita"),))
    assert not rows or int(rows[0]["failures"]) == 0


def test_success_clears_the_account_and_gives_the_attempt_back(database: Database) -> None:
    """A right password forgets the account's count and does not use up the address's allowance."""
    throttle = _users(database).throttle
    keys = [("user:rita", 5), ("ip:10.0.0.9", 2)]
    assert throttle.attempt(keys) == 0
    throttle.succeeded(keys, clear="user:rita")
    assert throttle.attempt(keys) == 0
    throttle.succeeded(keys, clear="user:rita")  # this attempt had reached the address's limit
    assert throttle.locked_for(["user:rita", "ip:10.0.0.9"]) == 0
    assert database.execute("SELECT key FROM login_throttle WHERE key = ?", (stored_key("user:rita"),)) == []


def test_parallel_attempts_are_counted_before_any_check(database: Database) -> None:
    """40 attempts at once on one account: exactly the limit of them go ahead, the rest are refused."""
    users = _users(database)
    users.throttle.attempt([("warm-up", 99)])  # tables and connection of this thread exist
    allowed: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(40)

    def one() -> None:
        start.wait()
        wait = users.throttle.attempt([("user:rita", 5), ("ip:10.0.0.9", 100)])
        with lock:
            allowed.append(wait)

    threads = [threading.Thread(target=one) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 40 and sum(1 for w in allowed if w == 0) == 5


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


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("aaaaaaaaaaaa", "Repeats"),
        ("123456789012", "commonly used password"),
        ("passwordpassword", "easy to guess"),
        ("rita-rita-rita-1", "easy to guess"),
        ("short", "at least 12 characters"),
        (" padded password here ", "spaces"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(database: Database, password: str, reason: str) -> None:
    """The strength estimator refuses repeats, common passwords and the account's own name, saying why."""
    users = _users(database)
    with pytest.raises(UserError, match=reason):
        users.add("rita", password, "reviewer")
    users.add("rita", PW, "reviewer")
    with pytest.raises(UserError, match=reason):
        users.set_password("rita", password)


def test_totp_secret_is_stored_encrypted(database: Database) -> None:
    """The TOTP secret is not in the table in clear, and it still checks codes."""
    clock = ManualClock()
    users = _users(database, clock)
    users.add("rita", PW, "reviewer")
    secret = totp_new_secret()
    users.set_totp("rita", secret)
    stored = str(database.execute("SELECT totp_secret FROM web_users")[0]["totp_secret"])
    assert secret not in stored and stored.startswith("enc1:")
    assert users.authenticate("rita", PW, totp_code(secret, clock.now.timestamp())) is not None


def test_migration_encrypts_secrets_stored_in_clear(database: Database) -> None:
    """A store from before encryption: the migration seals its clear secrets and logins go on working."""
    from gateway.store.users import MIGRATIONS

    clock = ManualClock()
    database.migrate("users", [s for s in MIGRATIONS[:4] if isinstance(s, str)])  # before version 5
    secret = totp_new_secret()
    database.execute(
        "INSERT INTO web_users (name, password_hash, role, totp_secret, created) VALUES (?, ?, ?, ?, ?)",
        ("rita", cheap_hasher().hash(PW), "reviewer", secret, "2025-01-01T00:00:00+00:00"),
    )
    with pytest.raises(StoreError, match="key ring"):
        UserStore(database, clock=clock, hasher=cheap_hasher()).migrate()
    users = _users(database, clock)
    stored = str(database.execute("SELECT totp_secret FROM web_users")[0]["totp_secret"])
    assert secret not in stored
    assert users.authenticate("rita", PW, totp_code(secret, clock.now.timestamp())) is not None


@pytest.mark.parametrize("change", ["password", "totp"])
def test_a_credential_change_ends_the_other_sessions(database: Database, change: str) -> None:
    """Changing the password or the authenticator keeps the session that did it and ends every other."""
    users = _users(database)
    user = users.add("rita", PW, "reviewer")
    here, there = users.create_session(user, "10.0.0.1"), users.create_session(user, "10.0.0.2")
    if change == "password":
        users.set_password("rita", "a different long passphrase", keep_session=here)
    else:
        users.set_totp("rita", totp_new_secret(), keep_session=here)
    assert users.session(here, idle_s=900, absolute_s=28800) is not None
    assert users.session(there, idle_s=900, absolute_s=28800) is None


def test_enrolment_needs_a_code_from_the_new_secret(database: Database) -> None:
    """An authenticator is enrolled only once a code of its secret is typed; that code cannot log in again."""
    clock = ManualClock()
    users = _users(database, clock)
    user = users.add("adam", PW, "admin")
    token = users.create_session(user, "10.0.0.1")
    secret = users.start_enrolment(token, "adam")
    assert secret not in str(database.execute("SELECT totp_pending FROM web_sessions")[0]["totp_pending"])
    assert not users.confirm_enrolment(token, "adam", totp_code(secret, clock.now.timestamp() + 3600))
    assert not users.get("adam").mfa  # type: ignore[union-attr]
    code = totp_code(secret, clock.now.timestamp())
    assert users.confirm_enrolment(token, "adam", code)
    assert users.get("adam").mfa  # type: ignore[union-attr]
    assert users.authenticate("adam", PW, code) is None  # the enrolment code was used
    clock.advance(seconds=30)
    assert users.authenticate("adam", PW, totp_code(secret, clock.now.timestamp())) is not None


def test_current_password_check(database: Database) -> None:
    """The current-password check of a self-service change accepts only the account's password."""
    users = _users(database)
    users.add("rita", PW, "reviewer")
    assert users.check_current_password("rita", PW)
    assert not users.check_current_password("rita", PW + "!")
    assert not users.check_current_password("nobody", PW)


def test_throttle_keeps_no_login_name_in_clear(database: Database) -> None:
    """A password typed into the name field is not stored by the throttle (keys are hashed)."""
    throttle = _users(database).throttle
    throttle.attempt([("user:hunter2-my-password", 5), ("ip:10.0.0.9", 20)])
    keys = " ".join(str(r["key"]) for r in database.execute("SELECT key FROM login_throttle"))
    assert "hunter2" not in keys and "10.0.0.9" not in keys


def test_key_rotation_keeps_authenticators_working_without_the_old_key(database: Database) -> None:
    """After rotate + reencrypt, dropping the old key leaves no secret under it: MFA logins and enrolment go on."""
    from gateway.store.quarantine import QuarantineStore

    clock = ManualClock()
    old = _users(database, clock)
    QuarantineStore(database, old.keyring).migrate()  # type: ignore[arg-type]
    adam = old.add("adam", PW, "admin")
    enrolled = totp_new_secret()
    old.set_totp("adam", enrolled)
    token = old.create_session(adam, "10.0.0.1")
    pending = old.start_enrolment(token, "adam")
    key_a, key_b = base64.b64decode(KEY_A), base64.b64decode(KEY_B)

    rotated = QuarantineStore(database, Keyring([key_b, key_a]))
    assert rotated.keys_in_use() == {Keyring([key_a]).current_id: 2}  # the two sealed secrets
    assert rotated.reencrypt() == 2
    assert rotated.keys_in_use() == {Keyring([key_b]).current_id: 2}
    assert rotated.reencrypt() == 0

    new = UserStore(database, keyring=Keyring([key_b]), clock=clock, hasher=cheap_hasher())
    assert new.authenticate("adam", PW, totp_code(enrolled, clock.now.timestamp())) is not None
    assert new.pending_secret(token, "adam") == pending


def test_every_migration_step_keeps_its_version(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A step appended to MIGRATIONS runs on a store the previous release brought to its last version."""
    import gateway.store.users as module

    users = _users(database)  # the store as this release leaves it
    reached = database.execute("SELECT MAX(version) AS v FROM schema_migrations WHERE component = 'users'")
    assert int(reached[0]["v"]) == len(module.MIGRATIONS)
    probe = "CREATE TABLE migration_probe (x INTEGER)"
    monkeypatch.setattr(module, "MIGRATIONS", [*module.MIGRATIONS, probe])
    users.migrate()
    assert database.execute("SELECT COUNT(*) AS c FROM migration_probe")[0]["c"] == 0


def test_enrolment_codes_are_hashed_single_use_and_replaced_by_newer(database: Database) -> None:
    """An issued enrolment code is stored hashed, typed in any case or spacing, used once; a newer one replaces it."""
    clock = ManualClock()
    users = _users(database, clock)
    adam = users.add("adam", PW, "admin")
    first = users.issue_enrolment_code("adam")
    second = users.issue_enrolment_code("adam")
    assert second not in str(database.execute("SELECT enrol_hash FROM web_users")[0]["enrol_hash"])
    token = users.create_session(adam, "10.0.0.1")

    def enrol(issued: str) -> bool:
        secret = users.start_enrolment(token, "adam")
        return users.confirm_enrolment(token, "adam", totp_code(secret, clock.now.timestamp()), issued=issued)

    assert not enrol(first)  # replaced by the second
    assert enrol(" " + second.upper().replace("-", " ") + " ")
    users.set_totp("adam", "")
    assert not enrol(second)  # used up
    with pytest.raises(UserError):
        users.issue_enrolment_code("nobody")
