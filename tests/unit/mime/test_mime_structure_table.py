"""The structure pre-scan, exactly: depth, part count and the cut for each way boundaries and message parts are written."""

from __future__ import annotations

import pytest

from gateway.mime.structure import Shape, scan_structure

LEAF = b"Content-Type: text/plain\n\nhello"
HEAD = b'Content-Type: multipart/mixed; boundary="%s"\n'


def mp(boundary: bytes, *parts: bytes, head: bytes = HEAD, close: bytes = b"--\n") -> bytes:
    """A multipart with `parts`, its header declaring `boundary` as `head` writes it."""
    out = head.replace(b"%s", boundary) + b"\n"
    for p in parts:
        out += b"--" + boundary + b"\n" + p + b"\n"
    return out + b"--" + boundary + close


def at(raw: bytes, line: bytes, n: int) -> int:
    """Where the `n`th (1-based) line `line` starts in `raw`."""
    pos = -1
    for _ in range(n):
        pos = raw.index(b"\n" + line, pos + 1)
    return pos + 1


FLAT = mp(b"a", LEAF, LEAF, LEAF)
NESTED = mp(b"a", LEAF, mp(b"b", LEAF, LEAF))
CRLF = FLAT.replace(b"\n", b"\r\n")
EPILOGUE = mp(b"a", LEAF, LEAF) + b"--a\n--a\n"
INNER = mp(b"a", mp(b"b", LEAF), mp(b"c", LEAF))
CONTINUED = mp(b"a", LEAF, LEAF, LEAF, head=b"Content-Type: multipart/mixed;\n\tboundary=%s\n")
NO_SPACE = mp(b"a", LEAF, LEAF, LEAF, head=b"Content-Type: multipart/mixed;boundary=%s\n")
SPACED = mp(b"a", LEAF, LEAF, LEAF, head=b'Content-Type: multipart/mixed; boundary = "%s" ; x=1\n')
MESSAGE = b"Content-Type: message/rfc822\n\n" + mp(b"a", LEAF, LEAF)
DSN = b"Content-Type: message/delivery-status\n\n" + mp(b"a", LEAF, LEAF)
MENTION = b"X-Note: no boundary=zz\n" + FLAT
X_TYPE = b"X-Content-Type: message/rfc822\n" + FLAT
PREFIXED = mp(b"a", LEAF, b"--ab\n" + LEAF, b"--a x\n" + LEAF)
SPACE_AFTER = mp(b"a", LEAF, LEAF, LEAF).replace(b"--a\n", b"--a \t\n")
AT_END = HEAD.replace(b"%s", b"a") + b"\n--a\nx\n--a\nx\n--a"
DECL_IN_DELIMITER = FLAT.replace(b"--a\n", b"--a;boundary=q\n", 1)
STARTS_WITH_DELIMITER = b"--x;boundary=y\n" + FLAT
BOUNDARY_FIRST = b"boundary=a\n\n--a\nx\n--a\nx\n--a\nx\n--a--\n"
INNER_MESSAGE = mp(b"a", LEAF, b"Content-Type: message/rfc822\n\n" + LEAF)
UNCLOSED = mp(b"a", LEAF, mp(b"b", LEAF, LEAF, close=b"\n"), mp(b"c", LEAF))


@pytest.mark.parametrize(
    ("raw", "depth", "parts", "shape"),
    [
        pytest.param(FLAT, 1, 4, Shape(0, 0), id="under both limits: not scanned"),
        pytest.param(FLAT, 2, 5, Shape(0, 0), id="room under both limits: not scanned"),
        pytest.param(FLAT, 1, 3, Shape(1, 3), id="three parts, limit three"),
        pytest.param(
            FLAT, 1, 2, Shape(1, 3, at(FLAT, b"--a\n", 3), "TOO_MANY_PARTS"), id="three parts, limit two"
        ),
        pytest.param(FLAT, 0, 9, Shape(1, 0, 0, "MIME_NESTING"), id="depth limit zero"),
        pytest.param(CRLF, 1, 2, Shape(1, 3, at(CRLF, b"--a\r\n", 3), "TOO_MANY_PARTS"), id="CRLF lines"),
        pytest.param(
            NESTED, 1, 9, Shape(2, 2, at(NESTED, b"--a\n", 2), "MIME_NESTING"), id="nested, cut at its part"
        ),
        pytest.param(
            NESTED, 2, 3, Shape(2, 4, at(NESTED, b"--b\n", 2), "TOO_MANY_PARTS"), id="nested parts count"
        ),
        pytest.param(EPILOGUE, 1, 2, Shape(1, 2), id="delimiters after the closing one"),
        pytest.param(
            INNER, 2, 3, Shape(2, 4, at(INNER, b"--c\n", 1), "TOO_MANY_PARTS"), id="closing is no part"
        ),
        pytest.param(CONTINUED, 1, 2, Shape(1, 3, at(CONTINUED, b"--a\n", 3), "TOO_MANY_PARTS"), id="folded"),
        pytest.param(NO_SPACE, 1, 2, Shape(1, 3, at(NO_SPACE, b"--a\n", 3), "TOO_MANY_PARTS"), id="no space"),
        pytest.param(
            SPACED, 1, 2, Shape(1, 3, at(SPACED, b"--a\n", 3), "TOO_MANY_PARTS"), id="spaced, quoted"
        ),
        pytest.param(MESSAGE, 1, 9, Shape(2, 0, 0, "MIME_NESTING"), id="message/rfc822 nests"),
        pytest.param(
            DSN, 1, 1, Shape(1, 2, at(DSN, b"--a\n", 2), "TOO_MANY_PARTS"), id="delivery-status does not"
        ),
        pytest.param(
            MENTION, 1, 2, Shape(1, 3, at(MENTION, b"--a\n", 3), "TOO_MANY_PARTS"), id="boundary= in text"
        ),
        pytest.param(
            X_TYPE, 1, 2, Shape(1, 3, at(X_TYPE, b"--a\n", 3), "TOO_MANY_PARTS"), id="X-Content-Type"
        ),
        pytest.param(PREFIXED, 1, 3, Shape(1, 3), id="other lines starting with the boundary"),
        pytest.param(
            SPACE_AFTER,
            1,
            2,
            Shape(1, 3, at(SPACE_AFTER, b"--a \t\n", 3), "TOO_MANY_PARTS"),
            id="white space after",
        ),
        pytest.param(
            AT_END, 1, 2, Shape(1, 3, len(AT_END) - 3, "TOO_MANY_PARTS"), id="delimiter at the very end"
        ),
        pytest.param(DECL_IN_DELIMITER, 1, 2, Shape(1, 2), id="boundary= inside a delimiter line"),
        pytest.param(UNCLOSED, 2, 9, Shape(2, 7), id="an inner multipart left unclosed"),
        pytest.param(
            STARTS_WITH_DELIMITER,
            1,
            2,
            Shape(1, 3, at(STARTS_WITH_DELIMITER, b"--a\n", 3), "TOO_MANY_PARTS"),
            id="a delimiter line first",
        ),
        pytest.param(
            BOUNDARY_FIRST,
            1,
            2,
            Shape(1, 3, at(BOUNDARY_FIRST, b"--a\n", 3), "TOO_MANY_PARTS"),
            id="boundary= first",
        ),
        pytest.param(
            INNER_MESSAGE,
            1,
            9,
            Shape(2, 2, at(INNER_MESSAGE, b"--a\n", 2), "MIME_NESTING"),
            id="message part inside",
        ),
    ],
)
def test_structure_table(raw: bytes, depth: int, parts: int, shape: Shape) -> None:
    """Parts are counted at their delimiter lines, depth at each boundary or message/* declaration; the cut is where a limit is crossed."""
    assert scan_structure(raw, depth, parts) == shape
