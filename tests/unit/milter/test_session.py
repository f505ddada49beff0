"""The milter state machine, packet by packet, with the MTA's side scripted."""

from __future__ import annotations

import struct

import pytest

from gateway.milter import codec
from gateway.milter.codec import FrameDecoder, Packet
from gateway.milter.session import (
    Close,
    Collected,
    EndOfMessage,
    Final,
    Reply,
    Result,
    Session,
    assemble,
)

POSTFIX_V6_OPTNEG = bytes.fromhex("0000000d4f00000006000001ff001fffff")
SENDMAIL_V2_OPTNEG = bytes.fromhex("0000000d4f000000020000003f0000007f")

ADD_HEADERS_AND_BODY = codec.SMFIF_ADDHDRS | codec.SMFIF_CHGBODY


def packets(wire: bytes) -> list[Packet]:
    return FrameDecoder().feed(wire)


def p(command: str, data: bytes = b"") -> Packet:
    return Packet(command, data)


def new_session(*, size: int = 10_000, actions: int = ADD_HEADERS_AND_BODY) -> Session:
    return Session(max_message_size=size, want_actions=actions)


def negotiated(offer: bytes = POSTFIX_V6_OPTNEG, **kw: int) -> Session:
    s = new_session(**kw)
    (packet,) = packets(offer)
    assert isinstance(s.receive(packet), Reply)
    return s


def wire(step: object) -> bytes:
    assert isinstance(step, Reply), step
    return b"".join(step.packets)


# A Postfix transaction after negotiation: macros, connect, helo, mail, rcpt, data, headers, body.
def postfix_transaction() -> list[Packet]:
    return [
        p("D", b"Cj\0mta.example.ac.uk\0{daemon_name}\0mta\0"),
        p("C", b"[192.0.2.7]\x004\x04\xd2192.0.2.7\0"),
        p("H", b"laptop.example.ac.uk\0"),
        p("D", b"Mi\0\0{auth_authen}\0student1\0{mail_addr}\0s1@example.ac.uk\0"),
        p("M", b"<s1@example.ac.uk>\0SIZE=120\0BODY=8BITMIME\0"),
        p("R", b"<x@example.org>\0NOTIFY=NEVER\0"),
        p("R", b"<y@nhs.net>\0"),
        p("D", b"Ti\0QID42\0"),
        p("T"),
        p("D", b"Li\0QID42\0"),
        p("L", b"From\0 Student <s1@example.ac.uk>\0"),
        p("L", b"Subject\0 Ward round\n\tnotes\0"),
        p("L", b"X-Tight\0:no space\0"),
        p("N"),
        p("B", b"Hello,\r\nsee you.\r\n"),
    ]


# --- negotiation ---------------------------------------------------------------------------------


def test_postfix_v6_negotiation_golden_reply() -> None:
    """Postfix's exact offer (6, 0x1FF, 0x1FFFFF) gets version 6 and subsets of both masks."""
    s = new_session()
    (packet,) = packets(POSTFIX_V6_OPTNEG)
    assert wire(s.receive(packet)) == bytes.fromhex("0000000d4f0000000600000003001ff3c0")


def test_postfix_v6_negotiation_with_postfix_hold_asks_for_quarantine() -> None:
    """With hold_action = postfix-hold the QUARANTINE action (0x20) is asked for too."""
    s = new_session(actions=ADD_HEADERS_AND_BODY | codec.SMFIF_QUARANTINE)
    (packet,) = packets(POSTFIX_V6_OPTNEG)
    assert wire(s.receive(packet)) == bytes.fromhex("0000000d4f0000000600000023001ff3c0")


def test_v2_negotiation_golden_reply() -> None:
    """A version-2 offer (Sendmail 8.13: actions 0x3F, protocol 0x7F) gets version 2, nothing newer."""
    s = new_session()
    (packet,) = packets(SENDMAIL_V2_OPTNEG)
    assert wire(s.receive(packet)) == bytes.fromhex("0000000d4f000000020000000300000040")


@pytest.mark.parametrize(
    ("version", "actions", "protocol"),
    [(6, 0x1FF, 0x1FFFFF), (2, 0x3F, 0x7F), (4, 0x01, 0x3FF), (9, 0xFFFFFFFF, 0xFFFFFFFF), (6, 0, 0)],
)
def test_reply_never_exceeds_the_offer(version: int, actions: int, protocol: int) -> None:
    """Version <= offered, actions and protocol bits a subset of the offer (Postfix drops us otherwise)."""
    s = new_session(actions=0x1FF)
    (reply,) = packets(wire(s.receive(p("O", struct.pack("!III", version, actions, protocol)))))
    got_version, got_actions, got_protocol = struct.unpack("!III", reply.data)
    assert got_version <= version and got_version <= 6
    assert got_actions & ~actions == 0
    assert got_protocol & ~protocol == 0


def test_version_1_is_refused() -> None:
    """An MTA offering protocol version 1 is closed on: too old to speak safely."""
    assert isinstance(new_session().receive(p("O", struct.pack("!III", 1, 0x1F, 0x7F))), Close)


def test_commands_before_negotiation_close_the_connection() -> None:
    """Anything but OPTNEG first is a protocol error."""
    assert isinstance(new_session().receive(p("H", b"x\0")), Close)


def test_second_negotiation_closes_the_connection() -> None:
    """OPTNEG twice on one connection is a protocol error."""
    s = negotiated()
    (packet,) = packets(POSTFIX_V6_OPTNEG)
    assert isinstance(s.receive(packet), Close)


# --- replies -----------------------------------------------------------------------------------


def test_v6_transaction_gets_no_reply_until_end_of_message() -> None:
    """With Postfix's offer every NR_* bit is negotiated: no reply to any command before EOM."""
    s = negotiated()
    for packet in postfix_transaction():
        assert s.receive(packet) == Reply(), packet.command
    assert isinstance(s.receive(p("E")), EndOfMessage)


def test_v2_transaction_gets_one_continue_per_command() -> None:
    """Without NR_* bits each command but D gets exactly one CONTINUE."""
    s = negotiated(SENDMAIL_V2_OPTNEG)
    for packet in postfix_transaction():
        step = s.receive(packet)
        expected = b"" if packet.command == "D" else b"\0\0\0\x01c"
        assert wire(step) == expected, packet.command


@pytest.mark.parametrize("command", ["D", "A", "K"])
def test_no_reply_commands_get_none(command: str) -> None:
    """MACRO, ABORT and QUIT_NC are never answered, even without NR_* bits."""
    s = negotiated(SENDMAIL_V2_OPTNEG)
    data = b"Mi\0Q1\0" if command == "D" else b""
    assert s.receive(p(command, data)) == Reply()


def test_quit_closes_without_reply() -> None:
    """QUIT closes the connection quietly (not a protocol error)."""
    step = negotiated().receive(p("Q"))
    assert isinstance(step, Close) and not step.protocol_error


def test_unknown_command_closes_the_connection() -> None:
    """An unknown command letter closes the connection, with no reply."""
    step = negotiated().receive(p("Z", b"whatever"))
    assert isinstance(step, Close) and step.protocol_error


def test_malformed_command_closes_the_connection() -> None:
    """A command whose payload is truncated (HELO without NUL) closes the connection."""
    assert isinstance(negotiated().receive(p("H", b"no-nul")), Close)


def test_end_of_body_without_a_message_is_tempfailed_once() -> None:
    """EOM with no MAIL before it: nothing to judge, one TEMPFAIL."""
    assert wire(negotiated().receive(p("E"))) == b"\0\0\0\x01t"


# --- collecting the message ------------------------------------------------------------------------


def collect(s: Session) -> Collected:
    for packet in postfix_transaction():
        s.receive(packet)
    step = s.receive(p("E"))
    assert isinstance(step, EndOfMessage)
    return step.message


def test_envelope_and_macros_are_read() -> None:
    """Sender, recipients, options, client, HELO, queue id ({i}) and auth user come through."""
    m = collect(negotiated())
    env = m.envelope
    assert env.mail_from == "s1@example.ac.uk"
    assert env.rcpt_tos == ("x@example.org", "y@nhs.net")
    assert env.mail_options == ("SIZE=120", "BODY=8BITMIME")
    assert env.rcpt_options == (("NOTIFY=NEVER",), ())
    assert env.client_address == "192.0.2.7"
    assert env.helo == "laptop.example.ac.uk"
    assert env.queue_id == "QID42"
    assert m.auth_user == "student1"


def test_message_is_reassembled_as_the_mta_gave_it_with_leading_space() -> None:
    """With HDR_LEADSPC (v6) the exact bytes after each colon are kept; folding becomes CRLF."""
    m = collect(negotiated())
    assert m.raw == (
        b"From: Student <s1@example.ac.uk>\r\n"
        b"Subject: Ward round\r\n\tnotes\r\n"
        b"X-Tight::no space\r\n"
        b"\r\n"
        b"Hello,\r\nsee you.\r\n"
    )


def test_message_is_reassembled_without_leading_space_negotiated() -> None:
    """Without HDR_LEADSPC (v2) the MTA removed one space after the colon: it is put back."""
    s = negotiated(SENDMAIL_V2_OPTNEG)
    for packet in [
        p("M", b"<a@example.org>\0"),
        p("R", b"<b@example.org>\0"),
        p("L", b"Subject\0Hi\0"),
        p("B", b"x\r\n"),
    ]:
        s.receive(packet)
    step = s.receive(p("E"))
    assert isinstance(step, EndOfMessage)
    assert step.message.raw == b"Subject: Hi\r\n\r\nx\r\n"


def test_message_over_the_size_limit_is_flagged_and_not_kept() -> None:
    """Past max_message_size the message is marked oversized and its bytes are dropped."""
    s = negotiated(size=100)
    s.receive(p("M", b"<a@example.org>\0"))
    s.receive(p("L", b"Subject\0 x\0"))
    for _ in range(5):
        s.receive(p("B", b"y" * 40))
    step = s.receive(p("E"))
    assert isinstance(step, EndOfMessage)
    assert step.message.oversized and step.message.raw == b"" and step.message.size > 100


def test_abort_forgets_the_message_but_not_the_connection() -> None:
    """After ABORT a new MAIL starts clean; client and HELO are kept."""
    s = negotiated()
    for packet in postfix_transaction():
        s.receive(packet)
    s.receive(p("A"))
    s.receive(p("M", b"<other@example.ac.uk>\0"))
    s.receive(p("R", b"<z@example.org>\0"))
    s.receive(p("L", b"Subject\0 second\0"))
    step = s.receive(p("E"))
    assert isinstance(step, EndOfMessage)
    assert step.message.envelope.rcpt_tos == ("z@example.org",)
    assert step.message.envelope.client_address == "192.0.2.7"
    assert step.message.envelope.queue_id == ""  # the old message's {i} is gone
    assert step.message.raw == b"Subject: second\r\n\r\n"


def test_quit_nc_forgets_the_connection_but_keeps_the_socket() -> None:
    """QUIT_NC resets client and macros; the next CONNECT starts afresh on the same negotiation."""
    s = negotiated()
    collect(s)
    s.finish(Result(Final.ACCEPT))
    assert s.receive(p("K")) == Reply()
    s.receive(p("M", b"<a@example.org>\0"))
    step = s.receive(p("E"))
    assert isinstance(step, EndOfMessage)
    assert step.message.envelope.client_address == "" and step.message.auth_user == ""


def test_two_messages_on_one_connection() -> None:
    """After an end-of-message reply the next MAIL is a new message."""
    s = negotiated()
    first = collect(s)
    s.finish(Result(Final.ACCEPT))
    second = collect(s)
    assert first.raw == second.raw


# --- end-of-message replies --------------------------------------------------------------------------


def finish(s: Session, result: Result) -> list[Packet]:
    collect(s)
    return packets(b"".join(s.finish(result)))


def test_accept_with_headers_and_body() -> None:
    """Modifications come first (headers with their leading space under LEADSPC), then one ACCEPT."""
    out = finish(
        negotiated(),
        Result(Final.ACCEPT, add_headers=(("X-Compliance-Verdict", "annotate"),), new_body=b"new\r\n"),
    )
    assert out == [
        Packet("h", b"X-Compliance-Verdict\0 annotate\0"),
        Packet("b", b"new\r\n"),
        Packet("a"),
    ]


def test_header_value_has_no_added_space_without_leadspc() -> None:
    """Without HDR_LEADSPC the MTA adds the space itself."""
    out = finish(negotiated(SENDMAIL_V2_OPTNEG), Result(Final.ACCEPT, add_headers=(("X-C", "v"),)))
    assert out[0] == Packet("h", b"X-C\0v\0")


def test_modifications_not_negotiated_are_left_out() -> None:
    """If the MTA did not offer ADDHDRS/CHGBODY, no such packet is sent (Postfix would drop us)."""
    offer = struct.pack("!III", 6, 0, 0x1FFFFF)
    s = new_session()
    s.receive(p("O", offer))
    out = finish(s, Result(Final.ACCEPT, add_headers=(("X-C", "v"),), new_body=b"x"))
    assert out == [Packet("a")]


def test_postfix_hold_is_quarantine_then_accept() -> None:
    """QUARANTINE does not end the message: one final ACCEPT follows."""
    s = negotiated(actions=codec.SMFIF_ADDHDRS | codec.SMFIF_QUARANTINE)
    out = finish(s, Result(Final.ACCEPT, quarantine_reason="compliance hold"))
    assert out == [Packet("q", b"compliance hold\0"), Packet("a")]


def test_quarantine_without_the_action_is_tempfail() -> None:
    """Asked to hold in the MTA without the QUARANTINE action: TEMPFAIL, never a plain accept."""
    out = finish(negotiated(), Result(Final.ACCEPT, quarantine_reason="compliance hold"))
    assert out == [Packet("t")]


def test_recipients_taken_off_before_the_final_answer() -> None:
    """DELRCPT for each recipient to take off (as the MTA named it), then the one final ACCEPT."""
    s = negotiated(actions=ADD_HEADERS_AND_BODY | codec.SMFIF_DELRCPT)
    out = finish(s, Result(Final.ACCEPT, add_headers=(("X-C", "v"),), del_rcpts=("<Check@example.ac.uk>",)))
    assert out == [Packet("-", b"<Check@example.ac.uk>\0"), Packet("h", b"X-C\0 v\0"), Packet("a")]


def test_taking_off_a_recipient_without_the_action_is_tempfail() -> None:
    """Asked to take off a recipient the MTA did not let us remove: TEMPFAIL, never delivery to it."""
    out = finish(negotiated(), Result(Final.ACCEPT, del_rcpts=("<check@example.ac.uk>",)))
    assert out == [Packet("t")]


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (Result(Final.DISCARD), [Packet("d")]),
        (Result(Final.TEMPFAIL), [Packet("t")]),
        (Result(Final.CONTINUE), [Packet("c")]),
        (Result(Final.REPLYCODE, reply=(550, "5.7.1 No 100%")), [Packet("y", b"550 5.7.1 No 100%%\0")]),
    ],
)
def test_final_replies(result: Result, expected: list[Packet]) -> None:
    """Each outcome is exactly one final packet."""
    assert finish(negotiated(), result) == expected


def test_receive_before_finish_is_a_bug() -> None:
    """The MTA waits for the EOM reply; feeding more before finishing is refused loudly."""
    s = negotiated()
    collect(s)
    with pytest.raises(RuntimeError):
        s.receive(p("M", b"<a@example.org>\0"))


def test_assemble_is_plain_bytes() -> None:
    """assemble() writes Name:value lines, a blank line and the body, nothing else."""
    assert assemble([(b"A", b" 1"), (b"B", b" 2")], b"body") == b"A: 1\r\nB: 2\r\n\r\nbody"
