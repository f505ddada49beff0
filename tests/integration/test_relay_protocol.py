"""The relay never acknowledges a message on a next-hop reply that did not accept it.

Each case is a next hop that answers out of step with the SMTP dialogue; the
client must get 451 (it keeps the message and retries) and nothing may be
counted acknowledged that the next hop did not take.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.integration.scripted_hop import NORMAL, Pause, ScriptedHop

pytestmark = pytest.mark.integration

MESSAGE = b"From: s@example.ac.uk\r\nTo: f@example.org\r\nSubject: t\r\n\r\nhello\r\n"


@pytest.fixture
def make_hop() -> Iterator[Callable[..., ScriptedHop]]:
    started: list[ScriptedHop] = []

    def factory(script: dict[str, Any]) -> ScriptedHop:
        hop = ScriptedHop(script)
        started.append(hop)
        return hop.start()

    yield factory
    for hop in started:
        hop.stop()


def send_one(port: int) -> tuple[int, bytes]:
    """One message on its own session; the final reply's code and text (a refusal at any step counts)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as c:
        c.ehlo()
        for step in (lambda: c.mail("s@example.ac.uk"), lambda: c.rcpt("f@example.org")):
            code, text = step()
            if code != 250:
                return code, text
        return c.data(MESSAGE)


MISBEHAVIOURS = {
    "DATA command answered 250 (no 354)": {"DATA": b"250 2.0.0 Ok\r\n"},
    "DATA command answered 251": {"DATA": b"251 2.0.0 Ok\r\n"},
    "final dot answered 354": {"END": b"354 go on\r\n"},
    "final dot answered 220": {"END": b"220 hello again\r\n"},
    "MAIL answered 354": {"MAIL": b"354 go ahead\r\n"},
    "MAIL answered 252": {"MAIL": b"252 maybe\r\n"},
    "RCPT answered 354": {"RCPT": b"354 go ahead\r\n"},
    "one reply too many after MAIL, same write": {"MAIL": NORMAL["MAIL"] + b"250 2.1.0 Ok again\r\n"},
    "one reply too many after MAIL, a moment later": {
        "MAIL": [NORMAL["MAIL"], Pause(0.05), b"250 2.1.0 Ok again\r\n"]
    },
    "one reply too many after RCPT": {"RCPT": NORMAL["RCPT"] + b"250 2.1.5 Ok again\r\n"},
    "one reply too many after EHLO": {"EHLO": NORMAL["EHLO"] + b"250 extra\r\n"},
    "final dot answered twice": {"END": b"250 2.0.0 Ok: queued as A\r\n250 2.0.0 Ok: queued as B\r\n"},
}


@pytest.mark.parametrize("script", MISBEHAVIOURS.values(), ids=MISBEHAVIOURS.keys())
def test_out_of_step_next_hop_gets_the_client_a_451(
    make_gateway: Callable[..., Any], make_hop: Callable[..., ScriptedHop], script: dict[str, Any]
) -> None:
    """A next hop answering out of step gets the client 451 4.4.2, never 250, and the session is closed."""
    hop = make_hop(script)
    gw = make_gateway(hop.address)
    code, text = send_one(gw.port)
    assert code == 451, text
    assert b"4.4.2" in text and b"protocol" in text


def test_shifted_replies_lose_nothing_over_many_messages(
    make_gateway: Callable[..., Any], make_hop: Callable[..., ScriptedHop]
) -> None:
    """With a stray reply after every MAIL, no message the client was told 250 for is missing downstream."""
    hop = make_hop({"MAIL": [NORMAL["MAIL"], Pause(0.01), b"250 2.1.0 stray\r\n"]})
    gw = make_gateway(hop.address)
    acknowledged = sum(send_one(gw.port)[0] == 250 for _ in range(8))
    assert acknowledged <= len(hop.accepted)


def test_a_well_behaved_scripted_hop_delivers(
    make_gateway: Callable[..., Any], make_hop: Callable[..., ScriptedHop]
) -> None:
    """The control: the same next hop answering in step takes the message and the client gets 250."""
    hop = make_hop({})
    gw = make_gateway(hop.address)
    code, _ = send_one(gw.port)
    assert code == 250
    assert hop.accepted == [MESSAGE]
