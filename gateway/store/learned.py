"""What reviews teach the detectors: reviewers' marks on findings, and the entries they propose.

The tables (marks, entries with their values sealed and an HMAC of each,
a counter the workers watch), the statuses and the migrations are in
`gateway.store.learned_schema`. Every mark, proposal, acceptance, decline
and withdrawal writes its audit row in the same transaction; audit rows
name the entry id and kind, never the value.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from gateway.config import Settings
from gateway.errors import ConfigError, StoreError
from gateway.model import Finding
from gateway.model.learned import (
    ALLOWED_VALUE,
    MAX_VALUE,
    PUBLIC_FIGURE,
    REASON_BY_KEY,
    RIGHT,
    STAFF_NAME,
    WRONG,
    LearnedEntries,
    normal,
)
from gateway.store.audit import AuditEvent, AuditLog
from gateway.store.crypto import Keyring, load_keyring
from gateway.store.db import Database, Row, Tx, open_database
from gateway.store.held import ActionRefused, Clock, iso_time, utc_now
from gateway.store.learned_schema import (
    ACCEPTED,
    COMPONENT,
    LIVE,
    MAX_REASON,
    MIGRATIONS,
    PROPOSED,
    TRANSITIONS,
    WITHDRAWN,
)
from gateway.store.learned_schema import DECLINED as DECLINED  # the pages import every status from here
from gateway.store.precision import Precision, precision

_ENTRY_COLUMNS = (
    "id, kind, value, finding_type, rule, status, proposed_by, proposed_at, message_id, decided_by, decided_at,"
    " reason"
)


@dataclass(frozen=True)
class Mark:
    """A reviewer's mark on one finding: right, or wrong with a reason (and the value, for proposals)."""

    finding: int  # its position in the message's findings
    verdict: str  # RIGHT or WRONG
    reason: str = ""  # a key of REASONS, for a wrong mark
    value: str = ""  # the span's text, for the reasons that propose an entry


@dataclass(frozen=True)
class Entry:
    """A proposed (or decided) entry, value decrypted: for the administrators' page only."""

    id: str
    kind: str
    value: str
    finding_type: str
    rule: str
    status: str
    proposed_by: str
    proposed_at: str
    message_id: str
    decided_by: str
    decided_at: str
    reason: str  # the administrator's, for the latest decision ("" when none was given)


class LearnedStore:
    """Marks and entries in one `Database`; every method is one transaction. Thread-safe; blocking."""

    def __init__(
        self, db: Database, keyring: Keyring, *, audit: AuditLog | None = None, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.keyring = keyring
        self.clock = clock
        self.audit = audit or AuditLog(db, clock=clock)

    def migrate(self) -> None:
        self.audit.migrate()
        self.db.migrate(COMPONENT, [partial(s, self.audit) if callable(s) else s for s in MIGRATIONS])

    # -- marks and proposals -----------------------------------------------------------------

    def record_marks(
        self,
        *,
        message_id: str,
        rule: str,
        sender_domain: str,
        findings: Sequence[Finding],
        marks: Sequence[Mark],
        actor: str,
        source: str,
    ) -> list[str]:
        """Record the marks (a later mark of the same finding replaces the earlier one) and the entries
        the wrong ones propose; returns the new entries' ids. One transaction, audited."""
        now = iso_time(self.clock())
        for m in marks:
            _check(m, findings)
        created: list[str] = []
        with self.db.transaction() as tx:
            for m in marks:
                f = findings[m.finding]
                entry_id = ""
                kind = REASON_BY_KEY[m.reason].kind if m.verdict == WRONG else ""
                if kind:
                    entry_id, new = self._propose(tx, kind, m.value, f, rule, message_id, actor, now)
                    if new:
                        created.append(entry_id)
                        self._audit(tx, actor, source, "learn-propose", message_id, entry_id, kind)
                tx.execute(
                    "DELETE FROM finding_marks WHERE message_id = ? AND finding = ?", (message_id, m.finding)
                )
                tx.execute(
                    "INSERT INTO finding_marks (message_id, finding, rule, finding_type, category, verdict,"
                    " reason, sender_domain, actor, at, entry_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        message_id,
                        m.finding,
                        rule,
                        f.type,
                        f.category,
                        m.verdict,
                        m.reason,
                        sender_domain,
                        actor,
                        now,
                        entry_id,
                    ),
                )
                detail = f"finding={m.finding} type={f.type} {m.verdict}" + (
                    f" reason={m.reason}" if m.reason else ""
                )
                self.audit.append_in(tx, AuditEvent(actor, "mark", "ok", message_id, source, detail))
        return created

    def marks(self, message_id: str) -> dict[int, tuple[str, str]]:
        """Finding number -> (verdict, reason) of the marks on one message."""
        rows = self.db.execute(
            "SELECT finding, verdict, reason FROM finding_marks WHERE message_id = ?", (message_id,)
        )
        return {int(r["finding"]): (str(r["verdict"]), str(r["reason"])) for r in rows}

    def _propose(
        self, tx: Tx, kind: str, value: str, f: Finding, rule: str, qid: str, actor: str, now: str
    ) -> tuple[str, bool]:
        """The id of a live entry of this kind, type and value, or of a new proposal (True).

        The unique index decides between proposers racing on one value: the
        loser's insert does nothing (on PostgreSQL it waits for the winner's
        commit first), and it joins the winner's entry.
        """
        macs = self.macs(kind, f.type, value)  # the current key's first; older ones until re-sealed
        marks = ", ".join("?" for _ in macs)
        for _ in range(3):  # a live entry can vanish between the insert and the look (declined at once)
            live = tx.execute(
                f"SELECT id FROM learned_entries WHERE value_mac IN ({marks}) AND status IN (?, ?)",
                (*macs, *LIVE),
            )
            if live:
                return str(live[0]["id"]), False
            entry_id = secrets.token_hex(8)
            sealed = self.keyring.encrypt(value.strip().encode("utf-8"), value_context(entry_id))
            inserted = tx.execute(
                "INSERT INTO learned_entries (id, kind, value, value_mac, key_id, finding_type, rule, status,"
                " proposed_by, proposed_at, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING RETURNING id",
                (
                    entry_id,
                    kind,
                    sealed,
                    macs[0],
                    self.keyring.current_id,
                    f.type,
                    rule,
                    PROPOSED,
                    actor,
                    now,
                    qid,
                ),
            )
            if inserted:
                return entry_id, True
        raise StoreError("the entry could not be proposed: its value kept changing hands")

    def macs(self, kind: str, finding_type: str, value: str) -> list[str]:
        """The value's HMAC under each key of the ring, newest first (an entry's is under the key that
        was newest when it was proposed or last re-sealed)."""
        text = f"{kind}\0{finding_type if kind == ALLOWED_VALUE else ''}\0{normal(value)}"
        return [
            hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
            for key in self.keyring.derive("learned-entry-values")
        ]

    # -- the administrators' decisions ---------------------------------------------------------

    def entries(self, *statuses: str) -> list[Entry]:
        """Entries in these statuses (all when none), oldest first, values decrypted."""
        sql = f"SELECT {_ENTRY_COLUMNS} FROM learned_entries"
        if statuses:
            sql += " WHERE status IN (" + ", ".join("?" for _ in statuses) + ")"
        rows = self.db.execute(sql + " ORDER BY proposed_at, id", statuses)
        return [self._entry(r) for r in rows]

    def get(self, entry_id: str) -> Entry | None:
        rows = self.db.execute(f"SELECT {_ENTRY_COLUMNS} FROM learned_entries WHERE id = ?", (entry_id,))
        return self._entry(rows[0]) if rows else None

    def decide(self, entry_id: str, action: str, *, actor: str, source: str, reason: str = "") -> Entry:
        """Accept or decline a proposal, or withdraw an accepted entry; ActionRefused otherwise.

        `reason`: the administrator's, kept with the entry (in clear, like a
        reviewer's comment on a held message); its audit row gives only its length.
        """
        if action not in TRANSITIONS:
            raise ActionRefused(f"unknown action {action!r}")
        if len(reason) > MAX_REASON:
            raise ActionRefused(f"the reason is too long (at most {MAX_REASON} characters)")
        before, after, audit_action = TRANSITIONS[action]
        now = iso_time(self.clock())
        with self.db.transaction() as tx:
            rows = tx.execute(
                f"UPDATE learned_entries SET status = ?, decided_by = ?, decided_at = ?, reason = ?"
                f" WHERE id = ? AND status = ? RETURNING {_ENTRY_COLUMNS}",
                (after, actor, now, reason, entry_id, before),
            )
            if not rows:
                known = tx.execute("SELECT status FROM learned_entries WHERE id = ?", (entry_id,))
                if not known:
                    raise ActionRefused("no such entry", not_found=True)
                raise ActionRefused(f"the entry is {known[0]['status']}, not {before}")
            if after in (ACCEPTED, WITHDRAWN):
                tx.execute("UPDATE learned_registry SET version = version + 1 WHERE name = 'learned'")
            self._audit(
                tx,
                actor,
                source,
                audit_action,
                str(rows[0]["message_id"]),
                entry_id,
                str(rows[0]["kind"]),
                f" reason={len(reason)} chars" if reason else "",
            )
        return self._entry(rows[0])

    def _audit(
        self, tx: Tx, actor: str, source: str, action: str, qid: str, entry_id: str, kind: str, more: str = ""
    ) -> None:
        self.audit.append_in(
            tx, AuditEvent(actor, action, "ok", qid, source, f"entry={entry_id} kind={kind}{more}")
        )

    # -- what the workers get ------------------------------------------------------------------

    def version(self) -> int:
        rows = self.db.execute("SELECT version FROM learned_registry WHERE name = 'learned'")
        return int(rows[0]["version"]) if rows else 0

    def load(self) -> LearnedEntries:
        """The accepted entries (and the registry version they reflect), in one transaction."""
        with self.db.transaction(immediate=False) as tx:
            rows = tx.execute("SELECT version FROM learned_registry WHERE name = 'learned'")
            version = int(rows[0]["version"]) if rows else 0
            accepted = tx.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM learned_entries WHERE status = ?", (ACCEPTED,)
            )
        entries = sorted((self._entry(r) for r in accepted), key=lambda e: e.id)
        return LearnedEntries(
            version=version,
            staff_names=tuple(e.value for e in entries if e.kind == STAFF_NAME),
            public_figures=tuple(e.value for e in entries if e.kind == PUBLIC_FIGURE),
            allowed=frozenset((e.finding_type, normal(e.value)) for e in entries if e.kind == ALLOWED_VALUE),
        )

    # -- precision -----------------------------------------------------------------------------

    def precision(self, scope: Sequence[str] = ()) -> Precision:
        """Right / (right + wrong) per rule and per finding type, overall and per ISO week (see
        gateway.store.precision). `scope`: only marks on messages from these sender domains."""
        return precision(self.db, scope)

    def _entry(self, r: Row) -> Entry:
        return Entry(
            id=str(r["id"]),
            kind=str(r["kind"]),
            value=self.keyring.decrypt(bytes(r["value"]), value_context(str(r["id"]))).decode("utf-8"),
            finding_type=str(r["finding_type"]),
            rule=str(r["rule"]),
            status=str(r["status"]),
            proposed_by=str(r["proposed_by"]),
            proposed_at=str(r["proposed_at"]),
            message_id=str(r["message_id"]),
            decided_by=str(r["decided_by"]),
            decided_at=str(r["decided_at"]),
            reason=str(r["reason"]),
        )


def _check(m: Mark, findings: Sequence[Finding]) -> None:
    if not 0 <= m.finding < len(findings):
        raise ActionRefused(f"no finding {m.finding} in this message")
    if m.verdict not in (RIGHT, WRONG):
        raise ActionRefused("a mark is right or wrong")
    if m.verdict == WRONG and m.reason not in REASON_BY_KEY:
        raise ActionRefused("a wrong mark needs one of the listed reasons")
    if m.verdict == WRONG and REASON_BY_KEY[m.reason].kind:
        if not m.value.strip():
            raise ActionRefused(f"“{REASON_BY_KEY[m.reason].label}” needs the value it is about")
        if len(m.value) > MAX_VALUE:
            raise ActionRefused("the value is too long for an entry")


def value_context(entry_id: str) -> str:
    """What an entry's sealed value is bound to: its id (a value copied to another row does not open)."""
    return f"learned:{entry_id}"


def open_learned(settings: Settings) -> LearnedStore | None:
    """The configured store's learned entries; None while there is no store (or no key) yet.

    Never creates a store or a key just to find them empty: the next call looks again.
    """
    db = open_database(settings)
    if db.kind == "sqlite" and not db.path.exists():
        return None
    try:
        keyring = load_keyring(
            dataclasses.replace(
                settings, quarantine=dataclasses.replace(settings.quarantine, generate_key=False)
            )
        )
    except ConfigError:
        return None
    store = LearnedStore(db, keyring)
    store.migrate()
    return store


def learned_loader(open_store: Callable[[], LearnedStore | None]) -> Callable[[], LearnedEntries]:
    """What the parent's feed calls: the accepted entries, reloaded only when the counter moved."""
    state: dict[str, object] = {}

    def load() -> LearnedEntries:
        store = state.get("store")
        if store is None:
            store = open_store()
            if store is None:
                return LearnedEntries()
            state["store"] = store
        assert isinstance(store, LearnedStore)
        last = state.get("entries")
        if isinstance(last, LearnedEntries) and last.version == store.version():
            return last
        entries = store.load()
        state["entries"] = entries
        return entries

    return load
