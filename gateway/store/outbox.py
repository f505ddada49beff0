"""The notification outbox: mail the gateway itself sends, kept durably until the next hop takes it.

Every notification (to a sender, a check-address answer, a reviewer alert
or digest) is committed here first and delivered later by
`gateway.notify.worker.OutboxWorker`, so a next hop that is down, slow or
answering 4xx never loses one and never delays the SMTP answer of the
message that caused it. Rows move through

    pending -> sent                      (the next hop answered 2xx)
    pending -> pending (attempts + 1)    (4xx or no connection: retried later, with backoff)
    pending -> failed                    (5xx, or still undelivered after the worker's max age)

A worker claims due rows by pushing their `next_attempt_at` a lease into
the future in the same transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`),
so several gateway nodes sharing one database never send a row twice at
once; a worker that dies mid-delivery leaves a row that becomes due again
when its lease runs out (at-least-once, like any MTA).

The message bytes are encrypted with the quarantine's key ring (a
notification quotes a de-identified draft of a message that held patient
data: de-identification is good, not perfect). Addresses are kept in clear:
the worker needs them, and they are the sender's own.

Rate limit: `enqueue(..., rate_key=K, rate_limit=N)` counts the rows with
key K created in the last hour and inserts only below N, in one
transaction (serialised per key on PostgreSQL with an advisory lock).

Reviewer digests: `add_alert` stores one line per held message (ids,
rule, categories: never content); `take_alerts` turns every pending line
into one digest mail in a single transaction, so a line is neither lost
nor reported twice.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.config import Settings
from gateway.errors import StoreError
from gateway.store.crypto import Keyring
from gateway.store.db import Database, Row, Tx
from gateway.store.outbox_schema import MIGRATIONS

Clock = Callable[[], datetime]

PENDING, SENT, FAILED = "pending", "sent", "failed"
RATE_WINDOW = timedelta(hours=1)


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class OutboxMail:
    """One queued notification, as a worker gets it (content decrypted)."""

    id: str
    kind: str  # "sender", "check", "review", "alert", "digest"
    ref: str  # the quarantine id or the relay's message id it is about
    created_at: datetime
    mail_from: str  # the envelope sender; "" is the null sender <>
    rcpt: str
    content: bytes
    attempts: int  # delivery attempts so far, this one included


@dataclass(frozen=True)
class OutboxEntry:
    """A row's state without its content: for tests, the CLI and the docs' examples."""

    id: str
    kind: str
    ref: str
    rcpt: str
    status: str
    attempts: int
    next_attempt_at: str
    last_error: str
    created_at: str
    done_at: str


@dataclass(frozen=True)
class AlertLine:
    """One held message waiting for the next reviewer digest."""

    id: int
    created_at: datetime
    ref: str
    summary: dict[str, Any]


@dataclass(frozen=True)
class NewMail:
    """What `take_alerts`' builder returns: one mail to enqueue."""

    kind: str
    mail_from: str
    rcpt: str
    content: bytes
    ref: str = ""


class Outbox:
    """The outbox table and the digest lines. Thread-safe; every call blocks (use a thread)."""

    def __init__(self, db: Database, keyring: Keyring | None = None, *, clock: Clock = _now) -> None:
        self.db = db
        self.keyring = keyring
        self.clock = clock

    def migrate(self) -> None:
        self.db.migrate("notify_outbox", MIGRATIONS)

    def close(self) -> None:
        self.db.close()

    # -- adding ----------------------------------------------------------------------------------

    def enqueue(
        self,
        kind: str,
        mail_from: str,
        rcpt: str,
        content: bytes,
        *,
        ref: str = "",
        rate_key: str = "",
        rate_limit: int | None = None,
    ) -> str | None:
        """Commit one notification; its id, or None when `rate_key` is over `rate_limit` this hour.

        Raises StoreError when the row could not be committed.
        """
        oid = new_id()
        now = self.clock()
        with self.db.transaction() as tx:
            if rate_key and rate_limit is not None:
                if self.db.kind == "postgresql":
                    tx.execute("SELECT pg_advisory_xact_lock(hashtext(?))", ("notify-rate:" + rate_key,))
                rows = tx.execute(
                    "SELECT COUNT(*) AS n FROM notify_outbox WHERE rate_key = ? AND created_at > ?",
                    (rate_key, _iso(now - RATE_WINDOW)),
                )
                if int(rows[0]["n"]) >= rate_limit:
                    return None
            self._insert(tx, oid, kind, mail_from, rcpt, content, ref=ref, rate_key=rate_key, now=now)
        return oid

    def _insert(
        self,
        tx: Tx,
        oid: str,
        kind: str,
        mail_from: str,
        rcpt: str,
        content: bytes,
        *,
        ref: str,
        rate_key: str,
        now: datetime,
    ) -> None:
        if self.keyring is not None:
            stored, encrypted = self.keyring.encrypt(bytes(content), f"outbox:{oid}"), 1
        else:
            stored, encrypted = bytes(content), 0
        tx.execute(
            "INSERT INTO notify_outbox (id, kind, ref, created_at, mail_from, rcpt, rate_key, content,"
            " encrypted, status, attempts, next_attempt_at, last_error, done_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, '', '')",
            (oid, kind, ref, _iso(now), mail_from, rcpt, rate_key, stored, encrypted, PENDING, _iso(now)),
        )

    # -- delivering ------------------------------------------------------------------------------

    def claim_due(self, *, limit: int = 20, lease: timedelta = timedelta(minutes=5)) -> list[OutboxMail]:
        """Up to `limit` rows due now, claimed for `lease` (their attempt counted), oldest first."""
        now = self.clock()
        lock = " FOR UPDATE SKIP LOCKED" if self.db.kind == "postgresql" else ""
        with self.db.transaction() as tx:
            rows = tx.execute(
                "SELECT id, kind, ref, created_at, mail_from, rcpt, content, encrypted, attempts"
                " FROM notify_outbox WHERE status = ? AND next_attempt_at <= ?"
                f" ORDER BY next_attempt_at, id LIMIT ?{lock}",
                (PENDING, _iso(now), int(limit)),
            )
            tx.executemany(
                "UPDATE notify_outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?",
                [(_iso(now + lease), r["id"]) for r in rows],
            )
        return [self._mail(r) for r in rows]

    def _mail(self, r: Row) -> OutboxMail:
        content = bytes(r["content"])
        if r["encrypted"]:
            if self.keyring is None:
                raise StoreError("an outbox row is encrypted but no key ring was given")
            content = self.keyring.decrypt(content, f"outbox:{r['id']}")
        return OutboxMail(
            id=r["id"],
            kind=r["kind"],
            ref=r["ref"],
            created_at=_parse(r["created_at"]),
            mail_from=r["mail_from"],
            rcpt=r["rcpt"],
            content=content,
            attempts=int(r["attempts"]) + 1,
        )

    def mark_sent(self, oid: str) -> None:
        self._finish(oid, SENT, "")

    def mark_failed(self, oid: str, error: str) -> None:
        self._finish(oid, FAILED, error)

    def _finish(self, oid: str, status: str, error: str) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE notify_outbox SET status = ?, last_error = ?, done_at = ? WHERE id = ?",
                (status, error[:500], _iso(self.clock()), oid),
            )

    def mark_retry(self, oid: str, error: str, at: datetime) -> None:
        """Leave the row pending, due again at `at`."""
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE notify_outbox SET last_error = ?, next_attempt_at = ? WHERE id = ? AND status = ?",
                (error[:500], _iso(at), oid, PENDING),
            )

    def next_due(self) -> datetime | None:
        """When the earliest pending row is due (None when nothing is pending)."""
        rows = self.db.execute(
            "SELECT MIN(next_attempt_at) AS t FROM notify_outbox WHERE status = ?", (PENDING,)
        )
        t = rows[0]["t"] if rows else None
        return _parse(t) if t else None

    # -- reading ---------------------------------------------------------------------------------

    def entries(self, *, status: str = "", kind: str = "", limit: int = 1000) -> list[OutboxEntry]:
        where, params = [], []
        if status:
            where.append("status = ?")
            params.append(status)
        if kind:
            where.append("kind = ?")
            params.append(kind)
        sql = (
            "SELECT id, kind, ref, rcpt, status, attempts, next_attempt_at, last_error, created_at, done_at"
            " FROM notify_outbox"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY created_at, id LIMIT ?"
        )
        rows = self.db.execute(sql, (*params, int(limit)))
        return [OutboxEntry(**r) for r in rows]

    def content(self, oid: str) -> bytes:
        """The stored message of one row, decrypted (tests and troubleshooting)."""
        rows = self.db.execute(
            "SELECT id, kind, ref, created_at, mail_from, rcpt, content, encrypted, attempts"
            " FROM notify_outbox WHERE id = ?",
            (oid,),
        )
        if not rows:
            raise StoreError(f"no outbox row {oid}")
        return self._mail(rows[0]).content

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT status, COUNT(*) AS n FROM notify_outbox GROUP BY status")
        return {r["status"]: int(r["n"]) for r in rows}

    # -- reviewer digests ------------------------------------------------------------------------

    def add_alert(self, ref: str, summary: dict[str, Any]) -> None:
        """One line for the next digest; `summary` must hold no message content."""
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO notify_alerts (created_at, ref, summary, digest_id) VALUES (?, ?, ?, '')",
                (_iso(self.clock()), ref, json.dumps(summary, sort_keys=True)),
            )

    def oldest_alert(self) -> datetime | None:
        rows = self.db.execute("SELECT MIN(created_at) AS t FROM notify_alerts WHERE digest_id = ''")
        t = rows[0]["t"] if rows else None
        return _parse(t) if t else None

    def take_alerts(self, build: Callable[[Sequence[AlertLine]], NewMail | None]) -> str | None:
        """Every pending digest line -> one mail from `build`, enqueued in the same transaction.

        Returns the new row's id (None when nothing was pending or `build`
        returned None, in which case the lines stay pending).
        """
        lock = " FOR UPDATE SKIP LOCKED" if self.db.kind == "postgresql" else ""
        with self.db.transaction() as tx:
            rows = tx.execute(
                "SELECT id, created_at, ref, summary FROM notify_alerts WHERE digest_id = ''"
                f" ORDER BY created_at, id{lock}"
            )
            if not rows:
                return None
            lines = [
                AlertLine(int(r["id"]), _parse(r["created_at"]), r["ref"], json.loads(r["summary"]))
                for r in rows
            ]
            mail = build(lines)
            if mail is None:
                return None
            oid = new_id()
            self._insert(
                tx,
                oid,
                mail.kind,
                mail.mail_from,
                mail.rcpt,
                mail.content,
                ref=mail.ref,
                rate_key="",
                now=self.clock(),
            )
            tx.executemany(
                "UPDATE notify_alerts SET digest_id = ? WHERE id = ?", [(oid, x.id) for x in lines]
            )
        return oid

    # -- housekeeping ----------------------------------------------------------------------------

    def prune(self, *, keep: timedelta = timedelta(days=7)) -> int:
        """Delete rows finished (sent or failed) and digest lines reported more than `keep` ago."""
        cutoff = _iso(self.clock() - keep)
        with self.db.transaction() as tx:
            rows = tx.execute(
                "SELECT COUNT(*) AS n FROM notify_outbox WHERE status <> ? AND done_at <> '' AND done_at < ?",
                (PENDING, cutoff),
            )
            tx.execute(
                "DELETE FROM notify_outbox WHERE status <> ? AND done_at <> '' AND done_at < ?",
                (PENDING, cutoff),
            )
            tx.execute("DELETE FROM notify_alerts WHERE digest_id <> '' AND created_at < ?", (cutoff,))
        return int(rows[0]["n"])


def new_id() -> str:
    """A random, unguessable row id (it binds the ciphertext to its row)."""
    return "n" + secrets.token_hex(10)


def open_outbox(settings: Settings, *, clock: Clock = _now) -> Outbox:
    """The outbox in the configured database, migrated, encrypted with the quarantine's key ring."""
    from gateway.store.crypto import load_keyring
    from gateway.store.db import open_database

    db = open_database(settings)
    outbox = Outbox(db, load_keyring(settings), clock=clock)
    try:
        outbox.migrate()
    except StoreError:
        db.close()
        raise
    return outbox
