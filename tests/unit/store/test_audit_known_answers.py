"""The audit chain's stored format pinned: a fixed chain of events gives exactly these hashes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway.store.audit import GENESIS, AuditEvent, AuditLog, row_hash
from gateway.store.db import Database
from tests.quarantine_fixtures import ManualClock

EVENTS = [
    AuditEvent("web:alice", "login", "ok", "", "192.0.2.7", ""),
    AuditEvent("web:alice", "release", "ok", "q-1", "192.0.2.7", "to=1"),
    AuditEvent("system:retention", "delete", "ok", "q-2", "system", "expired"),
]
#: (n, at, hash) of each row written for EVENTS, one minute apart from 2025-03-03 09:00 UTC; a
#: change to the hashed fields, their order or encoding breaks every chain verified after an upgrade
CHAIN = [
    (
        1,
        "2025-03-03T09:00:00.000000+00:00",
        "b6a1e87288ba55e10beafd401fb7d8f8bdcefc8e63a13f9507ac2ba9cf0cf9f9",
    ),
    (
        2,
        "2025-03-03T09:01:00.000000+00:00",
        "a56ff70208633ce27383c628976998f4e996bb0eeaa7bc45a04b951e0a342197",
    ),
    (
        3,
        "2025-03-03T09:02:00.000000+00:00",
        "c7dfc63c9ab2b7c74645b3a915a95428956839b357887bb6e8407985bae5ef56",
    ),
]


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database("", state_dir=tmp_path)
    yield db
    db.close()


def test_genesis_is_sixty_four_zeros() -> None:
    """The first row follows a hash of 64 zeros."""
    assert GENESIS == "0" * 64


def test_row_hash_known_answer() -> None:
    """A row's hash is SHA-256 over the compact JSON list of its fields, previous hash last."""
    fields = [1, "2025-03-03T09:00:00.000000+00:00", "web:alice", "192.0.2.7", "login", "", "ok", "", GENESIS]
    canonical = json.dumps(fields, ensure_ascii=True, separators=(",", ":"))
    assert canonical.startswith('[1,"2025-03-03T09:00:00.000000+00:00","web:alice"')
    assert row_hash(*fields) == hashlib.sha256(canonical.encode("ascii")).hexdigest() == CHAIN[0][2]  # type: ignore[arg-type]


def test_fixed_chain_gives_fixed_hashes(database: Database) -> None:
    """Three events at fixed times are stored as rows 1-3 with exactly the pinned times and hashes, each following the last."""
    clock = ManualClock(datetime(2025, 3, 3, 9, 0, tzinfo=UTC))
    log = AuditLog(database, clock=clock)
    log.migrate()
    rows = []
    for event in EVENTS:
        rows.append(log.append(event))
        clock.advance(minutes=1)
    assert [(r.n, r.at, r.hash) for r in rows] == CHAIN
    assert [r.prev_hash for r in rows] == [GENESIS, CHAIN[0][2], CHAIN[1][2]]
    assert log.head() == (3, CHAIN[2][2])
    assert log.verify(expect_head=(3, CHAIN[2][2])).ok


def test_non_ascii_fields_hash_as_json_escapes() -> None:
    """Non-ASCII text is hashed in its JSON escape form, so the hash does not depend on the database's encoding."""
    h = row_hash(1, "t", "web:zoë", "", "view", "", "ok", "", GENESIS)
    expected = hashlib.sha256(
        b'[1,"t","web:zo\\u00eb","","view","","ok","","' + GENESIS.encode() + b'"]'
    ).hexdigest()
    assert h == expected
