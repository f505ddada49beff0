"""Building a notification as an RFC 5322 message: a few fixed headers and two alternatives.

Every header value is one the gateway chose or checked: addresses parsed
into `Address` objects (one bare address, `address`), the subject squeezed
to one printable line, the Message-ID of the original only when it is a
plain msg-id, the kind reduced to a token; non-ASCII words are encoded
(RFC 2047) by the standard library's `Header` and `formataddr`. So a
sender address or subject crafted with line breaks cannot add headers.
The message is written out directly (the two bodies quoted-printable,
CRLF line ends) rather than through `EmailMessage`, whose header registry
and generator cost more than everything else in a notice together.
The scanned message itself is never re-serialised.

Each notification carries:

    Auto-Submitted: auto-generated      (RFC 3834: no auto-replies to it)
    X-Auto-Response-Suppress: All       (the same for Exchange/Outlook)
    X-Compliance-Notification: KIND     (the gateway recognises its own mail and never answers it)
"""

from __future__ import annotations

import email.policy
import re
import secrets
from datetime import datetime
from email import quoprimime
from email.header import Header
from email.headerregistry import Address, HeaderRegistry
from email.utils import format_datetime, formataddr, make_msgid

from gateway.errors import GatewayError
from gateway.notify.render import Rendered, one_line

MARKER = "X-Compliance-Notification"
_MSG_ID = re.compile(r"^<[\x21-\x3b\x3d\x3f-\x7e]{1,200}@[\x21-\x3b\x3d\x3f-\x7e]{1,200}>$")
_TOKEN = re.compile(r"[^A-Za-z0-9._-]")
_REGISTRY = HeaderRegistry()


class AddressError(GatewayError):
    """An address a notification cannot be sent to or from (unparseable, or with a display part)."""


def address(addr_spec: str, display_name: str = "") -> Address:
    """An `Address` from a bare address; AddressError when it is not one."""
    text = addr_spec.strip().strip("<>")
    if not text or any(ch in text for ch in '\r\n\t <>,;"()') or text.count("@") != 1:
        raise AddressError("not a plain address")
    local, domain = text.rsplit("@", 1)
    try:
        return Address(display_name=one_line(display_name), username=local, domain=domain)
    except (ValueError, TypeError, IndexError) as exc:
        raise AddressError("not a plain address") from exc


def build_message(
    *,
    sender: Address,
    to: Address,
    rendered: Rendered,
    kind: str,
    date: datetime,
    in_reply_to: str = "",
) -> bytes:
    """The notification's bytes (CRLF line ends), ready for the next hop."""
    boundary = f"=_{secrets.token_hex(12)}"  # "=" never appears in quoted-printable text unencoded
    fields = [
        ("From", _mailbox("From", sender)),
        ("To", _mailbox("To", to)),
        (
            "Subject",
            _unstructured("Subject", one_line(rendered.subject) or "Message from the email compliance check"),
        ),
        ("Date", format_datetime(date)),
        ("Message-ID", make_msgid(domain=sender.domain or "localhost")),
    ]
    original = in_reply_to.strip()
    if _MSG_ID.match(original):
        fields += [("In-Reply-To", original), ("References", original)]
    fields += [
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        (MARKER, _TOKEN.sub("-", kind)[:40] or "notice"),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
    ]
    lines = [f"{name}: {value}" for name, value in fields]
    for subtype, body in (("plain", rendered.text), ("html", rendered.html)):
        lines += [
            "",
            f"--{boundary}",
            f'Content-Type: text/{subtype}; charset="utf-8"',
            "Content-Transfer-Encoding: quoted-printable",
            "",
            _quoted_printable(body),
        ]
    lines += ["", f"--{boundary}--", ""]
    return "\r\n".join(lines).encode("ascii")


def _mailbox(name: str, addr: Address) -> str:
    """`addr` as a header value: "Display Name <local@domain>", the name encoded when it is not ASCII."""
    spec = addr.addr_spec
    if spec.isascii():
        return formataddr((addr.display_name, spec), charset="utf-8") if addr.display_name else spec
    # a non-ASCII address (rare): written as the standard library's header registry writes it
    folded = _REGISTRY(name, addr).fold(policy=email.policy.SMTP)  # type: ignore[arg-type]
    return str(folded).removeprefix(f"{name}: ").removesuffix("\r\n")


def _unstructured(name: str, value: str) -> str:
    """A one-line text as a header value, folded at 78 characters, encoded words where it is not ASCII."""
    charset = "us-ascii" if value.isascii() else "utf-8"
    return Header(value, charset, header_name=name).encode(linesep="\r\n")


def _quoted_printable(text: str) -> str:
    """UTF-8 `text` quoted-printable with CRLF line ends, ending with a line end (no trailing CRLF here)."""
    lines = text.encode("utf-8").splitlines()
    body = quoprimime.body_encode((b"\n".join(lines) + b"\n").decode("latin-1"), 76, eol="\r\n")
    return body.removesuffix("\r\n")
