"""When a notification must not be sent: bounces, automatic mail, list mail, our own notices.

RFC 3834 (responses to automatic mail) in a few rules, so a notification
never starts a mail loop or answers a robot:

- an empty envelope sender is a bounce or a report: never answered;
- `Auto-Submitted` with any value but "no", and reports
  (multipart/report: delivery and read receipts), are machine mail;
- `List-Id`, or `Precedence: bulk | list | junk`, is list mail, and so
  is an envelope sender such as owner-x@ or x-request@;
- MAILER-DAEMON as sender, our own from address, or our own
  `X-Compliance-Notification` header mean a notification would answer
  mail the gateway (or another mail system) generated.

Only the header block is read (compat32, as raw strings); the message is
never re-serialised.
"""

from __future__ import annotations

import re
from email.parser import BytesHeaderParser
from email.policy import compat32

from gateway.model import Envelope
from gateway.notify.message import MARKER

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_MAX_HEADER_BYTES = 256 * 1024
_COMMENT = re.compile(r"\([^)]*\)")


def suppression(envelope: Envelope, raw: bytes, *, own_addresses: tuple[str, ...] = ()) -> str:
    """Why no notification may answer this message ("" when one may)."""
    sender = envelope.mail_from.strip().strip("<>").lower()
    if not sender:
        return "bounce"
    local = sender.rpartition("@")[0]
    if local in ("mailer-daemon", "mailer_daemon"):
        return "mailer-daemon"
    if local.startswith("owner-") or local.endswith(("-request", "-owner", "-bounces")):
        return "list"
    if sender in {a.strip().lower() for a in own_addresses if a}:
        return "own"
    headers = _headers(raw)
    if any(name == MARKER.lower() for name, _ in headers):
        return "own"
    for name, value in headers:
        v = _COMMENT.sub("", value).strip().lower()
        if name == "auto-submitted" and v and v != "no":
            return "auto-submitted"
        if name == "list-id":
            return "list"
        if name == "precedence" and v in ("bulk", "list", "junk"):
            return "list"
        if name == "content-type" and v.startswith("multipart/report"):
            return "report"
    return ""


def _headers(raw: bytes) -> list[tuple[str, str]]:
    head = raw[:_MAX_HEADER_BYTES]
    m = _HEADER_END.search(head)
    if m is not None:
        head = head[: m.start()] + b"\r\n\r\n"
    msg = BytesHeaderParser(policy=compat32).parsebytes(head)
    return [(k.lower(), str(v)) for k, v in msg.items()]
