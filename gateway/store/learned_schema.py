"""The tables of what reviews teach (finding_marks, learned_entries, learned_registry) and their migrations.

Two tables and a counter:

- `finding_marks`: one row per finding a reviewer marked right or wrong
  (message id, the finding's number on the page, rule, finding type, the
  sender's domain for scoping, the reason of a wrong mark, who and when).
  No value: the statistics page's precision is counted from these.
- `learned_entries`: a proposed, accepted, declined or withdrawn entry
  (staff name, public figure, allowed code or word) with the rule and
  finding type it came from, who proposed it and when, the message id, and
  who decided, when and (optionally) why. The value is patient-adjacent,
  so it is sealed with the quarantine's key ring (AES-GCM, bound to the
  entry id) like the messages; an HMAC of it (a key derived from the
  ring) lets the same value be proposed once rather than once per
  message: a unique index holds at most one live (proposed or accepted)
  entry per HMAC, so reviewers on several nodes proposing one value at
  the same instant make one entry.
- `learned_registry`: a counter bumped in the same transaction as every
  acceptance and withdrawal; the parent process reloads the accepted
  entries when it moves (`gateway.learned_feed`).

Steps are applied in order by gateway/store/db.py and recorded by number:
never edit a released step, append a new one to MIGRATIONS. The statuses an
entry moves through live here too, since a migration has to know which
entries are live.
"""

from __future__ import annotations

from collections.abc import Callable

from gateway.store.audit import AuditEvent, AuditLog
from gateway.store.db import Row, Tx

COMPONENT = "learned"
#: who the audit rows of merges name: the migration, or the key rotation's re-sealing
MIGRATION_ACTOR = "system:migration"
RESEAL_ACTOR = "system:reencrypt"

PROPOSED, ACCEPTED, DECLINED, WITHDRAWN = "proposed", "accepted", "declined", "withdrawn"
STATUSES = (PROPOSED, ACCEPTED, DECLINED, WITHDRAWN)
#: admin action -> (the status it applies to, the status it leaves, the audit action)
TRANSITIONS = {
    "accept": (PROPOSED, ACCEPTED, "learn-accept"),
    "decline": (PROPOSED, DECLINED, "learn-decline"),
    "withdraw": (ACCEPTED, WITHDRAWN, "learn-withdraw"),
}
#: longest reason a decision may carry (a sentence, not a case note)
MAX_REASON = 500
#: entries that hold a value still worth comparing against (a new proposal of it is not made)
LIVE = (PROPOSED, ACCEPTED)


def merge_entry(audit: AuditLog, tx: Tx, entry: Row, into: str, *, actor: str) -> None:
    """Fold a live entry into another live entry of the same value: its marks point there, it goes.

    `entry`: its id, kind, status and message id. One audit row (`learn-merge`)
    names both ids, never the value; when the entry was accepted the counter
    moves, so that the workers drop the copy they held twice.
    """
    entry_id = str(entry["id"])
    tx.execute("UPDATE finding_marks SET entry_id = ? WHERE entry_id = ?", (into, entry_id))
    tx.execute("DELETE FROM learned_entries WHERE id = ?", (entry_id,))
    if entry["status"] == ACCEPTED:
        tx.execute("UPDATE learned_registry SET version = version + 1 WHERE name = 'learned'")
    detail = f"entry={entry_id} into={into} kind={entry['kind']}"
    audit.append_in(tx, AuditEvent(actor, "learn-merge", "ok", str(entry["message_id"]), "system", detail))


def _one_live_entry_per_value(audit: AuditLog, tx: Tx) -> None:
    """Migration 2: at most one live entry per value, held by a unique index.

    Before the index, reviewers proposing one value at the same instant on
    PostgreSQL could each make an entry. Of each such set the accepted entry
    (else the oldest proposal) stays; the others' marks move to it and they
    are removed, each with an audit row naming both ids, never the value.
    """
    rows = tx.execute(
        "SELECT id, value_mac, kind, status, message_id FROM learned_entries WHERE status IN (?, ?)"
        " ORDER BY value_mac, CASE WHEN status = ? THEN 0 ELSE 1 END, proposed_at, id",
        (*LIVE, ACCEPTED),
    )
    kept: dict[str, str] = {}
    for r in rows:
        mac, entry_id = str(r["value_mac"]), str(r["id"])
        into = kept.setdefault(mac, entry_id)
        if into != entry_id:
            merge_entry(audit, tx, r, into, actor=MIGRATION_ACTOR)
    tx.execute(
        "CREATE UNIQUE INDEX learned_entries_live ON learned_entries (value_mac)"
        f" WHERE status IN ('{PROPOSED}', '{ACCEPTED}')"
    )


#: a step is SQL, or a callable given the audit log and the transaction (a step that changes entries
#: writes its audit rows in the migration's own transaction)
Step = str | Callable[[AuditLog, Tx], None]

MIGRATIONS: tuple[Step, ...] = (
    """
    CREATE TABLE finding_marks (
        id {id},
        message_id TEXT NOT NULL,
        finding INTEGER NOT NULL,
        rule TEXT NOT NULL,
        finding_type TEXT NOT NULL,
        category TEXT NOT NULL,
        verdict TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        sender_domain TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        entry_id TEXT NOT NULL DEFAULT ''
    );
    CREATE UNIQUE INDEX finding_marks_one ON finding_marks (message_id, finding);
    CREATE INDEX finding_marks_at ON finding_marks (at);
    CREATE TABLE learned_entries (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        value {blob} NOT NULL,
        value_mac TEXT NOT NULL,
        key_id TEXT NOT NULL,
        finding_type TEXT NOT NULL,
        rule TEXT NOT NULL,
        status TEXT NOT NULL,
        proposed_by TEXT NOT NULL,
        proposed_at TEXT NOT NULL,
        message_id TEXT NOT NULL,
        decided_by TEXT NOT NULL DEFAULT '',
        decided_at TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX learned_entries_status ON learned_entries (status, proposed_at);
    CREATE TABLE learned_registry (name TEXT PRIMARY KEY, version {bigint} NOT NULL);
    INSERT INTO learned_registry (name, version) VALUES ('learned', 0)
    """,
    _one_live_entry_per_value,
    # the reason an administrator gave for the latest decision (optional; the command line takes one)
    "ALTER TABLE learned_entries ADD COLUMN reason TEXT NOT NULL DEFAULT ''",
)
