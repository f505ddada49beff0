"""The notification outbox against a real PostgreSQL server.

Re-runs the SQLite outbox tests unchanged, with `database` pointing at a
fresh database on the private server (tests/postgres.py), plus what only a
shared server shows: several gateway nodes claiming and rate-limiting at once.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator

import pytest

from gateway.store.crypto import Keyring
from gateway.store.db import Database
from gateway.store.outbox import Outbox
from tests.unit.notify.test_outbox import *  # noqa: F403  (the same tests, on PostgreSQL)
from tests.unit.notify.test_outbox import KEY, MAIL

pytestmark = pytest.mark.integration


@pytest.fixture()
def database(postgres_url: str) -> Iterator[Database]:  # overrides the SQLite fixture of the imported tests
    db = Database(postgres_url)
    yield db
    db.close()


def _nodes(url: str, n: int) -> list[Outbox]:
    key = Keyring([base64.b64decode(KEY)])
    first = Outbox(Database(url), key)
    first.migrate()
    return [first] + [Outbox(Database(url), key) for _ in range(n - 1)]


def test_nodes_never_claim_the_same_row(postgres_url: str) -> None:
    """Four nodes claiming at once share the queue out: every row is handed to exactly one."""
    nodes = _nodes(postgres_url, 4)
    ids = {nodes[0].enqueue("sender", "", f"s{i}@example.ac.uk", MAIL) for i in range(60)}
    claimed: list[list[str]] = [[] for _ in nodes]

    def work(k: int) -> None:
        while True:
            got = nodes[k].claim_due(limit=3)
            if not got:
                return
            claimed[k].extend(m.id for m in got)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(nodes))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    every = [i for c in claimed for i in c]
    assert sorted(every) == sorted(ids)  # all claimed, none twice
    for n in nodes:
        n.close()


def test_rate_limit_holds_across_nodes(postgres_url: str) -> None:
    """Nodes enqueuing for one sender at the same moment never exceed the hourly limit together."""
    nodes = _nodes(postgres_url, 4)
    results: list[str | None] = []
    lock = threading.Lock()

    def send(k: int) -> None:
        for _ in range(5):
            oid = nodes[k].enqueue(
                "sender", "", "busy@example.ac.uk", MAIL, rate_key="busy@example.ac.uk", rate_limit=7
            )
            with lock:
                results.append(oid)

    threads = [threading.Thread(target=send, args=(k,)) for k in range(len(nodes))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(1 for r in results if r) == 7 and len(results) == 20
    for n in nodes:
        n.close()
