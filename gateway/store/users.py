"""The people who may use the review UI: accounts, sessions and login throttling.

Passwords are stored as argon2id hashes (argon2-cffi, imported here only).
Sessions live in the database, so logout, timeouts and disabling an account
take effect on every node at once: the browser holds a random token, the
table holds only its SHA-256. Failed logins are counted per account and
per source address; past the limit the key is locked for a time that
doubles with each further failure (1 minute up to an hour).

Roles: "reviewer" (view, reveal, download, release, reject) and "admin"
(all of that, plus delete, purge, users and the audit view). A scope (sender
domains) limits which held messages a user may see; empty means all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import struct
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from gateway.store.db import Database, Row

ROLES = ("reviewer", "admin")
MIN_PASSWORD = 12
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
_LOCK_BASE_S = 60.0
_LOCK_MAX_S = 3600.0
_FAIL_WINDOW_S = 900.0

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


class UserError(ValueError):
    """A request about an account that cannot be done (bad name, unknown user, weak password)."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    disabled: bool = False
    scope: tuple[str, ...] = ()  # sender domains this user reviews; empty = all
    created: str = ""
    last_login: str = ""
    mfa: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def in_scope(self, sender_domain: str) -> bool:
        if not self.scope:
            return True
        d = sender_domain.lower()
        return any(d == s or d.endswith("." + s) for s in self.scope)


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    created: float
    last_seen: float
    source: str
    revealed: dict[str, list[int]] = field(default_factory=dict)  # message id -> span numbers (-1: all)
    flash: str = ""


MIGRATIONS: list[str] = [
    "CREATE TABLE web_users ("
    " name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,"
    " disabled INTEGER NOT NULL DEFAULT 0, scope TEXT NOT NULL DEFAULT '',"
    " totp_secret TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, last_login TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE web_sessions ("
    " id_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL REFERENCES web_users(name),"
    " csrf TEXT NOT NULL, created {real} NOT NULL, last_seen {real} NOT NULL, source TEXT NOT NULL,"
    " revealed TEXT NOT NULL DEFAULT '{}', flash TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX web_sessions_user ON web_sessions (user_name);"
    "CREATE TABLE login_throttle ("
    " key TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_failure {real} NOT NULL,"
    " locked_until {real} NOT NULL)",
    # the TOTP time step last used to log in, so a code cannot be used twice
    "ALTER TABLE web_users ADD COLUMN totp_step {bigint} NOT NULL DEFAULT 0",
]


def cheap_hasher() -> PasswordHasher:
    """Fast argon2 parameters, for tests only."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class UserStore:
    """Accounts, sessions and the login throttle, in the shared database."""

    def __init__(self, db: Database, *, clock: Clock = _now, hasher: PasswordHasher | None = None) -> None:
        self.db = db
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self._dummy: str = ""

    @property
    def _dummy_hash(self) -> str:
        """Verified against when the name is unknown, so both cases take the same time."""
        if not self._dummy:
            self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    def migrate(self) -> None:
        self.db.migrate("users", MIGRATIONS)

    # -- accounts --------------------------------------------------------------------------------

    def add(self, name: str, password: str, role: str, scope: Sequence[str] = ()) -> User:
        if not _NAME.match(name):
            raise UserError("a user name is 1-64 letters, digits, '.', '_', '@' or '-'")
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}")
        check_password(password)
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
        return _user(rows[0]) if rows else None

    def accounts(self) -> list[User]:
        return [_user(r) for r in self.db.execute("SELECT * FROM web_users ORDER BY name")]

    def set_disabled(self, name: str, disabled: bool) -> None:
        """Disable (and log out everywhere) or enable an account."""
        with self.db.transaction() as tx:
            if not tx.execute("SELECT name FROM web_users WHERE name = ?", (name,)):
                raise UserError(f"no user {name!r}")
            tx.execute("UPDATE web_users SET disabled = ? WHERE name = ?", (1 if disabled else 0, name))
            if disabled:
                tx.execute("DELETE FROM web_sessions WHERE user_name = ?", (name,))

    def set_password(self, name: str, password: str) -> None:
        check_password(password)
        with self.db.transaction() as tx:
            if not tx.execute("SELECT name FROM web_users WHERE name = ?", (name,)):
                raise UserError(f"no user {name!r}")
            tx.execute(
                "UPDATE web_users SET password_hash = ? WHERE name = ?", (self.hasher.hash(password), name)
            )
            tx.execute("DELETE FROM web_sessions WHERE user_name = ?", (name,))

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

    def set_totp(self, name: str, secret: str) -> None:
        """Require a TOTP code at login ("" switches it off)."""
        with self.db.transaction() as tx:
            if not tx.execute("SELECT name FROM web_users WHERE name = ?", (name,)):
                raise UserError(f"no user {name!r}")
            tx.execute("UPDATE web_users SET totp_secret = ? WHERE name = ?", (secret, name))

    def authenticate(self, name: str, password: str, totp_code: str = "") -> User | None:
        """The user when the password (and TOTP code, if enrolled) is right and the account enabled."""
        rows = self.db.execute("SELECT * FROM web_users WHERE name = ?", (name,))
        stored = str(rows[0]["password_hash"]) if rows else self._dummy_hash
        ok = False
        try:
            ok = self.hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            pass
        if not rows or not ok:
            return None
        row = rows[0]
        if int(row["disabled"]):
            return None
        secret = str(row["totp_secret"] or "")
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
        return _user(row)

    # -- throttling ------------------------------------------------------------------------------

    def locked_for(self, keys: Sequence[str]) -> float:
        """Seconds until every key may try again (0: allowed now)."""
        now = self.clock().timestamp()
        wait = 0.0
        for key in keys:
            rows = self.db.execute("SELECT locked_until FROM login_throttle WHERE key = ?", (key,))
            if rows:
                wait = max(wait, float(rows[0]["locked_until"]) - now)
        return max(0.0, wait)

    def record_failure(self, limits: Sequence[tuple[str, int]]) -> None:
        """Count a failed login against each (key, limit); lock keys past their limit."""
        now = self.clock().timestamp()
        with self.db.transaction() as tx:
            for key, limit in limits:
                rows = tx.execute(
                    "SELECT failures, last_failure, locked_until FROM login_throttle WHERE key = ?", (key,)
                )
                failures = 0
                if rows:
                    failures = int(rows[0]["failures"])
                    quiet = now - max(float(rows[0]["last_failure"]), float(rows[0]["locked_until"]))
                    if quiet > _FAIL_WINDOW_S:
                        failures = 0  # a quarter of an hour without failures: start counting afresh
                failures += 1
                locked = 0.0
                if failures >= limit:
                    locked = now + min(_LOCK_BASE_S * 2 ** min(failures - limit, 10), _LOCK_MAX_S)
                tx.execute("DELETE FROM login_throttle WHERE key = ?", (key,))
                tx.execute(
                    "INSERT INTO login_throttle (key, failures, last_failure, locked_until) VALUES (?, ?, ?, ?)",
                    (key, failures, now, locked),
                )

    def clear_failures(self, key: str) -> None:
        self.db.execute("DELETE FROM login_throttle WHERE key = ?", (key,))

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
        user = _user({**r, "name": r["u_name"], "created": r["u_created"]})
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


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    if password.strip() != password or "\n" in password:
        raise UserError("a password may not start or end with spaces or hold a line break")


def _clean_scope(scope: Sequence[str]) -> list[str]:
    out = []
    for s in scope:
        d = s.strip().lower().lstrip("@").rstrip(".")
        if d:
            if not re.match(r"^[a-z0-9.-]+$", d):
                raise UserError(f"not a domain: {s!r}")
            out.append(d)
    return out


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def _user(r: Row) -> User:
    scope = tuple(s for s in str(r.get("scope") or "").split(",") if s)
    return User(
        name=str(r["name"]),
        role=str(r["role"]),
        disabled=bool(int(r["disabled"])),
        scope=scope,
        created=str(r.get("created") or ""),
        last_login=str(r.get("last_login") or ""),
        mfa=bool(r.get("totp_secret")),
    )


# -- TOTP (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits) ----------------------------------------------


def totp_new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def totp_code(secret: str, at: float, *, step: int = 30, digits: int = 6) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int(at // step))
    mac = hmac.new(key, counter, hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return str(value).zfill(digits)


def totp_match(secret: str, code: str, at: float | None = None) -> int | None:
    """The 30 s time step whose code this is (this one or a neighbour, for clock drift), or None."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    at = time.time() if at is None else at
    for d in (-1, 0, 1):
        if hmac.compare_digest(totp_code(secret, at + d * 30), code):
            return int((at + d * 30) // 30)
    return None


def totp_verify(secret: str, code: str, at: float | None = None) -> bool:
    return totp_match(secret, code, at) is not None


def totp_uri(secret: str, name: str, issuer: str = "Compliance gateway") -> str:
    from urllib.parse import quote

    return f"otpauth://totp/{quote(issuer)}:{quote(name)}?secret={secret}&issuer={quote(issuer)}"
