"""Files written into a text body: uuencode (`begin 644 name` ... `end`) and yEnc (`=ybegin` ... `=yend`).

Older clients and news readers put attachments inline this way, and mail
clients still show them as attachments, so the walker cuts each block out
of the body and hands its decoded bytes to the extractors like any other
attachment. Decoding is lenient (damaged lines are read as far as their
length byte says, as uudecode and clients do); a block that yields nothing
at all is reported back so the walker can say it was not read.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass

_UU_BEGIN = re.compile(rb"^begin(?:-base64)?[ \t]+[0-7]{1,4}[ \t]+([^\r\n]*?)[ \t]*\r?$", re.MULTILINE)
_UU_END = re.compile(rb"^end[ \t]*\r?$", re.MULTILINE)
_Y_BEGIN = re.compile(rb"^=ybegin[ \t][^\r\n]*?name=([^\r\n]*?)[ \t]*\r?$", re.MULTILINE)
_Y_END = re.compile(rb"^=yend\b[^\r\n]*\r?$", re.MULTILINE)
_Y_PART = re.compile(rb"\A=ypart\b[^\r\n]*\r?\n")
_Y_PLAIN = bytes((b - 42) % 256 for b in range(256))
_Y_ESCAPED = bytes((b - 106) % 256 for b in range(256))


@dataclass(frozen=True)
class Block:
    """One file found in a body: where it lies in the body, its name, its bytes (None if unreadable)."""

    start: int
    end: int
    name: str
    data: bytes | None
    kind: str  # "uuencode" or "yenc"


def find_blocks(body: bytes) -> list[Block]:
    """Every uuencoded and yEnc block in `body`, in order, not overlapping."""
    if b"begin" not in body:
        return []
    found: list[Block] = []
    for m in _UU_BEGIN.finditer(body):
        end = _UU_END.search(body, m.end())
        stop = _line_end(body, end.end()) if end else len(body)
        data = _uu_lines(body[m.end() : end.start() if end else len(body)])
        found.append(Block(m.start(), stop, _name(m.group(1)), data, "uuencode"))
    for m in _Y_BEGIN.finditer(body):
        end = _Y_END.search(body, m.end())
        stop = _line_end(body, end.end()) if end else len(body)
        found.append(
            Block(
                m.start(),
                stop,
                _name(m.group(1)),
                ydecode(body[m.end() : end.start() if end else len(body)]),
                "yenc",
            )
        )
    found.sort(key=lambda b: b.start)
    kept: list[Block] = []
    for block in found:
        if not kept or block.start >= kept[-1].end:
            kept.append(block)
    return kept


def uudecode(body: bytes) -> tuple[str, bytes] | None:
    """A whole uuencoded body (Content-Transfer-Encoding: x-uuencode): (name, data), None if none."""
    m = _UU_BEGIN.search(body)
    if m is None:
        data = _uu_lines(body)  # no begin line: some senders omit it
        return ("", data) if data else None
    end = _UU_END.search(body, m.end())
    data = _uu_lines(body[m.end() : end.start() if end else len(body)])
    return None if data is None else (_name(m.group(1)), data)


def _uu_lines(text: bytes) -> bytes | None:
    out: list[bytes] = []
    readable = False
    for line in text.splitlines():
        line = line.rstrip(b"\r")
        if not line.strip():
            continue
        try:
            out.append(binascii.a2b_uu(line))
            readable = True
        except binascii.Error:
            size = ((line[0] - 32) & 63) * 4 + 5
            try:
                out.append(binascii.a2b_uu(line[: size // 3]))
                readable = True
            except binascii.Error:
                continue
    return b"".join(out) if readable else None


def ydecode(text: bytes) -> bytes | None:
    """yEnc data lines to bytes (a leading =ypart line skipped); None if there are none."""
    text = _Y_PART.sub(b"", text, count=1)
    data = text.replace(b"\r", b"").replace(b"\n", b"")
    if not data:
        return None
    pieces = data.split(b"=")  # "=" escapes the byte after it
    out = [pieces[0].translate(_Y_PLAIN)]
    out.extend(p[:1].translate(_Y_ESCAPED) + p[1:].translate(_Y_PLAIN) for p in pieces[1:])
    return b"".join(out)


def _line_end(body: bytes, pos: int) -> int:
    """Past the line break that ends a block's last line."""
    return pos + 1 if body[pos : pos + 1] == b"\n" else pos


def _name(raw: bytes) -> str:
    name = raw.decode("utf-8", "replace").strip().strip('"')
    return "".join(c if c.isprintable() else " " for c in name)[:200] or "unnamed"
