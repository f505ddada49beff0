"""Files that exist to hide or pack their content where the gateway cannot follow.

OpenPGP messages and S/MIME enveloped data are `ENCRYPTED_MESSAGE`;
S/MIME opaque-signed data (the content wrapped inside the signature) is
`OPAQUE_SIGNED`; 7-Zip and RAR archives, for which no maintained pure
library is installed, are `UNSUPPORTED_ARCHIVE`. All carry full score:
the policy decides (by default, held when they leave the university).
"""

from __future__ import annotations

from gateway.extract import sniff
from gateway.extract.context import Context, Unreadable

#: DER of the PKCS #7 signedData object identifier (1.2.840.113549.1.7.2)
_SIGNED_DATA_OID = bytes.fromhex("06092a864886f70d010702")


def read(data: bytes, ctx: Context) -> None:
    ctx.artifact("other", metadata={"format": "encrypted"})
    if sniff.sniff(data) != sniff.PGP and _SIGNED_DATA_OID in data[:64]:
        raise Unreadable("OPAQUE_SIGNED", "S/MIME signed data wraps content the gateway does not unpack")
    raise Unreadable("ENCRYPTED_MESSAGE", "encrypted with PGP or S/MIME")


def read_unsupported_archive(data: bytes, ctx: Context) -> None:
    fmt = sniff.sniff(data, ctx.filename, ctx.content_type)
    ctx.artifact("archive", metadata={"format": fmt})
    raise Unreadable("UNSUPPORTED_ARCHIVE", f"{fmt} archives cannot be opened by the gateway")
