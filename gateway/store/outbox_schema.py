"""The tables of the notification outbox (notify_outbox, notify_alerts) and their migrations.

- `notify_outbox`: one row per notice the gateway sends itself: kind, the
  message it is about, envelope sender and recipient (clear: the worker
  needs them), the rate-limit key, the message (sealed with the quarantine's
  key ring when the outbox was given one: `encrypted` says which), status,
  attempts, when it is next due, the last error and when it finished.
- `notify_alerts`: one line per held message for the next reviewer digest
  (ids, rule, categories as JSON: never content), with the id of the digest
  that reported it once one has.

Steps are applied in order by gateway/store/db.py and recorded by number:
never edit a released step, append a new one to MIGRATIONS.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    """
    CREATE TABLE notify_outbox (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        ref TEXT NOT NULL,
        created_at TEXT NOT NULL,
        mail_from TEXT NOT NULL,
        rcpt TEXT NOT NULL,
        rate_key TEXT NOT NULL,
        content {blob} NOT NULL,
        encrypted INTEGER NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT NOT NULL,
        done_at TEXT NOT NULL
    );
    CREATE INDEX notify_outbox_due ON notify_outbox (status, next_attempt_at);
    CREATE INDEX notify_outbox_rate ON notify_outbox (rate_key, created_at);
    CREATE TABLE notify_alerts (
        id {id},
        created_at TEXT NOT NULL,
        ref TEXT NOT NULL,
        summary TEXT NOT NULL,
        digest_id TEXT NOT NULL
    );
    CREATE INDEX notify_alerts_pending ON notify_alerts (digest_id, created_at)
    """,
]
