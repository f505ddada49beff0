"""The quarantine: held messages kept durably and encrypted, their review, and their retention.

`QuarantineStore.hold` is the hand-off the relay and milter wait for
before answering 250: it commits the raw message (AES-GCM, see
`gateway.store.crypto`), the envelope, the findings (already masked), the
rule and the time in one transaction, together with the audit row of the
hold. If it raises `StoreError` the front end answers 451.

A held message moves through the statuses

    held -> releasing -> released      (delivered by the next hop)
                      -> held          (the next hop refused: the error is kept and shown)
    held -> rejected                   (the sender is told, through the `on_decision` hook)
    any  -> deleted                    (content erased at once; admins only)
    held -> expired                    (retention ran out before anyone decided)

and every change is committed with its audit row. `ReviewActions` is what
the web UI and the CLI call: release delivers through a `deliver(envelope,
raw)` callable the wiring injects (the relay's next-hop client), so the
store never imports a front end.

Retention (UK GDPR storage limitation): `purge()` erases the content
(message, subject, envelope, findings) of every message received more than
`retention_days` ago, whatever its status; what stays is a tombstone with
the id, times, rule, categories and decision, which the per-rule statistics
need and which identifies no one. Each purged message gets an audit row.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from typing import Any

from gateway.errors import GatewayError, StoreError
from gateway.model import Decision, Envelope, Finding
from gateway.model.envelope import domain_of
from gateway.store.audit import AuditEvent, AuditLog
from gateway.store.crypto import Keyring, load_keyring
from gateway.store.db import Database, Row, Tx, open_database
from gateway.store.outbox_keys import outbox_keys_in_use, reseal_outbox
from gateway.store.totp import reseal_all, sealed_keys_in_use

log = logging.getLogger(__name__)

STATUSES = ("held", "releasing", "released", "rejected", "deleted", "expired")
#: a release that has not finished after this long (the process died mid-delivery) may be retried
STALE_RELEASE = timedelta(minutes=10)

Clock = Callable[[], datetime]
Deliver = Callable[[Envelope, bytes], Awaitable[object]]
OnDecision = Callable[["ReviewDecision"], object]


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


class ActionRefused(GatewayError):
    """A review action that cannot be done: unknown id, or the message is not in a state for it."""

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        self.not_found = not_found
        super().__init__(message)


@dataclass(frozen=True)
class HeldMessage:
    """One quarantined message without its raw bytes (see `QuarantineStore.raw`)."""

    id: str
    received: str  # ISO 8601 UTC
    sender: str
    recipients: tuple[str, ...]
    status: str
    rule: str
    rules: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    policy_reason: str = ""
    size: int = 0
    client_address: str = ""
    queue_id: str = ""
    subject: str = ""  # decrypted; "" once purged
    message_id: str = ""
    helo: str = ""
    mail_options: tuple[str, ...] = ()
    rcpt_options: tuple[tuple[str, ...], ...] = ()
    status_at: str = ""
    decided_by: str = ""
    decision_reason: str = ""  # the reason given to the sender on reject
    comment: str = ""  # the reviewer's comment on the decision
    last_error: str = ""  # why the last release failed
    release_attempts: int = 0
    purged: bool = False

    @property
    def sender_domain(self) -> str:
        return domain_of(self.sender)

    @property
    def envelope(self) -> Envelope:
        return Envelope(
            mail_from=self.sender,
            rcpt_tos=self.recipients,
            client_address=self.client_address,
            helo=self.helo,
            queue_id=self.queue_id,
            mail_options=self.mail_options,
            rcpt_options=self.rcpt_options,
        )

    def summary_json(self) -> dict[str, Any]:
        """The line `gateway quarantine list --json` prints."""
        return {
            "id": self.id,
            "received": self.received,
            "sender": self.sender,
            "recipients": list(self.recipients),
            "categories": list(self.categories),
            "rule": self.rule,
            "status": self.status,
        }


@dataclass(frozen=True)
class ReviewDecision:
    """What `on_decision` hooks receive after a release, reject or delete."""

    action: str  # "released", "rejected", "deleted"
    message: HeldMessage
    actor: str
    reason: str = ""  # for rejections: the text for the sender
    comment: str = ""


@dataclass
class Filters:
    """List filters; empty fields do not filter."""

    status: str = ""
    category: str = ""
    rule: str = ""
    sender: str = ""  # substring of the envelope sender
    since: str = ""  # YYYY-MM-DD (inclusive)
    until: str = ""  # YYYY-MM-DD (inclusive)
    search: str = ""  # id, queue id, sender, recipient or subject (substring, case-insensitive)
    scope: tuple[str, ...] = ()  # sender domains (subdomains included); empty = all
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class RuleStats:
    rule: str
    held: int = 0  # still waiting (held or releasing)
    released: int = 0  # a reviewer let it go: the hold was not needed
    rejected: int = 0  # a reviewer confirmed the hold
    deleted: int = 0
    expired: int = 0

    @property
    def decided(self) -> int:
        return self.released + self.rejected

    @property
    def precision(self) -> float | None:
        """Share of decided holds that reviewers confirmed (None before any decision)."""
        return self.rejected / self.decided if self.decided else None


@dataclass(frozen=True)
class PurgeResult:
    erased: int
    expired: int  # of those, still held (now status expired)
    ids: tuple[str, ...] = field(default=())


MIGRATIONS: list[str] = [
    "CREATE TABLE quarantine ("
    " id TEXT PRIMARY KEY, received TEXT NOT NULL, sender TEXT NOT NULL, sender_domain TEXT NOT NULL,"
    " recipients TEXT NOT NULL, client_address TEXT NOT NULL, queue_id TEXT NOT NULL,"
    " rule TEXT NOT NULL, rules TEXT NOT NULL, categories TEXT NOT NULL, types TEXT NOT NULL,"
    " findings TEXT NOT NULL, policy_reason TEXT NOT NULL, size {bigint} NOT NULL,"
    " raw {blob}, meta {blob}, key_id TEXT NOT NULL,"
    " status TEXT NOT NULL, status_at TEXT NOT NULL, decided_by TEXT NOT NULL DEFAULT '',"
    " decision_reason TEXT NOT NULL DEFAULT '', comment TEXT NOT NULL DEFAULT '',"
    " last_error TEXT NOT NULL DEFAULT '', release_attempts INTEGER NOT NULL DEFAULT 0,"
    " purged_at TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX quarantine_received ON quarantine (received);"
    "CREATE INDEX quarantine_status ON quarantine (status, received);"
    "CREATE INDEX quarantine_rule ON quarantine (rule)",
]

_COLUMNS = (
    "id, received, sender, sender_domain, recipients, client_address, queue_id, rule, rules, categories,"
    " types, findings, policy_reason, size, meta, key_id, status, status_at, decided_by, decision_reason,"
    " comment, last_error, release_attempts, purged_at"
)


class QuarantineStore:
    """The quarantine table, its encryption and its audit rows. Thread-safe; blocking calls."""

    def __init__(
        self,
        db: Database,
        keyring: Keyring,
        *,
        retention_days: int = 30,
        clock: Clock = _now,
        audit: AuditLog | None = None,
    ) -> None:
        self.db = db
        self.keyring = keyring
        self.retention_days = retention_days
        self.clock = clock
        self.audit = audit or AuditLog(db, clock=clock)

    def migrate(self) -> None:
        self.audit.migrate()
        self.db.migrate("quarantine", MIGRATIONS)

    def close(self) -> None:
        self.db.close()

    # -- the hand-off ----------------------------------------------------------------------------

    def hold(
        self, envelope: Envelope, raw: bytes, decision: Decision, *, deadline: float | None = None
    ) -> str:
        """Commit the message (encrypted), its envelope, findings and rule; return its id.

        With `deadline` (time.monotonic()): PostgreSQL is told to give up any
        statement or lock wait that would outlast it (statement_timeout,
        lock_timeout), and the transaction is rolled back rather than committed
        once it has passed, so a late write never commits after the front end
        gave up on it. Only a COMMIT already sent when the database froze can
        end in doubt; the front end logs it with the queue id.
        """
        qid = new_id()
        now = _iso(self.clock())
        subject, message_id = _subject_and_id(raw)
        meta = {
            "subject": subject,
            "message_id": message_id,
            "helo": envelope.helo,
            "mail_options": list(envelope.mail_options),
            "rcpt_options": [list(o) for o in envelope.rcpt_options],
        }
        findings = list(decision.findings)
        raw_ct = self.keyring.encrypt(bytes(raw), f"{qid}:raw")
        meta_ct = self.keyring.encrypt(json.dumps(meta).encode("utf-8"), f"{qid}:meta")
        with self.db.transaction() as tx:
            if deadline is not None and self.db.kind == "postgresql":
                ms = max(1, int((deadline - time.monotonic()) * 1000))
                tx.execute(f"SET LOCAL statement_timeout = {ms}")
                tx.execute(f"SET LOCAL lock_timeout = {ms}")
            tx.execute(
                f"INSERT INTO quarantine ({_COLUMNS.replace(', meta,', ', raw, meta,')})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    qid,
                    now,
                    envelope.mail_from,
                    envelope.sender_domain,
                    json.dumps(list(envelope.rcpt_tos)),
                    envelope.client_address,
                    envelope.queue_id,
                    decision.rule,
                    json.dumps(list(decision.rules)),
                    _tags(sorted({f.category for f in findings})),
                    _tags(sorted({f.type for f in findings})),
                    json.dumps([f.to_json() for f in findings]),
                    decision.reason,
                    len(raw),
                    raw_ct,
                    meta_ct,
                    self.keyring.current_id,
                    "held",
                    now,
                    "",
                    "",
                    "",
                    "",
                    0,
                    "",
                ),
            )
            self.audit.append_in(
                tx,
                AuditEvent(
                    actor="system:gateway",
                    action="hold",
                    message_id=qid,
                    source=envelope.client_address or "system",
                    detail=f"rule={decision.rule} queue_id={envelope.queue_id}",
                ),
            )
            if deadline is not None and time.monotonic() >= deadline:
                raise StoreError("quarantine write past its deadline: rolled back")
        return qid

    # -- reading ---------------------------------------------------------------------------------

    def get(self, qid: str) -> HeldMessage | None:
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM quarantine WHERE id = ?", (qid,))
        return self._message(rows[0]) if rows else None

    def raw(self, qid: str) -> bytes:
        """The original message, decrypted. ActionRefused when unknown or erased."""
        rows = self.db.execute("SELECT raw FROM quarantine WHERE id = ?", (qid,))
        if not rows:
            raise ActionRefused(f"no held message {qid}", not_found=True)
        if rows[0]["raw"] is None:
            raise ActionRefused(f"message {qid} was erased", not_found=True)
        return self.keyring.decrypt(bytes(rows[0]["raw"]), f"{qid}:raw")

    def messages(self, filters: Filters | None = None) -> list[HeldMessage]:
        """Newest first. The search term is matched after decryption (subjects are encrypted)."""
        f = filters or Filters()
        where, params = self._where(f)
        sql = f"SELECT {_COLUMNS} FROM quarantine"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY received DESC, id"
        if not f.search:
            sql += " LIMIT ? OFFSET ?"
            rows = self.db.execute(sql, [*params, int(f.limit), int(f.offset)])
            return [self._message(r) for r in rows]
        term = f.search.strip().lower()
        out: list[HeldMessage] = []
        skipped = 0
        for r in self.db.execute(sql, params):
            m = self._message(r)
            hay = " ".join((m.id, m.queue_id, m.sender, " ".join(m.recipients), m.subject)).lower()
            if term in hay:
                if skipped < f.offset:
                    skipped += 1
                    continue
                out.append(m)
                if len(out) >= f.limit:
                    break
        return out

    def count(self, filters: Filters | None = None) -> int:
        f = filters or Filters()
        if f.search:
            return len(self.messages(Filters(**{**f.__dict__, "limit": 1_000_000, "offset": 0})))
        where, params = self._where(f)
        sql = "SELECT COUNT(*) AS c FROM quarantine" + (" WHERE " + " AND ".join(where) if where else "")
        return int(self.db.execute(sql, params)[0]["c"])

    def _where(self, f: Filters) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if f.status:
            where.append("status = ?")
            params.append(f.status)
        if f.rule:
            where.append("rule = ?")
            params.append(f.rule)
        if f.category:
            where.append("categories LIKE ?")
            params.append(f"%,{f.category},%")
        if f.sender:
            where.append("LOWER(sender) LIKE ?")
            params.append(f"%{f.sender.lower()}%")
        if f.since:
            where.append("received >= ?")
            params.append(_day(f.since))
        if f.until:
            where.append("received < ?")
            params.append(_day(f.until, plus_days=1))
        if f.scope:
            alts = []
            for d in f.scope:
                alts.append("sender_domain = ? OR sender_domain LIKE ?")
                params.extend([d.lower(), f"%.{d.lower()}"])
            where.append("(" + " OR ".join(alts) + ")")
        return where, params

    def rules_seen(self) -> list[str]:
        return [str(r["rule"]) for r in self.db.execute("SELECT DISTINCT rule FROM quarantine ORDER BY rule")]

    def stats(self, scope: Sequence[str] = ()) -> list[RuleStats]:
        """Per rule: how many holds reviewers released (not needed) and rejected (confirmed).

        `scope`: only messages from these sender domains (a scoped reviewer's view); empty = all.
        """
        where, params = self._where(Filters(scope=tuple(scope)))
        sql = "SELECT rule, status, COUNT(*) AS c FROM quarantine"
        sql += (" WHERE " + " AND ".join(where) if where else "") + " GROUP BY rule, status"
        counts: dict[str, dict[str, int]] = {}
        for r in self.db.execute(sql, params):
            counts.setdefault(str(r["rule"]), {})[str(r["status"])] = int(r["c"])
        return [
            RuleStats(
                rule=rule,
                held=c.get("held", 0) + c.get("releasing", 0),
                released=c.get("released", 0),
                rejected=c.get("rejected", 0),
                deleted=c.get("deleted", 0),
                expired=c.get("expired", 0),
            )
            for rule, c in sorted(counts.items())
        ]

    # -- decisions (each committed with its audit row) ------------------------------------------

    def claim_release(self, qid: str, event: AuditEvent) -> HeldMessage:
        """held -> releasing, so two reviewers never deliver the same message twice."""
        now = self.clock()
        stale = _iso(now - STALE_RELEASE)
        with self.db.transaction() as tx:
            got = tx.execute(
                "UPDATE quarantine SET status = 'releasing', status_at = ?,"
                " release_attempts = release_attempts + 1"
                " WHERE id = ? AND (status = 'held' OR (status = 'releasing' AND status_at < ?))"
                " RETURNING id",
                (_iso(now), qid, stale),
            )
            if not got:
                self._refuse(tx, qid, "release")
            self.audit.append_in(tx, event)
        m = self.get(qid)
        assert m is not None
        return m

    def finish_release(
        self, qid: str, *, delivered: bool, error: str, actor: str, comment: str, event: AuditEvent
    ) -> HeldMessage:
        now = _iso(self.clock())
        with self.db.transaction() as tx:
            if delivered:
                tx.execute(
                    "UPDATE quarantine SET status = 'released', status_at = ?, decided_by = ?, comment = ?,"
                    " last_error = '' WHERE id = ?",
                    (now, actor, comment, qid),
                )
            else:
                tx.execute(
                    "UPDATE quarantine SET status = 'held', status_at = ?, last_error = ? WHERE id = ?",
                    (now, error[:500], qid),
                )
            self.audit.append_in(tx, event)
        m = self.get(qid)
        assert m is not None
        return m

    def reject(self, qid: str, *, actor: str, reason: str, comment: str, event: AuditEvent) -> HeldMessage:
        with self.db.transaction() as tx:
            got = tx.execute(
                "UPDATE quarantine SET status = 'rejected', status_at = ?, decided_by = ?,"
                " decision_reason = ?, comment = ? WHERE id = ? AND status = 'held' RETURNING id",
                (_iso(self.clock()), actor, reason[:2000], comment[:2000], qid),
            )
            if not got:
                self._refuse(tx, qid, "reject")
            self.audit.append_in(tx, event)
        m = self.get(qid)
        assert m is not None
        return m

    def delete(self, qid: str, *, actor: str, comment: str, event: AuditEvent) -> HeldMessage:
        """Erase the content now; the tombstone keeps the decision for the statistics."""
        with self.db.transaction() as tx:
            got = tx.execute(
                "UPDATE quarantine SET status = 'deleted', status_at = ?, decided_by = ?, comment = ?"
                " WHERE id = ? AND status <> 'releasing' AND status <> 'deleted' RETURNING id",
                (_iso(self.clock()), actor, comment[:2000], qid),
            )
            if not got:
                self._refuse(tx, qid, "delete")
            _erase(tx, qid, self.clock())
            self.audit.append_in(tx, event)
        m = self.get(qid)
        assert m is not None
        return m

    def _refuse(self, tx: Tx, qid: str, verb: str) -> None:
        rows = tx.execute("SELECT status FROM quarantine WHERE id = ?", (qid,))
        if not rows:
            raise ActionRefused(f"no held message {qid}", not_found=True)
        raise ActionRefused(f"cannot {verb} message {qid}: it is {rows[0]['status']}")

    # -- retention -------------------------------------------------------------------------------

    def purge(self, *, actor: str = "system:retention", source: str = "system") -> PurgeResult:
        """Erase every message older than the retention period (audited, one row per message)."""
        now = self.clock()
        cutoff = _iso(now - timedelta(days=self.retention_days))
        ids: list[str] = []
        expired = 0
        with self.db.transaction() as tx:
            rows = tx.execute(
                "SELECT id, status FROM quarantine WHERE received < ? AND purged_at = '' ORDER BY received",
                (cutoff,),
            )
            for r in rows:
                qid, status = str(r["id"]), str(r["status"])
                new_status = "expired" if status in ("held", "releasing") else status
                expired += new_status != status
                tx.execute(
                    "UPDATE quarantine SET status = ?, status_at = CASE WHEN status = ? THEN status_at ELSE ? END"
                    " WHERE id = ?",
                    (new_status, new_status, _iso(now), qid),
                )
                _erase(tx, qid, now)
                self.audit.append_in(
                    tx,
                    AuditEvent(
                        actor=actor,
                        action="purge",
                        message_id=qid,
                        source=source,
                        detail=f"retention {self.retention_days} days; was {status}",
                    ),
                )
                ids.append(qid)
            self.audit.append_in(
                tx,
                AuditEvent(
                    actor=actor,
                    action="purge-run",
                    source=source,
                    detail=f"erased={len(ids)} expired={expired} cutoff={cutoff}",
                ),
            )
        if ids:
            log.info("quarantine purge", extra={"erased": len(ids), "expired": expired})
        return PurgeResult(erased=len(ids), expired=expired, ids=tuple(ids))

    # -- key rotation ----------------------------------------------------------------------------

    def reencrypt(self, *, batch: int = 100) -> int:
        """Re-encrypt every stored message, every TOTP secret of the review UI's accounts and every
        notice in the outbox still under an older key with the current key; returns how many were."""
        done = 0
        current = self.keyring.current_id
        while True:
            rows = self.db.execute(
                "SELECT id FROM quarantine WHERE key_id <> ? AND raw IS NOT NULL LIMIT ?", (current, batch)
            )
            if not rows:
                # the accounts' TOTP secrets and the outbox's notices are sealed with the same key ring
                return done + reseal_all(self.db, self.keyring) + reseal_outbox(self.db, self.keyring)
            for r in rows:
                qid = str(r["id"])
                with self.db.transaction() as tx:
                    cur = tx.execute("SELECT raw, meta FROM quarantine WHERE id = ?", (qid,))
                    if not cur or cur[0]["raw"] is None:
                        continue
                    raw = self.keyring.decrypt(bytes(cur[0]["raw"]), f"{qid}:raw")
                    meta = self.keyring.decrypt(bytes(cur[0]["meta"]), f"{qid}:meta")
                    tx.execute(
                        "UPDATE quarantine SET raw = ?, meta = ?, key_id = ? WHERE id = ?",
                        (
                            self.keyring.encrypt(raw, f"{qid}:raw"),
                            self.keyring.encrypt(meta, f"{qid}:meta"),
                            current,
                            qid,
                        ),
                    )
                done += 1

    def keys_in_use(self) -> dict[str, int]:
        """Key id -> how many stored messages, TOTP secrets and outbox notices need it: a key with no
        count can go."""
        rows = self.db.execute(
            "SELECT key_id, COUNT(*) AS c FROM quarantine WHERE raw IS NOT NULL GROUP BY key_id"
        )
        counts = {str(r["key_id"]): int(r["c"]) for r in rows}
        for kid, n in [*sealed_keys_in_use(self.db).items(), *outbox_keys_in_use(self.db).items()]:
            counts[kid] = counts.get(kid, 0) + n
        return counts

    # -- rows ------------------------------------------------------------------------------------

    def _message(self, r: Row) -> HeldMessage:
        meta: dict[str, Any] = {}
        if r.get("meta") is not None:
            meta = json.loads(self.keyring.decrypt(bytes(r["meta"]), f"{r['id']}:meta"))
        return HeldMessage(
            id=str(r["id"]),
            received=str(r["received"]),
            sender=str(r["sender"]),
            recipients=tuple(json.loads(str(r["recipients"]) or "[]")),
            status=str(r["status"]),
            rule=str(r["rule"]),
            rules=tuple(json.loads(str(r["rules"]) or "[]")),
            categories=_untag(str(r["categories"])),
            types=_untag(str(r["types"])),
            findings=tuple(Finding.from_json(x) for x in json.loads(str(r["findings"]) or "[]")),
            policy_reason=str(r["policy_reason"]),
            size=int(r["size"]),
            client_address=str(r["client_address"]),
            queue_id=str(r["queue_id"]),
            subject=str(meta.get("subject", "")),
            message_id=str(meta.get("message_id", "")),
            helo=str(meta.get("helo", "")),
            mail_options=tuple(meta.get("mail_options", ())),
            rcpt_options=tuple(tuple(o) for o in meta.get("rcpt_options", ())),
            status_at=str(r["status_at"]),
            decided_by=str(r["decided_by"]),
            decision_reason=str(r["decision_reason"]),
            comment=str(r["comment"]),
            last_error=str(r["last_error"]),
            release_attempts=int(r["release_attempts"]),
            purged=bool(r["purged_at"]),
        )


def _erase(tx: Tx, qid: str, now: datetime) -> None:
    """Remove everything that could identify a person; keep what the statistics need."""
    tx.execute(
        "UPDATE quarantine SET raw = NULL, meta = NULL, sender = '', sender_domain = '', recipients = '[]',"
        " client_address = '', findings = '[]', policy_reason = '', decision_reason = '', comment = '',"
        " last_error = '', purged_at = ? WHERE id = ?",
        (_iso(now), qid),
    )


def new_id() -> str:
    """A random, unguessable id (ids appear in URLs; guessing one must not help)."""
    return secrets.token_hex(8)


def _tags(values: Sequence[str]) -> str:
    return "," + ",".join(values) + "," if values else ""


def _untag(text: str) -> tuple[str, ...]:
    return tuple(v for v in text.split(",") if v)


def _day(text: str, *, plus_days: int = 0) -> str:
    try:
        d = datetime.strptime(text.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise ActionRefused(f"not a date (YYYY-MM-DD): {text!r}") from None
    return _iso(d + timedelta(days=plus_days))


def _subject_and_id(raw: bytes) -> tuple[str, str]:
    try:
        head = BytesHeaderParser(policy=default_policy).parsebytes(raw, headersonly=True)
        subject = str(head.get("Subject", "") or "")
        mid = str(head.get("Message-ID", "") or "")
    except Exception:  # malformed headers: the reviewer still sees the message itself
        return "", ""
    return " ".join(subject.split())[:500], mid.strip()[:300]


# -- review actions (used by the web UI and the CLI) ---------------------------------------------


@dataclass(frozen=True)
class ActionResult:
    ok: bool
    message: HeldMessage
    error: str = ""


class ReviewActions:
    """Release, reject and delete, each audited; release delivers through the injected callable."""

    def __init__(
        self, store: QuarantineStore, deliver: Deliver | None, on_decision: OnDecision | None = None
    ) -> None:
        self.store = store
        self.deliver = deliver
        self.on_decision = on_decision

    async def release(self, qid: str, *, actor: str, source: str, comment: str = "") -> ActionResult:
        """Deliver to the original recipients; if the next hop refuses, the message stays held."""
        if self.deliver is None:
            raise ActionRefused("release is not available: no next hop is configured for this process")
        ev = AuditEvent(actor, "release", "started", qid, source, _detail(comment=comment))
        msg = await asyncio.to_thread(self.store.claim_release, qid, ev)
        try:
            raw = await asyncio.to_thread(self.store.raw, qid)
            await self.deliver(msg.envelope, raw)
        except Exception as exc:  # the delivery boundary: any failure keeps the message held
            error = _delivery_error(exc)
            log.warning("release failed", extra={"message_id": qid, "error": error})
            ev = AuditEvent(actor, "release", "failed", qid, source, error)
            msg = await asyncio.to_thread(
                self.store.finish_release,
                qid,
                delivered=False,
                error=error,
                actor=actor,
                comment=comment,
                event=ev,
            )
            return ActionResult(False, msg, error)
        ev = AuditEvent(actor, "release", "ok", qid, source, _detail(comment=comment))
        msg = await asyncio.to_thread(
            self.store.finish_release, qid, delivered=True, error="", actor=actor, comment=comment, event=ev
        )
        await self._tell(ReviewDecision("released", msg, actor, "", comment))
        return ActionResult(True, msg)

    async def reject(
        self, qid: str, *, actor: str, source: str, reason: str, comment: str = ""
    ) -> ActionResult:
        if not reason.strip():
            raise ActionRefused("a rejection needs a reason for the sender")
        ev = AuditEvent(actor, "reject", "ok", qid, source, _detail(comment=comment, reason=reason))
        msg = await asyncio.to_thread(
            self.store.reject, qid, actor=actor, reason=reason.strip(), comment=comment.strip(), event=ev
        )
        await self._tell(ReviewDecision("rejected", msg, actor, reason.strip(), comment.strip()))
        return ActionResult(True, msg)

    async def delete(self, qid: str, *, actor: str, source: str, comment: str = "") -> ActionResult:
        before = await asyncio.to_thread(self.store.get, qid)
        ev = AuditEvent(actor, "delete", "ok", qid, source, _detail(comment=comment))
        msg = await asyncio.to_thread(self.store.delete, qid, actor=actor, comment=comment.strip(), event=ev)
        await self._tell(ReviewDecision("deleted", before or msg, actor, "", comment.strip()))
        return ActionResult(True, msg)

    async def _tell(self, decision: ReviewDecision) -> None:
        if self.on_decision is None:
            return
        try:
            result = self.on_decision(decision)
            if inspect.isawaitable(result):
                await result
        except Exception:  # a notification failure must not undo a decision that is committed
            log.exception("on_decision hook failed", extra={"message_id": decision.message.id})


def _detail(*, comment: str = "", reason: str = "") -> str:
    # lengths only: comments and reasons may quote the message, and the audit log holds no content
    parts = []
    if comment:
        parts.append(f"comment={len(comment)} chars")
    if reason:
        parts.append(f"reason={len(reason)} chars")
    return " ".join(parts)


def _delivery_error(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    first = " ".join(str(text).split())[:300]
    if isinstance(code, int):
        return f"{code} {first}"
    return f"{type(exc).__name__}: {first}" if first != type(exc).__name__ else first


# -- construction --------------------------------------------------------------------------------


def open_quarantine(settings: Any, *, clock: Clock = _now) -> QuarantineStore:
    """The quarantine the configuration names, migrated and ready (raises StoreError/ConfigError)."""
    db = open_database(settings)
    store = QuarantineStore(
        db,
        load_keyring(settings),
        retention_days=settings.quarantine.retention_days,
        clock=clock,
    )
    try:
        store.migrate()
    except StoreError:
        db.close()
        raise
    if db.kind == "sqlite":
        _owner_only(db.path)
    return store


def _owner_only(path: Any) -> None:
    """The SQLite file holds password hashes and addresses: readable by its owner only.

    SQLite creates the -wal and -shm files with the database file's permissions.
    """
    for p in (str(path), f"{path}-wal", f"{path}-shm"):
        try:
            if os.stat(p).st_mode & 0o077:
                os.chmod(p, 0o600)
        except OSError:
            pass  # not there (yet), or not ours: nothing to tighten


async def purge_periodically(store: QuarantineStore, interval_minutes: float) -> None:
    """Run the retention purge now and then every interval, until cancelled (serve runs this as a task)."""
    while True:
        try:
            await asyncio.to_thread(store.purge)
        except Exception:  # a worker boundary: a failed purge is retried at the next interval
            log.exception("quarantine purge failed")
        await asyncio.sleep(max(1.0, interval_minutes * 60.0))
