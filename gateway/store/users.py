"""The people who may use the review UI: accounts, credentials and sessions.

Passwords are stored as argon2id hashes (argon2-cffi, imported here only)
and must pass the policy of gateway/store/passwords.py. A TOTP secret is
stored encrypted with the quarantine's key ring (AES-GCM bound to the
account's row), never in clear; a store that still holds clear secrets has
them encrypted by its migration. Sessions live in the database, so logout,
timeouts and disabling an account take effect on every node at once: the
browser holds a random token, the table holds only its SHA-256. Any change
to a credential (password, authenticator) ends the account's other
sessions. A first authenticator enrolled in the UI by an account whose role
requires one needs a one-time enrolment code an administrator issued
(`issue_enrolment_code`, `gateway users enrol-code`), so that whoever holds
only the account's password cannot bind their own authenticator. Login attempts are throttled by gateway/store/throttle.py.

Roles: "reviewer" (view, reveal, download, release, reject) and "admin"
(all of that, plus delete, purge, users and the audit view). A scope (sender
domains) limits which held messages a user may see; empty means all.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from gateway.store.crypto import Keyring
from gateway.store.db import Database, Tx
from gateway.store.passwords import MIN_LENGTH, WeakPassword
from gateway.store.passwords import check_password as _policy
from gateway.store.throttle import LoginThrottle
from gateway.store.totp import SecretBox, totp_match
from gateway.store.totp import totp_code as totp_code
from gateway.store.totp import totp_new_secret as totp_new_secret
from gateway.store.totp import totp_uri as totp_uri
from gateway.store.totp import totp_verify as totp_verify
from gateway.store.users_schema import ENROL_CODE_HOURS, MIGRATIONS
from gateway.store.users_types import ROLES as ROLES
from gateway.store.users_types import Session as Session
from gateway.store.users_types import User as User
from gateway.store.users_types import UserError as UserError
from gateway.store.users_types import user_of_row

MIN_PASSWORD = MIN_LENGTH
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def cheap_hasher() -> PasswordHasher:
    """Fast argon2 parameters, for tests only."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class UserStore:
    """Accounts, sessions and the login throttle, in the shared database.

    `keyring` (the quarantine's) encrypts TOTP secrets; without it an
    authenticator can be neither enrolled nor checked.
    """

    def __init__(
        self,
        db: Database,
        *,
        keyring: Keyring | None = None,
        clock: Clock = _now,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.db = db
        self.keyring = keyring
        self.box = SecretBox(keyring)
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self.throttle = LoginThrottle(db, clock=clock)
        self._dummy: str = ""

    @property
    def _dummy_hash(self) -> str:
        """Verified against when the name is unknown, so both cases take the same time."""
        if not self._dummy:
            self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    def migrate(self) -> int:
        """Bring the accounts' tables up to date; returns the schema version reached."""
        return self.db.migrate(
            "users", [step if isinstance(step, str) else partial(step, self.box) for step in MIGRATIONS]
        )

    # -- accounts --------------------------------------------------------------------------------

    def add(self, name: str, password: str, role: str, scope: Sequence[str] = ()) -> User:
        if not _NAME.match(name):
            raise UserError("a user name is 1-64 letters, digits, '.', '_', '@' or '-'")
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}")
        check_password(password, name)
        clean_scope = _clean_scope(scope)
        with self.db.transaction() as tx:
            if tx.execute("SELECT name FROM web_users WHERE name = ?", (name,)):
                raise UserError(f"user {name!r} already exists")
            tx.execute(
                "INSERT INTO web_users (name, password_hash, role, scope, created) VALUES (?, ?, ?, ?, ?)",
                (name, self.hasher.hash(password), role, ",".join(clean_scope), _iso(self.clock())),
            )
        user = self.get(name)
        assert user is not None
        return user

    def get(self, name: str) -> User | None:
        rows = self.db.execute("SELECT * FROM web_users WHERE name = ?", (name,))
        return user_of_row(rows[0]) if rows else None

    def accounts(self) -> list[User]:
        return [user_of_row(r) for r in self.db.execute("SELECT * FROM web_users ORDER BY name")]

    def set_disabled(self, name: str, disabled: bool) -> None:
        """Disable (and log out everywhere) or enable an account."""
        with self.db.transaction() as tx:
            if not tx.execute("SELECT name FROM web_users WHERE name = ?", (name,)):
                raise UserError(f"no user {name!r}")
            tx.execute("UPDATE web_users SET disabled = ? WHERE name = ?", (1 if disabled else 0, name))
            if disabled:
                tx.execute("DELETE FROM web_sessions WHERE user_name = ?", (name,))

    def set_password(self, name: str, password: str, *, keep_session: str = "") -> None:
        """A new password; every session of the account ends except `keep_session` (a token)."""
        check_password(password, name)
        with self.db.transaction() as tx:
            if not tx.execute("SELECT name FROM web_users WHERE name = ?", (name,)):
                raise UserError(f"no user {name!r}")
            tx.execute(
                "UPDATE web_users SET password_hash = ? WHERE name = ?", (self.hasher.hash(password), name)
            )
            _end_other_sessions(tx, name, keep_session)

    def check_current_password(self, name: str, password: str) -> bool:
        """Whether `password` is the account's password now (for a change made while logged in)."""
        rows = self.db.execute("SELECT password_hash FROM web_users WHERE name = ?", (name,))
        ok = self._verify(str(rows[0]["password_hash"]) if rows else self._dummy_hash, password)
        return ok and bool(rows)

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(stored, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def set_role(self, name: str, role: str, scope: Sequence[str] | None = None) -> None:
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}")
        with self.db.transaction() as tx:
            if not tx.execute("SELECT name FROM web_users WHERE name = ?", (name,)):
                raise UserError(f"no user {name!r}")
            tx.execute("UPDATE web_users SET role = ? WHERE name = ?", (role, name))
            if scope is not None:
                tx.execute(
                    "UPDATE web_users SET scope = ? WHERE name = ?", (",".join(_clean_scope(scope)), name)
                )

    def set_totp(self, name: str, secret: str, *, keep_session: str = "", step: int = 0) -> None:
        """Require a TOTP code at login ("" switches it off); ends every other session of the account.

        `step`: the time step of the code that confirmed the enrolment, so that code cannot log in again.
        """
        with self.db.transaction() as tx:
            if not tx.execute("SELECT name FROM web_users WHERE name = ?", (name,)):
                raise UserError(f"no user {name!r}")
            self._store_totp(tx, name, secret, keep_session, step)

    def _store_totp(self, tx: Tx, name: str, secret: str, keep_session: str, step: int) -> None:
        sealed = self.box.seal(name, secret) if secret else ""
        tx.execute(
            "UPDATE web_users SET totp_secret = ?, totp_step = ?, enrol_hash = '', enrol_until = 0"
            " WHERE name = ?",
            (sealed, step, name),
        )
        _end_other_sessions(tx, name, keep_session)

    def issue_enrolment_code(self, name: str, *, hours: float = ENROL_CODE_HOURS) -> str:
        """A one-time code that lets the account enrol its first authenticator in the UI (replaces any earlier)."""
        code = "-".join(secrets.token_hex(3) for _ in range(4))  # 96 bits, easy to read out
        until = self.clock().timestamp() + hours * 3600.0
        with self.db.transaction() as tx:
            if not tx.execute("SELECT name FROM web_users WHERE name = ?", (name,)):
                raise UserError(f"no user {name!r}")
            tx.execute(
                "UPDATE web_users SET enrol_hash = ?, enrol_until = ? WHERE name = ?",
                (_token_hash(_fold_code(code)), until, name),
            )
        return code

    def start_enrolment(self, token: str, name: str) -> str:
        """A new TOTP secret for this session to confirm with a code; kept (encrypted) in the session."""
        secret = totp_new_secret()
        self.db.execute(
            "UPDATE web_sessions SET totp_pending = ? WHERE id_hash = ?",
            (self.box.seal(name, secret, "pending"), _token_hash(token)),
        )
        return secret

    def pending_secret(self, token: str, name: str) -> str:
        """The secret this session is enrolling ("" when none)."""
        rows = self.db.execute(
            "SELECT totp_pending FROM web_sessions WHERE id_hash = ?", (_token_hash(token),)
        )
        stored = str(rows[0]["totp_pending"]) if rows else ""
        return self.box.unseal(name, stored, "pending") if stored else ""

    def confirm_enrolment(self, token: str, name: str, code: str, *, issued: str | None = None) -> bool:
        """The code matches the pending secret: it becomes the account's authenticator; other sessions end.

        `issued` (not None): the enrolment also needs the one-time code an administrator issued for the
        account (`issue_enrolment_code`), still valid; it is used up. The web UI asks for it when the
        account's role needs an authenticator and it has none, so a password alone cannot bind one.
        """
        secret = self.pending_secret(token, name)
        step = totp_match(secret, code, self.clock().timestamp()) if secret else None
        if step is None:
            return False
        with self.db.transaction() as tx:
            if issued is not None:
                used = tx.execute(
                    "UPDATE web_users SET enrol_hash = '', enrol_until = 0"
                    " WHERE name = ? AND enrol_hash <> '' AND enrol_hash = ? AND enrol_until > ? RETURNING name",
                    (name, _token_hash(_fold_code(issued)), self.clock().timestamp()),
                )
                if not used:
                    return False
            self._store_totp(tx, name, secret, token, step)
            tx.execute("UPDATE web_sessions SET totp_pending = '' WHERE id_hash = ?", (_token_hash(token),))
        return True

    def authenticate(self, name: str, password: str, totp_code: str = "") -> User | None:
        """The user when the password (and TOTP code, if enrolled) is right and the account enabled."""
        rows = self.db.execute("SELECT * FROM web_users WHERE name = ?", (name,))
        stored = str(rows[0]["password_hash"]) if rows else self._dummy_hash
        ok = self._verify(stored, password)
        if not rows or not ok:
            return None
        row = rows[0]
        if int(row["disabled"]):
            return None
        secret = self.box.unseal(name, str(row["totp_secret"])) if row["totp_secret"] else ""
        step = totp_match(secret, totp_code, self.clock().timestamp()) if secret else None
        if secret and step is None:
            return None
        updates: list[tuple[str, tuple[Any, ...]]] = [
            ("UPDATE web_users SET last_login = ? WHERE name = ?", (_iso(self.clock()), name))
        ]
        if self.hasher.check_needs_rehash(stored):
            updates.append(
                ("UPDATE web_users SET password_hash = ? WHERE name = ?", (self.hasher.hash(password), name))
            )
        with self.db.transaction() as tx:
            if step is not None:
                # each code logs in once: a code seen on a screen or in transit cannot be replayed
                fresh = tx.execute(
                    "UPDATE web_users SET totp_step = ? WHERE name = ? AND totp_step < ? RETURNING name",
                    (step, name, step),
                )
                if not fresh:
                    return None
            for sql, params in updates:
                tx.execute(sql, params)
        return user_of_row(row)

    # -- sessions --------------------------------------------------------------------------------

    def create_session(self, user: User, source: str) -> str:
        """A new session for a user who just logged in; returns the token for the cookie."""
        token = secrets.token_urlsafe(32)
        now = self.clock().timestamp()
        self.db.execute(
            "INSERT INTO web_sessions (id_hash, user_name, csrf, created, last_seen, source)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (_token_hash(token), user.name, secrets.token_urlsafe(32), now, now, source),
        )
        return token

    def session(self, token: str, *, idle_s: float, absolute_s: float) -> Session | None:
        """The live session for a token, refreshed; None when unknown, expired or the user is disabled."""
        if not token:
            return None
        now = self.clock().timestamp()
        h = _token_hash(token)
        rows = self.db.execute(
            "SELECT s.*, u.name AS u_name, u.role, u.disabled, u.scope, u.created AS u_created,"
            " u.last_login, u.totp_secret, u.password_hash"
            " FROM web_sessions s JOIN web_users u ON u.name = s.user_name WHERE s.id_hash = ?",
            (h,),
        )
        if not rows:
            return None
        r = rows[0]
        expired = now - float(r["last_seen"]) > idle_s or now - float(r["created"]) > absolute_s
        if expired or int(r["disabled"]):
            self.db.execute("DELETE FROM web_sessions WHERE id_hash = ?", (h,))
            return None
        self.db.execute("UPDATE web_sessions SET last_seen = ? WHERE id_hash = ?", (now, h))
        user = user_of_row({**r, "name": r["u_name"], "created": r["u_created"]})
        revealed = json.loads(str(r["revealed"] or "{}"))
        return Session(
            user=user,
            csrf=str(r["csrf"]),
            created=float(r["created"]),
            last_seen=now,
            source=str(r["source"]),
            revealed={str(k): [int(x) for x in v] for k, v in revealed.items()},
            flash=str(r["flash"] or ""),
        )

    def end_session(self, token: str) -> None:
        self.db.execute("DELETE FROM web_sessions WHERE id_hash = ?", (_token_hash(token),))

    def end_sessions_of(self, name: str) -> None:
        self.db.execute("DELETE FROM web_sessions WHERE user_name = ?", (name,))

    def count_sessions(self, name: str) -> int:
        rows = self.db.execute("SELECT COUNT(*) AS c FROM web_sessions WHERE user_name = ?", (name,))
        return int(rows[0]["c"])

    def set_revealed(self, token: str, revealed: dict[str, list[int]]) -> None:
        # keep the few most recent messages only: the record is per session, not a history
        trimmed = dict(list(revealed.items())[-20:])
        self.db.execute(
            "UPDATE web_sessions SET revealed = ? WHERE id_hash = ?",
            (json.dumps(trimmed), _token_hash(token)),
        )

    def set_flash(self, token: str, text: str) -> None:
        self.db.execute(
            "UPDATE web_sessions SET flash = ? WHERE id_hash = ?", (text[:500], _token_hash(token))
        )


def check_password(password: str, name: str = "") -> None:
    """UserError with the reason when the password does not meet the policy (see passwords.py)."""
    try:
        _policy(password, [name] if name else [])
    except WeakPassword as exc:
        raise UserError(str(exc)) from None


def _end_other_sessions(tx: Tx, name: str, keep: str) -> None:
    if keep:
        tx.execute("DELETE FROM web_sessions WHERE user_name = ? AND id_hash <> ?", (name, _token_hash(keep)))
    else:
        tx.execute("DELETE FROM web_sessions WHERE user_name = ?", (name,))


def _clean_scope(scope: Sequence[str]) -> list[str]:
    out = []
    for s in scope:
        d = s.strip().lower().lstrip("@").rstrip(".")
        if d:
            if not re.match(r"^[a-z0-9.-]+$", d):
                raise UserError(f"not a domain: {s!r}")
            out.append(d)
    return out


def _fold_code(code: str) -> str:
    """An enrolment code as typed, in any case, with or without its dashes and spaces."""
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")
