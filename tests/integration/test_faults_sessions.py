"""Slow clients (slowloris) at the relay: session limits cut them with 421 and never lock others out.

Limits are made small here so each case ends quickly; every client socket has a
generous timeout that only a missing limit would reach (aiosmtpd's own idle
timer is 300 s).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.integration.gateway_doubles import SlowPipeline, inspecting_pipeline, relay_settings
from tests.integration.servers import RecordingSink

pytestmark = pytest.mark.integration

MESSAGE = b"From: s@example.ac.uk\r\nTo: f@example.org\r\nSubject: t\r\n\r\nhello\r\n"
GENEROUS = 60.0  # seconds a client socket waits: reached only when a limit is missing


class Client:
    """A raw SMTP client: one reply at a time, and everything up to the server's close."""

    def __init__(self, port: int, source: str = "127.0.0.1") -> None:
        self.sock = socket.create_connection(
            ("127.0.0.1", port), timeout=GENEROUS, source_address=(source, 0)
        )
        self.file = self.sock.makefile("rb")

    def reply(self) -> bytes:
        line = self.file.readline()
        while line[3:4] == b"-":
            line = self.file.readline()
        return line

    def command(self, line: bytes) -> bytes:
        self.sock.sendall(line + b"\r\n")
        return self.reply()

    def until_closed(self, most: int = 500) -> list[bytes]:
        """Every line the server still sends, up to its close (a missing limit times out or overflows here)."""
        lines: list[bytes] = []
        for line in self.file:
            lines.append(line)
            assert len(lines) <= most, f"still open after {most} replies"
        return lines

    def start_transaction(self) -> None:
        assert self.reply().startswith(b"220")
        for line in (b"EHLO slow.test", b"MAIL FROM:<s@example.ac.uk>", b"RCPT TO:<f@example.org>"):
            assert self.command(line).startswith(b"250")
        assert self.command(b"DATA").startswith(b"354")

    def close(self) -> None:
        self.sock.close()


@contextmanager
def trickling(client: Client, piece: bytes, every: float = 0.05) -> Iterator[None]:
    """Send `piece` again and again in the background until the server closes (or the block ends)."""
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                client.sock.sendall(piece)
            except OSError:
                return
            time.sleep(every)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


@pytest.fixture
def sink(make_recording_sink: Callable[..., RecordingSink]) -> RecordingSink:
    return make_recording_sink()


def test_client_silent_in_a_command_is_cut(make_gateway: Callable[..., Any], sink: RecordingSink) -> None:
    """A command not finished within command_timeout gets 421 4.4.2 and the session is closed."""
    gw = make_gateway(sink.address, command_timeout=0.5)
    c = Client(gw.port)
    assert c.reply().startswith(b"220")
    c.sock.sendall(b"EHLO half-a-comm")
    rest = c.until_closed()
    assert rest and rest[-1].startswith(b"421 4.4.2"), rest


def test_message_text_trickled_past_data_timeout_is_cut(
    make_gateway: Callable[..., Any], sink: RecordingSink
) -> None:
    """Lines trickled after 354 for longer than data_timeout: 421, closed, nothing delivered."""
    gw = make_gateway(sink.address, command_timeout=GENEROUS, data_timeout=0.5)
    c = Client(gw.port)
    c.start_transaction()
    with trickling(c, b"more text\r\n"):
        rest = c.until_closed()
    assert rest and rest[-1].startswith(b"421 4.4.2"), rest
    assert sink.messages == []


def test_busy_session_is_cut_at_session_timeout(
    make_gateway: Callable[..., Any], sink: RecordingSink
) -> None:
    """A client that keeps a session alive with NOOPs is closed with 421 once session_timeout is over."""
    gw = make_gateway(sink.address, command_timeout=GENEROUS, session_timeout=0.5)
    c = Client(gw.port)
    assert c.reply().startswith(b"220")
    with trickling(c, b"NOOP\r\n"):
        rest = c.until_closed()
    assert rest and rest[-1].startswith(b"421 4.4.2"), rest


def test_session_timeout_waits_for_the_answer_in_progress(
    make_gateway: Callable[..., Any], sink: RecordingSink, tmp_path: Any
) -> None:
    """A session whose time runs out while its message is inspected gets its 250 first, then 421."""
    settings = relay_settings(tmp_path, sink.address)
    slow = SlowPipeline(inspecting_pipeline(settings, tmp_path), 1.0)
    gw = make_gateway(sink.address, pipeline=slow, session_timeout=0.5)
    c = Client(gw.port)
    c.start_transaction()
    c.sock.sendall(MESSAGE + b".\r\n")
    rest = c.until_closed()
    assert [line[:3] for line in rest] == [b"250", b"421"], rest
    assert len(sink.messages) == 1


def test_sessions_per_client_address_are_capped(
    make_gateway: Callable[..., Any], sink: RecordingSink
) -> None:
    """Past max_sessions_per_client one address gets 421 4.7.0 at the greeting; another address still gets in."""
    gw = make_gateway(sink.address, max_sessions_per_client=2)
    first, second = Client(gw.port), Client(gw.port)
    assert first.reply().startswith(b"220") and second.reply().startswith(b"220")
    third = Client(gw.port)
    assert third.until_closed()[-1].startswith(b"421 4.7.0")
    other = Client(gw.port, source="127.0.0.2")
    assert other.reply().startswith(b"220")
    assert other.command(b"QUIT").startswith(b"221")
    for c in (first, second, third, other):
        c.close()


def test_slow_clients_in_data_do_not_lock_out_a_new_client(
    make_gateway: Callable[..., Any], sink: RecordingSink
) -> None:
    """With every session held by clients trickling DATA without a line end, a newcomer is let in and delivers."""
    gw = make_gateway(
        sink.address, max_sessions=3, stress_timeout=0.3, command_timeout=GENEROUS, data_timeout=GENEROUS
    )
    slow = [Client(gw.port) for _ in range(3)]
    for c in slow:
        c.start_transaction()
    with trickling(slow[0], b"x"), trickling(slow[1], b"y"), trickling(slow[2], b"z"):
        time.sleep(0.6)  # older than stress_timeout (setup, not an assertion)
        with gw.client(timeout=GENEROUS) as legit:
            legit.sendmail("s@example.ac.uk", ["f@example.org"], MESSAGE)
        cut = [c.until_closed() for c in slow]
    assert all(lines and lines[-1].startswith(b"421 4.4.2") for lines in cut), cut
    assert len(sink.messages) == 1
    for c in slow:
        c.close()


def test_session_waiting_for_its_answer_is_never_cut_to_make_room(
    make_gateway: Callable[..., Any], sink: RecordingSink, tmp_path: Any
) -> None:
    """With the house full, a session whose message is being inspected keeps its place and gets its 250."""
    settings = relay_settings(tmp_path, sink.address)
    inspecting = threading.Event()
    release = threading.Event()

    class Gate:
        inner = inspecting_pipeline(settings, tmp_path)

        async def process(self, envelope: Any, raw: bytes) -> Any:
            import asyncio

            inspecting.set()
            await asyncio.to_thread(release.wait, GENEROUS)
            return await self.inner.process(envelope, raw)

    gw = make_gateway(sink.address, pipeline=Gate(), max_sessions=1, stress_timeout=0.01)
    busy = Client(gw.port)
    busy.start_transaction()
    busy.sock.sendall(MESSAGE + b".\r\n")
    assert inspecting.wait(GENEROUS)
    time.sleep(0.2)  # its client's last line is now older than stress_timeout (setup, not an assertion)
    newcomer = Client(gw.port)
    assert newcomer.until_closed()[-1].startswith(b"421 4.3.2")  # no room: the busy session was not cut
    release.set()
    assert busy.reply().startswith(b"250")
    assert len(sink.messages) == 1
    for c in (busy, newcomer):
        c.close()
