"""A held message as the review UI shows it: text blocks with masked identifiers, and attachments.

The raw message is read with the gateway's own MIME walker, so the
reviewer sees the text that was scanned: plain text, and HTML turned into
text (the quarantined HTML itself is never sent to the browser: it could
carry scripts, tracking images or forms). Attachments are listed and only
offered as downloads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.mime import parse_message
from gateway.model import Envelope, Finding
from gateway.model.masking import Located, find_spans, located_spans, mask_text, placeholder
from gateway.model.message import Part

_SHOWN_HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "Date")
ALL = -1  # in a revealed set: every span


@dataclass(frozen=True)
class Piece:
    text: str
    span: int = -1  # span number when this piece is an identifier
    kind: str = ""
    revealed: bool = False
    located: bool = False

    @property
    def masked(self) -> bool:
        return self.span >= 0 and not self.revealed

    @property
    def shown(self) -> str:
        return placeholder(self.kind, self.text) if self.masked else self.text


@dataclass
class Block:
    label: str
    where: str
    quoted: bool
    pieces: list[Piece]
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class Attachment:
    index: int
    filename: str
    content_type: str
    size: int
    where: str
    findings: tuple[Finding, ...] = ()
    name: tuple[Piece, ...] = ()  # the file name, masked like any text

    @property
    def label(self) -> str:
        """The file name as shown (masked parts as placeholders)."""
        return "".join(p.shown for p in self.name) or f"part-{self.index + 1}"


@dataclass
class Rendered:
    headers: list[Block]
    blocks: list[Block]
    attachments: list[Attachment]
    spans: list[tuple[int, str, str]]  # (number, kind, where) of every masked identifier
    other_findings: list[Finding]  # findings not tied to a shown block or attachment
    names: dict[str, str] = field(default_factory=dict)  # file name -> as shown, for locations

    @property
    def masked_count(self) -> int:
        pieces = [p for b in self.headers + self.blocks for p in b.pieces]
        pieces += [p for a in self.attachments for p in a.name]
        return sum(1 for p in pieces if p.masked)

    def place(self, where: str) -> str:
        """A location as shown: the file names in it masked (a name can itself identify a patient)."""
        return shown_place(where, self.names)


def shown_place(where: str, names: dict[str, str] | None = None) -> str:
    """`where` with each file name in it replaced by its masked form (patterns only when not given)."""
    for raw, shown in sorted((names or {}).items(), key=lambda kv: -len(kv[0])):
        if raw and raw != shown:
            where = where.replace(raw, shown)
    return mask_text(where)


class _Numbering:
    def __init__(self, revealed: set[int]) -> None:
        self.next = 0
        self.revealed = revealed
        self.spans: list[tuple[int, str, str]] = []

    def pieces(self, text: str, where: str, located: Sequence[Located], keep: Sequence[str]) -> list[Piece]:
        out: list[Piece] = []
        pos = 0
        for s in find_spans(text, located, keep):
            if s.start > pos:
                out.append(Piece(text[pos : s.start]))
            n = self.next
            self.next += 1
            self.spans.append((n, s.kind, where))
            out.append(
                Piece(
                    text[s.start : s.end],
                    span=n,
                    kind=s.kind,
                    revealed=ALL in self.revealed or n in self.revealed,
                    located=s.located,
                )
            )
            pos = s.end
        if pos < len(text):
            out.append(Piece(text[pos:]))
        return out


def parse_for_review(
    raw: bytes, envelope: Envelope, limits: Any
) -> tuple[list[tuple[str, str]], list[Any], list[Part]]:
    insp = parse_message(raw, envelope, limits)
    return insp.headers, insp.segments, insp.parts


def render_message(
    raw: bytes,
    envelope: Envelope,
    findings: Sequence[Finding],
    limits: Any,
    *,
    revealed: set[int] | None = None,
) -> Rendered:
    """Blocks and attachments with identifiers masked, except the spans in `revealed` (ALL: every one)."""
    headers, segments, parts = parse_for_review(raw, envelope, limits)
    numbering = _Numbering(revealed or set())
    keep = [envelope.mail_from, *envelope.rcpt_tos]
    used: set[int] = set()

    def tied(where: str) -> list[Finding]:
        out = []
        for i, f in enumerate(findings):
            if f.where == where:
                out.append(f)
                used.add(i)
        return out

    def located(where: str, quoted: bool = False) -> list[tuple[int, int, str]]:
        return located_spans(findings, where, quoted)

    head_blocks = []
    for name, value in headers:
        if name not in _SHOWN_HEADERS:
            continue
        where = f"header:{name}"
        # the sending date is the gateway's own metadata, not the patient's: shown as it is
        pieces = [Piece(value)] if name == "Date" else numbering.pieces(value, where, located(where), keep)
        head_blocks.append(Block(name, where, False, pieces, tied(where)))
    names = {p.where: p.filename for p in parts if p.filename}
    read_names = {(seg.where, seg.text) for seg in segments if seg.kind == "filename"}
    blocks = []
    for seg in segments:
        if seg.kind in ("header", "name"):
            continue  # shown with the headers above
        if seg.kind == "filename" and names.get(seg.where.removesuffix("#filename")) == seg.text:
            continue  # shown, masked, in the list of attachments
        label = {"body": "Message text", "html": "Message text (from HTML)"}.get(seg.where, seg.where)
        if seg.quoted:
            label += " (quoted or forwarded)"
        blocks.append(
            Block(
                label,
                seg.where,
                seg.quoted,
                numbering.pieces(seg.text, seg.where, located(seg.where, seg.quoted), keep),
                tied(seg.where),
            )
        )
    attachments = []
    shown_names: dict[str, str] = {}
    for i, p in enumerate(parts):
        mine: list[Finding] = []
        for k, f in enumerate(findings):
            if f.where == p.where or f.where.startswith(p.where + "/"):
                mine.append(f)
                used.add(k)
        file_name: list[Piece] = []
        if p.filename:
            name_where = p.where + "#filename"
            tied(name_where)
            spans = located(name_where, p.quoted)
            if spans and (name_where, p.filename) not in read_names:
                # the detectors read another reading of the name: its offsets do not apply, hide it all
                spans = [(0, len(p.filename), spans[0][2])]
            file_name = numbering.pieces(p.filename, name_where, spans, keep)
            shown_names[p.filename] = "".join(
                placeholder(x.kind, x.text) if x.span >= 0 else x.text for x in file_name
            )
        attachments.append(
            Attachment(
                i,
                p.filename or f"part-{i + 1}",
                p.content_type,
                len(p.data),
                p.where,
                tuple(mine),
                tuple(file_name),
            )
        )
    for b in blocks:
        b.label = shown_place(b.label, shown_names)
    others = [f for i, f in enumerate(findings) if i not in used]
    return Rendered(head_blocks, blocks, attachments, numbering.spans, others, shown_names)


def attachment_bytes(raw: bytes, envelope: Envelope, limits: Any, index: int) -> Part | None:
    _, _, parts = parse_for_review(raw, envelope, limits)
    return parts[index] if 0 <= index < len(parts) else None
