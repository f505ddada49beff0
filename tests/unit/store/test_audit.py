"""The audit log: append-only, hash-chained, and verification that notices any tampering.

The same tests run on PostgreSQL from tests/integration/test_quarantine_postgres.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.errors import StoreError
from gateway.store.audit import AuditEvent, AuditLog
from gateway.store.db import Database
from tests.quarantine_fixtures import ManualClock


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database("", state_dir=tmp_path)
    yield db
    db.close()


def _log(db: Database, n: int = 5) -> AuditLog:
    log = AuditLog(db, clock=ManualClock())
    log.migrate()
    for i in range(n):
        log.append(AuditEvent(f"web:user{i}", "view", "ok", f"m{i}", "10.0.0.1", ""))
    return log


def _bypass_triggers(db: Database) -> None:
    """What an intruder with the database's owner rights does first."""
    if db.kind == "sqlite":
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("DROP TRIGGER audit_log_no_delete")
    else:
        db.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")


def test_rows_carry_who_when_where_what(database: Database) -> None:
    """A row records actor, UTC time, source address, action, message id and outcome."""
    log = _log(database, 1)
    r = log.records()[0]
    assert (r.n, r.actor, r.action, r.outcome, r.message_id, r.source) == (
        1,
        "web:user0",
        "view",
        "ok",
        "m0",
        "10.0.0.1",
    )
    assert r.at.endswith("+00:00")


def test_intact_chain_verifies(database: Database) -> None:
    """An untouched log verifies, and reports its head for off-host anchoring."""
    log = _log(database)
    v = log.verify()
    assert v.ok and v.count == 5 and v.head_n == 5 and (v.head_n, v.head_hash) == log.head()


def test_update_and_delete_are_refused(database: Database) -> None:
    """The table refuses UPDATE and DELETE: ordinary code cannot rewrite history."""
    _log(database)
    with pytest.raises(StoreError):
        database.execute("UPDATE audit_log SET actor = 'someone' WHERE n = 2")
    with pytest.raises(StoreError):
        database.execute("DELETE FROM audit_log WHERE n = 2")


def test_altered_row_is_detected(database: Database) -> None:
    """Changing any field of a row breaks verification at that row."""
    log = _log(database)
    _bypass_triggers(database)
    database.execute("UPDATE audit_log SET outcome = 'denied' WHERE n = 3")
    v = log.verify()
    assert not v.ok and v.bad_n == 3 and "altered" in v.problem


def test_removed_row_is_detected(database: Database) -> None:
    """Deleting a row from the middle is detected."""
    log = _log(database)
    _bypass_triggers(database)
    database.execute("DELETE FROM audit_log WHERE n = 2")
    v = log.verify()
    assert not v.ok and v.bad_n == 2


def test_recomputed_chain_is_caught_by_recorded_head(database: Database) -> None:
    """A forger who rewrites a row and recomputes every later hash is caught by a head kept off-host."""
    from gateway.store.audit import row_hash

    log = _log(database)
    anchor = log.head()
    _bypass_triggers(database)
    prev = None
    for r in log.records():
        if prev is None and r.n < 2:
            prev = r.hash
            continue
        actor = "web:nobody" if r.n == 2 else r.actor
        h = row_hash(r.n, r.at, actor, r.source, r.action, r.message_id, r.outcome, r.detail, prev or "")
        database.execute(
            "UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE n = ?", (actor, prev, h, r.n)
        )
        prev = h
    assert log.verify().ok  # the chain alone cannot tell
    v = log.verify(expect_head=anchor)
    assert not v.ok and "recorded head" in v.problem


def test_truncated_tail_is_caught_by_recorded_head(database: Database) -> None:
    """Removing the newest rows is caught when the head was recorded."""
    log = _log(database)
    anchor = log.head()
    _bypass_triggers(database)
    database.execute("DELETE FROM audit_log WHERE n >= 4")
    assert log.verify().ok
    assert not log.verify(expect_head=anchor).ok


def test_fields_are_clipped_and_printable(database: Database) -> None:
    """Control characters cannot forge extra lines in exported logs; long fields are clipped."""
    log = _log(database, 0)
    r = log.append(AuditEvent("web:x\nforged", "view", detail="d" * 2000))
    assert "\n" not in r.actor and len(r.detail) == 500
    assert log.verify().ok
