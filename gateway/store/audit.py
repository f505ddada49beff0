"""The append-only, tamper-evident audit log of every access to held messages.

One row per event: who (actor), when (UTC), from where (source address),
what (action), which message, the outcome (denials included) and a short
detail that never carries message content. Rows form a hash chain: each
row's hash covers its fields and the previous row's hash, so changing,
removing or reordering any row breaks `verify()` from that row on. Row
numbers (`n`) are assigned under a lock and are contiguous, so a removed
row shows as a gap even where the chain was recomputed past it; the head
(n, hash) printed by `gateway audit verify` can be kept off the host to
anchor the tail (and `gateway audit export` ships the rows themselves).

Database triggers refuse UPDATE and DELETE on the table, so ordinary code
paths cannot rewrite history; the chain catches whoever bypasses them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.store.db import Database, Tx

GENESIS = "0" * 64
_MAX_FIELD = 500

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AuditEvent:
    """What to record. `detail` is metadata only: never message text or identifiers."""

    actor: str  # "web:alice", "cli:root", "system:retention"
    action: str  # "list", "view", "reveal", "download", "release", "reject", "delete", "login"...
    outcome: str = "ok"  # "ok", "denied", "not_found", "failed", "csrf_failed"...
    message_id: str = ""
    source: str = ""  # client IP address, "cli" or "system"
    detail: str = ""


@dataclass(frozen=True)
class AuditRecord:
    n: int
    at: str
    actor: str
    source: str
    action: str
    message_id: str
    outcome: str
    detail: str
    prev_hash: str
    hash: str

    def to_json(self) -> dict[str, object]:
        return {
            "n": self.n,
            "at": self.at,
            "actor": self.actor,
            "source": self.source,
            "action": self.action,
            "message_id": self.message_id,
            "outcome": self.outcome,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


@dataclass(frozen=True)
class Verification:
    ok: bool
    count: int
    head_n: int
    head_hash: str
    problem: str = ""
    bad_n: int = 0


def row_hash(
    n: int,
    at: str,
    actor: str,
    source: str,
    action: str,
    message_id: str,
    outcome: str,
    detail: str,
    prev_hash: str,
) -> str:
    canonical = json.dumps(
        [n, at, actor, source, action, message_id, outcome, detail, prev_hash],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _no_rewrite_sqlite(tx: Tx) -> None:
    for op in ("UPDATE", "DELETE"):
        tx.execute(
            f"CREATE TRIGGER audit_log_no_{op.lower()} BEFORE {op} ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )


def _no_rewrite_postgresql(tx: Tx) -> None:
    tx.execute(
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$"
    )
    tx.execute(
        "CREATE TRIGGER audit_log_no_rewrite BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
    )
    tx.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
    )


def _append_only(tx: Tx) -> None:
    kind = getattr(getattr(tx, "db", None), "kind", "sqlite")
    (_no_rewrite_postgresql if kind == "postgresql" else _no_rewrite_sqlite)(tx)


MIGRATIONS: list[str | Callable[[Tx], None]] = [
    "CREATE TABLE audit_log ("
    " n {bigint} PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, source TEXT NOT NULL,"
    " action TEXT NOT NULL, message_id TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL,"
    " prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
    "CREATE INDEX audit_log_message ON audit_log (message_id);"
    "CREATE INDEX audit_log_actor ON audit_log (actor)",
    _append_only,
]


class AuditLog:
    """Append and verify the chain. Thread-safe (the database serialises appends)."""

    def __init__(self, db: Database, *, clock: Clock = _now) -> None:
        self.db = db
        self.clock = clock

    def migrate(self) -> None:
        self.db.migrate("audit", MIGRATIONS)

    def append(self, event: AuditEvent) -> AuditRecord:
        """Write one row durably; raises StoreError when the log cannot be written."""
        with self.db.transaction() as tx:
            return self.append_in(tx, event)

    def append_in(self, tx: Tx, event: AuditEvent) -> AuditRecord:
        """Write one row inside the caller's transaction (committed with it)."""
        if self.db.kind == "postgresql":
            # one writer at a time across every node, so the chain stays linear
            tx.execute("SELECT pg_advisory_xact_lock(hashtext('gateway-audit-log'))")
        last = tx.execute("SELECT n, hash FROM audit_log ORDER BY n DESC LIMIT 1")
        n = int(last[0]["n"]) + 1 if last else 1
        prev = str(last[0]["hash"]) if last else GENESIS
        at = self.clock().astimezone(UTC).isoformat(timespec="microseconds")
        fields = (
            _clip(event.actor),
            _clip(event.source),
            _clip(event.action),
            _clip(event.message_id),
            _clip(event.outcome),
            _clip(event.detail),
        )
        actor, source, action, message_id, outcome, detail = fields
        h = row_hash(n, at, actor, source, action, message_id, outcome, detail, prev)
        tx.execute(
            "INSERT INTO audit_log (n, at, actor, source, action, message_id, outcome, detail,"
            " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (n, at, actor, source, action, message_id, outcome, detail, prev, h),
        )
        return AuditRecord(n, at, actor, source, action, message_id, outcome, detail, prev, h)

    def records(
        self,
        *,
        since: int = 0,
        limit: int | None = None,
        newest_first: bool = False,
        actor: str = "",
        message_id: str = "",
        action: str = "",
    ) -> list[AuditRecord]:
        where: list[str] = ["n > ?"]
        params: list[object] = [since]
        for col, val in (("actor", actor), ("message_id", message_id), ("action", action)):
            if val:
                where.append(f"{col} = ?")
                params.append(val)
        sql = f"SELECT * FROM audit_log WHERE {' AND '.join(where)} ORDER BY n {'DESC' if newest_first else 'ASC'}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [_record(r) for r in self.db.execute(sql, params)]

    def iter_all(self, *, since: int = 0, batch: int = 1000) -> Iterator[AuditRecord]:
        while True:
            rows = self.records(since=since, limit=batch)
            if not rows:
                return
            yield from rows
            since = rows[-1].n

    def head(self) -> tuple[int, str]:
        rows = self.db.execute("SELECT n, hash FROM audit_log ORDER BY n DESC LIMIT 1")
        return (int(rows[0]["n"]), str(rows[0]["hash"])) if rows else (0, GENESIS)

    def verify(self, *, expect_head: tuple[int, str] | None = None) -> Verification:
        """Recompute the chain from the first row. `expect_head`: a (n, hash) kept off the host."""
        prev, expected_n, count = GENESIS, 1, 0
        seen_anchor = expect_head is None
        for r in self.iter_all():
            if r.n != expected_n:
                return Verification(False, count, r.n, r.hash, f"row {expected_n} is missing", expected_n)
            if r.prev_hash != prev:
                return Verification(
                    False, count, r.n, r.hash, f"row {r.n} does not follow row {r.n - 1}", r.n
                )
            h = row_hash(
                r.n, r.at, r.actor, r.source, r.action, r.message_id, r.outcome, r.detail, r.prev_hash
            )
            if h != r.hash:
                return Verification(False, count, r.n, r.hash, f"row {r.n} was altered", r.n)
            if expect_head is not None and r.n == expect_head[0]:
                if r.hash != expect_head[1]:
                    return Verification(
                        False, count, r.n, r.hash, f"row {r.n} differs from the recorded head", r.n
                    )
                seen_anchor = True
            prev, expected_n, count = r.hash, r.n + 1, count + 1
        if not seen_anchor and expect_head is not None:
            return Verification(
                False,
                count,
                expected_n - 1,
                prev,
                f"the log ends before the recorded head (row {expect_head[0]})",
                expected_n,
            )
        return Verification(True, count, expected_n - 1, prev)


def _clip(value: str) -> str:
    text = "".join(ch if ch.isprintable() else " " for ch in str(value))
    return text[:_MAX_FIELD]


def _record(r: dict[str, object]) -> AuditRecord:
    return AuditRecord(
        n=int(r["n"]),  # type: ignore[call-overload]
        at=str(r["at"]),
        actor=str(r["actor"]),
        source=str(r["source"]),
        action=str(r["action"]),
        message_id=str(r["message_id"]),
        outcome=str(r["outcome"]),
        detail=str(r["detail"]),
        prev_hash=str(r["prev_hash"]),
        hash=str(r["hash"]),
    )
