"""What the review UI hides until a reviewer asks: identifiers in the text of a held message.

Masking errs on the side of hiding: any long number (NHS, CHI, hospital
and phone numbers), dates, UK postcodes, e-mail addresses and titled names
("Mr Smith") are masked, whether or not a detector reported them, plus any
span a detector located (`Finding.details["spans"]`, offsets into the text
of the finding's `where`). A reviewer reveals one span or all of them, and
each reveal is audited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"

#: (kind, pattern, group): group 0 is the whole match, 1 the part to hide
_PATTERNS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), 0),
    ("date", re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"), 0),
    ("date", re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), 0),
    ("date", re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\s+\d{{2,4}}\b", re.IGNORECASE), 0),
    ("date", re.compile(rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b", re.IGNORECASE), 0),
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b"), 0),
    ("number", re.compile(r"\b[A-Z]{1,4}\d{4,}[A-Z]?\b"), 0),
    ("number", re.compile(r"(?<![\w])\+?\d[\d \t().-]{3,}\d(?![\w])"), 0),
    (
        "name",
        re.compile(
            r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Master)\.?\s+((?:[A-Z][A-Za-z'’-]+)(?:\s+[A-Z][A-Za-z'’-]+){0,2})"
        ),
        1,
    ),
)
_MIN_DIGITS = 5  # shorter numbers (times, counts, ages) stay visible


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    located: bool = False  # a detector pointed at it (highlighted more strongly)


def find_spans(text: str, located: Iterable[tuple[int, int]] = (), keep: Iterable[str] = ()) -> list[Span]:
    """Non-overlapping spans to mask in `text`, in order.

    `located`: (start, end) offsets a detector reported. `keep`: strings
    left visible (the envelope addresses, already shown in clear).
    """
    keep_l = {k.lower() for k in keep if k}
    found: list[Span] = []
    for start, end in located:
        if 0 <= start < end <= len(text):
            found.append(Span(start, end, "identifier", located=True))
    for kind, pattern, group in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span(group)
            value = m.group(group)
            if kind == "number" and sum(ch.isdigit() for ch in value) < _MIN_DIGITS:
                continue
            if kind == "email" and value.lower() in keep_l:
                continue
            found.append(Span(start, end, kind))
    return _merge(found)


def _merge(spans: list[Span]) -> list[Span]:
    """Overlapping spans become one (the first kind wins, located if either was)."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and s.start < out[-1].end:
            last = out[-1]
            out[-1] = Span(last.start, max(last.end, s.end), last.kind, last.located or s.located)
        else:
            out.append(s)
    return out


def placeholder(kind: str, text: str) -> str:
    """What the reviewer sees instead of the value: its kind and a rough length, never a character of it."""
    return f"[{kind} ·{'•' * min(max(len(text) // 3, 2), 6)}]"
