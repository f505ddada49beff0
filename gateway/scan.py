"""Offline scanning helpers: an envelope from a message's own headers."""

from __future__ import annotations

import email
import email.policy
from email.utils import getaddresses

from gateway.model import Envelope


def envelope_from_headers(raw: bytes) -> Envelope:
    """Sender from From (or Sender), recipients from To, Cc and Bcc."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    msg = email.message_from_bytes(head + b"\r\n\r\n", policy=email.policy.default)

    def addresses(*names: str) -> list[str]:
        values: list[str] = []
        for n in names:
            for v in msg.get_all(n) or []:
                try:
                    values.append(str(v))
                except Exception:
                    continue
        try:
            return [a for _, a in getaddresses(values) if a]
        except Exception:
            return []

    senders = addresses("Sender") or addresses("From")
    return Envelope(mail_from=senders[0] if senders else "", rcpt_tos=tuple(addresses("To", "Cc", "Bcc")))
