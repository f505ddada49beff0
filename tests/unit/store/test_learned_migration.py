"""One live entry per value: the unique index, and the migration that merges duplicates made before it.

The same tests run on PostgreSQL from tests/integration/test_learned_postgres.py.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.errors import StoreError
from gateway.model.learned import STAFF_NAME
from gateway.store.crypto import Keyring
from gateway.store.db import Database
from gateway.store.learned import LearnedStore, Mark
from gateway.store.learned_schema import COMPONENT, MIGRATIONS
from tests.quarantine_fixtures import KEY_A, ManualClock
from tests.unit.store.test_learned import FINDINGS, NAME

OTHER = "Peregrine Oddfellow"  # invented for these tests


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database("", state_dir=tmp_path)
    yield db
    db.close()


def _version_one(db: Database) -> LearnedStore:
    """A store whose learned tables are as the first release made them (no unique index)."""
    store = LearnedStore(db, Keyring([base64.b64decode(KEY_A)]), clock=ManualClock())
    store.audit.migrate()
    db.migrate(COMPONENT, MIGRATIONS[:1])
    return store


def _entry(store: LearnedStore, entry_id: str, status: str, at: str, value: str = NAME) -> None:
    """An entry as an earlier version wrote it, with a mark of its message pointing at it."""
    sealed = store.keyring.encrypt(value.encode(), f"learned:{entry_id}")
    qid = f"msg-{entry_id}"
    with store.db.transaction() as tx:
        tx.execute(
            "INSERT INTO learned_entries (id, kind, value, value_mac, key_id, finding_type, rule, status,"
            " proposed_by, proposed_at, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry_id,
                STAFF_NAME,
                sealed,
                store.macs(STAFF_NAME, "PATIENT_NAME", value)[0],
                store.keyring.current_id,
                "PATIENT_NAME",
                "patient-identifier",
                status,
                "web:rita",
                at,
                qid,
            ),
        )
        tx.execute(
            "INSERT INTO finding_marks (message_id, finding, rule, finding_type, category, verdict, reason,"
            " sender_domain, actor, at, entry_id) VALUES (?, 0, 'patient-identifier', 'PATIENT_NAME',"
            " 'patient_identifier', 'wrong', 'staff', 'example.ac.uk', 'web:rita', ?, ?)",
            (qid, at, entry_id),
        )


def _marks(db: Database) -> dict[str, str]:
    rows = db.execute("SELECT message_id, entry_id FROM finding_marks")
    return {str(r["message_id"]): str(r["entry_id"]) for r in rows}


@pytest.mark.parametrize(
    ("entries", "kept", "merged", "moved"),
    [
        # two proposals of one value: the older stays
        ([("e1", "proposed", "t2"), ("e2", "proposed", "t1")], ["e2"], {"e1": "e2"}, 0),
        # a proposal and an accepted entry: the accepted one stays, whatever its age
        ([("e1", "proposed", "t1"), ("e2", "accepted", "t2")], ["e2"], {"e1": "e2"}, 0),
        # accepted twice: one stays, and the workers reload (their copy held the name twice)
        (
            [("e1", "accepted", "t2"), ("e2", "accepted", "t1"), ("e3", "proposed", "t0")],
            ["e2"],
            {"e1": "e2", "e3": "e2"},
            1,
        ),
        # declined and withdrawn entries are not live: they stay beside the live one
        (
            [("e1", "declined", "t1"), ("e2", "withdrawn", "t2"), ("e3", "proposed", "t3")],
            ["e1", "e2", "e3"],
            {},
            0,
        ),
        # the same age: the lower id stays
        ([("e2", "proposed", "t1"), ("e1", "proposed", "t1")], ["e1"], {"e2": "e1"}, 0),
    ],
)
def test_the_migration_merges_live_duplicates(
    database: Database,
    entries: list[tuple[str, str, str]],
    kept: list[str],
    merged: dict[str, str],
    moved: int,
) -> None:
    """Of live entries holding one value, one stays; the others' marks move to it, each merge is audited."""
    store = _version_one(database)
    for entry_id, status, at in entries:
        _entry(store, entry_id, status, at)
    _entry(store, "x9", "proposed", "t0", OTHER)  # another value: untouched
    store.migrate()
    assert sorted(e.id for e in store.entries()) == [*kept, "x9"]
    assert _marks(database) == {f"msg-{e}": merged.get(e, e) for e, _, _ in [*entries, ("x9", "", "")]}
    rows = store.audit.records()
    assert sorted((r.actor, r.action, r.message_id, r.detail) for r in rows) == sorted(
        ("system:migration", "learn-merge", f"msg-{e}", f"entry={e} into={into} kind={STAFF_NAME}")
        for e, into in merged.items()
    )
    assert all(NAME not in r.detail for r in rows) and store.audit.verify().ok
    assert store.version() == moved


def test_the_index_refuses_a_second_live_entry_of_a_value(database: Database) -> None:
    """Once migrated, the database itself refuses two live entries of one value, not a declined one beside them."""
    store = _version_one(database)
    store.migrate()
    _entry(store, "e1", "declined", "t1")
    _entry(store, "e2", "proposed", "t2")
    with pytest.raises(StoreError):
        _entry(store, "e3", "accepted", "t3")
    assert sorted(e.id for e in store.entries()) == ["e1", "e2"]


def test_a_value_proposed_again_after_the_migration_joins_the_kept_entry(database: Database) -> None:
    """After merging, the same value marked on another message joins the entry that stayed."""
    store = _version_one(database)
    _entry(store, "e1", "proposed", "t1")
    _entry(store, "e2", "proposed", "t2")
    store.migrate()
    created = store.record_marks(
        message_id="m3",
        rule="patient-identifier",
        sender_domain="example.ac.uk",
        findings=FINDINGS,
        marks=[Mark(0, "wrong", "staff", NAME.lower())],
        actor="web:rita",
        source="10.0.0.9",
    )
    assert created == [] and _marks(database)["m3"] == "e1"


def test_migrating_twice_changes_nothing(database: Database) -> None:
    """A second start finds the migration applied: no more audit rows, the same entries."""
    store = _version_one(database)
    _entry(store, "e1", "proposed", "t1")
    _entry(store, "e2", "proposed", "t2")
    store.migrate()
    rows = len(store.audit.records())
    store.migrate()
    assert len(store.audit.records()) == rows == 1
    assert [e.id for e in store.entries()] == ["e1"]
