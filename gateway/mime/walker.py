"""The walker: raw bytes -> an `Inspection` of segments, parts and findings (see the package docstring)."""

from __future__ import annotations

import email.policy
import re
from collections.abc import Callable
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses
from typing import Any

from gateway.mime.checks import ambiguities
from gateway.mime.decoding import (
    BASE64,
    QUOTED_PRINTABLE,
    UUENCODE,
    Decoded,
    decode_body,
    decode_transfer,
    part_encoding,
)
from gateway.mime.embedded import find_blocks
from gateway.mime.headers import all_readings, filename, header_text, header_values, param, unfold
from gateway.mime.lenient import charset_readings
from gateway.mime.quoted import split_quoted, unflow
from gateway.mime.skeleton import SKELETON_MIN_BYTES, skeleton
from gateway.mime.structure import scan_structure
from gateway.model.envelope import Envelope
from gateway.model.finding import UNINSPECTABLE, Finding
from gateway.model.html import html_to_text
from gateway.model.message import Inspection, Part, Segment

#: compat32 keeps headers as raw strings: policy.default parses every header it is asked for with
#: the full RFC 5322 grammar, which costs about 1 ms each. The few headers read here are decoded
#: explicitly (encoded-words, RFC 2231 parameters), every reading of a file name is compared
#: (see checks), and the name shown is the one policy.default (and mail clients) would show.
_POLICY = email.policy.compat32
#: whatever max_mime_depth says, Python's recursive parser is never given more than this
_HARD_DEPTH = 100
_TEXT_HEADERS = ("Subject", "Thread-Topic", "Comments", "Keywords")
_ADDRESS_HEADERS = ("From", "To", "Cc", "Bcc", "Reply-To", "Sender")
#: matched against the stripped text: "\s*(...)?\s*$" backtracks quadratically over a run of blanks
_BOILERPLATE = re.compile(r"(?:this is a multi-?part message in mime format\.?)?", re.IGNORECASE)
_PGP_BLOCK = "-----BEGIN PGP MESSAGE-----"
#: a segment is never longer than this (detectors may bound what they scan of one segment); longer
#: text is split at line ends into several segments at the same location
SEGMENT_CHARS = 1_000_000
#: characters repeated at the start of the next piece, so a sentence cut at a split is read whole once
SEGMENT_OVERLAP = 2_000


# --- public entry points -------------------------------------------------------------------------


def normalise_line_endings(raw: bytes) -> bytes:
    """CRLF kept, bare LF -> CRLF, bare CR -> space: what Postfix delivers, so what we scan."""
    if b"\r" not in raw:
        return raw.replace(b"\n", b"\r\n")
    if b"\r\n" in raw and raw.count(b"\r") == raw.count(b"\r\n") == raw.count(b"\n"):
        return raw  # already clean: the common case, no copies
    raw = raw.replace(b"\r\n", b"\n")
    raw = raw.replace(b"\r", b" ")
    return raw.replace(b"\n", b"\r\n")


def parse_message(raw: bytes, envelope: Envelope, limits: Any) -> Inspection:
    """Read a whole message; attachments are left as `Part`s for `gateway.extract.extract_all`."""
    raw = normalise_line_endings(raw)
    insp = Inspection(envelope=envelope, size=len(raw))
    insp.parts.extend(read_message(raw, insp, limits, top=True))
    return insp


def read_message(
    raw: bytes,
    insp: Inspection,
    limits: Any,
    *,
    prefix: str = "",
    quoted: bool = False,
    top: bool = False,
    take_text: Callable[[str], str] | None = None,
) -> list[Part]:
    """Read one message into `insp` (segments, findings) and return its attachments.

    `prefix` is prepended to every location ("attachment:fwd.eml/"), and
    `quoted` marks everything read as forwarded. `take_text` is the text
    budget to draw on (the extractors pass theirs for attached messages).
    """
    walker = _Walker(insp, limits, take_text=take_text, top=top)
    where = prefix.rstrip("/") or "message"
    max_depth = min(int(limits.max_mime_depth), _HARD_DEPTH)
    shape = scan_structure(raw, max_depth, int(limits.max_parts))
    if shape.cut is not None:
        why = (
            f"multipart nesting deeper than {max_depth}"
            if shape.reason == "MIME_NESTING"
            else f"more than {limits.max_parts} MIME parts"
        )
        walker.finding(shape.reason, where, why)
        head_end = raw.find(b"\r\n\r\n")
        raw = raw[: max(shape.cut, head_end + 4 if head_end >= 0 else len(raw))]  # keep the headers
    raw, walker.bodies = skeleton(raw, SKELETON_MIN_BYTES)
    msg: Message | None
    try:
        msg = BytesParser(policy=_POLICY).parsebytes(raw)
    except RecursionError:
        walker.finding("MIME_NESTING", where, "nesting too deep to parse")
        msg = _headers_only(raw)
    except Exception as exc:  # the stdlib parser is lenient; anything it still raises is unreadable
        walker.finding("PARSE_ERROR", where, f"message could not be parsed ({type(exc).__name__})")
        msg = _headers_only(raw)
    if msg is None:
        return []
    try:
        walker.read_headers(msg, prefix, quoted=quoted, top=top)
        walker.walk(msg, prefix=prefix, quoted=quoted, truncated=shape.cut is not None)
    except RecursionError:
        walker.finding("MIME_NESTING", where, "nesting too deep to read")
    except Exception as exc:  # a parser defect must not let the message through unread
        walker.finding("PARSE_ERROR", where, f"message could not be read ({type(exc).__name__})")
    if walker.truncated_text:
        walker.finding("TEXT_LIMIT", where, f"more than {limits.max_text_chars} characters of text")
    return walker.parts


def _headers_only(raw: bytes) -> Message | None:
    end = raw.find(b"\r\n\r\n")
    head = raw[: end if end >= 0 else min(len(raw), 1_000_000)]
    try:
        return BytesParser(policy=_POLICY).parsebytes(head + b"\r\n\r\n", headersonly=True)
    except Exception:
        return None


class _Walker:
    def __init__(
        self, insp: Inspection, limits: Any, *, take_text: Callable[[str], str] | None, top: bool
    ) -> None:
        self.insp = insp
        self.limits = limits
        self.parts: list[Part] = []
        self.top = top
        self.seen = 0
        self.text_left = int(limits.max_text_chars)
        self.truncated_text = False
        self._take_text = take_text or self._own_budget
        self._reported: set[tuple[str, str, str]] = set()
        self.bodies: dict[str, bytes] = {}  # skeleton tokens -> the bodies they stand for

    def _own_budget(self, text: str) -> str:
        if len(text) <= self.text_left:
            self.text_left -= len(text)
            return text
        self.truncated_text = True
        kept = text[: max(self.text_left, 0)]
        self.text_left = 0
        return kept

    def finding(self, kind: str, where: str, why: str, *, reason: str = "") -> None:
        key = (kind, where, reason)
        if key in self._reported:
            return
        self._reported.add(key)
        self.insp.findings.append(
            Finding(
                category=UNINSPECTABLE,
                type=kind,
                where=where,
                score=1.0,
                evidence=why,
                detector="mime",
                details={"reason": reason} if reason else {},
            )
        )

    def segment(self, text: str, where: str, *, quoted: bool, kind: str) -> None:
        if not text.strip():
            return
        kept = self._take_text(text)
        if kept.strip():
            for piece in pieces(kept):
                self.insp.segments.append(Segment(piece, where, quoted=quoted, kind=kind))

    # headers

    def read_headers(self, msg: Message, prefix: str, *, quoted: bool, top: bool) -> None:
        if top:
            for k, v in msg.raw_items():
                self.insp.headers.append((k, header_text(unfold(v)).strip()))
        for name in _TEXT_HEADERS:
            for value in header_values(msg, name):
                self.segment(value, f"{prefix}header:{name}", quoted=quoted, kind="header")
                if top and name == "Subject" and not self.insp.subject:
                    self.insp.subject = value
        for name in _ADDRESS_HEADERS:
            values = header_values(msg, name)
            if not values:
                continue
            try:
                pairs = [(header_text(d), a) for d, a in getaddresses(values)]
            except Exception:  # a malformed address list: the names are still read as text below
                pairs = [(header_text(v), "") for v in values]
            for display, addr in pairs:
                self.insp.correspondents.append((display, addr))
                if display:
                    self.segment(display, f"{prefix}header:{name}", quoted=quoted, kind="name")

    # the tree

    def walk(self, root: Message, *, prefix: str, quoted: bool, truncated: bool) -> None:
        stack: list[tuple[Message, str, bool, int]] = [(root, prefix, quoted, 0)]
        max_depth = min(int(self.limits.max_mime_depth), _HARD_DEPTH)
        while stack:
            part, pfx, q, depth = stack.pop()
            self.seen += 1
            where = pfx.rstrip("/") or "message"
            if self.seen > self.limits.max_parts:
                self.finding("TOO_MANY_PARTS", where, f"more than {self.limits.max_parts} MIME parts")
                return
            if depth > max_depth:
                self.finding("MIME_NESTING", where, f"multipart nesting deeper than {max_depth}")
                continue
            self.report_ambiguity(part, pfx, truncated=truncated)
            children = self.visit(part, pfx, q, depth)
            stack.extend(reversed(children))

    def visit(
        self, part: Message, pfx: str, quoted: bool, depth: int
    ) -> list[tuple[Message, str, bool, int]]:
        ctype = part.get_content_type()
        payload = part.get_payload()
        if isinstance(payload, str) and payload in self.bodies:
            payload = self.bodies.pop(payload).decode("ascii", "surrogateescape")  # what the parser makes
            part.set_payload(payload)
        if part.is_multipart() and isinstance(payload, list):
            subs = [p for p in payload if isinstance(p, Message)]
            if part.get_content_maintype() == "message":
                encoding = part_encoding(part)
                if encoding in (BASE64, QUOTED_PRINTABLE, UUENCODE) and subs:
                    self._encoded_forward(subs[0], part, encoding, pfx, quoted)
                    return []
                return [self._forwarded(sub, part, pfx, depth) for sub in subs[:1]]
            for extra, label in ((part.preamble, "preamble"), (part.epilogue, "epilogue")):
                if extra and not _BOILERPLATE.fullmatch(extra.strip()):
                    self.segment(extra, f"{pfx}{label}", quoted=quoted, kind="body")
            return [(sub, pfx, quoted, depth + 1) for sub in subs]
        name = filename(part)
        disposition = part.get_content_disposition() or ""
        if part.get_content_maintype() == "multipart":
            # a multipart whose boundary never appears: clients disagree on what it shows
            self.finding(
                "AMBIGUOUS_MIME",
                pfx.rstrip("/") or "message",
                "multipart without its boundary",
                reason="missing_boundary",
            )
            self.text_body(part, html=False, pfx=pfx, quoted=quoted)
            return []
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not name:
            self.text_body(part, html=ctype == "text/html", pfx=pfx, quoted=quoted)
            return []
        decoded = decode_body(part)
        name = name or f"unnamed.{ctype.split('/')[-1]}"
        where = f"{pfx}attachment:{name}"
        self.encoding_problem(where, decoded)
        self.file_names(part, where, quoted=quoted)
        for data in decoded.readings():
            self.parts.append(
                Part(
                    data=data,
                    content_type=ctype,
                    filename=name,
                    where=where,
                    quoted=quoted,
                    inline=disposition == "inline",
                )
            )
        return []

    def file_names(self, part: Message, where: str, *, quoted: bool) -> None:
        """Every name the part's parameters give, read as text: a name can say what its file does."""
        for reading in all_readings(part):
            self.segment(reading, f"{where}#filename", quoted=quoted, kind="filename")

    def text_body(self, part: Message, *, html: bool, pfx: str, quoted: bool) -> None:
        """A text part: transfer decoding, files written into it, charset, flowed; every reading read."""
        decoded = decode_body(part)
        where = f"{pfx}{'html' if html else 'body'}"
        self.encoding_problem(where, decoded)
        charset = part.get_content_charset() or ""
        flowed = not html and part.get_content_type() == "text/plain" and param(part, "format") == "flowed"
        for data in decoded.readings():
            self.embedded(data, pfx, quoted=quoted)
            texts = charset_readings(data, charset)
            if len(texts) > 1:
                self.finding(
                    "AMBIGUOUS_MIME", where, "declared charset is not one mail clients know", reason="charset"
                )
            for text in texts:
                self.body(
                    unflow(text, delsp=param(part, "delsp") == "yes") if flowed else text,
                    html=html,
                    pfx=pfx,
                    quoted=quoted,
                )

    def embedded(self, data: bytes, pfx: str, *, quoted: bool) -> None:
        """Files written into a text body (uuencode, begin-base64, yEnc) as attachments; the text stays read too."""
        for block in find_blocks(data):
            at = f"{pfx}attachment:{block.name}"
            if block.data is None:
                self.finding("PARSE_ERROR", at, f"{block.kind} block in the text could not be decoded")
                continue
            if block.problem:
                self.finding("PARSE_ERROR", at, f"{block.kind} block in the text {block.problem}")
            self.segment(block.name, f"{at}#filename", quoted=quoted, kind="filename")
            self.parts.append(Part(block.data, "application/octet-stream", block.name, at, quoted=quoted))

    def encoding_problem(self, where: str, decoded: Decoded) -> None:
        """A body whose transfer encoding is unknown, damaged or reads two ways: a client may show something else."""
        if decoded.others:
            why = "base64 with '=', '-' or '_' inside reads more than one way"
            self.finding("AMBIGUOUS_MIME", where, why, reason="base64_readings")
        problem, encoding = decoded.problem, decoded.encoding
        if not problem:
            return
        if problem.startswith("unknown"):
            self.finding("AMBIGUOUS_MIME", where, problem, reason="unknown_transfer_encoding")
        else:
            self.finding("PARSE_ERROR", where, problem, reason=f"damaged_{encoding.replace('-', '_')}")

    def _forwarded(
        self, sub: Message, container: Message, pfx: str, depth: int
    ) -> tuple[Message, str, bool, int]:
        name = filename(container)
        inner = f"{pfx}attachment:{name}/" if name else f"{pfx}forwarded/"
        if name:
            self.file_names(container, f"{pfx}attachment:{name}", quoted=True)
        self.read_headers(sub, inner, quoted=True, top=False)
        return (sub, inner, True, depth + 1)

    def _encoded_forward(
        self, sub: Message, container: Message, encoding: str, pfx: str, quoted: bool
    ) -> None:
        """A message/rfc822 part sent base64 or quoted-printable (RFC 2046 forbids it).

        Python's parser reads the encoded lines as a message with no headers,
        while mail clients decode first and show the message: decode it here
        and hand it to the extractors as an attached message.
        """
        name = filename(container) or "forwarded.eml"
        where = f"{pfx}attachment:{name}"
        self.file_names(container, where, quoted=True)
        self.finding("AMBIGUOUS_MIME", where, f"forwarded message sent {encoding}", reason="encoded_message")
        text = sub.as_string().lstrip("\r\n")
        decoded = decode_transfer(text.encode("utf-8", "surrogateescape"), encoding)
        self.encoding_problem(where, decoded)
        for data in decoded.readings():
            self.parts.append(Part(data, "message/rfc822", name, where, quoted=True))

    def body(self, text: str, *, html: bool, pfx: str, quoted: bool) -> None:
        where = f"{pfx}{'html' if html else 'body'}"
        if html:
            own, quoted_html = html_to_text(text)
            own, quoted_text = split_quoted(own)
            q = "\n".join(x for x in (quoted_text, quoted_html) if x)
        else:
            own, q = split_quoted(text)
        self.segment(own, where, quoted=quoted, kind="body")
        self.segment(q, where, quoted=True, kind="body")
        if _PGP_BLOCK in text:
            self.finding("ENCRYPTED_MESSAGE", where, "text encrypted with PGP")

    # ambiguity: mail readers would not agree on what this part is

    def report_ambiguity(self, part: Message, pfx: str, *, truncated: bool) -> None:
        name = filename(part)
        where = f"{pfx}attachment:{name}" if name else (pfx.rstrip("/") or "message")
        for reason, why in ambiguities(part, truncated=truncated):
            self.finding("AMBIGUOUS_MIME", where, why, reason=reason)


def pieces(text: str, size: int = SEGMENT_CHARS, overlap: int = SEGMENT_OVERLAP) -> list[str]:
    """`text` in pieces of at most `size` characters, cut at line ends, each overlapping the last."""
    if len(text) <= size:
        return [text]
    out: list[str] = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = text.rfind("\n", start + size // 2, end)
            end = cut + 1 if cut > 0 else end
        out.append(text[start:end])
        if end >= len(text):
            break
        start = max(end - overlap, start + 1)
    return out
