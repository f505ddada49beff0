"""The MIME walker: raw bytes -> an `Inspection` of segments, parts and findings.

Every part is visited, without recursion: the headers (Subject and the
display names), text and HTML bodies (HTML turned into text; in
multipart/alternative both are read), forwarded messages (message/rfc822,
marked quoted), preambles, and attachments, which are handed on as bytes
(`Part`) to `gateway.extract`. Text quoted from an earlier message is
split from what the sender wrote (`split_quoted`).

Locations: "header:Subject", "header:From" (display names), "body",
"html", "preamble", "attachment:NAME"; inside a forwarded message the same
under "forwarded/" (or "attachment:NAME.eml/" when the forward carries a
file name): "forwarded/body", "attachment:fwd.eml/attachment:list.xlsx".
Subjects never appear in locations (locations are logged).

What cannot be read unambiguously becomes an `uninspectable` finding with
full score:

- MIME_NESTING: multiparts (or message/rfc822 parts) nested deeper than
  limits.max_mime_depth. A linear pre-scan finds the depth before Python's
  recursive parser sees it; the message is parsed only up to the part
  that crosses the limit (1000 nested multiparts never reach the parser,
  so no RecursionError), and what comes before is still read.
- TOO_MANY_PARTS: more than limits.max_parts parts; likewise cut there.
- AMBIGUOUS_MIME (details["reason"]): the cases where mail filters and
  mail clients disagree: a duplicate boundary
  parameter, two different charset parameters, duplicate Content-Transfer-Encoding / Content-Type /
  Content-Disposition headers with different values, file names that
  differ between filename, filename* and name (read with every decoding),
  encoded-words in a file name, and a multipart whose boundary never
  appears (readers disagree on what its body is; it is read as text), and a
  forwarded message sent base64 or quoted-printable (decoded and read).
- TEXT_LIMIT: more than limits.max_text_chars characters of text.
- PARSE_ERROR: anything else the parser could not take.
"""

from __future__ import annotations

import base64
import binascii
import email.errors
import email.policy
import quopri
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses
from typing import Any
from urllib.parse import unquote

from gateway.model.envelope import Envelope
from gateway.model.finding import UNINSPECTABLE, Finding
from gateway.model.html import html_to_text
from gateway.model.message import Inspection, Part, Segment

#: compat32 keeps headers as raw strings: policy.default parses every header it is asked for with
#: the full RFC 5322 grammar, which costs about 1 ms each. The few headers read here are decoded
#: explicitly (encoded-words, RFC 2231 parameters), every reading of a file name is compared
#: (see check_ambiguity), and the name shown is the one policy.default (and mail clients) would show.
_POLICY = email.policy.compat32
#: whatever max_mime_depth says, Python's recursive parser is never given more than this
_HARD_DEPTH = 100
_TEXT_HEADERS = ("Subject", "Thread-Topic", "Comments", "Keywords")
_ADDRESS_HEADERS = ("From", "To", "Cc", "Bcc", "Reply-To", "Sender")
_BOILERPLATE = re.compile(r"^\s*(this is a multi-?part message in mime format\.?)?\s*$", re.IGNORECASE)
_PGP_BLOCK = "-----BEGIN PGP MESSAGE-----"
_ENCODED = ("base64", "quoted-printable")

# --- the structure pre-scan ------------------------------------------------------------------------
_DELIM = re.compile(rb"--([^\r\n]*)")
_DECL = re.compile(rb"[ \t]*boundary[ \t]*=[ \t]*(?:\"([^\"\r\n]*)\"|([^;\s\"]+))", re.IGNORECASE)
_MESSAGE = re.compile(rb"content-type:[ \t]*message/(?!delivery-status)", re.IGNORECASE)


@dataclass(frozen=True)
class _Token:
    """One thing the structure scan cares about, at `start` in the raw message."""

    start: int
    end: int
    delim: bytes | None = None  # a line starting with "--": what follows the dashes
    boundary: bytes | None = None  # a boundary= declaration
    message: bool = False  # a message/* Content-Type (a forwarded message nests)

    @property
    def declares(self) -> bool:
        return self.boundary is not None or self.message


def _tokens(raw: bytes) -> list[_Token]:
    """Delimiter lines, boundary declarations and message/* types, in order.

    Found with bytes.find (C speed) and checked with a regex only where a
    candidate is: a regex scanning every byte of a 50 MB attachment for
    these alternatives took seconds.
    """
    low = raw.lower()
    out: list[_Token] = []
    pos = 0 if raw.startswith(b"--") else raw.find(b"\n--")
    while pos >= 0:
        start = pos if pos == 0 and raw.startswith(b"--") else pos + 1
        m = _DELIM.match(raw, start)
        if m and (m.end() == len(raw) or raw[m.end()] == 10 or raw[m.end() : m.end() + 2] == b"\r\n"):
            end = m.end() + (1 if raw[m.end() : m.end() + 1] == b"\r" else 0)  # at the line's \n
            out.append(_Token(start, end, delim=m.group(1)))
        pos = raw.find(b"\n--", start + 1)
    pos = low.find(b"boundary")
    while pos >= 0:
        ws = pos
        while ws > 0 and raw[ws - 1] in b" \t":
            ws -= 1
        if ws == 0 or raw[ws - 1] in b";\n":
            m = _DECL.match(raw, ws)
            if m:
                value = m.group(1) if m.group(1) is not None else m.group(2)
                out.append(_Token(ws - 1 if ws and raw[ws - 1] == 59 else ws, m.end(), boundary=value))
        pos = low.find(b"boundary", pos + 8)
    pos = low.find(b"content-type:")
    while pos >= 0:
        if (pos == 0 or raw[pos - 1] == 10) and (m := _MESSAGE.match(raw, pos)):
            out.append(_Token(pos, m.end(), message=True))
        pos = low.find(b"content-type:", pos + 13)
    out.sort(key=lambda t: t.start)
    kept: list[_Token] = []
    for tok in out:  # a "boundary=" inside a delimiter line is part of that line, not a declaration
        if not kept or tok.start >= kept[-1].end:
            kept.append(tok)
    return kept


_SURROGATES = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class Shape:
    """What the pre-scan learnt: nesting depth and part count, and where to cut if over a limit."""

    depth: int
    parts: int
    cut: int | None = None  # parse only raw[:cut]
    reason: str = ""  # "MIME_NESTING" or "TOO_MANY_PARTS" when cut


def scan_structure(raw: bytes, max_depth: int, max_parts: int) -> Shape:
    """Nesting depth and part count from boundary lines, linear in the size, no recursion."""
    low = raw.lower()
    if raw.count(b"\n--") <= max_parts and low.count(b"boundary") + low.count(b"message/") <= max_depth:
        return Shape(depth=0, parts=0)  # cannot be over either limit: skip the exact scan
    stack: list[bytes | None] = []
    depth = parts = 0
    part_start = 0
    for tok in _tokens(raw):
        if tok.delim is not None:
            b = tok.delim.rstrip(b" \t")  # trailing white space after a boundary is allowed
            closing = False
            if b not in stack and b.endswith(b"--") and b[:-2] in stack:
                b, closing = b[:-2], True
            if b not in stack:
                continue
            i = len(stack) - 1 - stack[::-1].index(b)
            del stack[i + (0 if closing else 1) :]
            if not closing:
                parts += 1
                part_start = tok.start
                if parts > max_parts:
                    return Shape(depth, parts, cut=tok.start, reason="TOO_MANY_PARTS")
            continue
        stack.append(tok.boundary)  # None for a message/* part
        depth = max(depth, len(stack))
        if len(stack) > max_depth:
            return Shape(depth, parts, cut=part_start, reason="MIME_NESTING")
    return Shape(depth, parts)


#: leaf bodies at least this large are kept out of Python's line-by-line parser (see skeleton)
SKELETON_MIN_BYTES = 32 * 1024
_TOKEN = "\x00gateway-body-{}\x00"
#: email.feedparser.headerRE, for bytes
_HEADER_LINE = re.compile(rb"From |[\041-\071\073-\176]*:|[\t ]")


def skeleton(raw: bytes, min_body: int = SKELETON_MIN_BYTES) -> tuple[bytes, dict[str, bytes]]:
    """The message with its large leaf bodies replaced by short tokens, and token -> body.

    Python's parser handles a message line by line (about 10 MB of base64 a
    second, and several copies of it in memory): a 37 MB attachment took 8 s
    and 240 MB. Leaf bodies found by the same linear scan as the structure
    (a part directly under a boundary whose headers declare no boundary and
    no message/*, or the body of a single-part message; structure inside
    forwarded messages is left to the parser) are cut out before
    parsing and put back into the parsed part afterwards, as the exact text
    the parser would have produced (bytes read as ASCII with surrogateescape,
    without the line break that belongs to the next delimiter).
    """
    if len(raw) < min_body:
        return raw, {}
    cuts: list[tuple[int, int]] = []
    stack: list[bytes | None] = []
    header_start, body_start, leaf = 0, _body_start(raw, 0), True

    def plain(start: int, end: int) -> bool:
        """A body to cut: no multipart or message/* type in its headers (whatever the scan saw)."""
        if not leaf or start < 0 or end < 0:
            return False
        head = raw[start:end].lower()
        return b"multipart/" not in head and b"message/" not in head

    def close(line_start: int) -> None:
        end = line_start - 2 if raw[line_start - 2 : line_start] == b"\r\n" else line_start
        if (
            stack
            and stack[-1] is not None
            and end - body_start >= min_body
            and plain(header_start, body_start)
        ):
            cuts.append((body_start, end))

    for tok in _tokens(raw):
        if tok.delim is not None:
            b = tok.delim.rstrip(b" \t")
            closing = False
            if b not in stack and b.endswith(b"--") and b[:-2] in stack:
                b, closing = b[:-2], True
            if b not in stack:
                continue
            i = len(stack) - 1 - stack[::-1].index(b)
            del stack[i + 1 :]
            close(tok.start)
            if closing:
                stack.pop()
                leaf, header_start, body_start = False, -1, -1  # an epilogue follows, not a part
            else:
                header_start = tok.end + 1
                body_start, leaf = _body_start(raw, header_start), True
            continue
        if not header_start <= tok.start < body_start:
            continue  # "boundary=" in a body, preamble or forwarded message: not this part's structure
        span = _content_type_span(raw, header_start, body_start)
        if not leaf or span is None or not span[0] <= tok.start < span[1]:
            # two declarations, two Content-Types, or a boundary outside the Content-Type header:
            # the parser's own choices decide; leave the whole message to it
            return raw, {}
        if tok.boundary is not None and b"multipart/" not in raw[span[0] : span[1]].lower():
            return raw, {}  # a boundary on a type that is not multipart: the parser ignores it
        leaf = False  # the headers of this part declare a boundary or message/*: a container
        stack.append(tok.boundary)
    if not stack and len(raw) - body_start >= min_body and plain(header_start, body_start):
        cuts.append((body_start, len(raw)))  # a single-part message
    if not cuts:
        return raw, {}
    bodies: dict[str, bytes] = {}
    out: list[bytes] = []
    pos = 0
    for n, (start, end) in enumerate(cuts):
        token = _TOKEN.format(n)
        bodies[token] = raw[start:end]
        out.extend((raw[pos:start], token.encode("ascii")))
        pos = end
    out.append(raw[pos:])
    return b"".join(out), bodies


def _content_type_span(raw: bytes, start: int, end: int) -> tuple[int, int] | None:
    """Where the one Content-Type header of a header block lies (with its folded lines); None if not one."""
    head = raw[start:end].lower()
    found = [m.start() for m in re.finditer(rb"(?:^|\r\n)content-type:", head)]
    if len(found) != 1:
        return None
    ct = start + found[0] + (0 if head.startswith(b"content-type:") else 2)
    pos = ct
    while True:
        eol = raw.find(b"\r\n", pos, end)
        if eol < 0:
            return ct, end
        if raw[eol + 2 : eol + 3] not in (b" ", b"\t"):
            return ct, eol
        pos = eol + 2


def _body_start(raw: bytes, header_start: int) -> int:
    """Where the body of a part whose headers start at header_start begins (-1: no body).

    The header block ends where Python's parser ends it: at an empty line, or
    at the first line that is not a header line (its headerRE). Header blocks
    the parser treats specially (a "From " line, a leading continuation) are
    not cut at all.
    """
    pos = header_start
    while True:
        eol = raw.find(b"\r\n", pos)
        if eol < 0:
            return -1
        if eol == pos:
            return eol + 2
        if raw.startswith(b"From ", pos) or (pos == header_start and raw[pos : pos + 1] in (b" ", b"\t")):
            return -1  # envelope "From " lines and leading continuations: the parser's special cases
        if not _HEADER_LINE.match(raw, pos):
            return pos
        pos = eol + 2


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


# --- the walker ----------------------------------------------------------------------------------


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
            self.insp.segments.append(Segment(kept, where, quoted=quoted, kind=kind))

    # headers

    def read_headers(self, msg: Message, prefix: str, *, quoted: bool, top: bool) -> None:
        if top:
            for k, v in msg.raw_items():
                self.insp.headers.append((k, _header_text(_unfold(v)).strip()))
        for name in _TEXT_HEADERS:
            for value in _header_values(msg, name):
                self.segment(value, f"{prefix}header:{name}", quoted=quoted, kind="header")
                if top and name == "Subject" and not self.insp.subject:
                    self.insp.subject = value
        for name in _ADDRESS_HEADERS:
            values = _header_values(msg, name)
            if not values:
                continue
            try:
                pairs = [(_header_text(d), a) for d, a in getaddresses(values)]
            except Exception:  # a malformed address list: the names are still read as text below
                pairs = [(_header_text(v), "") for v in values]
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
            self.check_ambiguity(part, pfx, truncated=truncated)
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
                encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
                if encoding in _ENCODED and subs:
                    self._encoded_forward(subs[0], part, encoding, pfx, quoted)
                    return []
                return [self._forwarded(sub, part, pfx, depth) for sub in subs[:1]]
            for extra, label in ((part.preamble, "preamble"), (part.epilogue, "epilogue")):
                if extra and not _BOILERPLATE.match(extra):
                    self.segment(extra, f"{pfx}{label}", quoted=quoted, kind="body")
            return [(sub, pfx, quoted, depth + 1) for sub in subs]
        filename = _filename(part)
        disposition = part.get_content_disposition() or ""
        if part.get_content_maintype() == "multipart":
            # a multipart whose boundary never appears: clients disagree on what it shows
            self.finding(
                "AMBIGUOUS_MIME",
                pfx.rstrip("/") or "message",
                "multipart without its boundary",
                reason="missing_boundary",
            )
            self.body(_decoded_text(part), html=False, pfx=pfx, quoted=quoted)
            return []
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            text = _decoded_text(part)
            if ctype == "text/plain" and _param(part, "format") == "flowed":
                text = unflow(text, delsp=_param(part, "delsp") == "yes")
            self.body(text, html=ctype == "text/html", pfx=pfx, quoted=quoted)
            return []
        try:
            data = part.get_payload(decode=True)
        except Exception:  # a damaged transfer encoding: keep the raw payload for the extractors
            data = str(payload).encode("utf-8", "replace")
        if not isinstance(data, bytes):
            data = b""
        name = filename or f"unnamed.{ctype.split('/')[-1]}"
        self.parts.append(
            Part(
                data=data,
                content_type=ctype,
                filename=name,
                where=f"{pfx}attachment:{name}",
                quoted=quoted,
                inline=disposition == "inline",
            )
        )
        return []

    def _forwarded(
        self, sub: Message, container: Message, pfx: str, depth: int
    ) -> tuple[Message, str, bool, int]:
        name = _filename(container)
        inner = f"{pfx}attachment:{name}/" if name else f"{pfx}forwarded/"
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
        name = _filename(container) or "forwarded.eml"
        where = f"{pfx}attachment:{name}"
        self.finding("AMBIGUOUS_MIME", where, f"forwarded message sent {encoding}", reason="encoded_message")
        text = sub.as_string().lstrip("\r\n")
        try:
            if encoding == "base64":
                data = base64.b64decode(
                    "".join(text.split()).encode("ascii", "ignore") + b"==", validate=False
                )
            else:
                data = quopri.decodestring(text.encode("utf-8", "surrogateescape"))
        except (binascii.Error, ValueError):
            data = text.encode("utf-8", "surrogateescape")
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

    def check_ambiguity(self, part: Message, pfx: str, *, truncated: bool) -> None:
        name = _filename(part)
        where = f"{pfx}attachment:{name}" if name else (pfx.rstrip("/") or "message")
        raw: dict[str, list[str]] = {}
        for k, v in part.raw_items():
            raw.setdefault(k.lower(), [])
            raw[k.lower()].append(_unfold(v))
        for header, reason in (
            ("content-transfer-encoding", "duplicate_transfer_encoding"),
            ("content-type", "duplicate_content_type"),
            ("content-disposition", "duplicate_content_disposition"),
        ):
            values = {v.strip().lower() for v in raw.get(header, [])}
            if len(values) > 1:
                self.finding("AMBIGUOUS_MIME", where, f"{header} given twice, differently", reason=reason)
        content_type = ";".join(raw.get("content-type", []))
        if _count_param(content_type, "boundary") > 1:
            self.finding(
                "AMBIGUOUS_MIME", where, "boundary parameter given twice", reason="duplicate_boundary"
            )
        charsets = {v.strip('"').lower() for k, v in _params(content_type) if k == "charset"}
        if len(charsets) > 1:
            self.finding(
                "AMBIGUOUS_MIME", where, "charset given twice, differently", reason="duplicate_charset"
            )
        disposition = ";".join(raw.get("content-disposition", []))
        names, encoded_word = _all_filenames(disposition, "filename")
        ct_names, ct_encoded = _all_filenames(content_type, "name")
        if encoded_word or ct_encoded:
            self.finding(
                "AMBIGUOUS_MIME", where, "encoded-word in a file name", reason="encoded_word_filename"
            )
        if len({_fold(n) for n in names + ct_names}) > 1:
            self.finding(
                "AMBIGUOUS_MIME",
                where,
                "file name differs between its parameters",
                reason="filename_conflict",
            )
        if not truncated:
            for defect in part.defects:
                if isinstance(
                    defect,
                    email.errors.StartBoundaryNotFoundDefect | email.errors.MultipartInvariantViolationDefect,
                ):
                    self.finding(
                        "AMBIGUOUS_MIME", where, "multipart boundary not found", reason="missing_boundary"
                    )


# --- helpers -------------------------------------------------------------------------------------


def _header_text(value: Any) -> str:
    try:
        return str(make_header(decode_header(str(value)))) if "=?" in str(value) else str(value)
    except Exception:  # undecodable encoded-words: the raw text is still text
        return str(value)


def _header_values(msg: Message, name: str) -> list[str]:
    out: list[str] = []
    try:
        values = msg.get_all(name) or []
    except Exception:  # a header the policy cannot parse: fall back to its raw text
        values = [v for k, v in msg.raw_items() if k.lower() == name.lower()]
    for v in values:
        out.append(_header_text(_unfold(v)).strip())
    return out


def _param(part: Message, name: str) -> str:
    value = part.get_param(name)
    return value.lower() if isinstance(value, str) else ""


def _unfold(value: str) -> str:
    """A raw header value on one line, 8-bit bytes read as UTF-8 (RFC 6532 headers)."""
    text = str(value)
    if _SURROGATES.search(text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return re.sub(r"\r?\n[ \t]+", " ", text)


_PARAM = re.compile(
    r';\s*([!#$%&\'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)',
)


def _params(header: str) -> list[tuple[str, str]]:
    return [(m.group(1).lower(), m.group(2).strip()) for m in _PARAM.finditer(";" + header.split(";", 1)[-1])]


def _count_param(header: str, name: str) -> int:
    """How many logical values of a parameter (RFC 2231 continuations count once)."""
    count = 0
    for key, _ in _params(header):
        base, _, rest = key.partition("*")
        index = rest.rstrip("*")
        if base == name and (not index.isdigit() or index == "0"):
            count += 1
    return count


def _all_filenames(header: str, name: str, *, preferred_first: bool = False) -> tuple[list[str], bool]:
    """Every reading of a file name parameter, and whether an encoded-word was used.

    With preferred_first the list starts with the reading policy.default gives:
    the RFC 2231 value (filename*), else the encoded-word decoded, else the plain value.
    """
    names: list[str] = []
    extended: list[str] = []
    encoded_word = False
    pieces: dict[int, str] = {}
    charset = ""
    for key, value in _params(header):
        base, star, rest = key.partition("*")
        if base != name:
            continue
        value = value[1:-1].replace('\\"', '"') if value.startswith('"') and value.endswith('"') else value
        if not star:
            names.append(value)
            if "=?" in value and "?=" in value:
                encoded_word = True
                names.append(_header_text(value))
        elif rest == "":  # filename*=charset'lang'value
            extended.append(_rfc2231(value))
        else:
            index = rest.rstrip("*")
            if index.isdigit():
                if index == "0" and rest.endswith("*") and value.count("'") >= 2:
                    charset = value.split("'", 1)[0]
                    value = value.split("'", 2)[2]
                pieces[int(index)] = (
                    unquote(value, encoding=charset or "utf-8", errors="replace")
                    if rest.endswith("*")
                    else value
                )
    if pieces:
        extended.append("".join(pieces[i] for i in sorted(pieces)))
    if preferred_first:
        return [n for n in [*extended, *reversed(names)] if n], encoded_word
    return names + extended, encoded_word


def _rfc2231(value: str) -> str:
    if value.count("'") >= 2:
        charset, _lang, rest = value.split("'", 2)
        try:
            return unquote(rest, encoding=charset or "utf-8", errors="replace")
        except LookupError:
            return unquote(rest, errors="replace")
    return unquote(value, errors="replace")


def _fold(name: str) -> str:
    """A file name compared loosely: an ASCII fallback of an accented name is the same name."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _filename(part: Message) -> str:
    """The file name a mail client shows: filename* (RFC 2231), else filename decoded, else name."""
    name = ""
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        raw = ";".join(_unfold(v) for k, v in part.raw_items() if k.lower() == header)
        names, _ = _all_filenames(raw, param, preferred_first=True)
        if names:
            name = names[0]
            break
    text = name
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text.replace("/", "_").replace("\\", "_").strip()[:200]


def _decoded_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    charset = part.get_content_charset() or ""
    for cs in (charset, "utf-8"):
        if not cs:
            continue
        try:
            return payload.decode(cs)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("cp1252", "replace")


def unflow(text: str, *, delsp: bool = False) -> str:
    """Undo format=flowed soft line breaks (RFC 3676), so a wrapped number reads whole again."""
    out: list[str] = []
    carry = ""
    carry_depth = -1
    for line in text.replace("\r\n", "\n").split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        if body.startswith(" "):
            body = body[1:]  # space-stuffing
        if carry and depth != carry_depth:
            out.append(">" * carry_depth + (" " if carry_depth else "") + carry)
            carry = ""
        if body.endswith(" ") and body.strip() != "--":
            carry += body[:-1] if delsp else body
            carry_depth = depth
            continue
        full = carry + body
        carry = ""
        out.append(">" * depth + (" " if depth else "") + full)
    if carry:
        out.append(">" * carry_depth + (" " if carry_depth else "") + carry)
    return "\n".join(out)


# --- quoted text -----------------------------------------------------------------------------------

_SEPARATOR = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|forwarded message|message transféré|weitergeleitete nachricht)\s*-{2,}"
    r"|begin forwarded message:"
    r"|_{10,})\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:from|von|de):\*?\s+\S", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(?:sent|date|to|cc|subject|gesendet|envoyé):\*?\s", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(r"(?:wrote|writes|a écrit|schrieb)\s*:\s*$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^\s*(?:on|le|am)\s.+", re.IGNORECASE)


def split_quoted(text: str) -> tuple[str, str]:
    """(what the sender wrote, what they quoted or forwarded).

    Quoted: "> " lines; an "On ... wrote:" attribution and, when the text
    after it is not marked with ">" (top-posting), everything after it;
    everything after an "Original Message" / "Forwarded message" separator,
    an Outlook "From: / Sent: / To:" header block or a line of underscores.
    Replies written between ">" blocks stay the sender's own.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    own: list[str] = []
    quoted: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith(">"):
            quoted.append(line)
            i += 1
            continue
        if _SEPARATOR.match(line) or _outlook_block(lines, i):
            quoted.extend(lines[i:])
            break
        span = _attribution(lines, i)
        if span:
            quoted.extend(lines[i : i + span])
            i += span
            following = next((x for x in lines[i:] if x.strip()), "")
            if not following.lstrip().startswith(">"):
                quoted.extend(lines[i:])  # top-posted reply: the rest is the earlier message
                break
            continue
        own.append(line)
        i += 1
    return "\n".join(own).strip(), "\n".join(quoted).strip()


def _outlook_block(lines: list[str], i: int) -> bool:
    if not _OUTLOOK_FROM.match(lines[i]):
        return False
    following = [x for x in lines[i + 1 : i + 4] if x.strip()]
    return bool(following) and _OUTLOOK_NEXT.match(following[0]) is not None


def _attribution(lines: list[str], i: int) -> int:
    """How many lines an "On <date>, <name> wrote:" attribution starting at line i spans (0: none)."""
    if not _ATTRIBUTION_START.match(lines[i]):
        return 0
    for span in (1, 2, 3):
        if i + span > len(lines):
            break
        joined = " ".join(lines[i : i + span])
        if _ATTRIBUTION_END.search(joined) and re.search(r"\d|@|<", joined):
            return span
    return 0
