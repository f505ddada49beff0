"""The skeleton: large leaf bodies cut out before parsing and put back afterwards."""

from __future__ import annotations

import re

from gateway.mime.structure import _tokens

#: leaf bodies at least this large are kept out of Python's line-by-line parser (see skeleton)
SKELETON_MIN_BYTES = 32 * 1024
_TOKEN = "\x00gateway-body-{}\x00"
#: email.feedparser.headerRE, for bytes
_HEADER_LINE = re.compile(rb"From |[\041-\071\073-\176]*:|[\t ]")


def skeleton(raw: bytes, min_body: int = SKELETON_MIN_BYTES) -> tuple[bytes, dict[str, bytes]]:
    """The message with its large leaf bodies replaced by short tokens, and token -> body.

    Python's parser handles a message line by line (about 10 MB of base64 a
    second, and several copies of it in memory): a 37 MB attachment took 8 s
    and 240 MB. Leaf bodies found by the same linear scan as the structure
    (a part directly under a boundary whose headers declare no boundary and
    no message/*, or the body of a single-part message; structure inside
    forwarded messages is left to the parser) are cut out before
    parsing and put back into the parsed part afterwards, as the exact text
    the parser would have produced (bytes read as ASCII with surrogateescape,
    without the line break that belongs to the next delimiter).
    """
    if len(raw) < min_body:
        return raw, {}
    cuts: list[tuple[int, int]] = []
    stack: list[bytes | None] = []
    header_start, body_start, leaf = 0, _body_start(raw, 0), True

    def plain(start: int, end: int) -> bool:
        """A body to cut: no multipart or message/* type in its headers (whatever the scan saw)."""
        if not leaf or start < 0 or end < 0:
            return False
        head = raw[start:end].lower()
        return b"multipart/" not in head and b"message/" not in head

    def close(line_start: int) -> None:
        end = line_start - 2 if raw[line_start - 2 : line_start] == b"\r\n" else line_start
        if (
            stack
            and stack[-1] is not None
            and end - body_start >= min_body
            and plain(header_start, body_start)
        ):
            cuts.append((body_start, end))

    for tok in _tokens(raw):
        if tok.delim is not None:
            b = tok.delim.rstrip(b" \t")
            closing = False
            if b not in stack and b.endswith(b"--") and b[:-2] in stack:
                b, closing = b[:-2], True
            if b not in stack:
                continue
            i = len(stack) - 1 - stack[::-1].index(b)
            del stack[i + 1 :]
            close(tok.start)
            if closing:
                stack.pop()
                leaf, header_start, body_start = False, -1, -1  # an epilogue follows, not a part
            else:
                header_start = tok.end + 1
                body_start, leaf = _body_start(raw, header_start), True
            continue
        if not header_start <= tok.start < body_start:
            continue  # "boundary=" in a body, preamble or forwarded message: not this part's structure
        span = _content_type_span(raw, header_start, body_start)
        if not leaf or span is None or not span[0] <= tok.start < span[1]:
            # two declarations, two Content-Types, or a boundary outside the Content-Type header:
            # the parser's own choices decide; leave the whole message to it
            return raw, {}
        if tok.boundary is not None and b"multipart/" not in raw[span[0] : span[1]].lower():
            return raw, {}  # a boundary on a type that is not multipart: the parser ignores it
        leaf = False  # the headers of this part declare a boundary or message/*: a container
        stack.append(tok.boundary)
    if not stack and len(raw) - body_start >= min_body and plain(header_start, body_start):
        cuts.append((body_start, len(raw)))  # a single-part message
    if not cuts:
        return raw, {}
    bodies: dict[str, bytes] = {}
    out: list[bytes] = []
    pos = 0
    for n, (start, end) in enumerate(cuts):
        token = _TOKEN.format(n)
        bodies[token] = raw[start:end]
        out.extend((raw[pos:start], token.encode("ascii")))
        pos = end
    out.append(raw[pos:])
    return b"".join(out), bodies


def _content_type_span(raw: bytes, start: int, end: int) -> tuple[int, int] | None:
    """Where the one Content-Type header of a header block lies (with its folded lines); None if not one."""
    head = raw[start:end].lower()
    found = [m.start() for m in re.finditer(rb"(?:^|\r\n)content-type:", head)]
    if len(found) != 1:
        return None
    ct = start + found[0] + (0 if head.startswith(b"content-type:") else 2)
    pos = ct
    while True:
        eol = raw.find(b"\r\n", pos, end)
        if eol < 0:
            return ct, end
        if raw[eol + 2 : eol + 3] not in (b" ", b"\t"):
            return ct, eol
        pos = eol + 2


def _body_start(raw: bytes, header_start: int) -> int:
    """Where the body of a part whose headers start at header_start begins (-1: no body).

    The header block ends where Python's parser ends it: at an empty line, or
    at the first line that is not a header line (its headerRE). Header blocks
    the parser treats specially (a "From " line, a leading continuation) are
    not cut at all.
    """
    pos = header_start
    while True:
        eol = raw.find(b"\r\n", pos)
        if eol < 0:
            return -1
        if eol == pos:
            return eol + 2
        if raw.startswith(b"From ", pos) or (pos == header_start and raw[pos : pos + 1] in (b" ", b"\t")):
            return -1  # envelope "From " lines and leading continuations: the parser's special cases
        if not _HEADER_LINE.match(raw, pos):
            return pos
        pos = eol + 2
