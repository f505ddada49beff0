"""A fleet starting at once: several processes migrating one PostgreSQL database together.

Two cases: an empty database (a new installation), and an upgrade, where the
learned entries' tables are as their first release made them (before the
unique index and the reason column) and hold duplicate live entries the
upgrade has to merge, once, whichever node gets there first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from gateway.errors import StoreError
from gateway.store.db import Database
from gateway.store.learned_schema import COMPONENT, MIGRATIONS
from tests.quarantine_fixtures import KEY_A
from tests.unit.store.test_learned_migration import OTHER, _entry, _version_one

pytestmark = pytest.mark.integration

NODES = 4
ROUNDS = 4

#: every component a node's start-up migrates (quarantine and learned entries also migrate the audit log)
COMPONENTS = {"quarantine", "audit", "notify_outbox", "users", "documents", COMPONENT}

#: one gateway node's start-up, as far as the store goes: every component migrates its tables
NODE = """
import os, sys
from pathlib import Path
from gateway.config import load_settings
from gateway.store.crypto import load_keyring
from gateway.store.db import open_database
from gateway.store.documents import DocumentRegistry
from gateway.store.learned import LearnedStore
from gateway.store.outbox import Outbox
from gateway.store.quarantine import QuarantineStore
from gateway.store.users import UserStore

settings = load_settings(None, env=os.environ)
db = open_database(settings)
keyring = load_keyring(settings)
db.execute("SELECT 1")  # connected: the race starts at the first migration statement
go = Path(sys.argv[1])
(go.parent / f"ready.{os.getpid()}").touch()
while not go.exists():  # every node ready: now they all migrate together
    pass
QuarantineStore(db, keyring).migrate()
Outbox(db).migrate()
UserStore(db, keyring=keyring).migrate()
DocumentRegistry(db)
LearnedStore(db, keyring).migrate()  # what the review UI and the learned-entries feed open
db.close()
"""


def _fresh_database(server: str) -> str:
    import psycopg

    name = "fleet_" + uuid.uuid4().hex[:10]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def _start_fleet(url: str) -> list[str]:
    """NODES processes start on `url` at the same moment; the tail of each failed one's stderr."""
    with tempfile.TemporaryDirectory() as tmp:
        go = Path(tmp) / "go"
        env = {
            **os.environ,
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
            "GATEWAY_DATABASE_URL": url,
            "GATEWAY_QUARANTINE_KEY": KEY_A,
            "GATEWAY_STATE_DIR": tmp,
        }
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", NODE, str(go)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(NODES)
        ]
        # every node finished importing and waits: then start them all at once
        while len(list(Path(tmp).glob("ready.*"))) < NODES and all(p.poll() is None for p in procs):
            time.sleep(0.01)
        go.touch()
        results = [p.communicate(timeout=120) for p in procs]
    return [err[-800:] for p, (out, err) in zip(procs, results, strict=True) if p.returncode != 0]


def _versions(db: Database) -> dict[str, tuple[int, int]]:
    """Component -> (steps recorded, highest version) in schema_migrations."""
    rows = db.execute(
        "SELECT component, COUNT(*) AS n, MAX(version) AS v FROM schema_migrations GROUP BY component"
    )
    return {str(r["component"]): (int(r["n"]), int(r["v"])) for r in rows}


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_nodes_starting_together_on_an_empty_database_all_start(postgres_server: str, round_: int) -> None:
    """Four processes migrating one empty PostgreSQL at the same moment all succeed, each step applied once."""
    url = _fresh_database(postgres_server)
    assert _start_fleet(url) == []
    db = Database(url)
    versions = _versions(db)
    db.close()
    assert set(versions) >= COMPONENTS
    assert all(n == v for n, v in versions.values())  # every version exactly once, none skipped
    assert versions[COMPONENT] == (len(MIGRATIONS), len(MIGRATIONS))


@pytest.mark.parametrize("round_", range(2))
def test_a_fleet_upgrade_migrates_the_learned_entries_once(postgres_server: str, round_: int) -> None:
    """Four nodes upgrading learned entries of the first release together: each step once, duplicates merged once."""
    url = _fresh_database(postgres_server)
    db = Database(url)
    store = _version_one(db)
    for entry_id, status, at in [
        ("e1", "proposed", "t2"),
        ("e2", "accepted", "t3"),
        ("e3", "proposed", "t1"),
    ]:
        _entry(store, entry_id, status, at)  # one value three times (made before the unique index)
    _entry(store, "x9", "proposed", "t0", OTHER)
    assert _versions(db)[COMPONENT] == (1, 1)
    assert _start_fleet(url) == []
    versions = _versions(db)
    assert set(versions) >= COMPONENTS and all(n == v for n, v in versions.values())
    assert versions[COMPONENT] == (len(MIGRATIONS), len(MIGRATIONS))
    # the duplicates were merged into the accepted entry once, not once per node
    assert sorted((e.id, e.status, e.reason) for e in store.entries()) == [
        ("e2", "accepted", ""),
        ("x9", "proposed", ""),
    ]
    merges = sorted(r.detail for r in store.audit.records(action="learn-merge"))
    assert merges == ["entry=e1 into=e2 kind=staff_name", "entry=e3 into=e2 kind=staff_name"]
    assert store.audit.verify().ok
    # the upgraded tables: the reason column holds a decision's reason, the index refuses a second live value
    store.decide("x9", "decline", actor="web:ada", source="", reason="a patient after all")
    assert store.get("x9").reason == "a patient after all"  # type: ignore[union-attr]
    with pytest.raises(StoreError):
        _entry(store, "e4", "proposed", "t4")
    db.close()
