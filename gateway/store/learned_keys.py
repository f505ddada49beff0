"""Key rotation for the learned entries: their values are sealed with the quarantine's key ring.

The quarantine's `reencrypt` calls `reseal_learned` and its `keys_in_use`
adds `learned_keys_in_use`, as for the TOTP secrets and the outbox;
otherwise dropping an old key would leave accepted entries unreadable.
"""

from __future__ import annotations

from gateway.store.crypto import Keyring
from gateway.store.db import Database
from gateway.store.learned import LearnedStore
from gateway.store.learned_schema import COMPONENT


def _has_learned(db: Database) -> bool:
    """Whether the learned entries' tables exist (a store no review UI ever opened has none)."""
    rows = db.execute("SELECT MAX(version) AS v FROM schema_migrations WHERE component = ?", (COMPONENT,))
    return bool(rows and rows[0]["v"])


def reseal_learned(db: Database, keyring: Keyring) -> int:
    """For the quarantine's key rotation: every entry's value under the current key; how many moved."""
    return LearnedStore(db, keyring).reseal() if _has_learned(db) else 0


def learned_keys_in_use(db: Database) -> dict[str, int]:
    """Key id -> how many entries' values are sealed under it."""
    if not _has_learned(db):
        return {}
    rows = db.execute("SELECT key_id, COUNT(*) AS c FROM learned_entries GROUP BY key_id")
    return {str(r["key_id"]): int(r["c"]) for r in rows}
