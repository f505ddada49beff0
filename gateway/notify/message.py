"""Building a notification as an RFC 5322 message: headers with `email.headerregistry`, two alternatives.

Every header is made by the standard library's header registry from
values the gateway chose (addresses parsed into `Address` objects, the
subject squeezed to one printable line), never by pasting strings, so a
sender address or subject crafted with line breaks cannot add headers.
The scanned message itself is never re-serialised:
only its Message-ID is referred to, and only when it is a plain msg-id.

Each notification carries:

    Auto-Submitted: auto-generated      (RFC 3834: no auto-replies to it)
    X-Auto-Response-Suppress: All       (the same for Exchange/Outlook)
    X-Compliance-Notification: KIND     (the gateway recognises its own mail and never answers it)
"""

from __future__ import annotations

import email.policy
import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from gateway.errors import GatewayError
from gateway.notify.render import Rendered, one_line

MARKER = "X-Compliance-Notification"
_MSG_ID = re.compile(r"^<[\x21-\x3b\x3d\x3f-\x7e]{1,200}@[\x21-\x3b\x3d\x3f-\x7e]{1,200}>$")
_TOKEN = re.compile(r"[^A-Za-z0-9._-]")


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
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = one_line(rendered.subject) or "Message from the email compliance check"
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = make_msgid(domain=sender.domain or "localhost")
    original = in_reply_to.strip()
    if _MSG_ID.match(original):
        msg["In-Reply-To"] = original
        msg["References"] = original
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg[MARKER] = _TOKEN.sub("-", kind)[:40] or "notice"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return msg.as_bytes(policy=email.policy.SMTP)
