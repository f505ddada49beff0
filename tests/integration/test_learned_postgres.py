"""Learned entries on a real PostgreSQL server: the migration and command-line tests, and proposers racing on one value."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator

import pytest

from gateway.store.crypto import Keyring
from gateway.store.db import Database
from gateway.store.learned import LearnedStore, Mark
from tests.quarantine_fixtures import KEY_A
from tests.unit.commands.test_learned_cli import *  # noqa: F403  (the same tests, on PostgreSQL)
from tests.unit.commands.test_learned_cli_by import *  # noqa: F403
from tests.unit.store.test_learned import FINDINGS, NAME
from tests.unit.store.test_learned_migration import *  # noqa: F403

pytestmark = pytest.mark.integration


class MeetingKeyring(Keyring):
    """Seals a value only once every proposer has got that far: each has looked for a live entry of
    the value and found none, so all of them are between the look and the insert at once."""

    def __init__(self, key: bytes, meeting: threading.Barrier) -> None:
        super().__init__([key])
        self.meeting = meeting

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        self.meeting.wait(timeout=30)  # a safety net only: a proposer that never comes breaks the barrier
        return super().encrypt(plaintext, context)


@pytest.fixture()
def database(postgres_url: str) -> Iterator[Database]:  # overrides the SQLite fixture of the imported tests
    db = Database(postgres_url)
    yield db
    db.close()


@pytest.fixture()
def database_url(postgres_url: str) -> str:  # overrides the command-line tests' SQLite store
    return postgres_url


@pytest.fixture()
def nodes(postgres_url: str) -> Iterator[list[Database]]:
    dbs = [Database(postgres_url) for _ in range(3)]
    yield dbs
    for db in dbs:
        db.close()


def test_proposers_racing_on_one_value_make_one_entry(nodes: list[Database]) -> None:
    """Reviewers on separate nodes proposing one value at once make one proposal; the others join it."""
    key = base64.b64decode(KEY_A)
    meeting = threading.Barrier(len(nodes))
    stores = [LearnedStore(db, MeetingKeyring(key, meeting)) for db in nodes]
    stores[0].migrate()
    created: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def propose(k: int) -> None:
        try:
            created[k] = stores[k].record_marks(
                message_id=f"m{k}",
                rule="patient-identifier",
                sender_domain="example.ac.uk",
                findings=FINDINGS,
                marks=[Mark(0, "wrong", "staff", NAME if k % 2 else NAME.upper())],
                actor=f"web:reviewer{k}",
                source="10.0.0.9",
            )
        except BaseException as exc:  # reported by the assertion below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=propose, args=(k,)) for k in range(len(nodes))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    entries = stores[0].entries()
    assert len(entries) == 1, [(e.id, e.proposed_by) for e in entries]
    [entry] = entries
    assert sorted(created.values()) == [[], [], [entry.id]]
    marks = nodes[0].execute("SELECT message_id, entry_id FROM finding_marks ORDER BY message_id")
    assert [(r["message_id"], r["entry_id"]) for r in marks] == [(f"m{k}", entry.id) for k in range(3)]
    audit = stores[0].audit.records()
    assert [r.action for r in audit].count("learn-propose") == 1
    assert stores[0].audit.verify().ok
