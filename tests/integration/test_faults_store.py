"""The quarantine under failure behind the real relay: frozen or full, and never both 451 and a commit.

Each case sends held messages while the store misbehaves, lets it recover,
retries what was refused, and counts: nothing acknowledged is lost and no
message is held twice (a write that outlived the client's 451 and committed
later would be held again by the retry).
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from gateway.act.holding import Holder
from gateway.errors import StoreError
from gateway.store.db import Database
from gateway.store.quarantine import QuarantineStore
from tests.integration.faults import Tally, frozen, message_id, numbered, postgres_pids
from tests.integration.gateway_doubles import finding
from tests.integration.servers import RecordingSink, wait_until
from tests.quarantine_fixtures import make_store

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[QuarantineStore]:
    db = Database(postgres_url)
    yield make_store(db)
    db.close()


@pytest.fixture
def short_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A quarantine write gets 1 s past the message deadline, and 1 s more for a mute database."""
    monkeypatch.setattr(Holder, "HOLD_MIN", 1.0)
    monkeypatch.setattr(Holder, "HOLD_GRACE", 1.0)


def writes_in_flight(url: str) -> int:
    """Sessions of this database (other than ours) inside a statement or a transaction."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
        ).fetchone()
    assert row is not None
    return int(row[0])


@contextlib.contextmanager
def table_locked(url: str) -> Iterator[None]:
    """Another connection holds the quarantine table: every write waits for it."""
    with psycopg.connect(url) as conn:
        conn.execute("LOCK TABLE quarantine IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            conn.rollback()


@contextlib.contextmanager
def server_frozen(url: str) -> Iterator[None]:
    """The whole PostgreSQL server SIGSTOPped: connections stay open, nothing is answered."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        pids = postgres_pids(int(row[0]))
    with frozen(pids):
        yield


FREEZES = {"table locked by another session": table_locked, "server SIGSTOPped": server_frozen}


@pytest.mark.parametrize("freeze", FREEZES.values(), ids=FREEZES.keys())
def test_hold_outliving_the_deadline_is_never_committed_behind_a_451(
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
    pg_store: QuarantineStore,
    postgres_url: str,
    short_holds: None,
    freeze: Callable[[str], Any],
) -> None:
    """A hold stuck in PostgreSQL past the deadline gets 451 and is rolled back; the retry holds it once."""
    sink = make_recording_sink()
    gw = make_gateway(sink.address, findings=(finding("HOLD_ME"),), quarantine=pg_store, deadline_seconds=1.0)
    tally = Tally()
    assert tally.send(gw.port, numbered(0)) == 250  # the relay's store connection is open and warm
    with freeze(postgres_url):
        assert tally.send(gw.port, numbered(1)) == 451
    wait_until(lambda: writes_in_flight(postgres_url) == 0, timeout=60)
    assert [message_id(pg_store.raw(m.id)) for m in pg_store.messages()] == ["fault-0@example.ac.uk"]
    assert tally.send(gw.port, numbered(1)) == 250  # the sender's retry
    counts = tally.check(
        [m.content for m in sink.messages], [pg_store.raw(m.id) for m in pg_store.messages()]
    )
    assert counts == {"sent": 3, "acknowledged": 2, "taken": 2, "lost": 0, "duplicates": 0}


def test_postgres_connections_cut_during_holds(
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
    pg_store: QuarantineStore,
    postgres_url: str,
) -> None:
    """PostgreSQL restarting under the relay (every connection terminated): at most a 451, then held once."""
    sink = make_recording_sink()
    gw = make_gateway(sink.address, findings=(finding("HOLD_ME"),), quarantine=pg_store)
    tally = Tally()
    for n in range(3):
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        assert tally.send(gw.port, numbered(n)) in (250, 451)
    for n in range(3):
        if tally.answers[n] == 451:
            assert tally.send(gw.port, numbered(n)) == 250
    with contextlib.suppress(StoreError):  # this thread's own connection was cut too: the first use says so
        pg_store.count()
    counts = tally.check(
        [m.content for m in sink.messages], [pg_store.raw(m.id) for m in pg_store.messages()]
    )
    assert (counts["acknowledged"], counts["taken"], counts["lost"], counts["duplicates"]) == (3, 3, 0, 0)


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 4 MB tmpfs of our own (needs root and mount rights; skipped otherwise)."""
    path = Path(tempfile.mkdtemp(prefix="gw-full-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        path.rmdir()
        pytest.skip("cannot mount a small tmpfs here (needs root): " + done.stderr.decode(errors="replace"))
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)
        path.rmdir()


def fill(folder: Path) -> Path:
    """Write a file until the file system is full; the file, to delete when space is needed again."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as f:
        for size in (65536, 512):
            with contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * size)
    return filler


def test_sqlite_on_a_full_disk_gets_451_and_nothing_lost(
    make_gateway: Callable[..., Any], make_recording_sink: Callable[..., RecordingSink], small_disk: Path
) -> None:
    """With the SQLite store's disk full a hold is 451 (the client keeps it); with space again it is held once."""
    db = Database("", state_dir=small_disk)
    store = make_store(db)
    try:
        sink = make_recording_sink()
        gw = make_gateway(sink.address, findings=(finding("HOLD_ME"),), quarantine=store)
        tally = Tally()
        filler = fill(small_disk)
        body = "word " * 40_000  # 200 KB: cannot fit
        for n in range(3):
            assert tally.send(gw.port, numbered(n, body)) == 451
        filler.unlink()
        for n in range(3):
            assert tally.send(gw.port, numbered(n, body)) == 250
        counts = tally.check([m.content for m in sink.messages], [store.raw(m.id) for m in store.messages()])
        assert counts == {"sent": 6, "acknowledged": 3, "taken": 3, "lost": 0, "duplicates": 0}
    finally:
        db.close()
