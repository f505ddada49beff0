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

Base64 and charsets are read by `gateway.mime.lenient`: where
clients could read a body more than one way (a "=", "-" or "_" inside
base64), `Decoded.others` holds the other readings, and the walker reads
them all.
"""

from __future__ import annotations

import quopri
import re
from dataclasses import dataclass
from email.message import Message

from gateway.mime.embedded import uudecode
from gateway.mime.lenient import base64_lenient, base64_readings, decode_charset

__all__ = ["base64_lenient", "decode_charset"]

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
_SEPARATORS = re.compile(r"[\s\"'_\-]+")


@dataclass(frozen=True)
class Decoded:
    """A part's body as bytes, and why it may not be what a client shows ("" when it is)."""

    data: bytes
    encoding: str  # the normalised name: identity, base64, quoted-printable, uuencode, or the raw name
    problem: str = ""
    others: tuple[bytes, ...] = ()  # what other clients may show instead (base64 with "=", "-", "_" inside)

    def readings(self) -> list[bytes]:
        """Every reading to inspect: the data, and the other readings if there are any."""
        return [self.data, *self.others]


def encoding_name(value: str) -> str:
    """The transfer encoding a client reads from a Content-Transfer-Encoding value (or the raw name)."""
    key = _SEPARATORS.sub("", without_comments(str(value)).split(";", 1)[0].lower())
    return _ALIASES.get(key, key)


def without_comments(text: str) -> str:
    """`text` with every balanced (nested) comment made a space, in one pass; unbalanced parentheses stay."""
    if "(" not in text:
        return text
    opens: list[int] = []
    spans: list[tuple[int, int]] = []  # outermost comments so far, in order
    for i, c in enumerate(text):
        if c == "(":
            opens.append(i)
        elif c == ")" and opens:
            start = opens.pop()
            while spans and spans[-1][0] > start:  # comments nested in this one
                spans.pop()
            spans.append((start, i + 1))
    out, pos = [], 0
    for start, end in spans:
        out.append(text[pos:start] + " ")
        pos = end
    return "".join(out) + text[pos:]


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
        readings, problem = base64_readings(raw)
        return Decoded(readings[0], name, problem, tuple(readings[1:]))
    if name == QUOTED_PRINTABLE:
        return Decoded(quopri.decodestring(raw), name)
    if name == UUENCODE:
        decoded = uudecode(raw)
        if decoded is None:
            return Decoded(raw, name, "uuencoded body could not be decoded")
        return Decoded(decoded.data or b"", name, decoded.problem and f"uuencoded body {decoded.problem}")
    shown = "".join(c for c in name if c.isprintable())[:40]
    return Decoded(raw, name, f"unknown transfer encoding {shown!r}")
