"""One MTA connection end to end in memory: replies, PROGRESS, deadline, errors, closing."""

from __future__ import annotations

import asyncio
import struct

from gateway.milter import codec
from gateway.milter.codec import FrameDecoder, Packet
from gateway.milter.connection import Connection, Timing
from gateway.milter.session import Collected, Final, Negotiated, Result, Session

POSTFIX_V6_OPTNEG = bytes.fromhex("0000000d4f00000006000001ff001fffff")
V2_OPTNEG = bytes.fromhex("0000000d4f000000020000003f0000007f")


def frame(command: str, data: bytes = b"") -> bytes:
    return codec.encode(command, data)


MESSAGE = b"".join(
    [
        frame("D", b"Ci\0\0"),
        frame("C", b"[127.0.0.1]\x004\x30\x39127.0.0.1\0"),
        frame("H", b"client\0"),
        frame("M", b"<a@example.ac.uk>\0"),
        frame("R", b"<b@example.org>\0"),
        frame("L", b"Subject\0 hello\0"),
        frame("N"),
        frame("B", b"text\r\n"),
        frame("D", b"Ei\0QID9\0"),
        frame("E"),
    ]
)


class FakeWriter:
    """The writing half of a stream, in memory."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = False

    def write(self, data: bytes) -> None:
        self.data += data

    async def drain(self) -> None:
        await asyncio.sleep(0)

    def close(self) -> None:
        self.closed = True

    async def wait_closed(self) -> None:
        return None

    def packets(self) -> list[Packet]:
        return FrameDecoder().feed(bytes(self.data))


class Recorder:
    """A handler that records what it was given and answers `result` (or raises, or waits)."""

    def __init__(self, result: Result | None = None, *, error: Exception | None = None) -> None:
        self.result = result or Result(Final.ACCEPT)
        self.error = error
        self.messages: list[Collected] = []
        self.release: asyncio.Event | None = None
        self.cancelled = False

    async def __call__(self, message: Collected, negotiated: Negotiated) -> Result:
        self.messages.append(message)
        if self.release is not None:
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                self.cancelled = True
                raise
        if self.error is not None:
            raise self.error
        return self.result


def connection(
    data: bytes, handler: Recorder, timing: Timing | None = None, *, eof: bool = True
) -> tuple[Connection, FakeWriter, asyncio.StreamReader]:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    if eof:
        reader.feed_eof()
    writer = FakeWriter()
    session = Session(max_message_size=1_000_000, want_actions=codec.SMFIF_ADDHDRS | codec.SMFIF_CHGBODY)
    return Connection(reader, writer, session, handler, timing or Timing()), writer, reader  # type: ignore[arg-type]


async def test_a_whole_postfix_conversation() -> None:
    """Negotiation, a message pipelined without replies, one EOM answer, QUIT closes."""
    handler = Recorder(Result(Final.ACCEPT, add_headers=(("X-Compliance-Verdict", "pass"),)))
    conn, writer, _ = connection(POSTFIX_V6_OPTNEG + MESSAGE + frame("Q"), handler)
    await conn.run()
    assert [p.command for p in writer.packets()] == ["O", "h", "a"]
    assert writer.closed
    (msg,) = handler.messages
    assert msg.envelope.queue_id == "QID9" and msg.raw == b"Subject: hello\r\n\r\ntext\r\n"


async def test_v2_conversation_gets_continue_for_each_command() -> None:
    """Without NR_* bits: one CONTINUE per command except MACRO, then the EOM answer."""
    conn, writer, _ = connection(V2_OPTNEG + MESSAGE + frame("A") + frame("Q"), Recorder())
    await conn.run()
    # C H M R L N B get CONTINUE (EOH too: v2 with NOEOH offered still answers if sent), E gets ACCEPT
    assert [p.command for p in writer.packets()] == ["O"] + ["c"] * 7 + ["a"]


async def test_progress_is_sent_while_judging() -> None:
    """A slow verdict: PROGRESS goes out repeatedly, then exactly one final answer."""
    handler = Recorder()
    handler.release = asyncio.Event()
    conn, writer, _ = connection(
        POSTFIX_V6_OPTNEG + MESSAGE + frame("Q"), handler, Timing(progress_interval=0.01)
    )
    task = asyncio.create_task(conn.run())
    for _ in range(2000):
        if sum(p.command == "p" for p in writer.packets()) >= 3:
            break
        await asyncio.sleep(0.005)
    handler.release.set()
    await asyncio.wait_for(task, 10)
    commands = [p.command for p in writer.packets()]
    assert commands[0] == "O" and commands[-1] == "a"
    assert set(commands[1:-1]) == {"p"} and len(commands[1:-1]) >= 3


async def test_deadline_gives_tempfail_and_stops_the_work() -> None:
    """Past the deadline the answer is TEMPFAIL and the judging task is cancelled."""
    handler = Recorder()
    handler.release = asyncio.Event()  # never set
    timing = Timing(progress_interval=0.01, deadline=0.05)
    conn, writer, _ = connection(POSTFIX_V6_OPTNEG + MESSAGE + frame("Q"), handler, timing)
    await asyncio.wait_for(conn.run(), 10)
    commands = [p.command for p in writer.packets()]
    assert commands[-1] == "t" and "a" not in commands
    await asyncio.sleep(0)
    assert handler.cancelled


class SlowDrainWriter(FakeWriter):
    """A writer whose drain after the first PROGRESS lets the handler finish, then outlasts the deadline."""

    def __init__(self, release: asyncio.Event, stall: float) -> None:
        super().__init__()
        self.release, self.stall = release, stall

    async def drain(self) -> None:
        if b"p" in self.data and not self.release.is_set():
            self.release.set()
            await asyncio.sleep(self.stall)


async def test_a_verdict_carried_out_while_progress_was_written_is_answered() -> None:
    """The handler finished (say, the hold committed) during a PROGRESS past the deadline: its answer goes out."""
    handler = Recorder(Result(Final.DISCARD))
    handler.release = asyncio.Event()
    reader = asyncio.StreamReader()
    reader.feed_data(POSTFIX_V6_OPTNEG + MESSAGE + frame("Q"))
    reader.feed_eof()
    writer = SlowDrainWriter(handler.release, stall=1.0)
    session = Session(max_message_size=1_000_000, want_actions=codec.SMFIF_ADDHDRS)
    timing = Timing(progress_interval=0.01, deadline=0.5)
    await asyncio.wait_for(Connection(reader, writer, session, handler, timing).run(), 10)  # type: ignore[arg-type]
    assert [p.command for p in writer.packets()] == ["O", "p", "d"]


async def test_handler_error_gives_tempfail() -> None:
    """Any exception while judging (scanner, store, bug) is TEMPFAIL, and the connection goes on."""
    handler = Recorder(error=RuntimeError("scanner crashed"))
    conn, writer, _ = connection(POSTFIX_V6_OPTNEG + MESSAGE + MESSAGE + frame("Q"), handler)
    await conn.run()
    assert [p.command for p in writer.packets()] == ["O", "t", "t"]


async def test_truncated_packet_closes_without_reply() -> None:
    """The stream ends inside a packet: nothing more is written and the connection closes."""
    conn, writer, _ = connection(POSTFIX_V6_OPTNEG + MESSAGE[:-3], Recorder())
    await conn.run()
    assert [p.command for p in writer.packets()] == ["O"]
    assert writer.closed


async def test_oversized_packet_closes_without_reply() -> None:
    """A length over 1 MiB closes the connection at once, before the data."""
    data = POSTFIX_V6_OPTNEG + struct.pack("!I", codec.MAX_PACKET + 1) + b"B"
    conn, writer, _ = connection(data, Recorder(), eof=False)
    await asyncio.wait_for(conn.run(), 10)
    assert [p.command for p in writer.packets()] == ["O"]
    assert writer.closed


async def test_unknown_command_closes_and_ignores_the_rest() -> None:
    """An unknown command closes the connection; packets after it are not acted on."""
    handler = Recorder()
    conn, writer, _ = connection(POSTFIX_V6_OPTNEG + frame("Z") + MESSAGE, handler, eof=False)
    await asyncio.wait_for(conn.run(), 10)
    assert [p.command for p in writer.packets()] == ["O"]
    assert handler.messages == []


async def test_idle_connection_is_closed() -> None:
    """An MTA connection with no packets for idle_timeout is closed."""
    conn, writer, _ = connection(POSTFIX_V6_OPTNEG, Recorder(), Timing(idle_timeout=0.01), eof=False)
    await asyncio.wait_for(conn.run(), 10)
    assert writer.closed
