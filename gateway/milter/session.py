"""The milter state machine for one MTA connection: sans-IO, packets in, packets out.

`Session.receive(packet)` returns a `Step`:

- `Reply(packets)`: write these (possibly none: MACRO, ABORT, QUIT_NC and the
  commands whose "no reply" bit was negotiated get no answer);
- `Close(reason)`: the MTA broke the protocol (or said QUIT); close the
  connection without answering, so the MTA applies its default action;
- `EndOfMessage(message)`: the whole message is here; the caller decides what
  to do with it and hands a `Result` to `Session.finish`, which returns the
  end-of-message packets: modifications, then exactly one final response.

Option negotiation never asks for more than the MTA offers: the version is
at most the MTA's, and the action and protocol masks are subsets of its
offer. Headers and body are collected up to `max_message_size` and
re-assembled into RFC 5322 bytes (CRLF) exactly as the MTA gave them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from gateway.milter import codec
from gateway.milter.codec import Packet, ProtocolError
from gateway.milter.replycode import smtp_reply
from gateway.model import Envelope

#: newest protocol version spoken here
VERSION = 6

#: what the gateway asks not to be sent (it has no use for them) or not to answer
WANTED_PROTOCOL = (
    codec.SMFIP_NOUNKNOWN
    | codec.SMFIP_NODATA
    | codec.SMFIP_NOEOH
    | codec.SMFIP_NR_HDR
    | codec.SMFIP_NR_CONN
    | codec.SMFIP_NR_HELO
    | codec.SMFIP_NR_MAIL
    | codec.SMFIP_NR_RCPT
    | codec.SMFIP_NR_DATA
    | codec.SMFIP_NR_UNKN
    | codec.SMFIP_NR_EOH
    | codec.SMFIP_NR_BODY
    | codec.SMFIP_HDR_LEADSPC
)

# Stages whose macros belong to one message; they are forgotten on ABORT and after the message.
_MESSAGE_STAGES = "MRTLNBE"
# Where a macro is looked for, most recent stage first.
_STAGE_ORDER = "EBNLTRMHC"


@dataclass(frozen=True)
class Negotiated:
    version: int
    actions: int
    protocol: int

    def can(self, action: int) -> bool:
        return bool(self.actions & action)

    def replies_to(self, command: str) -> bool:
        bit = codec.NO_REPLY_BIT.get(command, 0)
        return not (bit and self.protocol & bit)

    @property
    def leading_space(self) -> bool:
        """Header values arrive (and are sent) with their leading space."""
        return bool(self.protocol & codec.SMFIP_HDR_LEADSPC)


def negotiate(offer: codec.OptNeg, want_actions: int, want_protocol: int = WANTED_PROTOCOL) -> Negotiated:
    """What to answer the MTA's offer: never more than it offered."""
    if offer.version < 2:
        raise ProtocolError(f"milter protocol version {offer.version} is too old")
    return Negotiated(
        version=min(offer.version, VERSION),
        actions=want_actions & offer.actions,
        protocol=want_protocol & offer.protocol,
    )


@dataclass
class Message:
    """One message as the MTA showed it: envelope pieces, headers, body."""

    mail_args: tuple[str, ...]
    rcpts: list[tuple[str, ...]] = field(default_factory=list)
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)
    size: int = 0  # bytes of the re-assembled message, counted past the limit too
    oversized: bool = False


@dataclass(frozen=True)
class Collected:
    """Everything the end-of-message handler needs; safe to pass to another task."""

    envelope: Envelope
    raw: bytes  # re-assembled RFC 5322 message (empty when oversized)
    headers: tuple[tuple[bytes, bytes], ...]  # (name, everything after the colon), CRLF folding
    body: bytes
    size: int
    oversized: bool
    auth_user: str = ""  # {auth_authen}: who authenticated to the MTA, when anyone did


class Final(StrEnum):
    ACCEPT = "accept"
    CONTINUE = "continue"
    DISCARD = "discard"
    TEMPFAIL = "tempfail"
    REPLYCODE = "replycode"


@dataclass(frozen=True)
class Result:
    """What to tell the MTA at end of message."""

    final: Final
    reply: tuple[int, str] = (0, "")  # with REPLYCODE: code and text
    add_headers: tuple[tuple[str, str], ...] = ()  # (name, value); value without leading space
    new_body: bytes | None = None
    quarantine_reason: str = ""  # Postfix's hold queue (needs SMFIF_QUARANTINE)
    del_rcpts: tuple[str, ...] = ()  # recipients taken off the message, `<addr>` (needs SMFIF_DELRCPT)


TEMPFAIL = Result(Final.TEMPFAIL)


@dataclass(frozen=True)
class Reply:
    packets: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class Close:
    reason: str
    protocol_error: bool = True  # False for QUIT


@dataclass(frozen=True)
class EndOfMessage:
    message: Collected


Step = Reply | Close | EndOfMessage

_NO_REPLY = Reply()
_CONTINUE = Reply((codec.simple(codec.CONTINUE),))


class Session:
    """One MTA connection. Not thread-safe; one `receive` at a time."""

    def __init__(self, *, max_message_size: int, want_actions: int) -> None:
        self.max_message_size = max_message_size
        self.want_actions = want_actions
        self.negotiated: Negotiated | None = None
        self._macros: dict[str, dict[str, str]] = {}
        self._client = ("", "")  # hostname, address
        self._helo = ""
        self._message: Message | None = None
        self._awaiting_finish = False

    # --- reading ---------------------------------------------------------------------------------

    def macro(self, name: str) -> str:
        """A macro's latest value ("i" or "{i}"), "" when the MTA did not send it."""
        name = name.strip("{}")
        for stage in _STAGE_ORDER:
            value = self._macros.get(stage, {}).get(name)
            if value is not None:
                return value
        return ""

    @property
    def queue_id(self) -> str:
        return self.macro("i")

    # --- the state machine -----------------------------------------------------------------------

    def receive(self, packet: Packet) -> Step:
        if self._awaiting_finish:
            raise RuntimeError("receive() before finish(): the MTA waits for the end-of-message reply")
        try:
            command = codec.decode_command(packet)
        except ProtocolError as exc:
            return Close(str(exc))
        if isinstance(command, codec.OptNeg):
            if self.negotiated is not None:
                return Close("second option negotiation")
            try:
                self.negotiated = negotiate(command, self.want_actions)
            except ProtocolError as exc:
                return Close(str(exc))
            n = self.negotiated
            return Reply((codec.optneg(n.version, n.actions, n.protocol),))
        if isinstance(command, codec.Simple) and command.command == codec.QUIT:
            return Close("quit", protocol_error=False)
        if self.negotiated is None:
            return Close(f"command {packet.command!r} before option negotiation")
        try:
            return self._dispatch(packet.command, command)
        except ProtocolError as exc:
            return Close(str(exc))

    def _reply(self, command: str) -> Reply:
        assert self.negotiated is not None
        return _CONTINUE if self.negotiated.replies_to(command) else _NO_REPLY

    def _dispatch(self, cmd: str, command: codec.Command) -> Step:
        match command:
            case codec.Macros(stage=stage, values=values):
                self._macros.setdefault(stage, {}).update(values)
                return _NO_REPLY
            case codec.Connect(hostname=hostname, address=address):
                self._reset_connection(keep_macros=True)
                self._client = (hostname, address)
                return self._reply(cmd)
            case codec.Helo(name=name):
                self._helo = name
                return self._reply(cmd)
            case codec.Mail(args=args):
                self._forget_message_macros(keep=cmd)
                self._message = Message(mail_args=args)
                return self._reply(cmd)
            case codec.Rcpt(args=args):
                if self._message is None:
                    raise ProtocolError("RCPT before MAIL")
                self._message.rcpts.append(args)
                return self._reply(cmd)
            case codec.Header(name=name, value=value):
                self._add_header(name, value)
                return self._reply(cmd)
            case codec.Body(chunk=chunk):
                self._add_body(chunk)
                return self._reply(cmd)
            case codec.EndOfBody(chunk=chunk):
                if self._message is None:
                    # nothing to judge: the safe answer, and exactly one of it
                    return Reply((codec.simple(codec.TEMPFAIL),))
                if chunk:
                    self._add_body(chunk)
                self._awaiting_finish = True
                return EndOfMessage(self._collect(self._message))
            case codec.Unknown():
                return self._reply(cmd)
            case codec.Simple(command=codec.ABORT):
                self._message = None
                self._forget_message_macros()
                return _NO_REPLY
            case codec.Simple(command=codec.QUIT_NC):
                self._reset_connection(keep_macros=False)
                return _NO_REPLY
            case codec.Simple():  # DATA, EOH
                return self._reply(cmd)
        raise ProtocolError(f"unexpected command {cmd!r}")  # pragma: no cover - decode_command is total

    def finish(self, result: Result) -> list[bytes]:
        """The end-of-message packets for `result`; the message is then forgotten."""
        if not self._awaiting_finish:
            raise RuntimeError("finish() without an end of message")
        assert self.negotiated is not None
        n = self.negotiated
        self._awaiting_finish = False
        self._message = None
        self._forget_message_macros()
        out: list[bytes] = []
        if result.final in (Final.ACCEPT, Final.CONTINUE):
            if result.del_rcpts:
                if not n.can(codec.SMFIF_DELRCPT):
                    return [codec.simple(codec.TEMPFAIL)]  # never deliver to a recipient meant to be removed
                out.extend(codec.del_rcpt(rcpt) for rcpt in result.del_rcpts)
            if result.add_headers and n.can(codec.SMFIF_ADDHDRS):
                space = " " if n.leading_space else ""
                for name, value in result.add_headers:
                    out.append(codec.add_header(name.encode("ascii"), (space + value).encode("utf-8")))
            if result.new_body is not None and n.can(codec.SMFIF_CHGBODY):
                out.extend(codec.replace_body(result.new_body))
            if result.quarantine_reason:
                if not n.can(codec.SMFIF_QUARANTINE):
                    return [codec.simple(codec.TEMPFAIL)]
                out.append(codec.quarantine(result.quarantine_reason))
        final = {
            Final.ACCEPT: codec.ACCEPT,
            Final.CONTINUE: codec.CONTINUE,
            Final.DISCARD: codec.DISCARD,
            Final.TEMPFAIL: codec.TEMPFAIL,
        }.get(result.final)
        if final is not None:
            out.append(codec.simple(final))
        else:
            code, text = result.reply
            out.append(codec.replycode(smtp_reply(code, text)))
        return out

    # --- collecting --------------------------------------------------------------------------------

    def _reset_connection(self, *, keep_macros: bool) -> None:
        self._client = ("", "")
        self._helo = ""
        self._message = None
        if not keep_macros:
            self._macros.clear()
        else:
            # a new connection: only the macros sent just now, for CONNECT, still apply
            self._macros = {k: v for k, v in self._macros.items() if k == codec.CONNECT}

    def _forget_message_macros(self, keep: str = "") -> None:
        for stage in _MESSAGE_STAGES:
            if stage != keep:
                self._macros.pop(stage, None)

    def _count(self, msg: Message, n: int) -> bool:
        """Count n more bytes; False once the message is over the limit (then nothing is kept)."""
        msg.size += n
        if msg.size > self.max_message_size and not msg.oversized:
            msg.oversized = True
            msg.headers.clear()
            msg.body.clear()
        return not msg.oversized

    def _add_header(self, name: bytes, value: bytes) -> None:
        if self._message is None:
            raise ProtocolError("header before MAIL")
        assert self.negotiated is not None
        if not self.negotiated.leading_space:
            value = b" " + value  # the MTA removed one space after the colon
        value = value.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if self._count(self._message, len(name) + 1 + len(value) + 2):
            self._message.headers.append((name, value))

    def _add_body(self, chunk: bytes) -> None:
        if self._message is None:
            raise ProtocolError("body before MAIL")
        if self._count(self._message, len(chunk)):
            self._message.body += chunk

    def _collect(self, msg: Message) -> Collected:
        self._count(msg, 2)  # the blank line after the headers
        envelope = Envelope(
            mail_from=_address(msg.mail_args[0]),
            rcpt_tos=tuple(_address(r[0]) for r in msg.rcpts),
            client_address=self._client[1] or self.macro("client_addr"),
            helo=self._helo,
            queue_id=self.queue_id,
            mail_options=msg.mail_args[1:],
            rcpt_options=tuple(r[1:] for r in msg.rcpts),
        )
        headers = tuple(msg.headers)
        body = bytes(msg.body)
        raw = b"" if msg.oversized else assemble(headers, body)
        return Collected(
            envelope=envelope,
            raw=raw,
            headers=headers,
            body=body,
            size=msg.size,
            oversized=msg.oversized,
            auth_user=self.macro("auth_authen"),
        )


def assemble(headers: tuple[tuple[bytes, bytes], ...] | list[tuple[bytes, bytes]], body: bytes) -> bytes:
    """RFC 5322 bytes: `Name:value` lines (CRLF), a blank line, the body."""
    out = bytearray()
    for name, value in headers:
        out += name + b":" + value + b"\r\n"
    out += b"\r\n"
    out += body
    return bytes(out)


def _address(arg: str) -> str:
    """`<user@example.org>` -> `user@example.org`; `<>` -> ``."""
    arg = arg.strip()
    if arg.startswith("<") and arg.endswith(">"):
        return arg[1:-1]
    return arg
