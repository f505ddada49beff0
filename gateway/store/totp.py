"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits) for review UI logins.

The codes are pure functions. `SecretBox` seals a secret for its column:
AES-256-GCM under the quarantine's key ring, bound to the account and the
purpose (a sealed secret copied to another account does not open there).
The replay guard (a code logs in once) lives in gateway/store/users.py.

Key rotation: the quarantine's `reencrypt` calls `reseal_all`, which moves
every sealed secret (enrolled ones in web_users, pending enrolments in
web_sessions) to the current key, and its `keys_in_use` adds
`sealed_keys_in_use`; otherwise dropping an old key would lock every
account with an authenticator out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

from gateway.errors import StoreError
from gateway.store.crypto import Keyring
from gateway.store.db import Database

SEALED = "enc1:"  # prefix of a sealed secret in a TEXT column


def totp_new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def totp_code(secret: str, at: float, *, step: int = 30, digits: int = 6) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int(at // step))
    mac = hmac.new(key, counter, hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return str(value).zfill(digits)


def totp_match(secret: str, code: str, at: float | None = None) -> int | None:
    """The 30 s time step whose code this is (this one or a neighbour, for clock drift), or None."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    at = time.time() if at is None else at
    for d in (-1, 0, 1):
        if hmac.compare_digest(totp_code(secret, at + d * 30), code):
            return int((at + d * 30) // 30)
    return None


def totp_verify(secret: str, code: str, at: float | None = None) -> bool:
    return totp_match(secret, code, at) is not None


def totp_uri(secret: str, name: str, issuer: str = "Compliance gateway") -> str:
    return f"otpauth://totp/{quote(issuer)}:{quote(name)}?secret={secret}&issuer={quote(issuer)}"


class SecretBox:
    """TOTP secrets sealed with the key ring, as text for a TEXT column."""

    def __init__(self, keyring: Keyring | None) -> None:
        self.keyring = keyring

    def _ring(self) -> Keyring:
        if self.keyring is None:
            raise StoreError("TOTP secrets need the quarantine key ring")
        return self.keyring

    @staticmethod
    def is_sealed(stored: str) -> bool:
        return stored.startswith(SEALED)

    def seal(self, name: str, secret: str, purpose: str = "totp") -> str:
        blob = self._ring().encrypt(secret.encode("ascii"), f"web_users:{name}:{purpose}")
        return SEALED + base64.b64encode(blob).decode("ascii")

    def unseal(self, name: str, stored: str, purpose: str = "totp") -> str:
        if not stored.startswith(SEALED):
            raise StoreError("a TOTP secret is stored in clear: run the store's migration")
        try:
            blob = base64.b64decode(stored[len(SEALED) :], validate=True)
        except (binascii.Error, ValueError):
            raise StoreError("a stored TOTP secret is damaged") from None
        return self._ring().decrypt(blob, f"web_users:{name}:{purpose}").decode("ascii")

    @staticmethod
    def key_of(stored: str) -> str:
        """The id of the key a sealed secret is under ("" when it is not sealed or is damaged)."""
        if not stored.startswith(SEALED):
            return ""
        try:
            return Keyring.key_of(base64.b64decode(stored[len(SEALED) :], validate=True))
        except (binascii.Error, ValueError):
            return ""


# (table, account column, secret column, key column, purpose): every place a sealed secret is kept
_COLUMNS = (
    ("web_users", "name", "totp_secret", "name", "totp"),
    ("web_sessions", "user_name", "totp_pending", "id_hash", "pending"),
)


def _has_tables(db: Database) -> bool:
    """Whether the accounts' tables exist (a gateway that never ran the review UI has none)."""
    rows = db.execute("SELECT MAX(version) AS v FROM schema_migrations WHERE component = 'users'")
    return bool(rows and rows[0]["v"])


def _sealed(db: Database) -> list[tuple[str, str, str, str, str, str, str]]:
    """(table, secret column, key column, row key, account, purpose, stored) of every sealed secret."""
    out = []
    for table, account, column, key, purpose in _COLUMNS:
        rows = db.execute(
            f"SELECT {key} AS k, {account} AS a, {column} AS s FROM {table} WHERE {column} <> ''"
        )
        out += [(table, column, key, str(r["k"]), str(r["a"]), purpose, str(r["s"])) for r in rows]
    return out


def reseal_all(db: Database, keyring: Keyring) -> int:
    """Seal every stored TOTP secret not under the current key again with it; how many were."""
    if not _has_tables(db):
        return 0
    box = SecretBox(keyring)
    done = 0
    for table, column, key, row_key, account, purpose, stored in _sealed(db):
        if box.key_of(stored) == keyring.current_id or not box.is_sealed(stored):
            continue
        fresh = box.seal(account, box.unseal(account, stored, purpose), purpose)
        # only if unchanged meanwhile: a secret enrolled since then is already under the current key
        changed = db.execute(
            f"UPDATE {table} SET {column} = ? WHERE {key} = ? AND {column} = ? RETURNING {key}",
            (fresh, row_key, stored),
        )
        done += len(changed)
    return done


def sealed_keys_in_use(db: Database) -> dict[str, int]:
    """Key id -> how many stored TOTP secrets (enrolled or pending) are sealed under it."""
    counts: dict[str, int] = {}
    if not _has_tables(db):
        return counts
    for *_, stored in _sealed(db):
        kid = SecretBox.key_of(stored) or "clear"
        counts[kid] = counts.get(kid, 0) + 1
    return counts
