"""The milter wire format: framing, command decoding, response encoding."""

from __future__ import annotations

import struct

import pytest

from gateway.milter import codec
from gateway.milter.codec import FrameDecoder, Packet, ProtocolError, decode_command


def frame(command: bytes, data: bytes = b"") -> bytes:
    return struct.pack("!I", len(data) + 1) + command + data


# --- framing -----------------------------------------------------------------------------------


def test_packets_split_across_reads_are_reassembled() -> None:
    """A packet that arrives in pieces is returned once, whole."""
    wire = frame(b"H", b"client.example.org\0")
    dec = FrameDecoder()
    assert dec.feed(wire[:3]) == []
    assert dec.feed(wire[3:9]) == []
    assert dec.feed(wire[9:]) == [Packet("H", b"client.example.org\0")]
    assert dec.pending == 0


def test_several_packets_in_one_read_come_out_in_order() -> None:
    """Pipelined packets (NR_* negotiated) are all decoded, in order."""
    wire = frame(b"L", b"Subject\0 hi\0") + frame(b"N") + frame(b"B", b"body\r\n") + frame(b"E")
    assert [p.command for p in FrameDecoder().feed(wire)] == ["L", "N", "B", "E"]


def test_zero_length_packet_is_a_protocol_error() -> None:
    """A length of 0 (no command byte) is refused, as Postfix refuses it."""
    with pytest.raises(ProtocolError):
        FrameDecoder().feed(b"\0\0\0\0")


def test_packet_over_the_cap_is_refused_before_its_data_arrives() -> None:
    """An oversized length is refused from the 4-byte header alone (no 1 MiB buffered first)."""
    with pytest.raises(ProtocolError, match="cap"):
        FrameDecoder().feed(struct.pack("!I", codec.MAX_PACKET + 1) + b"B")


def test_packets_before_a_bad_length_are_kept_and_the_error_remembered() -> None:
    """Good packets ahead of a bad length in the same read are returned; the error then sticks."""
    dec = FrameDecoder()
    assert dec.feed(frame(b"H", b"x\0") + b"\0\0\0\0") == [Packet("H", b"x\0")]
    assert dec.error is not None
    with pytest.raises(ProtocolError):
        dec.feed(frame(b"N"))


def test_packet_at_the_cap_is_accepted() -> None:
    """Exactly MAX_PACKET bytes (command included) is still a valid packet."""
    data = b"x" * (codec.MAX_PACKET - 1)
    (packet,) = FrameDecoder().feed(frame(b"B", data))
    assert packet == Packet("B", data)


def test_truncated_packet_stays_pending() -> None:
    """Half a packet is not returned; `pending` tells the connection it was cut short."""
    dec = FrameDecoder()
    assert dec.feed(frame(b"H", b"helo\0")[:-2]) == []
    assert dec.pending > 0


# --- commands ----------------------------------------------------------------------------------


def test_postfix_optneg_is_decoded() -> None:
    """Postfix's v6 offer: version 6, actions 0x1FF, protocol 0x1FFFFF."""
    assert decode_command(Packet("O", bytes.fromhex("00000006000001ff001fffff"))) == codec.OptNeg(
        6, 0x1FF, 0x1FFFFF
    )


@pytest.mark.parametrize(
    ("command", "data", "expected"),
    [
        (
            "D",
            b"Ci\0ABC123\0{auth_authen}\0alice\0",
            codec.Macros("C", {"i": "ABC123", "auth_authen": "alice"}),
        ),
        ("D", b"T", codec.Macros("T", {})),
        (
            "C",
            b"mx.example.org\x004\x30\x39127.0.0.1\0",
            codec.Connect("mx.example.org", "4", 12345, "127.0.0.1"),
        ),
        ("C", b"[::1]\x006\x00\x19::1\0", codec.Connect("[::1]", "6", 25, "::1")),
        ("C", b"localhost\0U", codec.Connect("localhost", "U")),
        ("H", b"client.example.org\0", codec.Helo("client.example.org")),
        ("M", b"<a@example.org>\0SIZE=100\0", codec.Mail(("<a@example.org>", "SIZE=100"))),
        ("R", b"<b@example.net>\0", codec.Rcpt(("<b@example.net>",))),
        ("L", b"Subject\0 hello\n world\0", codec.Header(b"Subject", b" hello\n world")),
        ("L", b"X-Empty\0\0", codec.Header(b"X-Empty", b"")),
        ("B", b"line\r\n", codec.Body(b"line\r\n")),
        ("E", b"", codec.EndOfBody(b"")),
        ("U", b"XYZZY\0", codec.Unknown(b"XYZZY")),
        ("T", b"", codec.Simple("T")),
        ("N", b"", codec.Simple("N")),
        ("A", b"", codec.Simple("A")),
        ("Q", b"", codec.Simple("Q")),
        ("K", b"", codec.Simple("K")),
    ],
)
def test_commands_decode(command: str, data: bytes, expected: codec.Command) -> None:
    """Each command's payload is decoded into its fields."""
    assert decode_command(Packet(command, data)) == expected


@pytest.mark.parametrize(
    ("command", "data"),
    [
        ("O", b"\0\0\0\x06\0\0\x01\xff"),  # too short for three longs
        ("H", b"no-terminator"),
        ("H", b"two\0strings\0"),
        ("M", b""),
        ("M", b"\0"),  # empty address
        ("L", b"Subject\0"),  # no value
        ("L", b"\0value\0"),  # no name
        ("C", b"host\0"),  # no family
        ("C", b"host\x004\x00"),  # no port/address
        ("C", b"host\x00X\x00\x19addr\0"),  # unknown family
        ("D", b""),  # no stage
        ("Z", b""),  # unknown command
        ("o", b""),  # a response letter is not a command
    ],
)
def test_malformed_or_unknown_commands_are_protocol_errors(command: str, data: bytes) -> None:
    """Truncated payloads, missing NULs and unknown command letters raise ProtocolError."""
    with pytest.raises(ProtocolError):
        decode_command(Packet(command, data))


# --- responses ---------------------------------------------------------------------------------


def test_response_packets_are_byte_exact() -> None:
    """The response encoders produce the exact wire bytes libmilter would."""
    assert codec.simple(codec.CONTINUE) == b"\0\0\0\x01c"
    assert codec.simple(codec.TEMPFAIL) == b"\0\0\0\x01t"
    assert codec.simple(codec.PROGRESS) == b"\0\0\0\x01p"
    assert codec.optneg(6, 3, 0x1FF3C0) == bytes.fromhex("0000000d4f00000006000000030" + "01ff3c0")
    assert codec.add_header(b"X-A", b" b") == b"\0\0\0\x08hX-A\0 b\0"
    assert codec.replycode("550 5.7.1 No") == b"\0\0\0\x0ey550 5.7.1 No\0"
    assert codec.quarantine("held") == b"\0\0\0\x06qheld\0"
    assert codec.del_rcpt("<c@x.org>") == b"\0\0\0\x0b-<c@x.org>\0"


def test_body_replacement_is_chunked_under_65535_bytes() -> None:
    """A long new body goes out as several REPLBODY packets, none over the MTA's buffer."""
    body = b"a" * (codec.MAX_BODY_CHUNK * 2 + 10)
    packets = codec.replace_body(body)
    assert len(packets) == 3
    decoded = FrameDecoder().feed(b"".join(packets))
    assert all(p.command == "b" and len(p.data) <= codec.MAX_BODY_CHUNK for p in decoded)
    assert b"".join(p.data for p in decoded) == body


def test_strings_with_nul_cannot_be_encoded() -> None:
    """A NUL inside a header value would end the string early on the wire: refused."""
    with pytest.raises(ValueError):
        codec.add_header(b"X-A", b"a\0b")
