"""Login throttling: an attempt is counted before its password is checked, atomically, on every node.

Each attempt names its keys with their limits, e.g. the account
("user:rita", 5) and the client address ("ip:10.0.0.7", 20). `attempt()`
takes all of them in one transaction, row-locked (SQLite: the write lock of
BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE, keys in sorted order so
two attempts never deadlock):

- if any key is locked, nothing is counted and the caller is told how long
  to wait (the password is not checked at all);
- otherwise every key's count goes up by one *before* the caller checks the
  password, and the attempt that reaches a key's limit locks that key. So
  however many attempts arrive at once, at most `limit` passwords are
  checked per key until the lock runs out.

A lock lasts a minute and doubles with each further attempt after it ran
out (up to an hour); a quarter of an hour without attempts starts counting
afresh. A successful login clears the account's count and gives back its
own attempt on the other keys (`succeeded()`).

The table holds a SHA-256 of each key, not the key: people type their
password into the name field, and a login name that was never an account
should not be kept in clear.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from gateway.store.db import Database, Tx

LOCK_BASE_S = 60.0
LOCK_MAX_S = 3600.0
QUIET_S = 900.0

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def stored_key(key: str) -> str:
    """What the table holds for a key ("user:rita" -> its SHA-256)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def lock_seconds(count: int, limit: int) -> float:
    """How long the attempt numbered `count` locks a key whose limit is `limit` (0: not locked)."""
    if count < limit:
        return 0.0
    return min(LOCK_BASE_S * 2 ** min(count - limit, 10), LOCK_MAX_S)


class LoginThrottle:
    """Counts login attempts per key in the shared database (table login_throttle)."""

    def __init__(self, db: Database, *, clock: Clock = _now) -> None:
        self.db = db
        self.clock = clock

    def _locked_rows(self, tx: Tx, keys: Sequence[str]) -> dict[str, dict[str, float]]:
        """The keys' rows, created when missing, locked until the transaction ends."""
        for key in keys:
            tx.execute(
                "INSERT INTO login_throttle (key, failures, last_failure, locked_until) VALUES (?, 0, 0, 0)"
                " ON CONFLICT (key) DO NOTHING",
                (stored_key(key),),
            )
        lock = " FOR UPDATE" if self.db.kind == "postgresql" else ""
        rows: dict[str, dict[str, float]] = {}
        for key in keys:  # one at a time, in sorted order: the lock order is the same everywhere
            r = tx.execute(
                f"SELECT failures, last_failure, locked_until FROM login_throttle WHERE key = ?{lock}",
                (stored_key(key),),
            )[0]
            rows[key] = {k: float(v) for k, v in r.items()}
        return rows

    def attempt(self, limits: Sequence[tuple[str, int]]) -> float:
        """Count one attempt against every (key, limit); 0 means go ahead, else seconds to wait."""
        now = self.clock().timestamp()
        ordered = sorted(dict(limits).items(), key=lambda kv: stored_key(kv[0]))
        with self.db.transaction() as tx:
            rows = self._locked_rows(tx, [k for k, _ in ordered])
            wait = max(row["locked_until"] - now for row in rows.values())
            if wait > 0:
                return wait
            for key, limit in ordered:
                row = rows[key]
                count = int(row["failures"])
                if now - max(row["last_failure"], row["locked_until"]) > QUIET_S:
                    count = 0
                count += 1
                locked = lock_seconds(count, limit)
                tx.execute(
                    "UPDATE login_throttle SET failures = ?, last_failure = ?, locked_until = ? WHERE key = ?",
                    (count, now, now + locked if locked else 0.0, stored_key(key)),
                )
        return 0.0

    def locked_for(self, keys: Sequence[str]) -> float:
        """Seconds until every key may try again (0: allowed now); counts nothing."""
        now = self.clock().timestamp()
        wait = 0.0
        for key in keys:
            rows = self.db.execute(
                "SELECT locked_until FROM login_throttle WHERE key = ?", (stored_key(key),)
            )
            if rows:
                wait = max(wait, float(rows[0]["locked_until"]) - now)
        return max(0.0, wait)

    def succeeded(self, limits: Sequence[tuple[str, int]], *, clear: str) -> None:
        """The attempt was right: forget key `clear` (the account); give the attempt back on the others."""
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM login_throttle WHERE key = ?", (stored_key(clear),))
            for key, limit in sorted(dict(limits).items()):
                if key == clear:
                    continue
                rows = tx.execute("SELECT failures FROM login_throttle WHERE key = ?", (stored_key(key),))
                if not rows:
                    continue
                count = max(int(rows[0]["failures"]) - 1, 0)
                if count < limit:  # only this attempt had reached the limit: no lock
                    tx.execute(
                        "UPDATE login_throttle SET failures = ?, locked_until = 0 WHERE key = ?",
                        (count, stored_key(key)),
                    )
                else:
                    tx.execute(
                        "UPDATE login_throttle SET failures = ? WHERE key = ?", (count, stored_key(key))
                    )

    def clear(self, key: str) -> None:
        self.db.execute("DELETE FROM login_throttle WHERE key = ?", (stored_key(key),))
