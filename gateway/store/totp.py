"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits) for review UI logins.

The codes are pure functions. `SecretBox` seals a secret for its column:
AES-256-GCM under the quarantine's key ring, bound to the account and the
purpose (a sealed secret copied to another account does not open there).
The replay guard (a code logs in once) lives in gateway/store/users.py.
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
