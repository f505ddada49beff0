"""The database layer against a real PostgreSQL server."""

from __future__ import annotations

import pytest

from gateway.errors import StoreError
from gateway.store.db import Database

pytestmark = pytest.mark.integration

STEPS = ["CREATE TABLE notes (id {id}, body TEXT NOT NULL, data {blob}, score {real})"]


def test_postgres_migrations_and_round_trip(postgres_url: str) -> None:
    """The same migrations and queries work on PostgreSQL, binary data intact."""
    db = Database(postgres_url)
    assert db.migrate("notes", STEPS) == 1
    assert db.migrate("notes", STEPS) == 1
    with db.transaction() as tx:
        new_id = tx.execute(
            "INSERT INTO notes (body, data, score) VALUES (?, ?, ?) RETURNING id",
            ("100% sure", b"\x00\xff", 1.5),
        )[0]["id"]
    row = db.execute("SELECT body, data, score FROM notes WHERE id = ?", (new_id,))[0]
    assert (row["body"], bytes(row["data"]), row["score"]) == ("100% sure", b"\x00\xff", 1.5)
    assert db.execute("SELECT body FROM notes WHERE body LIKE '100% sure'")[0]["body"] == "100% sure"
    db.close()


def test_postgres_rollback_and_errors(postgres_url: str) -> None:
    """A failed transaction leaves nothing; SQL errors are StoreErrors."""
    db = Database(postgres_url)
    db.migrate("notes", STEPS)
    with pytest.raises(RuntimeError), db.transaction() as tx:
        tx.execute("INSERT INTO notes (body) VALUES (?)", ("gone",))
        raise RuntimeError("boom")
    assert db.execute("SELECT COUNT(*) AS n FROM notes")[0]["n"] == 0
    with pytest.raises(StoreError):
        db.execute("SELECT * FROM no_such_table")
    db.close()


def test_postgres_unreachable_is_a_store_error() -> None:
    """A server that is not there is a StoreError (the relay answers 451), not a crash."""
    db = Database("postgresql://gw@127.0.0.1:1/postgres")
    with pytest.raises(StoreError):
        db.execute("SELECT 1")
