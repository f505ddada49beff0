"""The quarantine's stored encryption format pinned byte for byte, and every key source with its errors and warnings."""

from __future__ import annotations

import base64
import logging
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from gateway.config import DatabaseSettings, QuarantineSettings, Settings
from gateway.errors import ConfigError, StoreError
from gateway.store import crypto
from gateway.store.crypto import (
    Keyring,
    generate_key,
    key_file_path,
    key_id,
    load_keyring,
    parse_key,
    read_key_file,
    write_key_file,
)
from tests.quarantine_fixtures import KEY_A, KEY_B

RAW_A = base64.b64decode(KEY_A)
RAW_B = base64.b64decode(KEY_B)
#: version 01 | key id of KEY_A | nonce 000102..0b | AES-256-GCM of b"held message" under
#: associated data "gateway-quarantine:abc:raw", tag last. Changing any part makes every
#: message held before an upgrade unreadable after it.
STORED = bytes.fromhex(
    "01dd417547000102030405060708090a0b2f67ba7fe588a768fe20f0ee2121b6826d8d16bc3cf3da8cdcc68104"
)


class FixedNonce:
    """Stands in for `secrets` so that one encryption is reproducible."""

    @staticmethod
    def token_bytes(n: int) -> bytes:
        return bytes(range(n))


def settings(tmp_path: Path, *, key: str = "", key_file: str = "", url: str = "") -> Settings:
    return replace(
        Settings(),
        state_dir=str(tmp_path / "state"),
        quarantine=QuarantineSettings(key=key, key_file=key_file),
        database=DatabaseSettings(url=url),
    )


def test_key_id_known_answer() -> None:
    """The key id stored in each blob is the first 4 bytes of SHA-256 over a fixed prefix and the key."""
    assert key_id(RAW_A).hex() == "dd417547"
    assert Keyring([RAW_A]).current_id == "dd417547"


def test_encryption_known_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed key, nonce, message and context give exactly the stored bytes: version, key id, 12-byte nonce, ciphertext, tag."""
    monkeypatch.setattr(crypto, "secrets", FixedNonce)
    assert Keyring([RAW_A, RAW_B]).encrypt(b"held message", "abc:raw") == STORED


def test_stored_blob_decrypts_with_any_key_of_the_ring() -> None:
    """A blob stored by an earlier release decrypts, whichever place its key has in the ring."""
    assert Keyring([RAW_A]).decrypt(STORED, "abc:raw") == b"held message"
    assert Keyring([RAW_B, RAW_A]).decrypt(bytearray(STORED), "abc:raw") == b"held message"
    assert Keyring.key_of(STORED) == Keyring([RAW_B]).key_of(STORED) == "dd417547"


def test_newer_key_blobs_decrypt_in_a_ring_listing_them_second() -> None:
    """A blob under the second key of a ring decrypts, whichever way the key ids compare."""
    blob = Keyring([RAW_B]).encrypt(b"m", "c")
    assert Keyring([RAW_A, RAW_B]).decrypt(blob, "c") == b"m"


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (STORED[:32], "not in a known encrypted format"),
        (b"\x02" + STORED[1:], "not in a known encrypted format"),
        (b"\x00" + STORED[1:], "not in a known encrypted format"),
        (STORED[:1] + b"\x00\x00\x00\x00" + STORED[5:], "no key for stored message (key id 00000000)"),
        (STORED[:-1] + bytes([STORED[-1] ^ 1]), "failed its integrity check"),
        (STORED[:5] + bytes(12) + STORED[17:], "failed its integrity check"),
    ],
)
def test_damaged_blobs_are_refused_with_a_reason(blob: bytes, message: str) -> None:
    """A short, unversioned, foreign-key or altered blob is refused with a reason a reviewer can act on."""
    with pytest.raises(StoreError) as e:
        Keyring([RAW_A]).decrypt(blob, "abc:raw")
    assert message in str(e.value)


def test_empty_message_is_the_shortest_blob() -> None:
    """An empty message encrypts to 33 bytes (1 + 4 + 12 + 16) and decrypts back."""
    ring = Keyring([RAW_A])
    blob = ring.encrypt(b"", "ctx")
    assert len(blob) == 33 and ring.decrypt(blob, "ctx") == b""


def test_each_encryption_uses_a_fresh_nonce() -> None:
    """Two encryptions of one message differ in their nonce and both decrypt."""
    ring = Keyring([RAW_B, RAW_A])
    one, two = ring.encrypt(b"m", "c"), ring.encrypt(b"m", "c")
    assert one[5:17] != two[5:17] and one[:5] == two[:5] == b"\x01" + key_id(RAW_B)
    assert ring.decrypt(one, "c") == ring.decrypt(two, "c") == b"m"


def test_empty_key_ring_is_refused() -> None:
    """A ring with no key is a configuration error naming the setting."""
    with pytest.raises(ConfigError) as e:
        Keyring([])
    assert str(e.value) == "quarantine.key: the quarantine key ring is empty"


@pytest.mark.parametrize(
    "text",
    [
        KEY_A,
        KEY_A.rstrip("="),
        f"  {KEY_A}\n",
        base64.urlsafe_b64encode(bytes(range(224, 256))).decode(),
        base64.urlsafe_b64encode(bytes(range(224, 256))).decode().rstrip("="),
        base64.b64encode(bytes(range(224, 256))).decode(),
    ],
)
def test_standard_url_safe_and_unpadded_keys_are_accepted(text: str) -> None:
    """Keys may be standard or URL-safe base64, padded or not, with surrounding spaces."""
    assert parse_key(text) in (RAW_A, bytes(range(224, 256)))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not a key!", "k.x: not base64"),
        (base64.b64encode(bytes(31)).decode(), "k.x: a key must be 32 bytes (base64 of 32 random bytes)"),
        (base64.b64encode(bytes(33)).decode(), "k.x: a key must be 32 bytes (base64 of 32 random bytes)"),
    ],
)
def test_bad_keys_name_where_they_came_from(text: str, message: str) -> None:
    """A key that is not base64 of exactly 32 bytes is refused, naming its setting or line."""
    with pytest.raises(ConfigError) as e:
        parse_key(text, where="k.x")
    assert str(e.value) == message


def test_generated_keys_are_fresh_32_byte_base64() -> None:
    """A generated key is standard base64 of 32 random bytes, different each time."""
    one, two = generate_key(), generate_key()
    assert len(base64.b64decode(one, validate=True)) == 32 and one != two


def test_key_file_skips_comments_and_blanks_and_numbers_lines(tmp_path: Path) -> None:
    """A key file holds one key per line, newest first; comments and blank lines are skipped, errors name the line."""
    path = tmp_path / "keys"
    path.write_text(f"# rotated\n\n{KEY_B}\n   # old one below\n{KEY_A}\n")
    os.chmod(path, 0o600)
    assert read_key_file(path) == [RAW_B, RAW_A]
    path.write_text(f"# c\n{KEY_B}\nnot a key!\n")
    with pytest.raises(ConfigError, match=r"^quarantine\.key_file:3: not base64$"):
        read_key_file(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("# only a comment\n\n", "quarantine.key_file: the key file holds no key"),
        (None, "quarantine.key_file: cannot read the key file"),
        ("caf\u00e9\n", "quarantine.key_file: cannot read the key file"),
    ],
)
def test_unusable_key_files_are_configuration_errors(
    tmp_path: Path, content: str | None, message: str
) -> None:
    """A missing, non-ASCII or keyless key file stops start-up with the setting named."""
    path = tmp_path / "keys"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        read_key_file(path)
    assert str(e.value).startswith(message)


@pytest.mark.parametrize(("mode", "warned"), [(0o600, False), (0o640, True), (0o604, True), (0o400, False)])
def test_key_file_readable_by_others_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, mode: int, warned: bool
) -> None:
    """A key file that group or others may read is still used, with a warning."""
    path = tmp_path / "keys"
    path.write_text(KEY_A + "\n")
    os.chmod(path, mode)
    with caplog.at_level(logging.WARNING, logger="gateway.store.crypto"):
        assert read_key_file(path) == [RAW_A]
    assert ("quarantine key file is readable by others" in caplog.messages) is warned


def test_written_key_file_is_exact_and_private(tmp_path: Path) -> None:
    """write_key_file writes two comment lines then one stripped key per line, mode 600, no temporary left."""
    path = tmp_path / "new" / "dir" / "keys"
    write_key_file(path, [f" {KEY_B} ", KEY_A])
    assert path.read_text() == (
        "# Quarantine encryption keys, newest first. The first encrypts; all decrypt.\n"
        "# Keep every key some stored message still uses (see docs/quarantine.md).\n"
        f"{KEY_B}\n{KEY_A}\n"
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(path.parent) == ["keys"]


def test_stale_temporary_file_does_not_leak_its_mode(tmp_path: Path) -> None:
    """A temporary file left readable by a crashed writer is rewritten private (600) before it becomes the key file."""
    path = tmp_path / "keys"
    stale = tmp_path / f"keys.tmp{os.getpid()}"
    stale.write_text("old")
    os.chmod(stale, 0o644)
    write_key_file(path, [KEY_A])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and read_key_file(path) == [RAW_A]
    assert not stale.exists()


def test_key_setting_is_a_ring_newest_first(tmp_path: Path) -> None:
    """`[quarantine] key` may hold several comma-separated keys (empty items ignored); the first encrypts."""
    ring = load_keyring(settings(tmp_path, key=f"{KEY_B}, ,{KEY_A},"))
    assert (ring.ids, ring.source) == ([key_id(RAW_B).hex(), key_id(RAW_A).hex()], "setting")
    assert not (tmp_path / "state").exists()


def test_configured_key_file_is_the_ring(tmp_path: Path) -> None:
    """`[quarantine] key_file` yields its keys, and a missing configured file is an error, never regenerated."""
    path = tmp_path / "k"
    write_key_file(path, [KEY_A, KEY_B])
    s = settings(tmp_path, key_file=str(path))
    ring = load_keyring(s)
    assert (ring.ids, ring.source) == ([key_id(RAW_A).hex(), key_id(RAW_B).hex()], f"key_file:{path}")
    assert key_file_path(s) == path
    with pytest.raises(ConfigError, match="cannot read the key file"):
        load_keyring(settings(tmp_path, key_file=str(tmp_path / "absent")))
    assert not (tmp_path / "absent").exists()


@pytest.mark.parametrize("url", ["", "sqlite:///x"])
def test_a_key_is_generated_on_first_use_for_a_local_store(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, url: str
) -> None:
    """A key generated on first use is kept in state_dir, and its creation is logged."""
    s = settings(tmp_path, url=url)
    with caplog.at_level(logging.INFO, logger="gateway.store.crypto"):
        ring = load_keyring(s)
    path = tmp_path / "state" / "quarantine.key"
    assert key_file_path(s) == path and ring.source == f"generated:{path}"
    assert ring.current_id == Keyring(read_key_file(path)).current_id
    assert "generated a quarantine key" in caplog.messages
    assert os.listdir(path.parent) == ["quarantine.key"]


@pytest.mark.parametrize("url", ["postgresql://db/gw", "postgres://db/gw"])
def test_no_key_is_generated_for_a_shared_store(tmp_path: Path, url: str) -> None:
    """A node without the fleet's key for a shared PostgreSQL store stops with a clear error and writes no key."""
    with pytest.raises(ConfigError, match="needs the fleet's quarantine key"):
        load_keyring(settings(tmp_path, url=url))
    assert not (tmp_path / "state" / "quarantine.key").exists()


def test_existing_generated_key_is_kept(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A key file generated earlier is reused, not replaced, and no new key is announced."""
    path = tmp_path / "state" / "quarantine.key"
    write_key_file(path, [KEY_B])
    with caplog.at_level(logging.INFO, logger="gateway.store.crypto"):
        assert load_keyring(settings(tmp_path)).current_id == key_id(RAW_B).hex()
    assert "generated a quarantine key" not in caplog.messages


def test_key_file_created_meanwhile_by_another_process_is_used(tmp_path: Path) -> None:
    """Two gateway processes starting at once: the second keeps the first one's key file instead of failing."""
    path = tmp_path / "quarantine.key"
    write_key_file(path, [KEY_B])
    crypto._create_key_file(path)
    assert read_key_file(path) == [RAW_B] and os.listdir(tmp_path) == ["quarantine.key"]


def test_key_file_that_cannot_be_created_is_a_configuration_error(tmp_path: Path) -> None:
    """When state_dir cannot hold the key file, start-up stops with the key_file setting named."""
    (tmp_path / "state").write_text("a file, not a folder")
    with pytest.raises(ConfigError, match=r"^quarantine\.key_file: cannot create the key file"):
        load_keyring(settings(tmp_path))
