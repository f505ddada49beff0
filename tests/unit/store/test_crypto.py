"""Encryption at rest: key sources, a generated key file (mode 600), and rotation."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from gateway.errors import ConfigError, StoreError
from gateway.store.crypto import Keyring, generate_key, load_keyring, parse_key, write_key_file
from gateway.store.db import Database
from gateway.store.quarantine import QuarantineStore
from tests.quarantine_fixtures import KEY_A, KEY_B, decision, envelope, message, settings_for


def test_round_trip_and_context_binding() -> None:
    """Ciphertext decrypts only in the context (row and field) it was written for."""
    ring = Keyring([base64.b64decode(KEY_A)])
    blob = ring.encrypt(b"secret", "abc:raw")
    assert b"secret" not in blob and ring.decrypt(blob, "abc:raw") == b"secret"
    with pytest.raises(StoreError, match="integrity"):
        ring.decrypt(blob, "abd:raw")


def test_old_keys_still_decrypt_after_rotation() -> None:
    """A ring with a new key first encrypts with the new key and still reads the old blobs."""
    old = Keyring([base64.b64decode(KEY_A)])
    blob = old.encrypt(b"x", "c")
    new = Keyring([base64.b64decode(KEY_B), base64.b64decode(KEY_A)])
    assert new.decrypt(blob, "c") == b"x"
    assert Keyring.key_of(new.encrypt(b"y", "c")) == new.current_id != old.current_id
    with pytest.raises(StoreError, match="no key"):
        Keyring([base64.b64decode(KEY_B)]).decrypt(blob, "c")


def test_bad_keys_are_configuration_errors() -> None:
    """A key that is not base64 of 32 bytes is refused with the setting named."""
    with pytest.raises(ConfigError, match=r"quarantine\.key"):
        parse_key("not a key")
    with pytest.raises(ConfigError, match="32 bytes"):
        parse_key(base64.b64encode(b"short").decode())
    assert len(parse_key(generate_key())) == 32


def test_key_file_generated_with_mode_600(tmp_path: Path) -> None:
    """With no key configured, a key file is generated in state_dir, private to the owner, and reused."""
    s = settings_for(tmp_path)
    s = type(s)(**{**s.__dict__, "quarantine": type(s.quarantine)()})  # no key, no key_file
    ring = load_keyring(s)
    path = tmp_path / "state" / "quarantine.key"
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_keyring(s).current_id == ring.current_id


def test_comma_separated_setting_is_a_ring(tmp_path: Path) -> None:
    """GATEWAY_QUARANTINE_KEY may carry NEW,OLD for rotation."""
    s = settings_for(tmp_path)
    s = type(s)(**{**s.__dict__, "quarantine": type(s.quarantine)(key=f"{KEY_B},{KEY_A}")})
    ring = load_keyring(s)
    assert len(ring.ids) == 2 and ring.current_id == Keyring([base64.b64decode(KEY_B)]).current_id


def test_reencrypt_moves_every_message_to_the_current_key(tmp_path: Path) -> None:
    """After rotation, reencrypt leaves no message under the old key, and all still read back."""
    db = Database("", state_dir=tmp_path)
    old = QuarantineStore(db, Keyring([base64.b64decode(KEY_A)]))
    old.migrate()
    ids = [old.hold(envelope(), message(body=f"n{i}\r\n"), decision()) for i in range(3)]
    key_file = tmp_path / "keys"
    write_key_file(key_file, [KEY_B, KEY_A])
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    from gateway.store.crypto import read_key_file

    new = QuarantineStore(db, Keyring(read_key_file(key_file)))
    assert new.reencrypt() == 3
    assert new.keys_in_use() == {new.keyring.current_id: 3}
    only_new = QuarantineStore(db, Keyring([base64.b64decode(KEY_B)]))
    assert [only_new.raw(i) for i in ids] == [message(body=f"n{i}\r\n") for i in range(3)]
    db.close()


def test_sqlite_store_is_private_to_its_owner(tmp_path: Path) -> None:
    """open_quarantine leaves the SQLite file (hashes, addresses, audit log) readable by its owner only."""
    from gateway.store.opening import open_quarantine

    store = open_quarantine(settings_for(tmp_path))
    store.hold(envelope(), message(), decision())
    for name in ("gateway.sqlite3", "gateway.sqlite3-wal"):
        assert stat.S_IMODE((tmp_path / "state" / name).stat().st_mode) == 0o600, name
    store.close()


@pytest.mark.parametrize("url", ["postgresql://gw@127.0.0.1:1/fleet", "postgres://gw@db.example/fleet"])
def test_shared_store_without_a_key_stops_and_writes_none(tmp_path: Path, url: str) -> None:
    """A node with no key for a shared PostgreSQL store is refused (ConfigError) and no key file appears."""
    s = settings_for(tmp_path, db_url=url)
    s = type(s)(**{**s.__dict__, "quarantine": type(s.quarantine)()})  # no key, no key_file
    with pytest.raises(ConfigError, match="GATEWAY_QUARANTINE_KEY"):
        load_keyring(s)
    assert not (tmp_path / "state" / "quarantine.key").exists()


def test_generate_key_off_stops_without_a_key(tmp_path: Path) -> None:
    """With generate_key = false (the container), a missing key is a ConfigError and no key file appears."""
    s = settings_for(tmp_path)
    s = type(s)(**{**s.__dict__, "quarantine": type(s.quarantine)(generate_key=False)})
    with pytest.raises(ConfigError, match="GATEWAY_QUARANTINE_KEY"):
        load_keyring(s)
    assert not (tmp_path / "state" / "quarantine.key").exists()
