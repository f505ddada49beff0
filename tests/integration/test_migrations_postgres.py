"""A fleet starting at once: several processes migrating one empty PostgreSQL database together."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from gateway.store.db import Database
from tests.quarantine_fixtures import KEY_A

pytestmark = pytest.mark.integration

NODES = 4
ROUNDS = 4

#: one gateway node's start-up, as far as the store goes: every component migrates its tables
NODE = """
import os, sys
from pathlib import Path
from gateway.config import load_settings
from gateway.store.crypto import load_keyring
from gateway.store.db import open_database
from gateway.store.documents import DocumentRegistry
from gateway.store.outbox import Outbox
from gateway.store.quarantine import QuarantineStore
from gateway.store.users import UserStore

settings = load_settings(None, env=os.environ)
db = open_database(settings)
db.execute("SELECT 1")  # connected: the race starts at the first migration statement
go = Path(sys.argv[1])
(go.parent / f"ready.{os.getpid()}").touch()
while not go.exists():  # every node ready: now they all migrate together
    pass
QuarantineStore(db, load_keyring(settings)).migrate()
Outbox(db).migrate()
UserStore(db).migrate()
DocumentRegistry(db)
db.close()
"""


def _fresh_database(server: str) -> str:
    import psycopg

    name = "fleet_" + uuid.uuid4().hex[:10]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_nodes_starting_together_on_an_empty_database_all_start(postgres_server: str, round_: int) -> None:
    """Four processes migrating one empty PostgreSQL at the same moment all succeed, each step applied once."""
    url = _fresh_database(postgres_server)
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
    failures = [err[-800:] for p, (out, err) in zip(procs, results, strict=True) if p.returncode != 0]
    assert failures == []
    db = Database(url)
    rows = db.execute(
        "SELECT component, COUNT(*) AS n, MAX(version) AS v FROM schema_migrations GROUP BY component"
    )
    db.close()
    assert {r["component"] for r in rows} >= {"quarantine", "audit", "notify_outbox", "users", "documents"}
    assert all(r["n"] == r["v"] for r in rows)  # every version exactly once, none skipped
