"""One small layer over SQLite and PostgreSQL: connections, transactions, migrations.

The only module that imports sqlite3 or psycopg. SQL is written once with
`?` placeholders and a few type tokens that migrations expand per engine:

    {id}    INTEGER PRIMARY KEY AUTOINCREMENT | BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY
    {blob}  BLOB | BYTEA
    {real}  REAL | DOUBLE PRECISION
    {bigint} INTEGER | BIGINT

SQLite runs in WAL mode with synchronous=FULL, so a committed row survives
a crash or power loss (the relay answers 250 only after a durable hand-off).
PostgreSQL connections use synchronous_commit=on. Every driver error is
translated into `StoreError` here.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from gateway.config import Settings
from gateway.errors import StoreError

Row = dict[str, Any]

_TOKENS = {
    "sqlite": {
        "id": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "blob": "BLOB",
        "real": "REAL",
        "bigint": "INTEGER",
    },
    "postgresql": {
        "id": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "blob": "BYTEA",
        "real": "DOUBLE PRECISION",
        "bigint": "BIGINT",
    },
}


class Tx(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


class Database:
    """Thread-safe handle: one connection per thread, opened on first use."""

    #: SQLite's busy timeout, and the longest a writer waits for this process's other writers
    WRITE_WAIT = 30.0

    def __init__(self, url: str, *, state_dir: str | Path = ".", write_wait: float = WRITE_WAIT) -> None:
        if not url or url.startswith("sqlite:"):
            path = url[len("sqlite:") :].lstrip("/") if url.startswith("sqlite:") else ""
            self.kind = "sqlite"
            self.path = Path(path) if path else Path(state_dir) / "gateway.sqlite3"
            if url.startswith("sqlite:////"):
                self.path = Path("/" + path)
            self.url = f"sqlite:///{self.path}"
        elif url.startswith(("postgresql://", "postgres://")):
            self.kind = "postgresql"
            self.url = url
            self.path = Path()
        else:
            raise StoreError(f"unsupported database url {url.split(':', 1)[0]!r} (sqlite: or postgresql:)")
        self._local = threading.local()
        self._all: list[Any] = []
        self._busy: dict[int, int] = {}  # id(connection) -> transactions running on it
        self._doomed: set[int] = set()  # closed by close() while busy: close when the last one ends
        self._lock = threading.Lock()
        # SQLite lets one transaction write at a time. Left to SQLite, a thread that finds the lock
        # taken polls for it, sleeping 1, 2, 5, 10... up to 100 ms between tries, so under many
        # concurrent sessions a commit could wait far longer than the writes before it took. The
        # writers of this process queue here instead and start the moment the one before commits
        # (re-entrant: a transaction opened inside another on the same thread is SQLite's error,
        # not a hang). Other processes still meet SQLite's own lock.
        self._writer = threading.RLock()
        self._write_wait = write_wait

    # -- connections ---------------------------------------------------------------------------

    def _connect(self) -> Any:
        if self.kind == "sqlite":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                if not self.path.exists():  # it holds password hashes and patient data: owner only
                    self.path.touch(mode=0o600)
                conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute("PRAGMA busy_timeout=30000")
            except (sqlite3.Error, OSError) as exc:
                raise StoreError(f"cannot open SQLite database: {exc}") from exc
            return conn
        try:
            import psycopg
            from psycopg.rows import dict_row

            pg = psycopg.connect(self.url, autocommit=True, row_factory=dict_row, connect_timeout=10)
            pg.execute("SET synchronous_commit = on")
        except Exception as exc:
            raise StoreError(f"cannot connect to PostgreSQL: {type(exc).__name__}") from exc
        return pg

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _checkout(self) -> Any:
        """This thread's connection, marked in use until `_checkin` (so `close` cannot pull it away)."""
        while True:
            conn = self._conn()
            with self._lock:
                if any(c is conn for c in self._all):
                    self._busy[id(conn)] = self._busy.get(id(conn), 0) + 1
                    return conn
            self._local.conn = None  # closed by close() meanwhile: open a fresh one

    def _checkin(self, conn: Any) -> None:
        with self._lock:
            left = self._busy.get(id(conn), 1) - 1
            if left > 0:
                self._busy[id(conn)] = left
                return
            self._busy.pop(id(conn), None)
            doomed = id(conn) in self._doomed
            self._doomed.discard(id(conn))
        if doomed:
            _close_quietly(conn)

    def close(self) -> None:
        """Close every connection; one in the middle of a transaction on another thread is closed
        when that transaction ends (closing it under a running statement can crash the driver)."""
        with self._lock:
            for c in self._all:
                if id(c) in self._busy:
                    self._doomed.add(id(c))
                else:
                    _close_quietly(c)
            self._all.clear()
        self._local = threading.local()

    # -- SQL -------------------------------------------------------------------------------------

    def sql(self, text: str) -> str:
        """Expand type tokens and placeholders for this engine."""
        for k, v in _TOKENS[self.kind].items():
            text = text.replace("{" + k + "}", v)
        return text

    def pg_sql(self, text: str, *, with_params: bool) -> str:
        """PostgreSQL form: `?` -> `%s`, and `%` escaped only when psycopg will interpolate."""
        text = self.sql(text)
        return text.replace("%", "%%").replace("?", "%s") if with_params else text

    @contextmanager
    def transaction(self, *, immediate: bool = True, exclusive: bool = False) -> Iterator[Tx]:
        """A transaction; commits on success (durably), rolls back on error.

        SQLite: `immediate` takes the write lock at once; `exclusive` also keeps readers out.
        """
        writer = self.kind == "sqlite" and (immediate or exclusive)
        if writer and not self._writer.acquire(timeout=self._write_wait):
            raise StoreError("database error: database is locked (no turn to write)")
        try:
            with self._transaction(immediate=immediate, exclusive=exclusive) as tx:
                yield tx
        finally:
            if writer:
                self._writer.release()

    @contextmanager
    def _transaction(self, *, immediate: bool, exclusive: bool) -> Iterator[Tx]:
        conn = self._checkout()
        try:
            if self.kind == "sqlite":
                conn.execute("BEGIN EXCLUSIVE" if exclusive else "BEGIN IMMEDIATE" if immediate else "BEGIN")
                try:
                    yield _SqliteTx(self, conn)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            else:
                with conn.transaction():
                    yield _PgTx(self, conn)
        except StoreError:
            raise
        except (sqlite3.Error, OSError) as exc:
            self._drop_broken(conn)
            raise StoreError(f"database error: {exc}") from exc
        except Exception as exc:
            if _is_pg_error(exc):
                self._drop_broken(conn)
                raise StoreError(f"database error: {type(exc).__name__}: {exc}") from exc
            raise
        finally:
            self._checkin(conn)

    def _drop_broken(self, conn: Any) -> None:
        if self.kind == "postgresql" and getattr(conn, "closed", False):
            self._local.conn = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.transaction(immediate=False) as tx:
            return tx.execute(sql, params)

    # -- migrations ------------------------------------------------------------------------------

    def migrate(self, component: str, steps: Sequence[str | Callable[[Tx], None]]) -> int:
        """Apply the not-yet-applied steps of `component` in order; returns the version reached.

        Steps are append-only: never edit a released step, add a new one.

        Safe when several processes open one database at once (a fleet starting
        together): the whole check-and-apply runs under one lock per database,
        PostgreSQL's transaction-scoped advisory lock or SQLite's exclusive
        transaction, so exactly one process applies a step and the others wait,
        then find it applied.
        """
        with self._migration_transaction() as tx:
            tx.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " component TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL,"
                " PRIMARY KEY (component, version))"
            )
            rows = tx.execute(
                "SELECT MAX(version) AS v FROM schema_migrations WHERE component = ?", (component,)
            )
            current = int(rows[0]["v"] or 0) if rows else 0
            for version, step in enumerate(steps, start=1):
                if version <= current:
                    continue
                if callable(step):
                    step(tx)
                else:
                    for statement in _split_sql(step):
                        tx.execute(statement)
                tx.execute(
                    "INSERT INTO schema_migrations (component, version, applied_at) VALUES (?, ?, ?)",
                    (component, version, utcnow()),
                )
                current = version
        return current

    @contextmanager
    def _migration_transaction(self) -> Iterator[Tx]:
        """A transaction that holds the database's one migration lock until it ends."""
        if self.kind == "sqlite":
            with self.transaction(exclusive=True) as tx:
                yield tx
            return
        with self.transaction() as tx:
            # one lock for all components: CREATE TABLE IF NOT EXISTS itself races in PostgreSQL
            # (two creators collide on the catalogue's unique index), so it must be inside the lock
            tx.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
            yield tx


#: the advisory lock key all gateway processes take while migrating (any fixed 64-bit number)
_MIGRATION_LOCK = 0x6D65646D61696C  # "medmail"


class _SqliteTx:
    def __init__(self, db: Database, conn: sqlite3.Connection) -> None:
        self.db, self.conn = db, conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cur = self.conn.execute(self.db.sql(sql), tuple(params))
        return [dict(r) for r in cur.fetchall()] if cur.description else []

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(self.db.sql(sql), [tuple(r) for r in rows])


class _PgTx:
    def __init__(self, db: Database, conn: Any) -> None:
        self.db, self.conn = db, conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cur = self.conn.execute(
            self.db.pg_sql(sql, with_params=bool(params)), tuple(params) if params else None
        )
        return [dict(r) for r in cur.fetchall()] if cur.description else []

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(self.db.pg_sql(sql, with_params=True), [tuple(r) for r in rows])


def _close_quietly(conn: Any) -> None:
    try:
        conn.close()
    except Exception:  # closing: a connection already broken has nothing left to lose
        pass


def _is_pg_error(exc: Exception) -> bool:
    return type(exc).__module__.startswith("psycopg")


def _split_sql(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def utcnow() -> str:
    """UTC time as ISO 8601 text: sortable, the same in both engines."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def open_database(settings: Settings) -> Database:
    """The database the configuration names (SQLite in state_dir by default)."""
    return Database(settings.database.url, state_dir=settings.state_dir)
