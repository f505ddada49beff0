"""The milter wire format pinned to libmilter's numbers and letters, byte for byte, with its exact refusals."""

from __future__ import annotations

import struct

import pytest

from gateway.milter import codec
from gateway.milter.codec import FrameDecoder, Packet, ProtocolError, decode_command


def frame(command: bytes, data: bytes = b"") -> bytes:
    return struct.pack("!I", len(data) + 1) + command + data


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SMFIF_ADDHDRS", 0x01),
        ("SMFIF_CHGBODY", 0x02),
        ("SMFIF_ADDRCPT", 0x04),
        ("SMFIF_DELRCPT", 0x08),
        ("SMFIF_CHGHDRS", 0x10),
        ("SMFIF_QUARANTINE", 0x20),
        ("SMFIF_CHGFROM", 0x40),
        ("SMFIF_ADDRCPT_PAR", 0x80),
        ("SMFIF_SETSYMLIST", 0x100),
        ("SMFIP_NOCONNECT", 0x01),
        ("SMFIP_NOHELO", 0x02),
        ("SMFIP_NOMAIL", 0x04),
        ("SMFIP_NORCPT", 0x08),
        ("SMFIP_NOBODY", 0x10),
        ("SMFIP_NOHDRS", 0x20),
        ("SMFIP_NOEOH", 0x40),
        ("SMFIP_NR_HDR", 0x80),
        ("SMFIP_NOUNKNOWN", 0x100),
        ("SMFIP_NODATA", 0x200),
        ("SMFIP_SKIP", 0x400),
        ("SMFIP_RCPT_REJ", 0x800),
        ("SMFIP_NR_CONN", 0x1000),
        ("SMFIP_NR_HELO", 0x2000),
        ("SMFIP_NR_MAIL", 0x4000),
        ("SMFIP_NR_RCPT", 0x8000),
        ("SMFIP_NR_DATA", 0x10000),
        ("SMFIP_NR_UNKN", 0x20000),
        ("SMFIP_NR_EOH", 0x40000),
        ("SMFIP_NR_BODY", 0x80000),
        ("SMFIP_HDR_LEADSPC", 0x100000),
        ("MAX_PACKET", 1048576),
        ("MAX_BODY_CHUNK", 65535),
    ],
)
def test_protocol_numbers_are_libmilters(name: str, value: int) -> None:
    """Action and protocol bits are the numbers the MTA's libmilter uses; a different bit asks for something else."""
    assert getattr(codec, name) == value


@pytest.mark.parametrize(
    ("name", "letter"),
    [
        ("ABORT", "A"),
        ("BODY", "B"),
        ("CONNECT", "C"),
        ("MACRO", "D"),
        ("BODYEOB", "E"),
        ("HELO", "H"),
        ("QUIT_NC", "K"),
        ("HEADER", "L"),
        ("MAIL", "M"),
        ("EOH", "N"),
        ("OPTNEG", "O"),
        ("QUIT", "Q"),
        ("RCPT", "R"),
        ("DATA", "T"),
        ("UNKNOWN", "U"),
        ("ADDRCPT", "+"),
        ("DELRCPT", "-"),
        ("ACCEPT", "a"),
        ("REPLBODY", "b"),
        ("CONTINUE", "c"),
        ("DISCARD", "d"),
        ("ADDHEADER", "h"),
        ("CHGHEADER", "m"),
        ("PROGRESS", "p"),
        ("QUARANTINE", "q"),
        ("REJECT", "r"),
        ("TEMPFAIL", "t"),
        ("REPLYCODE", "y"),
    ],
)
def test_command_and_response_letters_are_libmilters(name: str, letter: str) -> None:
    """Each command and response is the one-letter code of the milter protocol."""
    assert getattr(codec, name) == letter


def test_command_set_and_no_reply_bits() -> None:
    """The known commands, and the "won't reply" bit of each command that has one."""
    assert frozenset("ABCDEHKLMNOQRTU") == codec.COMMANDS
    assert codec.NO_REPLY_BIT == {
        "C": 0x1000,
        "H": 0x2000,
        "M": 0x4000,
        "R": 0x8000,
        "T": 0x10000,
        "U": 0x20000,
        "N": 0x40000,
        "B": 0x80000,
        "L": 0x80,
    }


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        (b"\0\0\0\0", "packet length 0"),
        (struct.pack("!I", 1048577), "packet length 1048577 over the 1048576-byte cap"),
    ],
)
def test_bad_lengths_are_refused_with_their_reason(wire: bytes, message: str) -> None:
    """A zero or oversized length closes the connection with the reason logged."""
    with pytest.raises(ProtocolError) as e:
        FrameDecoder().feed(wire)
    assert str(e.value) == message


def test_a_smaller_cap_is_honoured_to_the_byte() -> None:
    """A decoder with a smaller cap accepts a packet of exactly that length and refuses one byte more."""
    assert FrameDecoder(max_packet=3).feed(frame(b"B", b"xy")) == [Packet("B", b"xy")]
    with pytest.raises(ProtocolError, match=r"^packet length 4 over the 3-byte cap$"):
        FrameDecoder(max_packet=3).feed(frame(b"B", b"xyz"))


def test_header_split_at_four_bytes_and_tail_pending() -> None:
    """A read ending just after a length header waits for the rest; `pending` counts exactly the unfinished bytes."""
    dec = FrameDecoder()
    assert dec.feed(frame(b"N")[:4]) == [] and dec.pending == 4
    assert dec.feed(b"N" + frame(b"B", b"abc")[:6]) == [Packet("N")]
    assert dec.pending == 6
    assert dec.feed(frame(b"B", b"abc")[6:]) == [Packet("B", b"abc")] and dec.pending == 0


def test_error_after_good_packets_is_raised_on_the_next_read() -> None:
    """The bad length behind good packets is remembered with its reason and raised by the next read."""
    dec = FrameDecoder()
    assert dec.feed(frame(b"N") + frame(b"T") + b"\0\0\0\0") == [Packet("N"), Packet("T")]
    with pytest.raises(ProtocolError, match=r"^packet length 0$"):
        dec.feed(b"")


@pytest.mark.parametrize(
    ("command", "data", "expected"),
    [
        ("D", b"C{i}\0Q1\0{j}\0", codec.Macros("C", {"i": "Q1"})),
        ("D", b"M{x}\0\xff\0", codec.Macros("M", {"x": "\ufffd"})),
        ("O", bytes.fromhex("00000002000000010000000200000009"), codec.OptNeg(2, 1, 2)),
        ("C", b"sock\0L\0\0/run/x\0", codec.Connect("sock", "L", 0, "/run/x")),
        ("C", b"\x004\x00\x19192.0.2.1\0", codec.Connect("", "4", 25, "192.0.2.1")),
        ("C", b"h\x004\x01\x00\0", codec.Connect("h", "4", 256, "")),
        ("C", b"h\x00U\x01\x00junk", codec.Connect("h", "U")),
        ("M", b"<>\0", codec.Mail(("<>",))),
        ("L", b"X-\xff\0v\xfe\0", codec.Header(b"X-\xff", b"v\xfe")),
        ("E", b"tail", codec.EndOfBody(b"tail")),
    ],
)
def test_command_edge_cases_decode(command: str, data: bytes, expected: codec.Command) -> None:
    """Odd but valid payloads decode: a trailing macro name, bad UTF-8, unix sockets, empty addresses, raw header bytes."""
    assert decode_command(Packet(command, data)) == expected


def test_connection_of_unknown_family_has_no_port_or_address() -> None:
    """A connection from an unknown family ("U") is reported with port 0 and no address."""
    connect = decode_command(Packet("C", b"h\0U"))
    assert (connect.hostname, connect.family, connect.port, connect.address) == ("h", "U", 0, "")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("command", "data", "message"),
    [
        ("O", bytes(11), "option negotiation packet too short"),
        ("D", b"", "macro packet without a stage"),
        ("D", b"Cx", "macros: strings not NUL-terminated"),
        ("C", b"host", "connect: truncated"),
        ("C", b"host\0", "connect: truncated"),
        ("C", b"host\x004\x00", "connect: truncated"),
        ("C", b"host\x004\x00\x19", "connect: truncated"),
        ("C", b"host\x00X\x00\x19a\0", "connect: unknown address family 'X'"),
        ("C", b"host\x004\x00\x19a\0b\0", "connect: expected 1 strings, got 2"),
        ("H", b"", "helo: strings not NUL-terminated"),
        ("H", b"a\0b\0", "helo: expected 1 strings, got 2"),
        ("M", b"x", "mail: strings not NUL-terminated"),
        ("R", b"x", "rcpt: strings not NUL-terminated"),
        ("R", b"\0NOTIFY=NEVER\0", "empty address"),
        ("L", b"\0v\0", "header without a name"),
        ("L", b"a\0b\0c\0", "header: expected 2 strings, got 3"),
        ("U", b"a\0b\0", "unknown: expected 1 strings, got 2"),
        ("y", b"", "unknown command 'y'"),
    ],
)
def test_malformed_commands_name_what_is_wrong(command: str, data: bytes, message: str) -> None:
    """Each malformed command is refused with a reason naming the command and the fault."""
    with pytest.raises(ProtocolError) as e:
        decode_command(Packet(command, data))
    assert str(e.value) == message


@pytest.mark.parametrize(
    ("packet", "wire"),
    [
        (codec.simple(codec.ACCEPT), b"\0\0\0\x01a"),
        (codec.simple(codec.REJECT), b"\0\0\0\x01r"),
        (codec.simple(codec.DISCARD), b"\0\0\0\x01d"),
        (codec.encode("c", b"xy"), b"\0\0\0\x03cxy"),
        (codec.optneg(6, 0x1FF, 0x1FFFFF), bytes.fromhex("0000000d4f00000006000001ff001fffff")),
        (codec.add_header(b"", b""), b"\0\0\0\x03h\0\0"),
        (codec.del_rcpt("<é@x>"), b"\0\0\0\x08-<\xc3\xa9@x>\0"),
        (codec.quarantine(""), b"\0\0\0\x06qheld\0"),
        (codec.quarantine("réason"), b"\0\0\0\x08qr?ason\0"),
    ],
)
def test_more_response_packets_are_byte_exact(packet: bytes, wire: bytes) -> None:
    """Accept, reject, discard, negotiation, headers, recipients and quarantine reasons go out byte for byte."""
    assert packet == wire


@pytest.mark.parametrize(
    ("size", "chunks"),
    [(0, [0]), (1, [1]), (65535, [65535]), (65536, [65535, 1])],
)
def test_body_replacement_chunk_boundaries(size: int, chunks: list[int]) -> None:
    """REPLBODY chunks are at most 65535 bytes; an empty body is still one (empty) packet."""
    packets = codec.replace_body(b"z" * size)
    assert [len(p) - 5 for p in packets] == chunks
    assert all(p[4:5] == b"b" and p[:4] == struct.pack("!I", len(p) - 4) for p in packets)


@pytest.mark.parametrize(
    ("encode", "message"),
    [
        (lambda: codec.add_header(b"X\0", b"v"), "header name contains NUL"),
        (lambda: codec.add_header(b"X", b"\0"), "header value contains NUL"),
        (lambda: codec.replycode("550 a\0b"), "reply contains NUL"),
        (lambda: codec.del_rcpt("<a\0b>"), "recipient contains NUL"),
        (lambda: codec.quarantine("a\0"), "quarantine reason contains NUL"),
        (lambda: codec.simple(codec.ADDHEADER), "not a response without data: 'h'"),
    ],
)
def test_unencodable_responses_are_refused(encode: object, message: str) -> None:
    """A NUL inside a string, or data-less use of a response that needs data, is a programming error."""
    with pytest.raises(ValueError) as e:
        encode()  # type: ignore[operator]
    assert str(e.value) == message
