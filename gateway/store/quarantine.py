"""The quarantine: held messages kept durably and encrypted, their review, and their retention.

`QuarantineStore.hold` is the hand-off the relay and milter wait for
before answering 250: it commits the raw message (AES-GCM, see
`gateway.store.crypto`), the envelope, the findings (evidence already masked;
the findings themselves encrypted with the subject, because where a finding
stands names the attachment, and a file name can name a patient), the
rule and the time in one transaction, together with the audit row of the
hold. If it raises `StoreError` the front end answers 451.

A held message's statuses and retention are the status rules
(gateway.store.status, part of `QuarantineStore`); the records are
gateway.store.held; release, reject and delete as reviewers do them are
gateway.act.review. Key rotation covers the messages, the review UI's
TOTP secrets, the outbox's notices and the values of learned entries.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.policy import default as default_policy
from typing import Any

from gateway.errors import StoreError
from gateway.mime.headers import header_values
from gateway.model import Decision, Envelope, Finding
from gateway.store.audit import AuditEvent, AuditLog
from gateway.store.crypto import Keyring
from gateway.store.db import Database, Row
from gateway.store.held import (
    ActionRefused,
    Clock,
    Filters,
    HeldMessage,
    RuleStats,
    iso_time,
    utc_now,
)
from gateway.store.rotation import KeyRotation
from gateway.store.status import StatusRules

log = logging.getLogger(__name__)

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


class QuarantineStore(StatusRules, KeyRotation):
    """The quarantine table, its encryption and its audit rows. Thread-safe; blocking calls."""

    def __init__(
        self,
        db: Database,
        keyring: Keyring,
        *,
        retention_days: int = 30,
        clock: Clock = utc_now,
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
        now = iso_time(self.clock())
        subject, message_id = _subject_and_id(raw)
        meta = {
            "subject": subject,
            "message_id": message_id,
            "helo": envelope.helo,
            "mail_options": list(envelope.mail_options),
            "rcpt_options": [list(o) for o in envelope.rcpt_options],
            "findings": [f.to_json() for f in decision.findings],
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
                    "[]",  # in the encrypted meta; rows held before that kept them here
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
            findings=tuple(
                Finding.from_json(x) for x in meta.get("findings") or json.loads(str(r["findings"]) or "[]")
            ),
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
    return iso_time(d + timedelta(days=plus_days))


def _subject_and_id(raw: bytes) -> tuple[str, str]:
    """The subject exactly as the MIME walker reads it (the detectors' spans point into that text)."""
    raw = header_block(raw)  # the body is never read: parsing it cost more than the rest of a hold
    try:
        head = BytesHeaderParser(policy=default_policy).parsebytes(raw, headersonly=True)
        mid = str(head.get("Message-ID", "") or "")
        subjects = header_values(
            BytesHeaderParser(policy=compat32).parsebytes(raw, headersonly=True), "Subject"
        )
    except Exception:  # malformed headers: the reviewer still sees the message itself
        return "", ""
    return (subjects[0] if subjects else "")[:500], mid.strip()[:300]


def header_block(raw: bytes) -> bytes:
    """`raw` up to and including its first empty line: every header a parser of the whole would read.

    An empty line always ends the header section (a parser may end it sooner, at a line that is
    not a header, which lies inside this prefix too); without one the whole message is returned.
    """
    if raw.startswith((b"\n", b"\r\n")):
        return raw[: raw.index(b"\n") + 1]
    ends = [at for at in (raw.find(b"\n\n"), raw.find(b"\n\r\n")) if at >= 0]
    if not ends:
        return raw
    at = min(ends)
    return raw[: raw.index(b"\n", at + 1) + 1]
