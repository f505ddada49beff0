"""One decoding layer: a part's Content-Transfer-Encoding undone, or the part reported unreadable.

Mail clients are tolerant, so a filter must be at least as tolerant or it
reads something other than what the recipient sees. The encoding's name is
read the way clients read it: case, surrounding white space, quotes and
RFC 822 comments do not matter, and "base-64" / "x-base64" / "b64" are
base64 ("quoted printable", "x-qp" are quoted-printable; "x-uuencode" and
its spellings are uuencode). A name that is none of these is unknown:
its raw bytes are still read as text, and `Decoded.problem` says why the
part cannot be trusted to be what was read (the walker reports it as an
`uninspectable` finding).

Base64 is decoded leniently, as clients do: characters outside the
alphabet are skipped, a missing pad is supplied, a lone character left
over at the end is dropped, and separately padded chunks are decoded one
after another. A body that is mostly not base64 is reported as damaged.

Text is decoded with its declared charset, else UTF-8, else Windows-1252
with replacement (`decode_charset`): an unknown charset never leaves bytes
unread.
"""

from __future__ import annotations

import binascii
import quopri
import re
from dataclasses import dataclass
from email.message import Message

from gateway.model.mime.embedded import uudecode

IDENTITY = "identity"
BASE64 = "base64"
QUOTED_PRINTABLE = "quoted-printable"
UUENCODE = "uuencode"

#: a name with its separators removed -> the encoding clients take it for
_ALIASES = {
    "": IDENTITY,
    "7bit": IDENTITY,
    "8bit": IDENTITY,
    "binary": IDENTITY,
    "base64": BASE64,
    "xbase64": BASE64,
    "b64": BASE64,
    "quotedprintable": QUOTED_PRINTABLE,
    "xquotedprintable": QUOTED_PRINTABLE,
    "qp": QUOTED_PRINTABLE,
    "xqp": QUOTED_PRINTABLE,
    "uuencode": UUENCODE,
    "xuuencode": UUENCODE,
    "uue": UUENCODE,
    "xuue": UUENCODE,
}
_COMMENT = re.compile(r"\([^()]*\)")
_SEPARATORS = re.compile(r"[\s\"'_\-]+")
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/=]+")
_URLSAFE = bytes.maketrans(b"-_", b"+/")
#: what clean base64 is made of, line breaks and padding included
_BASE64_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\r\n"
#: a base64 body with more than this share of stray characters is not base64 at all
_MAX_STRAY_SHARE = 0.05


@dataclass(frozen=True)
class Decoded:
    """A part's body as bytes, and why it may not be what a client shows ("" when it is)."""

    data: bytes
    encoding: str  # the normalised name: identity, base64, quoted-printable, uuencode, or the raw name
    problem: str = ""


def encoding_name(value: str) -> str:
    """The transfer encoding a client reads from a Content-Transfer-Encoding value (or the raw name)."""
    text = str(value)
    while "(" in text and _COMMENT.search(text):
        text = _COMMENT.sub(" ", text)
    key = _SEPARATORS.sub("", text.split(";", 1)[0].lower())
    return _ALIASES.get(key, key)


def part_encoding(part: Message) -> str:
    """The normalised transfer encoding of a parsed part (the first header, as Python's parser takes)."""
    return encoding_name(str(part.get("Content-Transfer-Encoding", "") or ""))


def payload_bytes(part: Message) -> bytes:
    """The body of a leaf part as the bytes that came over the wire (before transfer decoding)."""
    # the stored payload: get_payload() would already decode 8-bit text with the part's charset
    payload: object = getattr(part, "_payload", None)
    if isinstance(payload, bytes):
        return payload
    if not isinstance(payload, str):
        return b""
    try:
        return payload.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:  # set by our own code or a str-based policy: not wire bytes
        return payload.encode("utf-8", "surrogateescape")


def decode_body(part: Message) -> Decoded:
    """Undo the part's transfer encoding; an unknown or damaged one is reported in `problem`."""
    raw = payload_bytes(part)
    name = part_encoding(part)
    return decode_transfer(raw, name)


def decode_transfer(raw: bytes, name: str) -> Decoded:
    """Decode `raw` sent with the (normalised) transfer encoding `name`."""
    if name == IDENTITY:
        return Decoded(raw, name)
    if name == BASE64:
        data, problem = base64_lenient(raw)
        return Decoded(data, name, problem)
    if name == QUOTED_PRINTABLE:
        return Decoded(quopri.decodestring(raw), name)
    if name == UUENCODE:
        decoded = uudecode(raw)
        if decoded is None:
            return Decoded(raw, name, "uuencoded body could not be decoded")
        return Decoded(decoded[1], name)
    shown = "".join(c for c in name if c.isprintable())[:40]
    return Decoded(raw, name, f"unknown transfer encoding {shown!r}")


def base64_lenient(raw: bytes) -> tuple[bytes, str]:
    """Base64 decoded as mail clients do; (data, problem), problem "" when it read cleanly enough."""
    if not raw.translate(None, _BASE64_BYTES) and b"=" not in raw.rstrip(b" \t\r\n="):
        try:  # the common case, clean base64: one pass in C
            return binascii.a2b_base64(raw), ""
        except binascii.Error:
            pass  # a bad length: the lenient path below
    compact = raw.translate(None, b" \t\r\n")
    clean = _NOT_BASE64.sub(b"", compact.translate(_URLSAFE))
    strays = len(compact) - len(clean)
    out: list[bytes] = []
    for chunk in re.split(rb"=+", clean):
        if len(chunk) % 4 == 1:
            chunk = chunk[:-1]  # a lone character cannot carry a byte: clients drop it
        if not chunk:
            continue
        try:
            out.append(binascii.a2b_base64(chunk + b"=" * (-len(chunk) % 4)))
        except binascii.Error:
            return raw, "base64 body could not be decoded"
    if strays > max(8, _MAX_STRAY_SHARE * len(compact)):
        return b"".join(out), "base64 body is mostly not base64"
    return b"".join(out), ""


def decode_charset(data: bytes, charset: str) -> str:
    """Bytes as text: the declared charset, else UTF-8, else Windows-1252 with replacement."""
    for cs in (charset.strip().strip('"').lower(), "utf-8"):
        if not cs:
            continue
        try:
            return data.decode(cs)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return data.decode("cp1252", "replace")


def decoded_text(part: Message) -> tuple[str, str]:
    """A text part's body as text, and the decoding problem ("" when none)."""
    decoded = decode_body(part)
    return decode_charset(decoded.data, part.get_content_charset() or ""), decoded.problem
