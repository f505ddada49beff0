"""The milter wire format (protocol version 6 and older): framing, commands, responses.

Pure: bytes in, values out; no sockets, no asyncio. A packet is
`uint32 length` (big-endian, counting the command byte) + `char command` +
`data[length - 1]`. Strings are NUL-terminated; an "array" is NUL-terminated
strings running to the end of the packet.

Anything malformed raises `ProtocolError`: a length of 0 or over the cap, a
packet too short for its command, a missing NUL, an unknown command. The
connection answers every `ProtocolError` by closing, which the MTA turns into
its `milter_default_action` (tempfail).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from gateway.errors import GatewayError

#: largest packet accepted from the MTA (Postfix sends body chunks of at most 65535 bytes)
MAX_PACKET = 1024 * 1024

# Commands, MTA -> milter (SMFIC_*)
ABORT = "A"
BODY = "B"
CONNECT = "C"
MACRO = "D"
BODYEOB = "E"
HELO = "H"
QUIT_NC = "K"
HEADER = "L"
MAIL = "M"
EOH = "N"
OPTNEG = "O"
QUIT = "Q"
RCPT = "R"
DATA = "T"
UNKNOWN = "U"
COMMANDS = frozenset("ABCDEHKLMNOQRTU")

# Responses, milter -> MTA (SMFIR_*)
ADDRCPT = "+"
DELRCPT = "-"
ACCEPT = "a"
REPLBODY = "b"
CONTINUE = "c"
DISCARD = "d"
ADDHEADER = "h"
CHGHEADER = "m"
PROGRESS = "p"
QUARANTINE = "q"
REJECT = "r"
TEMPFAIL = "t"
REPLYCODE = "y"

# Actions the milter may ask for (SMFIF_*)
SMFIF_ADDHDRS = 0x01
SMFIF_CHGBODY = 0x02
SMFIF_ADDRCPT = 0x04
SMFIF_DELRCPT = 0x08
SMFIF_CHGHDRS = 0x10
SMFIF_QUARANTINE = 0x20
SMFIF_CHGFROM = 0x40
SMFIF_ADDRCPT_PAR = 0x80
SMFIF_SETSYMLIST = 0x100

# Protocol bits (SMFIP_*): "don't send" (NO*) and "won't reply" (NR*)
SMFIP_NOCONNECT = 0x01
SMFIP_NOHELO = 0x02
SMFIP_NOMAIL = 0x04
SMFIP_NORCPT = 0x08
SMFIP_NOBODY = 0x10
SMFIP_NOHDRS = 0x20
SMFIP_NOEOH = 0x40
SMFIP_NR_HDR = 0x80
SMFIP_NOUNKNOWN = 0x100
SMFIP_NODATA = 0x200
SMFIP_SKIP = 0x400
SMFIP_RCPT_REJ = 0x800
SMFIP_NR_CONN = 0x1000
SMFIP_NR_HELO = 0x2000
SMFIP_NR_MAIL = 0x4000
SMFIP_NR_RCPT = 0x8000
SMFIP_NR_DATA = 0x10000
SMFIP_NR_UNKN = 0x20000
SMFIP_NR_EOH = 0x40000
SMFIP_NR_BODY = 0x80000
SMFIP_HDR_LEADSPC = 0x100000

#: the "won't reply" bit of each command that has one
NO_REPLY_BIT = {
    CONNECT: SMFIP_NR_CONN,
    HELO: SMFIP_NR_HELO,
    MAIL: SMFIP_NR_MAIL,
    RCPT: SMFIP_NR_RCPT,
    DATA: SMFIP_NR_DATA,
    UNKNOWN: SMFIP_NR_UNKN,
    EOH: SMFIP_NR_EOH,
    BODY: SMFIP_NR_BODY,
    HEADER: SMFIP_NR_HDR,
}

#: the largest body chunk a milter may send in one REPLBODY (the MTA's default buffer)
MAX_BODY_CHUNK = 65535

_LEN = struct.Struct("!I")
_OPTNEG = struct.Struct("!III")


class ProtocolError(GatewayError):
    """The MTA sent something that is not valid milter protocol: close the connection."""


@dataclass(frozen=True)
class Packet:
    command: str  # one character
    data: bytes = b""


def encode(command: str, data: bytes = b"") -> bytes:
    """One packet on the wire."""
    return _LEN.pack(len(data) + 1) + command.encode("ascii") + data


class FrameDecoder:
    """Splits a byte stream into packets; refuses lengths of 0 or over `max_packet`.

    The packets before a bad length are still returned; the bad length is
    then in `error` (and raised by the next `feed`), so that a reply owed for
    an earlier packet is not lost before the connection closes.
    """

    def __init__(self, max_packet: int = MAX_PACKET) -> None:
        self.max_packet = max_packet
        self._buf = bytearray()
        self.error: ProtocolError | None = None

    @property
    def pending(self) -> int:
        """Bytes of an unfinished packet (non-zero at end of stream: a truncated packet)."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Packet]:
        if self.error is not None:
            raise self.error
        self._buf += data
        out: list[Packet] = []
        pos = 0
        buf = self._buf
        while len(buf) - pos >= 4:
            (length,) = _LEN.unpack_from(buf, pos)
            if length < 1 or length > self.max_packet:
                why = "0" if length < 1 else f"{length} over the {self.max_packet}-byte cap"
                self.error = ProtocolError(f"packet length {why}")
                if not out:
                    raise self.error
                break
            if len(buf) - pos - 4 < length:
                break
            command = chr(buf[pos + 4])
            out.append(Packet(command, bytes(buf[pos + 5 : pos + 4 + length])))
            pos += 4 + length
        del buf[:pos]
        return out


# --- commands (MTA -> milter) -------------------------------------------------------------------


@dataclass(frozen=True)
class OptNeg:
    version: int
    actions: int
    protocol: int


@dataclass(frozen=True)
class Macros:
    stage: str  # the command these macros come before
    values: dict[str, str]  # names without braces: "i", "auth_authen"


@dataclass(frozen=True)
class Connect:
    hostname: str
    family: str  # "4", "6", "L" (unix), "U" (unknown)
    port: int = 0
    address: str = ""


@dataclass(frozen=True)
class Helo:
    name: str


@dataclass(frozen=True)
class Mail:
    args: tuple[str, ...]  # "<sender>", then ESMTP arguments


@dataclass(frozen=True)
class Rcpt:
    args: tuple[str, ...]  # "<recipient>", then ESMTP arguments


@dataclass(frozen=True)
class Header:
    name: bytes
    value: bytes  # folded lines separated by LF, as the MTA sent them


@dataclass(frozen=True)
class Body:
    chunk: bytes


@dataclass(frozen=True)
class EndOfBody:
    chunk: bytes = b""  # a last chunk, which some MTAs send with the end-of-body command


@dataclass(frozen=True)
class Simple:
    """A command without arguments: DATA, EOH, ABORT, QUIT, QUIT_NC."""

    command: str


@dataclass(frozen=True)
class Unknown:
    line: bytes  # an SMTP command the MTA did not recognise


Command = OptNeg | Macros | Connect | Helo | Mail | Rcpt | Header | Body | EndOfBody | Simple | Unknown


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _strings(data: bytes, what: str) -> list[bytes]:
    """Consecutive NUL-terminated strings filling the whole packet."""
    if not data or not data.endswith(b"\0"):
        raise ProtocolError(f"{what}: strings not NUL-terminated")
    return data[:-1].split(b"\0")


def _exact_strings(data: bytes, count: int, what: str) -> list[bytes]:
    parts = _strings(data, what)
    if len(parts) != count:
        raise ProtocolError(f"{what}: expected {count} strings, got {len(parts)}")
    return parts


def decode_command(packet: Packet) -> Command:
    """The command in a packet; `ProtocolError` when it is unknown or malformed."""
    cmd, data = packet.command, packet.data
    if cmd == OPTNEG:
        # Postfix and libmilter send exactly three longs; more would be a newer protocol
        if len(data) < _OPTNEG.size:
            raise ProtocolError("option negotiation packet too short")
        return OptNeg(*_OPTNEG.unpack_from(data))
    if cmd == MACRO:
        if not data:
            raise ProtocolError("macro packet without a stage")
        stage = chr(data[0])
        pairs = _strings(data[1:], "macros") if len(data) > 1 else []
        # a trailing name without a value is ignored, as libmilter does
        values = {_text(pairs[i]).strip("{}"): _text(pairs[i + 1]) for i in range(0, len(pairs) - 1, 2)}
        return Macros(stage, values)
    if cmd == CONNECT:
        return _connect(data)
    if cmd == HELO:
        (name,) = _exact_strings(data, 1, "helo")
        return Helo(_text(name))
    if cmd in (MAIL, RCPT):
        args = tuple(_text(a) for a in _strings(data, "mail" if cmd == MAIL else "rcpt"))
        if not args[0]:
            raise ProtocolError("empty address")
        return Mail(args) if cmd == MAIL else Rcpt(args)
    if cmd == HEADER:
        name, value = _exact_strings(data, 2, "header")
        if not name:
            raise ProtocolError("header without a name")
        return Header(name, value)
    if cmd == BODY:
        return Body(data)
    if cmd == BODYEOB:
        return EndOfBody(data)
    if cmd == UNKNOWN:
        (line,) = _exact_strings(data, 1, "unknown")
        return Unknown(line)
    if cmd in (DATA, EOH, ABORT, QUIT, QUIT_NC):
        return Simple(cmd)
    raise ProtocolError(f"unknown command {cmd!r}")


def _connect(data: bytes) -> Connect:
    end = data.find(b"\0")
    if end < 0 or end + 1 >= len(data):
        raise ProtocolError("connect: truncated")
    hostname = _text(data[:end])
    family = chr(data[end + 1])
    rest = data[end + 2 :]
    if family == "U":
        return Connect(hostname, family)
    if family not in ("4", "6", "L"):
        raise ProtocolError(f"connect: unknown address family {family!r}")
    if len(rest) < 3:
        raise ProtocolError("connect: truncated")
    (port,) = struct.unpack_from("!H", rest)
    (address,) = _exact_strings(rest[2:], 1, "connect")
    return Connect(hostname, family, port, _text(address))


# --- responses (milter -> MTA) ------------------------------------------------------------------


def optneg(version: int, actions: int, protocol: int) -> bytes:
    return encode(OPTNEG, _OPTNEG.pack(version, actions, protocol))


def simple(response: str) -> bytes:
    """CONTINUE, ACCEPT, REJECT, TEMPFAIL, DISCARD or PROGRESS: a response with no data."""
    if response not in (CONTINUE, ACCEPT, REJECT, TEMPFAIL, DISCARD, PROGRESS):
        raise ValueError(f"not a response without data: {response!r}")
    return encode(response)


def _cstring(value: bytes, what: str) -> bytes:
    if b"\0" in value:
        raise ValueError(f"{what} contains NUL")
    return value + b"\0"


def replycode(reply: str) -> bytes:
    """REPLYCODE; `reply` comes from `gateway.milter.replycode.smtp_reply`."""
    return encode(REPLYCODE, _cstring(reply.encode("ascii"), "reply"))


def add_header(name: bytes, value: bytes) -> bytes:
    return encode(ADDHEADER, _cstring(name, "header name") + _cstring(value, "header value"))


def replace_body(body: bytes) -> list[bytes]:
    """REPLBODY packets carrying the whole new body in chunks (at least one packet)."""
    chunks = [body[i : i + MAX_BODY_CHUNK] for i in range(0, len(body), MAX_BODY_CHUNK)] or [b""]
    return [encode(REPLBODY, c) for c in chunks]


def del_rcpt(address: str) -> bytes:
    """DELRCPT: take a recipient off the message, named as the MTA gave it in RCPT (`<user@domain>`)."""
    return encode(DELRCPT, _cstring(address.encode("utf-8"), "recipient"))


def quarantine(reason: str) -> bytes:
    text = reason.encode("ascii", "replace") or b"held"
    return encode(QUARANTINE, _cstring(text, "quarantine reason"))
