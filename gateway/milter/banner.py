"""The annotate banner, put at the top of the message text by milter body replacement.

Pure. The message is never re-serialised: the banner is inserted as bytes
into the text parts a reader sees first, leaving every other byte alone:

- a single-part text/plain or text/html message;
- in a multipart message, the first part, followed down through nested
  multiparts; in multipart/alternative every text/plain and text/html child,
  so the banner shows whichever one the reader's client picks.

The banner is encoded like the part it goes into (7bit/8bit as is,
quoted-printable, base64 by re-encoding that part only). Anything else
(another content type first, a part with no text, a structure it cannot
follow) returns None: the message is then delivered with its headers but no
banner, and the caller logs that.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Callable
from email.message import Message
from email.parser import BytesHeaderParser

MAX_DEPTH = 5
_CRLF = b"\r\n"
_BODY_TAG = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)

Edit = tuple[int, int, bytes]  # replace body[start:end] with the bytes
Where = Callable[[bytes], tuple[int, bytes]]  # decoded content -> (offset, bytes to insert there)


def insert_banner(
    headers: list[tuple[bytes, bytes]] | tuple[tuple[bytes, bytes], ...], body: bytes, banner: str
) -> bytes | None:
    """`body` with `banner` at the top of its text, or None when there is no text part to put it in."""
    if not banner.strip():
        return None
    block = b"".join(name + b":" + value + _CRLF for name, value in headers) + _CRLF
    edits: list[Edit] = []
    if not _visit(_parse_headers(block), body, 0, len(body), banner, edits, 0, alternative=False):
        return None
    out = body
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[end:]
    return out


def _parse_headers(block: bytes) -> Message:
    return BytesHeaderParser().parsebytes(block)


def _visit(
    part: Message,
    body: bytes,
    start: int,
    end: int,
    banner: str,
    edits: list[Edit],
    depth: int,
    *,
    alternative: bool,
) -> bool:
    """Add the edits for one part's content body[start:end]; False when nothing could be done."""
    ctype = part.get_content_type()
    if ctype.startswith("multipart/"):
        if depth >= MAX_DEPTH:
            return False
        boundary = part.get_param("boundary")
        if not isinstance(boundary, str) or not boundary:
            return False
        children = _children(body, start, end, boundary.encode("ascii", "replace"))
        if not children:
            return False
        if ctype == "multipart/alternative":
            done = [_visit(h, body, s, e, banner, edits, depth + 1, alternative=True) for h, s, e in children]
            return any(done)
        if ctype == "multipart/digest":
            return False  # its parts default to message/rfc822, which the parser here cannot tell
        child, s, e = children[0]
        return _visit(child, body, s, e, banner, edits, depth + 1, alternative=False)
    if ctype not in ("text/plain", "text/html"):
        return False
    charset = (part.get_content_charset() or "us-ascii").lower()
    if charset.startswith(("utf-16", "utf-32")):
        return False
    text = _encode_text(banner, charset)
    cte = str(part.get("Content-Transfer-Encoding", "7bit")).strip().lower()
    if ctype == "text/plain":
        return _edit(edits, body, start, end, cte, lambda content: (0, text + _CRLF + _CRLF))
    snippet = b"<p>" + html.escape(banner).encode("ascii", "xmlcharrefreplace") + b"</p>" + _CRLF

    def after_body_tag(content: bytes) -> tuple[int, bytes]:
        m = _BODY_TAG.search(content)
        return (m.end() if m else 0, snippet)

    return _edit(edits, body, start, end, cte, after_body_tag)


def _edit(edits: list[Edit], body: bytes, start: int, end: int, cte: str, where: Where) -> bool:
    """Insert at the offset `where(decoded content)` says, encoded the part's way."""
    if cte in ("7bit", "8bit", "binary", ""):
        offset, new = where(body[start:end])
        edits.append((start + offset, start + offset, new))
        return True
    if cte == "quoted-printable":
        offset, new = where(body[start:end])
        encoded = binascii.b2a_qp(new).replace(b"\r\n", b"\n").replace(b"\n", _CRLF)
        edits.append((start + offset, start + offset, encoded))
        return True
    if cte == "base64":
        try:
            content = base64.b64decode(body[start:end], validate=False)
        except (binascii.Error, ValueError):
            return False
        offset, new = where(content)
        content = content[:offset] + new + content[offset:]
        encoded = base64.encodebytes(content).replace(b"\n", _CRLF)
        # keep the line break that ends the part before the next boundary
        edits.append(
            (start, end, encoded.rstrip(_CRLF) + (_CRLF if body[start:end].endswith(_CRLF) else b""))
        )
        return True
    return False


def _encode_text(banner: str, charset: str) -> bytes:
    lines = [line.rstrip() for line in banner.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = "\r\n".join(lines)
    if text.isascii():
        return text.encode("ascii")
    try:
        return text.encode(charset)
    except (LookupError, UnicodeEncodeError):
        return text.encode("ascii", "replace")


def _children(body: bytes, start: int, end: int, boundary: bytes) -> list[tuple[Message, int, int]]:
    """(headers, content start, content end) of each part between start and end."""
    delimiter = b"--" + boundary
    positions: list[int] = []  # where each delimiter line starts
    pos = start
    if body.startswith(delimiter, start):
        positions.append(start)
        pos = start + len(delimiter)
    while True:
        i = body.find(_CRLF + delimiter, pos, end)
        if i < 0:
            break
        positions.append(i + 2)
        pos = i + 2 + len(delimiter)
    out: list[tuple[Message, int, int]] = []
    for k, at in enumerate(positions):
        after = at + len(delimiter)
        if body.startswith(b"--", after):
            break  # the close delimiter
        line_end = body.find(_CRLF, after, end)
        if line_end < 0 or k + 1 >= len(positions):
            break
        part_start = line_end + 2
        part_end = positions[k + 1] - 2  # the CRLF before the next delimiter belongs to it
        if body.startswith(_CRLF, part_start):
            header_end = part_start  # no headers: defaults apply
            block = b""
        else:
            h = body.find(_CRLF + _CRLF, part_start, part_end)
            if h < 0:
                break
            header_end = h + 2
            block = body[part_start:header_end]
        content_start = header_end + 2
        out.append((_parse_headers(block + _CRLF), content_start, max(content_start, part_end)))
    return out
