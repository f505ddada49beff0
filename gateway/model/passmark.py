"""The pass mark: how the gateway recognises its own mail (releases, notices) when it comes back.

A released message or a sender notice leaves through the next hop. On many
routes it meets the gateway again: the milter on the Postfix smtpd that is
the next hop, or a relay behind a content filter that loops back. Inspected
a second time it could be held again (a release that never arrives), or a
notice quoting a Postfix queue id could be taken for a hospital number. So
what the gateway sends carries one header it signs, and both front ends
pass a message whose mark verifies without inspecting it again:

    X-Compliance-Pass: v=1; t=<unix time>; n=<nonce>; k=<key id>; m=<HMAC-SHA256, hex>

The MAC covers the time, the nonce, the envelope (sender and the sorted
recipients, case-folded) and the content (the Subject and the body, in a
canonical form that survives line-ending and trailing-space changes in
transit). It is keyed with a key derived from the quarantine key, which
every node of a fleet shares, so any node verifies what another signed.

What this makes impossible for a student (who never has the key):
- forging a mark: the MAC does not verify -> normal inspection;
- copying a mark they received onto other content, to other recipients,
  or from another sender: the MAC covers all three -> normal inspection;
- replaying a marked message after `max_age`: too old -> normal inspection.
Replaying the identical message to the identical recipients within
`max_age` re-sends what a reviewer already released to them, nothing more.

A message can carry several marks (a student may have put one in before
the message was held); signing removes every existing mark first, and a
message is passed only when one of its marks verifies.
Pure: bytes and an envelope in, bytes or a verdict out.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from gateway.model.envelope import Envelope

HEADER = "X-Compliance-Pass"
#: Postfix's default maximal_queue_lifetime: a release deferred in a queue still arrives marked
MAX_AGE_SECONDS = 5 * 24 * 3600.0
#: clocks of the nodes may differ by this much
CLOCK_SKEW_SECONDS = 300.0

_HEADER_RE = re.compile(
    rb"^x-compliance-pass:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*\r?\n", re.IGNORECASE | re.MULTILINE
)
_FIELD = re.compile(r"(\w+)=([^;\s]*)")
_END_OF_HEADERS = re.compile(rb"\r?\n\r?\n")
_SUBJECT = re.compile(rb"^subject:([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)", re.IGNORECASE | re.MULTILINE)


class Check(StrEnum):
    VALID = "valid"
    ABSENT = "absent"
    FORGED = "forged"  # a mark no key of ours made, or made for other content or another envelope
    EXPIRED = "expired"  # older than max_age (or from the future)
    MALFORMED = "malformed"


@dataclass(frozen=True)
class PassMark:
    """Signs and verifies marks with `keys` (newest first; the first signs, all verify)."""

    keys: Sequence[bytes]
    max_age: float = MAX_AGE_SECONDS
    clock: Callable[[], float] = time.time

    def sign(self, envelope: Envelope, raw: bytes) -> bytes:
        """`raw` with every existing mark removed and a fresh one of ours at the top."""
        clean = strip_marks(raw)
        t, nonce = int(self.clock()), secrets.token_hex(8)
        key = self.keys[0]
        mac = _mac(key, t, nonce, envelope, clean)
        value = f"v=1; t={t}; n={nonce}; k={_key_id(key)}; m={mac}"
        return f"{HEADER}: {value}\r\n".encode("ascii") + clean

    def check(self, envelope: Envelope, raw: bytes) -> Check:
        """Whether `raw` carries a valid mark of ours for this envelope and content."""
        marks = _marks(raw)
        if not marks:
            return Check.ABSENT
        clean = strip_marks(raw)
        result = Check.MALFORMED
        for fields in marks:
            this = self._check_one(fields, envelope, clean)
            if this is Check.VALID:
                return this
            if result is Check.MALFORMED or this is Check.EXPIRED:
                result = this
        return result

    def _check_one(self, fields: dict[str, str], envelope: Envelope, clean: bytes) -> Check:
        try:
            t, nonce, kid, mac = int(fields["t"]), fields["n"], fields["k"], fields["m"]
        except (KeyError, ValueError):
            return Check.MALFORMED
        if fields.get("v") != "1":
            return Check.MALFORMED
        keys = [k for k in self.keys if hmac.compare_digest(_key_id(k), kid)]
        if not keys or not hmac.compare_digest(_mac(keys[0], t, nonce, envelope, clean), mac):
            return Check.FORGED
        age = self.clock() - t
        if age > self.max_age or age < -CLOCK_SKEW_SECONDS:
            return Check.EXPIRED
        return Check.VALID


def strip_marks(raw: bytes) -> bytes:
    """`raw` without any X-Compliance-Pass header (only the header block is touched)."""
    head, body = _split(raw)
    return _HEADER_RE.sub(b"", head) + body


def _marks(raw: bytes) -> list[dict[str, str]]:
    head, _ = _split(raw)
    out = []
    for m in _HEADER_RE.finditer(head):
        value = m.group(0).split(b":", 1)[1].decode("ascii", "replace")
        out.append(dict(_FIELD.findall(value)))
    return out


def _split(raw: bytes) -> tuple[bytes, bytes]:
    """(header block including its final line ending, the rest)."""
    m = _END_OF_HEADERS.search(raw)
    if m is None:
        return raw, b""
    cut = m.start() + (2 if raw[m.start() : m.start() + 2] == b"\r\n" else 1)
    return raw[:cut], raw[cut:]


def content_digest(raw: bytes) -> str:
    """SHA-256 of the Subject and the body in canonical form: CRLF line ends, no trailing
    spaces on a line, no blank lines at the start or the end."""
    head, body = _split(raw)
    subject = _SUBJECT.search(head)
    digest = hashlib.sha256(b" ".join(subject.group(1).split()) if subject else b"")
    digest.update(b"\x00")
    lines = body.replace(b"\r\n", b"\n").split(b"\n")
    start, end = 0, len(lines)
    while start < end and not lines[start].strip(b" \t\r"):
        start += 1
    while end > start and not lines[end - 1].strip(b" \t\r"):
        end -= 1
    for line in lines[start:end]:
        digest.update(line.rstrip(b" \t\r"))
        digest.update(b"\r\n")
    return digest.hexdigest()


def _mac(key: bytes, t: int, nonce: str, envelope: Envelope, clean: bytes) -> str:
    sender = _address(envelope.mail_from)
    rcpts = ",".join(sorted({_address(r) for r in envelope.rcpt_tos}))
    text = f"v1\n{t}\n{nonce}\n{sender}\n{rcpts}\n{content_digest(clean)}".encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"gateway-pass-mark-id:" + key).hexdigest()[:8]


def _address(address: str) -> str:
    return address.strip().strip("<>").strip().lower()
