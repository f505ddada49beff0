"""Login throttling: an attempt is counted before its password is checked, atomically, on every node.

Each attempt names its keys with their limits, e.g. the account
("user:rita", 5) and the client address ("ip:10.0.0.7", 20). `attempt()`
takes all of them in one transaction, row-locked (SQLite: the write lock of
BEGIN IMMEDIATE; PostgreSQL: the row lock of INSERT ... ON CONFLICT DO
UPDATE ... RETURNING, which creates or locks a row and reads it in one
statement). Every transaction here, `succeeded()` included, touches the
rows in one order (sorted by stored key), so two of them never deadlock:

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
from collections.abc import Callable, Iterable, Sequence
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
        """The keys' rows (in the lock order), created when missing, locked until the transaction ends.

        One statement per key: the upsert creates or locks the row and returns it, so a row deleted
        by another transaction (a success, `clear`) cannot vanish between creating and reading it.
        """
        rows: dict[str, dict[str, float]] = {}
        for key in _lock_order(keys):
            r = tx.execute(
                "INSERT INTO login_throttle (key, failures, last_failure, locked_until) VALUES (?, 0, 0, 0)"
                " ON CONFLICT (key) DO UPDATE SET failures = login_throttle.failures"
                " RETURNING failures, last_failure, locked_until",
                (stored_key(key),),
            )[0]
            rows[key] = {k: float(v) for k, v in r.items()}
        return rows

    def attempt(self, limits: Sequence[tuple[str, int]]) -> float:
        """Count one attempt against every (key, limit); 0 means go ahead, else seconds to wait."""
        now = self.clock().timestamp()
        by_key = dict(limits)
        ordered = [(k, by_key[k]) for k in _lock_order(by_key)]
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
        """The attempt was right: forget key `clear` (the account); give the attempt back on the others.

        Rows are touched in the same order as `attempt()` takes them, one statement each, so the two
        never wait on each other in a cycle (a deadlock PostgreSQL would end with an error).
        """
        by_key = dict(limits)
        with self.db.transaction() as tx:
            for key in _lock_order([*by_key, clear]):
                if key == clear:
                    tx.execute("DELETE FROM login_throttle WHERE key = ?", (stored_key(key),))
                    continue
                # the right-hand sides read the row as it was: a lock set only by this attempt ends
                tx.execute(
                    "UPDATE login_throttle SET"
                    " failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END,"
                    " locked_until = CASE WHEN failures - 1 < ? THEN 0 ELSE locked_until END"
                    " WHERE key = ?",
                    (by_key[key], stored_key(key)),
                )

    def clear(self, key: str) -> None:
        self.db.execute("DELETE FROM login_throttle WHERE key = ?", (stored_key(key),))


def _lock_order(keys: Iterable[str]) -> list[str]:
    """The keys, without repeats, in the one order every transaction locks their rows in."""
    return sorted(set(keys), key=stored_key)
