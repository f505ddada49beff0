"""The database layer on SQLite: durable settings, migrations, transactions, error translation."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from gateway.errors import StoreError
from gateway.store.db import Database

STEPS = [
    "CREATE TABLE notes (id {id}, body TEXT NOT NULL, data {blob})",
    "ALTER TABLE notes ADD COLUMN score {real}",
]


def test_sqlite_is_durable(tmp_path: Path) -> None:
    """A committed row must survive a crash: WAL with synchronous=FULL."""
    db = Database("", state_dir=tmp_path)
    rows = db.execute("PRAGMA synchronous")
    assert rows[0]["synchronous"] == 2  # FULL
    assert db.execute("PRAGMA journal_mode")[0]["journal_mode"] == "wal"
    assert (tmp_path / "gateway.sqlite3").stat().st_mode & 0o077 == 0  # owner only: it holds patient data


def test_migrations_apply_once_in_order(tmp_path: Path) -> None:
    """Migrations run in order, are recorded, and are not applied twice."""
    db = Database("", state_dir=tmp_path)
    assert db.migrate("notes", STEPS) == 2
    assert db.migrate("notes", STEPS) == 2
    with db.transaction() as tx:
        new_id = tx.execute(
            "INSERT INTO notes (body, data, score) VALUES (?, ?, ?) RETURNING id", ("x", b"\x00\x01", 0.5)
        )[0]["id"]
    row = db.execute("SELECT body, data, score FROM notes WHERE id = ?", (new_id,))[0]
    assert (row["body"], bytes(row["data"]), row["score"]) == ("x", b"\x00\x01", 0.5)


def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    """An error inside a transaction leaves nothing behind."""
    db = Database("", state_dir=tmp_path)
    db.migrate("notes", STEPS[:1])
    with pytest.raises(RuntimeError), db.transaction() as tx:
        tx.execute("INSERT INTO notes (body) VALUES (?)", ("gone",))
        raise RuntimeError("boom")
    assert db.execute("SELECT COUNT(*) AS n FROM notes")[0]["n"] == 0


def test_driver_errors_become_store_errors(tmp_path: Path) -> None:
    """SQL errors surface as StoreError, never as a driver exception."""
    db = Database("", state_dir=tmp_path)
    with pytest.raises(StoreError):
        db.execute("SELECT * FROM no_such_table")


def test_unsupported_url_is_refused() -> None:
    """A database URL of an unknown kind is a clear error."""
    with pytest.raises(StoreError, match="unsupported"):
        Database("mysql://x")


def test_close_waits_for_a_transaction_running_on_another_thread(tmp_path: Path) -> None:
    """close() during another thread's transaction lets it finish (commit) instead of pulling the connection."""
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    db.migrate("notes", ["CREATE TABLE notes (body TEXT)"])
    inside, closed = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with db.transaction() as tx:
                inside.set()
                closed.wait(10)
                tx.execute("INSERT INTO notes (body) VALUES (?)", ("after close",))
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)

    t = threading.Thread(target=worker)
    t.start()
    inside.wait(10)
    db.close()
    closed.set()
    t.join(10)
    assert errors == []
    again = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert again.execute("SELECT body FROM notes")[0]["body"] == "after close"
    again.close()


def test_concurrent_writers_all_commit(tmp_path: Path) -> None:
    """Writers on many threads take turns: every transaction of every thread commits."""
    db = Database("", state_dir=tmp_path)
    db.migrate("notes", STEPS[:1])

    def writer(n: int) -> None:
        for i in range(20):
            with db.transaction() as tx:
                tx.execute("INSERT INTO notes (body) VALUES (?)", (f"{n}-{i}",))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert db.execute("SELECT COUNT(DISTINCT body) AS n FROM notes")[0]["n"] == 120
    db.close()


def test_a_transaction_inside_another_on_one_thread_is_an_error_not_a_hang(tmp_path: Path) -> None:
    """Opening a transaction inside another on the same thread fails at once (SQLite's error), never hangs."""
    db = Database("", state_dir=tmp_path)
    db.migrate("notes", STEPS[:1])
    outcome: list[BaseException | None] = []

    def nested() -> None:
        try:
            with db.transaction(), db.transaction():
                pass
            outcome.append(None)
        except BaseException as exc:  # reported to the test thread
            outcome.append(exc)

    t = threading.Thread(target=nested, daemon=True)
    t.start()
    t.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], StoreError)
    db.close()


def test_a_writer_without_a_turn_gets_a_store_error(tmp_path: Path) -> None:
    """A writer that another thread's transaction keeps waiting past the wait gets StoreError, not a hang."""
    db = Database("", state_dir=tmp_path, write_wait=0.05)
    db.migrate("notes", STEPS[:1])
    holding, done = threading.Event(), threading.Event()

    def holder() -> None:
        with db.transaction():
            holding.set()
            done.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    holding.wait(10)
    try:
        with pytest.raises(StoreError, match="locked"), db.transaction():
            pass
    finally:
        done.set()
        t.join(10)
    with db.transaction() as tx:  # the turn comes back once the holder commits
        tx.execute("INSERT INTO notes (body) VALUES (?)", ("later",))
    db.close()
