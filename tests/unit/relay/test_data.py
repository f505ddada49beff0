"""Reading DATA in large pieces gives exactly what aiosmtpd's line-at-a-time reading gives."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.relay.data import read_data


def reference(stream: bytes) -> tuple[bytes, bytes]:
    """aiosmtpd's rules, line by line: (content, what follows the final dot)."""
    lines, pos = [], 0
    while True:
        end = stream.index(b"\r\n", pos) + 2
        line = stream[pos:end]
        pos = end
        if line == b".\r\n":
            return b"".join(x[1:] if x.startswith(b".") else x for x in lines), stream[pos:]
        lines.append(line)


def read(stream: bytes, chunk: int = 1 << 20, limit: int | None = None) -> tuple[bytes, bytes, bool]:
    """Feed `stream` in pieces of `chunk` bytes; (content, bytes left in the reader, too_big)."""

    async def run() -> tuple[bytes, bytes, bool]:
        reader = asyncio.StreamReader(limit=64)  # small, so the limit path is exercised too
        for i in range(0, len(stream), chunk):
            reader.feed_data(stream[i : i + chunk])
        reader.feed_eof()
        data = await read_data(reader, limit)
        return data.content, await reader.read(), data.too_big

    return asyncio.run(run())


@pytest.mark.parametrize(
    ("stream", "content"),
    [
        (b".\r\n", b""),
        (b"\r\n.\r\n", b"\r\n"),
        (b"a\r\n.\r\n", b"a\r\n"),
        (b"..\r\n.\r\n", b".\r\n"),
        (b".a\r\n..b\r\nc.\r\n.\r\n", b"a\r\n.b\r\nc.\r\n"),
        (b"x\n.\r\ny\r\n.\r\n", b"x\n.\r\ny\r\n"),  # smuggling look-alikes are text
        (b"x\r\n.\ny\r\n.\r\n", b"x\r\n\ny\r\n"),
        (b"x\r.\ry\r\n.\r\n", b"x\r.\ry\r\n"),
        (b"x\r\n.\r\r\ny\r\n.\r\n", b"x\r\n\r\r\ny\r\n"),
    ],
)
def test_known_cases(stream: bytes, content: bytes) -> None:
    """Empty messages, dot-unstuffing and the smuggling payloads, fed all at once and a byte at a time."""
    for chunk in (1, 2, 3, 1 << 20):
        assert read(stream + b"QUIT\r\n", chunk)[:2] == (content, b"QUIT\r\n")


@settings(max_examples=400, deadline=None)
@given(
    body=st.lists(
        st.sampled_from([b"a", b".", b"\r", b"\n", b"\r\n", b"\r\n.", b".\r\n", b"x" * 70]), max_size=60
    ),
    chunk=st.integers(min_value=1, max_value=90),
)
def test_same_as_line_at_a_time(body: list[bytes], chunk: int) -> None:
    """For any bytes and any split into reads: same content as aiosmtpd, and nothing after the dot consumed."""
    stream = b"".join(body) + b"\r\n.\r\nMAIL FROM:<next@example.org>\r\n"
    assert read(stream, chunk)[:2] == reference(stream)


def test_over_the_limit_reads_to_the_end_and_says_so() -> None:
    """Past the limit the message is read to its end and dropped; the dialogue continues after it."""
    stream = b"x" * 5000 + b"\r\n.\r\nQUIT\r\n"
    assert read(stream, 100, limit=1000) == (b"", b"QUIT\r\n", True)
    assert read(stream, 100, limit=5002)[2] is False  # the limit counts the message, not the final dot


def test_connection_closed_mid_data() -> None:
    """EOF before the final dot is a lost connection, not a message."""
    with pytest.raises(ConnectionResetError):
        read(b"half a message\r\n")
