"""ESMTP parameters the relay accepts from Postfix and passes on to the next hop.

aiosmtpd checks SIZE, BODY and SMTPUTF8 itself but answers 555 to every
other parameter, so DSN's RET/ENVID (MAIL) and NOTIFY/ORCPT (RCPT) are
taken out of the command line first, in their original case (ENVID and
ORCPT are case-sensitive), and validated here. Each parameter goes on to
the next hop only when the next hop announces the extension it belongs to
(SIZE, 8BITMIME, SMTPUTF8, DSN); see docs/relay.md for what happens
otherwise. XFORWARD (Postfix's way of telling a filter who the real
client was and which queue id the message has) is parsed here as well.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

#: parameters taken out of MAIL before aiosmtpd sees them (AUTH is accepted and dropped)
MAIL_EXTRA = frozenset({"RET", "ENVID", "AUTH"})
#: parameters taken out of RCPT before aiosmtpd sees them
RCPT_EXTRA = frozenset({"NOTIFY", "ORCPT"})

XFORWARD_ATTRS = ("NAME", "ADDR", "PORT", "PROTO", "HELO", "IDENT", "SOURCE")

_XTEXT = re.compile(r"^[\x21-\x7e]{1,500}$")
_NOTIFY = {"SUCCESS", "FAILURE", "DELAY"}


class ParamError(ValueError):
    """A parameter value the relay cannot pass on; the message is the SMTP reply text."""


@dataclass(frozen=True)
class MailParams:
    size: int | None = None
    body: str | None = None  # "7BIT" or "8BITMIME"
    smtputf8: bool = False
    ret: str | None = None  # DSN: FULL or HDRS
    envid: str | None = None  # DSN envelope id (xtext, case kept)

    @classmethod
    def parse(cls, options: Iterable[str]) -> MailParams:
        """From aiosmtpd's (upper-cased, already checked) options plus the DSN ones taken out earlier."""
        size: int | None = None
        body: str | None = None
        smtputf8 = False
        ret: str | None = None
        envid: str | None = None
        for opt in options:
            name, _, value = opt.partition("=")
            key = name.upper()
            if key == "SIZE" and value.isdigit():
                size = int(value)
            elif key == "BODY":
                body = value.upper()
            elif key == "SMTPUTF8":
                smtputf8 = True
            elif key == "RET":
                if value.upper() not in ("FULL", "HDRS"):
                    raise ParamError("501 5.5.4 RET must be FULL or HDRS")
                ret = value.upper()
            elif key == "ENVID":
                if not _XTEXT.match(value):
                    raise ParamError("501 5.5.4 Bad ENVID")
                envid = value
        return cls(size=size, body=body, smtputf8=smtputf8, ret=ret, envid=envid)

    def for_next_hop(self, extensions: Collection[str]) -> list[str]:
        """The parameters the next hop understands, given its EHLO keywords (lower case)."""
        out: list[str] = []
        if self.size is not None and "size" in extensions:
            out.append(f"SIZE={self.size}")
        if self.body and "8bitmime" in extensions:
            out.append(f"BODY={self.body}")
        if self.smtputf8 and "smtputf8" in extensions:
            out.append("SMTPUTF8")
        if "dsn" in extensions:
            if self.ret:
                out.append(f"RET={self.ret}")
            if self.envid:
                out.append(f"ENVID={self.envid}")
        return out


@dataclass(frozen=True)
class RcptParams:
    notify: str | None = None  # NEVER or a list of SUCCESS, FAILURE, DELAY
    orcpt: str | None = None  # addr-type;xtext, case kept

    @classmethod
    def parse(cls, options: Iterable[str]) -> RcptParams:
        notify: str | None = None
        orcpt: str | None = None
        for opt in options:
            name, _, value = opt.partition("=")
            key = name.upper()
            if key == "NOTIFY":
                words = value.upper().split(",")
                if words != ["NEVER"] and not (words and set(words) <= _NOTIFY):
                    raise ParamError("501 5.5.4 NOTIFY must be NEVER or SUCCESS, FAILURE, DELAY")
                notify = value.upper()
            elif key == "ORCPT":
                kind, semi, addr = value.partition(";")
                if not semi or not kind or not _XTEXT.match(addr):
                    raise ParamError("501 5.5.4 Bad ORCPT")
                orcpt = value
        return cls(notify=notify, orcpt=orcpt)

    def for_next_hop(self, extensions: Collection[str]) -> list[str]:
        if "dsn" not in extensions:
            return []
        out: list[str] = []
        if self.notify:
            out.append(f"NOTIFY={self.notify}")
        if self.orcpt:
            out.append(f"ORCPT={self.orcpt}")
        return out


def take_params(params: str, names: Collection[str]) -> tuple[list[str], list[str]]:
    """Split `params` (what follows the address) into (kept, taken) by parameter name."""
    kept: list[str] = []
    taken: list[str] = []
    for word in params.split():
        (taken if word.partition("=")[0].upper() in names else kept).append(word)
    return kept, taken


def parse_xforward(arg: str) -> dict[str, str]:
    """`NAME=x ADDR=y ...` -> {"NAME": "x", ...}; values are xtext-decoded. Raises ParamError."""
    out: dict[str, str] = {}
    words = arg.split()
    if not words:
        raise ParamError("501 5.5.4 Syntax: XFORWARD attribute=value...")
    for word in words:
        name, eq, value = word.partition("=")
        name = name.upper()
        if not eq or name not in XFORWARD_ATTRS:
            raise ParamError(f"501 5.5.4 Bad XFORWARD attribute: {name[:20]}")
        out[name] = xtext_decode(value)
    return out


def xforward_args(attrs: Mapping[str, str], announced: Collection[str]) -> list[str]:
    """XFORWARD arguments for the next hop: only the attributes it announced."""
    return [
        f"{name}={xtext_encode(attrs[name])}"
        for name in XFORWARD_ATTRS
        if name in attrs and name in announced
    ]


def xtext_decode(value: str) -> str:
    return re.sub(r"\+([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), value)


def xtext_encode(value: str) -> str:
    return "".join(ch if "!" <= ch <= "~" and ch not in "+=" else f"+{ord(ch) & 0xFF:02X}" for ch in value)


def is_unavailable(value: str) -> bool:
    """Postfix's placeholders for unknown XFORWARD values."""
    return value in ("", "[UNAVAILABLE]", "[TEMPUNAVAIL]")
