"""The login throttle's transactions under concurrency: one lock order, and rows that vanish mid-attempt.

A fake transaction stands in for the other node: it records the order in
which rows are touched, or deletes a row the moment it has been created (as
a concurrent successful login does).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from gateway.store.db import Database, Row, Tx
from gateway.store.throttle import LoginThrottle, stored_key
from gateway.store.users import UserStore
from tests.quarantine_fixtures import ManualClock

KEYS = [("user:rita", 5), ("ip:10.0.0.9", 20)]  # clear-text order and stored-key order differ


class SpyTx:
    """A transaction that records which throttle key each statement touches, and may delete after INSERT."""

    def __init__(self, tx: Tx, touched: list[str], delete_after_insert: bool) -> None:
        self.tx, self.touched, self.delete_after_insert = tx, touched, delete_after_insert

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        out = self.tx.execute(sql, params)
        if "login_throttle" in sql and params:
            self.touched.append(str(params[-1]))
        if self.delete_after_insert and sql.startswith("INSERT INTO login_throttle"):
            self.tx.execute("DELETE FROM login_throttle WHERE key = ?", (params[0],))
        return out


class SpyDatabase:
    """The real database, its transactions wrapped in SpyTx."""

    def __init__(self, db: Database, *, delete_after_insert: bool = False) -> None:
        self.db, self.kind = db, db.kind
        self.delete_after_insert = delete_after_insert
        self.touched: list[str] = []

    @contextmanager
    def transaction(self) -> Iterator[SpyTx]:
        with self.db.transaction() as tx:
            yield SpyTx(tx, self.touched, self.delete_after_insert)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self.db.execute(sql, params)


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database("", state_dir=tmp_path)
    UserStore(db).migrate()
    yield db
    db.close()


def _order(touched: list[str]) -> list[str]:
    """The keys in the order first touched."""
    return list(dict.fromkeys(touched))


def test_success_touches_rows_in_the_order_attempts_lock_them(database: Database) -> None:
    """succeeded() takes the rows in the same order as attempt(): the two cannot deadlock on PostgreSQL."""
    spy = SpyDatabase(database)
    throttle = LoginThrottle(spy, clock=ManualClock())  # type: ignore[arg-type]
    throttle.attempt(KEYS)
    locked = _order(spy.touched)
    spy.touched.clear()
    throttle.succeeded(KEYS, clear="user:rita")
    assert _order(spy.touched) == locked == sorted((stored_key(k) for k, _ in KEYS))


def test_a_row_deleted_between_creating_and_reading_it_does_not_crash(database: Database) -> None:
    """A concurrent success deleting the row right after the attempt created it is no error (no 500)."""
    throttle = LoginThrottle(SpyDatabase(database, delete_after_insert=True), clock=ManualClock())  # type: ignore[arg-type]
    assert throttle.attempt(KEYS) == 0


def test_success_gives_back_one_attempt_and_ends_a_lock_only_it_set(database: Database) -> None:
    """After a success the address's count is one lower; a lock set by that attempt ends, an earlier one stays."""
    clock = ManualClock()
    throttle = LoginThrottle(database, clock=clock)
    keys = [("user:rita", 5), ("ip:10.0.0.9", 2)]
    throttle.attempt(keys)
    throttle.attempt(keys)  # the second reaches the address's limit and locks it
    assert throttle.locked_for(["ip:10.0.0.9"]) > 0
    throttle.succeeded(keys, clear="user:rita")
    assert throttle.locked_for(["ip:10.0.0.9"]) == 0
    row = database.execute("SELECT failures FROM login_throttle WHERE key = ?", (stored_key("ip:10.0.0.9"),))
    assert int(row[0]["failures"]) == 1
    throttle.attempt([("user:other", 9), ("ip:10.0.0.9", 2)])  # locks the address again
    clock.advance(seconds=61)
    throttle.attempt(keys)  # one over the limit: locked for two minutes
    throttle.succeeded(keys, clear="user:rita")
    assert throttle.locked_for(["ip:10.0.0.9"]) > 0  # the earlier attempt still counts over the limit
