"""Encryption at rest for held messages: AES-256-GCM under a key ring.

The first key of the ring encrypts; every key in the ring decrypts, so a
key can be rotated without re-encrypting everything at once. Keys come from
(in order) `[quarantine] key` (GATEWAY_QUARANTINE_KEY; several keys may be
given comma-separated, newest first), `[quarantine] key_file` (one base64
key per line, newest first, `#` comments), or a key file generated in
state_dir (mode 600) on first use when neither is set and the store is a
local SQLite file. A shared PostgreSQL store never gets a generated key: every
node must be given the same key, so a node without one stops (exit 2).

Each ciphertext is  version(1) | key id(4) | nonce(12) | AES-GCM(ciphertext+tag)
and is bound to the row and the field it belongs to (associated data), so a
blob copied into another row does not decrypt there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gateway.config import Settings
from gateway.errors import ConfigError, StoreError
from gateway.model.passmark import PassMark

log = logging.getLogger(__name__)

_VERSION = b"\x01"
_NONCE = 12
_KEY_BYTES = 32
GENERATED_KEY_FILE = "quarantine.key"


def generate_key() -> str:
    """A fresh random key, as the base64 text the configuration takes."""
    return base64.b64encode(secrets.token_bytes(_KEY_BYTES)).decode("ascii")


def parse_key(text: str, *, where: str = "quarantine.key") -> bytes:
    """Base64 (standard or URL-safe) text of 32 bytes -> the key."""
    t = text.strip()
    try:
        raw = base64.b64decode(t.replace("-", "+").replace("_", "/") + "=" * (-len(t) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError("not base64", key=where) from None
    if len(raw) != _KEY_BYTES:
        raise ConfigError(f"a key must be {_KEY_BYTES} bytes (base64 of 32 random bytes)", key=where)
    return raw


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"gateway-quarantine-key:" + key).digest()[:4]


class Keyring:
    """Keys newest first: the first encrypts, all decrypt."""

    def __init__(self, keys: Sequence[bytes], *, source: str = "") -> None:
        if not keys:
            raise ConfigError("the quarantine key ring is empty", key="quarantine.key")
        self._keys = [AESGCM(k) for k in keys]
        self._derived = [hmac.new(k, b"gateway-derived-key", hashlib.sha256).digest() for k in keys]
        self._ids = [key_id(k) for k in keys]
        self.source = source  # "setting", "key_file:PATH" or "generated:PATH": for rotate-key

    @property
    def current_id(self) -> str:
        return self._ids[0].hex()

    @property
    def ids(self) -> list[str]:
        return [i.hex() for i in self._ids]

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE)
        body = self._keys[0].encrypt(nonce, plaintext, _aad(context))
        return _VERSION + self._ids[0] + nonce + body

    def decrypt(self, blob: bytes, context: str) -> bytes:
        blob = bytes(blob)
        if len(blob) < 1 + 4 + _NONCE + 16 or blob[:1] != _VERSION:
            raise StoreError("stored message is not in a known encrypted format")
        kid, nonce, body = blob[1:5], blob[5 : 5 + _NONCE], blob[5 + _NONCE :]
        for i, candidate in enumerate(self._ids):
            if candidate == kid:
                try:
                    return self._keys[i].decrypt(nonce, body, _aad(context))
                except InvalidTag:
                    raise StoreError("stored message failed its integrity check") from None
        raise StoreError(f"no key for stored message (key id {kid.hex()}): is an old key missing?")

    def derive(self, purpose: str) -> list[bytes]:
        """One key per key of the ring (newest first) for another purpose, e.g. the pass mark.

        HMAC-SHA256 keyed by (a hash of) each key over the purpose: what a derived key
        signs tells nothing about the key that encrypts, and every node that holds the
        quarantine key derives the same keys.
        """
        return [hmac.new(d, purpose.encode("utf-8"), hashlib.sha256).digest() for d in self._derived]

    @staticmethod
    def key_of(blob: bytes) -> str:
        """The id of the key a blob was encrypted with."""
        return bytes(blob)[1:5].hex()


def _aad(context: str) -> bytes:
    return b"gateway-quarantine:" + context.encode("utf-8")


def read_key_file(path: Path) -> list[bytes]:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the key file: {exc}", key="quarantine.key_file") from exc
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("quarantine key file is readable by others", extra={"path": str(path)})
    except OSError:
        pass
    keys = [
        parse_key(line, where=f"quarantine.key_file:{i + 1}")
        for i, line in enumerate(text.splitlines())
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not keys:
        raise ConfigError("the key file holds no key", key="quarantine.key_file")
    return keys


def write_key_file(path: Path, keys: Sequence[str]) -> None:
    """Write the key file atomically with mode 600 (newest key first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    body = (
        "# Quarantine encryption keys, newest first. The first encrypts; all decrypt.\n"
        "# Keep every key some stored message still uses (see docs/quarantine.md).\n"
        + "".join(k.strip() + "\n" for k in keys)
    )
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, body.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def key_file_path(settings: Settings) -> Path:
    """The key file in use: the configured one, or the generated one in state_dir."""
    q = settings.quarantine
    return Path(q.key_file) if q.key_file else Path(settings.state_dir) / GENERATED_KEY_FILE


def load_keyring(settings: Settings) -> Keyring:
    """The key ring the configuration names; generates a key file on first use."""
    q = settings.quarantine
    if q.key:
        keys = [parse_key(k, where="quarantine.key") for k in q.key.split(",") if k.strip()]
        return Keyring(keys, source="setting")
    path = key_file_path(settings)
    if q.key_file:
        return Keyring(read_key_file(path), source=f"key_file:{path}")
    if settings.database.url.startswith(("postgresql:", "postgres:")):
        # a shared store: a key of this node's own would encrypt what no other node can read, and
        # this node could not read what the others wrote. Stop and say so; never write one.
        raise ConfigError(
            "a shared PostgreSQL store needs the fleet's quarantine key on every node: set "
            "GATEWAY_QUARANTINE_KEY (or quarantine.key / quarantine.key_file) to the same key the "
            "other nodes use; no key was generated",
            key="quarantine.key",
        )
    if not path.exists():
        if not q.generate_key:
            raise ConfigError(
                "no quarantine key: set GATEWAY_QUARANTINE_KEY or GATEWAY_QUARANTINE_KEY_FILE "
                "(generate_key is off, so none is generated)",
                key="quarantine.key",
            )
        _create_key_file(path)
    return Keyring(read_key_file(path), source=f"generated:{path}")


def _create_key_file(path: Path) -> None:
    """Create the key file with a fresh key, atomically: a concurrent reader never sees it half written."""
    tmp = path.with_name(f"{path.name}.new{os.getpid()}")
    try:
        write_key_file(tmp, [generate_key()])
        try:
            os.link(tmp, path)  # fails if another process created it first: then theirs is used
            log.info("generated a quarantine key", extra={"path": str(path)})
        except FileExistsError:
            pass
    except OSError as exc:
        raise ConfigError(f"cannot create the key file: {exc}", key="quarantine.key_file") from exc
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass


def load_pass_mark(settings: Settings) -> PassMark:
    """The pass mark of this fleet: keyed from the quarantine key ring (the same on every node)."""
    return PassMark(load_keyring(settings).derive("pass-mark-v1"))
