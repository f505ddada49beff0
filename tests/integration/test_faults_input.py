"""Hostile input at the relay: control characters in addresses and bare CRs get a definite answer.

A NUL or another control character in MAIL FROM / RCPT TO is a syntax error
(501, never the 451 that makes the sender's server retry for ever), and a bare
CR is read as a real Postfix reads it (a space, so a header behind it joins
the header before it), in what is inspected and in what is delivered alike.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.servers import RecordingSink, wait_until

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
    b"bare\nline feed\r\n"
)


def raw_send(port: int, content: bytes) -> bytes:
    """One message with its bytes as they are (smtplib would rewrite bare CRs); the final reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        f = s.makefile("rb")
        f.readline()
        for line in (
            b"EHLO client.test",
            b"MAIL FROM:<s@example.ac.uk>",
            b"RCPT TO:<f@example.org>",
            b"DATA",
        ):
            s.sendall(line + b"\r\n")
            reply = f.readline()
            while reply[3:4] == b"-":
                reply = f.readline()
        s.sendall(content + b".\r\n")
        return f.readline()


def subject_and_body(message: bytes, eol: bytes) -> tuple[bytes, list[bytes]]:
    head, _, body = message.partition(eol + eol)
    subject = next(line for line in head.split(eol) if line.startswith(b"Subject:"))
    return subject, [line for line in body.split(eol) if line]


def test_stray_cr_is_read_as_postfix_reads_it_and_inspected_as_delivered(
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
    make_postfix: Callable[..., Any],
    make_sink: Callable[..., Any],
) -> None:
    """A bare CR becomes a space (Postfix's cleanup_replace_stray_cr_lf), so the header behind it is inspected as delivered."""
    from gateway.model import Decision, Outcome, Verdict

    seen: list[bytes] = []

    class Recording:
        async def process(self, envelope: Any, raw: bytes) -> Outcome:
            seen.append(raw)
            return Outcome(decision=Decision(verdict=Verdict.PASS), findings=[])

    relay_sink = make_recording_sink()
    gw = make_gateway(relay_sink.address, pipeline=Recording())
    assert raw_send(gw.port, BARE_CR).startswith(b"250")
    assert len(seen) == 1 and [m.content for m in relay_sink.messages] == seen

    postfix_sink = make_sink()
    postfix = make_postfix(postfix_sink.address)
    assert raw_send(postfix.port, BARE_CR).startswith(b"250")
    postfix.flush()
    delivered_by_postfix = wait_until(postfix_sink.messages, timeout=60)[0].content

    assert subject_and_body(seen[0], b"\r\n") == subject_and_body(delivered_by_postfix, b"\n")
    assert b"Subject: hello X-Hidden: Patient NHS 943 476 5919\r\n" in seen[0]  # in a header that is read
