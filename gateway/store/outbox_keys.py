"""Key rotation for the notification outbox: its stored notices are sealed with the quarantine's key ring.

A key may be dropped from the ring only when nothing needs it any more, so
`quarantine reencrypt` / `rotate-key` re-seal the outbox's notices with the
current key too, and `keys_in_use` counts them (gateway/store/quarantine.py).
"""

from __future__ import annotations

from gateway.store.crypto import Keyring
from gateway.store.db import Database


def _has_outbox(db: Database) -> bool:
    """Whether the outbox exists (a gateway that never sent a notice may have none)."""
    rows = db.execute("SELECT MAX(version) AS v FROM schema_migrations WHERE component = 'notify_outbox'")
    return bool(rows and rows[0]["v"])


def reseal_outbox(db: Database, keyring: Keyring, *, batch: int = 100) -> int:
    """Encrypt every outbox notice under an older key with the current key; how many were."""
    if not _has_outbox(db):
        return 0
    done, seen = 0, set[str]()
    while True:
        rows = db.execute("SELECT id, content FROM notify_outbox WHERE encrypted = 1 ORDER BY id")
        stale = [
            r
            for r in rows
            if str(r["id"]) not in seen and Keyring.key_of(bytes(r["content"])) != keyring.current_id
        ]
        if not stale:
            return done
        for r in stale[:batch]:
            oid, stored = str(r["id"]), bytes(r["content"])
            seen.add(oid)
            fresh = keyring.encrypt(keyring.decrypt(stored, f"outbox:{oid}"), f"outbox:{oid}")
            # only if unchanged meanwhile (a worker may have finished with it)
            changed = db.execute(
                "UPDATE notify_outbox SET content = ? WHERE id = ? AND content = ? RETURNING id",
                (fresh, oid, stored),
            )
            done += len(changed)


def outbox_keys_in_use(db: Database) -> dict[str, int]:
    """Key id -> how many outbox notices are sealed under it."""
    counts: dict[str, int] = {}
    if not _has_outbox(db):
        return counts
    for r in db.execute("SELECT content FROM notify_outbox WHERE encrypted = 1"):
        kid = Keyring.key_of(bytes(r["content"])) or "unknown"
        counts[kid] = counts.get(kid, 0) + 1
    return counts
