"""Key rotation covers the notification outbox: a queued notice never needs a key that was dropped."""

from __future__ import annotations

import base64
from pathlib import Path

from gateway.store.crypto import Keyring
from gateway.store.db import Database
from gateway.store.outbox import Outbox
from gateway.store.quarantine import QuarantineStore

KEY_A = base64.b64encode(bytes(range(32))).decode()
KEY_B = base64.b64encode(bytes(range(32, 64))).decode()
MAIL = b"Subject: your message was held\r\n\r\nA notice with its reference.\r\n"


def test_rotation_reseals_queued_notices_so_the_old_key_can_go(tmp_path: Path) -> None:
    """keys_in_use counts outbox notices; reencrypt moves them to the new key; they read back without the old one."""
    key_a, key_b = base64.b64decode(KEY_A), base64.b64decode(KEY_B)
    db = Database("", state_dir=tmp_path)
    old_box = Outbox(db, Keyring([key_a]))
    old_box.migrate()
    QuarantineStore(db, Keyring([key_a])).migrate()
    ids = [old_box.enqueue("sender", "", f"s{i}@example.ac.uk", MAIL, ref=f"q{i}") for i in range(2)]
    rotated = QuarantineStore(db, Keyring([key_b, key_a]))
    assert rotated.keys_in_use() == {Keyring([key_a]).current_id: 2}
    assert rotated.reencrypt() == 2
    assert rotated.keys_in_use() == {Keyring([key_b]).current_id: 2}
    assert rotated.reencrypt() == 0
    new_box = Outbox(db, Keyring([key_b]))
    assert [new_box.content(str(i)) for i in ids] == [MAIL, MAIL]
    db.close()
