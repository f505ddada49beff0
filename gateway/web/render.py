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
from gateway.model.message import Part
from gateway.web.masking import find_spans, placeholder

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


@dataclass
class Rendered:
    headers: list[Block]
    blocks: list[Block]
    attachments: list[Attachment]
    spans: list[tuple[int, str, str]]  # (number, kind, where) of every masked identifier
    other_findings: list[Finding]  # findings not tied to a shown block or attachment

    @property
    def masked_count(self) -> int:
        return sum(1 for b in self.headers + self.blocks for p in b.pieces if p.masked)


class _Numbering:
    def __init__(self, revealed: set[int]) -> None:
        self.next = 0
        self.revealed = revealed
        self.spans: list[tuple[int, str, str]] = []

    def pieces(
        self, text: str, where: str, located: Sequence[tuple[int, int]], keep: Sequence[str]
    ) -> list[Piece]:
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

    def located(where: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for f in findings:
            if f.where == where:
                for pair in f.details.get("spans", ()) if isinstance(f.details, dict) else ():
                    if isinstance(pair, list | tuple) and len(pair) == 2:
                        spans.append((int(pair[0]), int(pair[1])))
        return spans

    head_blocks = []
    for name, value in headers:
        if name not in _SHOWN_HEADERS:
            continue
        where = f"header:{name}"
        # the sending date is the gateway's own metadata, not the patient's: shown as it is
        pieces = [Piece(value)] if name == "Date" else numbering.pieces(value, where, located(where), keep)
        head_blocks.append(Block(name, where, False, pieces, tied(where)))
    blocks = []
    for seg in segments:
        if seg.kind in ("header", "name"):
            continue  # shown with the headers above
        label = {"body": "Message text", "html": "Message text (from HTML)"}.get(seg.where, seg.where)
        if seg.quoted:
            label += " (quoted or forwarded)"
        blocks.append(
            Block(
                label,
                seg.where,
                seg.quoted,
                numbering.pieces(seg.text, seg.where, located(seg.where), keep),
                tied(seg.where),
            )
        )
    attachments = []
    for i, p in enumerate(parts):
        mine: list[Finding] = []
        for k, f in enumerate(findings):
            if f.where == p.where or f.where.startswith(p.where + "/"):
                mine.append(f)
                used.add(k)
        attachments.append(
            Attachment(i, p.filename or f"part-{i + 1}", p.content_type, len(p.data), p.where, tuple(mine))
        )
    others = [f for i, f in enumerate(findings) if i not in used]
    return Rendered(head_blocks, blocks, attachments, numbering.spans, others)


def attachment_bytes(raw: bytes, envelope: Envelope, limits: Any, index: int) -> Part | None:
    _, _, parts = parse_for_review(raw, envelope, limits)
    return parts[index] if 0 <= index < len(parts) else None
