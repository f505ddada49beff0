"""The MIME walker: raw bytes -> an `Inspection` of segments, parts and findings.

Every part is visited: headers (Subject, display names), text and HTML
bodies (HTML turned into text), forwarded messages (message/rfc822, marked
quoted), and attachments, which are handed on as bytes to `gateway.extract`.
Text quoted from an earlier message ("> " lines, "On ... wrote:" blocks,
"Original Message" separators) is split from what the sender wrote.

What cannot be read unambiguously becomes an `uninspectable` finding:
nesting past the limit, too many parts, and the MIME ambiguities that make
mail filters and mail clients disagree (duplicate boundary or
Content-Transfer-Encoding, conflicting filename parameters).
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage, Message
from email.utils import getaddresses
from typing import Any

from gateway.model.envelope import Envelope
from gateway.model.finding import UNINSPECTABLE, Finding
from gateway.model.html import html_to_text
from gateway.model.message import Inspection, Part, Segment

_POLICY = email.policy.default.clone(max_line_length=0)

_QUOTE_HEAD = re.compile(
    r"^(?:On .{3,200}wrote:\s*$"
    r"|-{2,}\s*(?:Original Message|Forwarded message|Begin forwarded message)\s*-{2,}"
    r"|Begin forwarded message:"
    r"|From: .{1,200}\n(?:Sent|Date): )",
    re.IGNORECASE | re.MULTILINE,
)
_OUTLOOK_HEAD = re.compile(
    r"^From:\s.+\n(?:Sent|Date):\s.+\n(?:To|Cc|Subject):", re.MULTILINE | re.IGNORECASE
)
_TEXT_HEADERS = ("Subject", "Thread-Topic", "Comments", "Keywords")
_ADDRESS_HEADERS = ("From", "To", "Cc", "Bcc", "Reply-To", "Sender")


def normalise_line_endings(raw: bytes) -> bytes:
    """CRLF kept, bare LF -> CRLF, bare CR -> space: what Postfix delivers, so what we scan."""
    if b"\r" not in raw:
        return raw.replace(b"\n", b"\r\n")
    raw = raw.replace(b"\r\n", b"\n")
    raw = raw.replace(b"\r", b" ")
    return raw.replace(b"\n", b"\r\n")


def parse_message(raw: bytes, envelope: Envelope, limits: Any) -> Inspection:
    insp = Inspection(envelope=envelope, size=len(raw))
    depth = _max_multipart_depth(raw)
    if depth > limits.max_mime_depth:
        insp.findings.append(
            _uninspectable(
                "MIME_NESTING", "message", f"multipart nesting deeper than {limits.max_mime_depth}"
            )
        )
        # still read the top-level headers so the policy and the reviewer see who and what
        try:
            head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
            msg = email.message_from_bytes(head + b"\r\n\r\n", policy=_POLICY)
            _read_headers(msg, insp, "header", quoted=False, top=True)
        except Exception:
            pass
        return insp
    try:
        msg = email.message_from_bytes(raw, policy=_POLICY)
    except RecursionError:
        insp.findings.append(_uninspectable("MIME_NESTING", "message", "nesting too deep to parse"))
        return insp
    walker = _Walker(insp, limits)
    try:
        _read_headers(msg, insp, "header", quoted=False, top=True)
        walker.walk(msg, prefix="", quoted=False, depth=0)
    except RecursionError:
        insp.findings.append(_uninspectable("MIME_NESTING", "message", "nesting too deep to parse"))
    except Exception as exc:  # a parser bug must not let the message through unread
        insp.findings.append(_uninspectable("PARSE_ERROR", "message", type(exc).__name__))
    return insp


def _uninspectable(kind: str, where: str, why: str) -> Finding:
    return Finding(category=UNINSPECTABLE, type=kind, where=where, score=1.0, evidence=why, detector="mime")


def _max_multipart_depth(raw: bytes) -> int:
    """A cheap upper bound on nesting: how many distinct boundaries are declared."""
    return len(set(re.findall(rb'boundary\s*=\s*"?([^";\r\n]+)', raw[:20_000_000], re.IGNORECASE)))


def _decode_header(msg: Message, name: str) -> list[str]:
    out = []
    for v in msg.get_all(name) or []:
        try:
            out.append(str(v))
        except Exception:
            out.append(str(v).encode("ascii", "replace").decode())
    return out


def _read_headers(msg: Message, insp: Inspection, where_prefix: str, *, quoted: bool, top: bool) -> None:
    for name in _TEXT_HEADERS:
        for value in _decode_header(msg, name):
            insp.segments.append(Segment(value, f"{where_prefix}:{name}", quoted=quoted, kind="header"))
            if top and name == "Subject" and not insp.subject:
                insp.subject = value
    if top:
        try:
            items = list(msg.items())
        except Exception:
            items = list(msg.raw_items()) if isinstance(msg, EmailMessage) else []
        for k, v in items:
            try:
                insp.headers.append((k, str(v)))
            except Exception:
                continue
    for name in _ADDRESS_HEADERS:
        values = _decode_header(msg, name)
        if not values:
            continue
        try:
            pairs = getaddresses(values)
        except Exception:
            pairs = []
        for display, addr in pairs:
            insp.correspondents.append((display, addr))
            if display:
                insp.segments.append(Segment(display, f"{where_prefix}:{name}", quoted=quoted, kind="name"))


class _Walker:
    def __init__(self, insp: Inspection, limits: Any) -> None:
        self.insp = insp
        self.limits = limits
        self.parts_seen = 0
        self.too_many = False

    def walk(self, part: Message, *, prefix: str, quoted: bool, depth: int) -> None:
        self.parts_seen += 1
        if self.parts_seen > self.limits.max_parts:
            if not self.too_many:
                self.too_many = True
                self.insp.findings.append(
                    _uninspectable(
                        "TOO_MANY_PARTS", "message", f"more than {self.limits.max_parts} MIME parts"
                    )
                )
            return
        if depth > self.limits.max_mime_depth:
            self.insp.findings.append(_uninspectable("MIME_NESTING", prefix or "message", "nesting too deep"))
            return
        self._check_ambiguity(part, prefix)
        ctype = part.get_content_type()
        if part.is_multipart():
            if ctype == "message/rfc822" or ctype.startswith("message/"):
                for sub in part.get_payload() or []:
                    if isinstance(sub, Message):
                        self._forwarded(sub, prefix=prefix, depth=depth)
                return
            for sub in part.get_payload() or []:
                if isinstance(sub, Message):
                    self.walk(sub, prefix=prefix, quoted=quoted, depth=depth + 1)
            return
        filename = _filename(part)
        disposition = (part.get_content_disposition() or "").lower()
        is_attachment = disposition == "attachment" or bool(filename)
        if ctype in ("text/plain", "text/html") and not is_attachment:
            text = _text_of(part)
            if text is None:
                self.insp.findings.append(
                    _uninspectable("UNDECODABLE_TEXT", prefix or "body", "body text could not be decoded")
                )
                return
            self._body(text, html=ctype == "text/html", prefix=prefix, quoted=quoted)
            return
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:
            self.insp.findings.append(
                _uninspectable("UNDECODABLE_PART", prefix or "attachment", "attachment could not be decoded")
            )
            return
        name = filename or f"unnamed.{ctype.split('/')[-1]}"
        where = f"{prefix}attachment:{name}" if not prefix else f"{prefix}/{name}"
        self.insp.parts.append(
            Part(
                data=bytes(data),
                content_type=ctype,
                filename=name,
                where=where,
                quoted=quoted,
                inline=disposition == "inline",
            )
        )

    def _forwarded(self, sub: Message, *, prefix: str, depth: int) -> None:
        subject = str(sub.get("Subject", "") or "")[:60] or "message"
        where = f"{prefix}forwarded:{subject}" if not prefix else f"{prefix}/forwarded:{subject}"
        _read_headers(sub, self.insp, where, quoted=True, top=False)
        self.walk(sub, prefix=where + "/", quoted=True, depth=depth + 1)

    def _body(self, text: str, *, html: bool, prefix: str, quoted: bool) -> None:
        where = (prefix.rstrip("/") + "/" if prefix else "") + ("html" if html else "body")
        if html:
            own, q = html_to_text(text)
            own, q2 = split_quoted(own)
            q = "\n".join(x for x in (q, q2) if x)
        else:
            own, q = split_quoted(text)
        if own.strip():
            self.insp.segments.append(Segment(own, where, quoted=quoted, kind="body"))
        if q.strip():
            self.insp.segments.append(Segment(q, where, quoted=True, kind="body"))

    def _check_ambiguity(self, part: Message, prefix: str) -> None:
        where = prefix.rstrip("/") or "message"
        ctes = part.get_all("Content-Transfer-Encoding") or []
        if len({str(c).strip().lower() for c in ctes}) > 1 or len(ctes) > 1:
            self.insp.findings.append(
                _uninspectable("AMBIGUOUS_MIME", where, "duplicate Content-Transfer-Encoding")
            )
        ctypes = part.get_all("Content-Type") or []
        if len(ctypes) > 1:
            self.insp.findings.append(_uninspectable("AMBIGUOUS_MIME", where, "duplicate Content-Type"))
        raw_ct = _raw_header(part, "Content-Type")
        if len(re.findall(r"(?i)(?:^|;)\s*boundary\s*=", raw_ct)) > 1:
            self.insp.findings.append(_uninspectable("AMBIGUOUS_MIME", where, "duplicate boundary parameter"))
        raw_cd = _raw_header(part, "Content-Disposition") + ";" + raw_ct
        names = _all_filenames(raw_cd)
        if len({n.lower() for n in names}) > 1:
            self.insp.findings.append(_uninspectable("AMBIGUOUS_MIME", where, "conflicting file names"))
        if any("=?" in n and "?=" in n for n in re.findall(r'(?i)filename\s*=\s*"([^"]*)"', raw_cd)):
            self.insp.findings.append(_uninspectable("AMBIGUOUS_MIME", where, "encoded-word in a filename"))


def _raw_header(part: Message, name: str) -> str:
    for k, v in part.raw_items() if isinstance(part, EmailMessage) else part.items():
        if k.lower() == name.lower():
            return str(v)
    return ""


def _all_filenames(raw: str) -> list[str]:
    out = []
    for m in re.finditer(r"(?i)(?:file)?name\*?(?:\d+\*?)?\s*=\s*(\"[^\"]*\"|[^;\s]+)", raw):
        value = m.group(1).strip('"')
        if "''" in value:
            value = value.split("''", 1)[1]
        from urllib.parse import unquote

        out.append(unquote(value))
    return out


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        ctype_name = part.get_param("name")
        if isinstance(ctype_name, str):
            name = ctype_name
    return str(name or "").replace("/", "_").replace("\\", "_").strip()[:200]


def _text_of(part: Message) -> str | None:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        return None
    if payload is None:
        return ""
    charset = part.get_content_charset() or "utf-8"
    for cs in (charset, "utf-8", "cp1252", "latin-1"):
        try:
            return bytes(payload).decode(cs)
        except (LookupError, UnicodeDecodeError):
            continue
    return bytes(payload).decode("utf-8", "replace")


def split_quoted(text: str) -> tuple[str, str]:
    """(what the sender wrote, what they quoted or forwarded)."""
    text = text.replace("\r\n", "\n")
    own_lines: list[str] = []
    quoted_lines: list[str] = []
    m = _QUOTE_HEAD.search(text) or _OUTLOOK_HEAD.search(text)
    head, tail = (text[: m.start()], text[m.start() :]) if m else (text, "")
    for line in head.split("\n"):
        (quoted_lines if line.lstrip().startswith(">") else own_lines).append(line)
    if tail:
        quoted_lines.append(tail)
    return "\n".join(own_lines).strip(), "\n".join(quoted_lines).strip()
