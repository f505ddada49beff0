"""Key rotation of everything the quarantine's key ring seals: `reencrypt()` and `keys_in_use()`.

Held messages (raw and meta), the review UI's TOTP secrets, the outbox's
notices and the values of the entries learned from reviewers' marks are all
encrypted with the same key ring. `reencrypt()` moves whatever is still
under an older key to the current one, a message per transaction;
`keys_in_use()` counts what each key is still needed for, so that a key
with no count can be taken out of the key file. `KeyRotation` is part of
`QuarantineStore`, which provides its database and key ring.
"""

from __future__ import annotations

from gateway.store.crypto import Keyring
from gateway.store.db import Database
from gateway.store.learned_keys import learned_keys_in_use, reseal_learned
from gateway.store.outbox_keys import outbox_keys_in_use, reseal_outbox
from gateway.store.totp import reseal_all, sealed_keys_in_use


class KeyRotation:
    db: Database
    keyring: Keyring

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
                # and so are the values of the entries learned from reviewers' marks
                return (
                    done
                    + reseal_all(self.db, self.keyring)
                    + reseal_outbox(self.db, self.keyring)
                    + reseal_learned(self.db, self.keyring)
                )
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
        for kid, n in [
            *sealed_keys_in_use(self.db).items(),
            *outbox_keys_in_use(self.db).items(),
            *learned_keys_in_use(self.db).items(),
        ]:
            counts[kid] = counts.get(kid, 0) + n
        return counts
