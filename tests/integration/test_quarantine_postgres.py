"""The quarantine, audit log, account store and learned entries against a real PostgreSQL server.

Re-runs the SQLite store tests unchanged, with `database` pointing at a
fresh database on the private server (tests/postgres.py), plus what only a
shared server shows: several gateway nodes appending to one audit chain.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from gateway.store.audit import AuditEvent, AuditLog
from gateway.store.db import Database
from tests.unit.store.test_audit import *  # noqa: F403  (the same tests, on PostgreSQL)
from tests.unit.store.test_learned import *  # noqa: F403
from tests.unit.store.test_quarantine import *  # noqa: F403
from tests.unit.store.test_users import *  # noqa: F403

pytestmark = pytest.mark.integration


@pytest.fixture()
def database(postgres_url: str) -> Iterator[Database]:  # overrides the SQLite fixture of the imported tests
    db = Database(postgres_url)
    yield db
    db.close()


def test_concurrent_nodes_keep_one_chain(postgres_url: str) -> None:
    """Writers on separate connections (as separate nodes would be) never fork the audit chain."""
    first = Database(postgres_url)
    AuditLog(first).migrate()
    nodes = [Database(postgres_url) for _ in range(4)]

    def write(db: Database, k: int) -> None:
        log = AuditLog(db)
        for i in range(15):
            log.append(AuditEvent(f"node{k}", "view", message_id=str(i)))

    threads = [threading.Thread(target=write, args=(db, k)) for k, db in enumerate(nodes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    v = AuditLog(first).verify()
    assert v.ok and v.count == 60
    for db in [first, *nodes]:
        db.close()
