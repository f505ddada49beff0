"""Files written into a text body: uuencode (`begin 644 name` ... `end`), `begin-base64` ... `====`, yEnc.

Older clients and news readers put attachments inline this way, and mail
clients still show them as attachments, so the walker hands each block's
decoded bytes to the extractors like any other attachment, and reads the
block's text as part of the body as well: a client that does not take the
block for a file shows it as text. Decoding is lenient (damaged uuencode
lines are read as far as their length byte says, as uudecode does); a
block with no end line, with lines that cannot be decoded, or whose yEnc
size is missing or does not match is reported back (`Block.problem`), so the walker can
say it was not read as a client may show it.

Every pattern here is linear on any line: a begin line is matched up to
its end with one greedy class and its parameters are split in Python, and
each end line is searched for once, not once per begin line.
"""

from __future__ import annotations

import binascii
import bisect
import re
from dataclasses import dataclass

from gateway.mime.lenient import base64_readings

_UU_BEGIN = re.compile(rb"^begin[ \t]+[0-7]{1,4}[ \t]([^\r\n]*)", re.MULTILINE)
_B64_BEGIN = re.compile(rb"^begin-base64[ \t]+[0-7]{1,4}[ \t]([^\r\n]*)", re.MULTILINE)
_Y_BEGIN = re.compile(rb"^=ybegin[ \t]([^\r\n]*)", re.MULTILINE)
_ENDS = {
    "uuencode": re.compile(rb"^end[ \t]*\r?$", re.MULTILINE),
    "base64": re.compile(rb"^====[ \t]*\r?$", re.MULTILINE),
    "yenc": re.compile(rb"^=yend\b([^\r\n]*)", re.MULTILINE),
}
_BEGINS = ((_UU_BEGIN, "uuencode"), (_B64_BEGIN, "base64"), (_Y_BEGIN, "yenc"))
_Y_SIZE = re.compile(rb"(?:^|[ \t])size=([0-9]{1,15})")
_Y_PART = re.compile(rb"\A=ypart\b[^\r\n]*\r?\n")
_Y_PLAIN = bytes((b - 42) % 256 for b in range(256))
_Y_ESCAPED = bytes((b - 106) % 256 for b in range(256))
#: no more of a yEnc begin line's parameters than this is searched for its size
_MAX_LINE = 1000


@dataclass(frozen=True)
class Block:
    """One file found in a body: where it lies, its name, its bytes (None if unreadable), what is wrong."""

    start: int
    end: int
    name: str
    data: bytes | None
    kind: str  # "uuencode", "base64" or "yenc"
    problem: str = ""  # why a client may show something else ("" when it read cleanly)


def find_blocks(body: bytes) -> list[Block]:
    """Every uuencoded, begin-base64 and yEnc block in `body`, in order, not overlapping."""
    if b"begin" not in body:
        return []
    begins = sorted(
        ((m.start(), kind, m) for pattern, kind in _BEGINS for m in pattern.finditer(body)),
        key=lambda t: t[0],
    )
    ends: dict[str, tuple[list[int], list[re.Match[bytes]]]] = {}
    kept: list[Block] = []
    pos = 0
    for start, kind, m in begins:
        line = m.group(1)
        if start < pos or (kind == "yenc" and b"name=" not in line):
            continue
        end = _end_after(body, kind, m.end(), ends)
        content = body[_next_line(body, m.end()) : end.start() if end else len(body)]
        block = _read(kind, line, content, end)
        stop = _next_line(body, end.end()) if end else len(body)
        kept.append(Block(start, stop, block.name, block.data, kind, block.problem))
        pos = stop
    return kept


def uudecode(body: bytes) -> Block | None:
    """A whole uuencoded body (Content-Transfer-Encoding: x-uuencode) as a block, None if nothing decodes."""
    m = _UU_BEGIN.search(body)
    if m is None:
        data, damaged = _uu_lines(body)  # no begin line: some senders omit it
        block = Block(
            0, len(body), "", data, "uuencode", "has lines that could not be decoded" if damaged else ""
        )
    else:
        end = _ENDS["uuencode"].search(body, m.end())
        content = body[_next_line(body, m.end()) : end.start() if end else len(body)]
        block = _read("uuencode", m.group(1), content, end)
    return None if block.data is None else block


def _end_after(
    body: bytes, kind: str, pos: int, ends: dict[str, tuple[list[int], list[re.Match[bytes]]]]
) -> re.Match[bytes] | None:
    """The first end line of this kind after `pos` (all end lines are found once, on first use)."""
    if kind not in ends:
        found = list(_ENDS[kind].finditer(body))
        ends[kind] = ([e.start() for e in found], found)
    starts, found = ends[kind]
    i = bisect.bisect_left(starts, pos)
    return found[i] if i < len(found) else None


def _read(kind: str, line: bytes, content: bytes, end: re.Match[bytes] | None) -> Block:
    """Decode one block's content; the name and the problem from its begin and end lines."""
    problems = [] if end else ["has no end line"]
    if kind == "uuencode":
        name = line
        data, damaged = _uu_lines(content)
        if damaged:
            problems.append("has lines that could not be decoded")
    elif kind == "base64":
        name = line
        readings, problem = base64_readings(content)
        data = readings[0] or None
        if problem or len(readings) > 1:
            problems.append("is damaged base64")
    else:
        head, _, name = line.partition(b"name=")
        data = ydecode(content)
        part = _Y_PART.match(content.lstrip(b"\r\n"))
        sizes = [_Y_SIZE.search(end.group(1)) if end else None]
        if part is None:
            sizes.append(_Y_SIZE.search(head[:_MAX_LINE]))
        size = next((int(s.group(1)) for s in sizes if s), None)
        if data is not None and size is None:  # yEnc requires it: without it any text "decodes"
            problems.append("gives no size")
        elif data is not None and size != len(data):
            problems.append("does not have the size its header gives")
    return Block(0, 0, _name(name), data, kind, "; ".join(problems))


def _uu_lines(text: bytes) -> tuple[bytes | None, bool]:
    """(the decoded bytes or None if no line decoded, whether any line was damaged or out of place)."""
    out: list[bytes] = []
    readable = damaged = ended = False
    for line in text.splitlines():
        line = line.rstrip(b"\r")
        if not line.strip():
            continue
        if ended:  # data after the zero-length line that ends it: clients may or may not show it
            damaged = True
        try:
            chunk = binascii.a2b_uu(line)
        except binascii.Error:
            size = ((line[0] - 32) & 63) * 4 + 5
            try:
                chunk = binascii.a2b_uu(line[: size // 3])
            except binascii.Error:
                damaged = True
                continue
        readable = True
        ended = ended or ((line[0] - 32) & 63) == 0
        out.append(chunk)
    return (b"".join(out) if readable else None), damaged


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


def _next_line(body: bytes, pos: int) -> int:
    """The start of the line after the one `pos` is on (the end of `body` on its last line)."""
    at = body.find(b"\n", pos)
    return len(body) if at < 0 else at + 1


def _name(raw: bytes) -> str:
    name = raw.strip()[:_MAX_LINE].decode("utf-8", "replace").strip().strip('"')
    return "".join(c if c.isprintable() else " " for c in name)[:200] or "unnamed"
