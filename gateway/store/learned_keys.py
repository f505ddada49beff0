"""Key rotation for the learned entries: their values are sealed with the quarantine's key ring.

The quarantine's `reencrypt` calls `reseal_learned` and its `keys_in_use`
adds `learned_keys_in_use`, as for the TOTP secrets and the outbox;
otherwise dropping an old key would leave accepted entries unreadable.

Each entry's HMAC (what keeps one live entry per value) is keyed by the
ring's newest key when it is written. Proposals look a value up under every
key of the ring, so a rotation in progress finds entries of the older keys;
re-sealing moves the HMAC to the current key as well, so that dropping the
old key loses no entry's match.
"""

from __future__ import annotations

from gateway.store.crypto import Keyring
from gateway.store.db import Database, Row, Tx
from gateway.store.learned import LearnedStore, value_context
from gateway.store.learned_schema import ACCEPTED, COMPONENT, LIVE, RESEAL_ACTOR, merge_entry


def _has_learned(db: Database) -> bool:
    """Whether the learned entries' tables exist (a store no review UI ever opened has none)."""
    rows = db.execute("SELECT MAX(version) AS v FROM schema_migrations WHERE component = ?", (COMPONENT,))
    return bool(rows and rows[0]["v"])


def reseal_learned(db: Database, keyring: Keyring) -> int:
    """For the quarantine's key rotation: every entry's value under the current key; how many moved."""
    if not _has_learned(db):
        return 0
    store = LearnedStore(db, keyring)
    done = 0
    for r in db.execute("SELECT id FROM learned_entries WHERE key_id <> ?", (keyring.current_id,)):
        with db.transaction() as tx:
            _reseal(store, tx, str(r["id"]))
        done += 1
    return done


def _reseal(store: LearnedStore, tx: Tx, entry_id: str) -> None:
    """One entry's value and HMAC under the current key. Should another live entry already hold the
    value under it (proposed, while the rotation rolled out, on a node that had only the new key),
    the two become one."""
    [r] = tx.execute(
        "SELECT id, value, kind, finding_type, status, proposed_at, message_id FROM learned_entries"
        " WHERE id = ?",
        (entry_id,),
    )
    value = store.keyring.decrypt(bytes(r["value"]), value_context(entry_id))
    mac = store.macs(str(r["kind"]), str(r["finding_type"]), value.decode("utf-8"))[0]
    if r["status"] in LIVE:
        twins = tx.execute(
            "SELECT id, kind, status, proposed_at, message_id FROM learned_entries"
            " WHERE value_mac = ? AND status IN (?, ?) AND id <> ?",
            (mac, *LIVE, entry_id),
        )
        for twin in twins:  # at most one: the index holds one live entry per HMAC
            winner, loser = sorted((r, twin), key=_keeps_first)
            merge_entry(store.audit, tx, loser, str(winner["id"]), actor=RESEAL_ACTOR)
            if loser is r:
                return
    tx.execute(
        "UPDATE learned_entries SET value = ?, key_id = ?, value_mac = ? WHERE id = ?",
        (store.keyring.encrypt(value, value_context(entry_id)), store.keyring.current_id, mac, entry_id),
    )


def _keeps_first(entry: Row) -> tuple[bool, str, str]:
    """Of two live entries of one value, the one that stays sorts first: accepted, else the older."""
    return (entry["status"] != ACCEPTED, str(entry["proposed_at"]), str(entry["id"]))


def learned_keys_in_use(db: Database) -> dict[str, int]:
    """Key id -> how many entries' values are sealed under it."""
    if not _has_learned(db):
        return {}
    rows = db.execute("SELECT key_id, COUNT(*) AS c FROM learned_entries GROUP BY key_id")
    return {str(r["key_id"]): int(r["c"]) for r in rows}
