"""Hostile input at the relay: control characters in addresses and bare CRs get a definite answer.

A NUL or another control character in MAIL FROM / RCPT TO is a syntax error
(501, never the 451 that makes the sender's server retry for ever), and a bare
CR is read as the line break every mail reader takes it for, in what is
inspected and in what is delivered alike.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.servers import RecordingSink

pytestmark = pytest.mark.integration


def dialogue(port: int, commands: list[bytes]) -> list[bytes]:
    """Send raw command lines one by one; the reply line(s) to each."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        f = s.makefile("rb")
        f.readline()  # greeting
        replies = []
        for line in commands:
            s.sendall(line + b"\r\n")
            reply = f.readline()
            while reply[3:4] == b"-":
                reply = f.readline()
            replies.append(reply)
        return replies


CONTROL = {
    "NUL in the sender": (b"MAIL FROM:<a\x00b@example.ac.uk>", 0),
    "escape in the sender": (b"MAIL FROM:<a\x1bb@example.ac.uk>", 0),
    "tab in the sender": (b"MAIL FROM:<a\tb@example.ac.uk>", 0),
    "DEL in the sender": (b"MAIL FROM:<a\x7fb@example.ac.uk>", 0),
    "NUL in a recipient": (b"RCPT TO:<f\x00@example.org>", 1),
    "bell in a recipient": (b"RCPT TO:<f\x07@example.org>", 1),
    "NUL in a DSN parameter": (b"RCPT TO:<f@example.org> ORCPT=rfc822;f\x00@example.org", 1),
}


@pytest.mark.parametrize(("line", "step"), CONTROL.values(), ids=CONTROL.keys())
def test_control_characters_in_addresses_are_a_syntax_error(
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
    line: bytes,
    step: int,
) -> None:
    """A control character in MAIL/RCPT is answered 501 (syntax), never 451, and the session goes on."""
    sink = make_recording_sink()
    gw = make_gateway(sink.address)
    good = [b"EHLO client.test", b"MAIL FROM:<s@example.ac.uk>"]
    commands = [good[0], line] if step == 0 else [*good, line]
    replies = dialogue(gw.port, [*commands, b"NOOP"])
    assert replies[len(commands) - 1].startswith(b"501 "), replies
    assert replies[-1].startswith(b"250"), replies  # still talking
    assert sink.messages == []


BARE_CR = (
    b"From: s@example.ac.uk\r\n"
    b"To: f@example.org\r\n"
    b"Subject: hello\rX-Hidden: Patient NHS 943 476 5919\r\n"
    b"\r\n"
    b"line one\rline two\r\n"
)


def test_bare_cr_is_a_line_break_in_what_is_inspected_and_delivered(
    make_gateway: Callable[..., Any], make_recording_sink: Callable[..., RecordingSink]
) -> None:
    """A bare CR splits the header in two, as mail readers do; the inspected bytes are the delivered bytes."""
    seen: list[bytes] = []

    class Recording:
        async def process(self, envelope: Any, raw: bytes) -> Any:
            from gateway.model import Decision, Verdict
            from gateway.pipeline import Outcome

            seen.append(raw)
            return Outcome(decision=Decision(verdict=Verdict.PASS), findings=[])

    sink = make_recording_sink()
    gw = make_gateway(sink.address, pipeline=Recording())
    with gw.client() as c:
        c.sendmail("s@example.ac.uk", ["f@example.org"], BARE_CR)
    assert len(seen) == 1 and len(sink.messages) == 1
    assert b"\r\nX-Hidden: Patient NHS 943 476 5919\r\n" in seen[0]
    assert b"line one\r\nline two\r\n" in seen[0]
    assert seen[0].count(b"\r") == seen[0].count(b"\n") == seen[0].count(b"\r\n")
    assert sink.messages[0].content == seen[0]
