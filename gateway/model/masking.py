"""What is hidden when the text of a held message is shown: detectors' spans first, patterns second.

Every place that shows message content (the review page, `gateway
quarantine show`, notices and drafts) masks through `mask_text` or
`find_spans`, so they all hide the same things:

1. each span a detector located (`Finding.details["spans"]`: [start, end]
   offsets into the text of the finding's `where`), named by the finding's
   type ("patient name", "threat"), except those of findings about no
   person (`SHOWN_CATEGORIES`: a document's marking, all-capitals text);
2. as a second net, whatever looks like an identifier whether or not a
   detector reported it: long numbers (NHS, CHI, hospital, phone, also
   written with slashes or non-breaking spaces), dates, UK postcodes in
   either case, e-mail addresses and titled names ("Mr Smith").

Masking errs on the side of hiding. The placeholder names the kind and a
rough length, never a character of the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# digits may be grouped by spaces (also non-breaking and thin ones), dots, dashes, slashes or brackets
_GAP = r"[ \t\u00a0\u2007\u202f().\-/]"

#: (kind, pattern, group): group 0 is the whole match, 1 the part to hide
_PATTERNS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), 0),
    ("date", re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"), 0),
    ("date", re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?\b"), 0),
    ("date", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{2,4}}\b", re.IGNORECASE), 0),
    ("date", re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+\d{{4}}\b", re.IGNORECASE), 0),
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE), 0),
    ("number", re.compile(r"\b[A-Z]{1,4}\d{4,}[A-Z]?\b"), 0),
    ("number", re.compile(rf"(?<![\w])\+?\d(?:\d|{_GAP}){{3,}}\d(?![\w])"), 0),
    (
        "name",
        re.compile(
            r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Master)\.?\s+((?:[A-Z][A-Za-z'’-]+)(?:\s+[A-Z][A-Za-z'’-]+){0,2})"
        ),
        1,
    ),
)
_MIN_DIGITS = 5  # shorter numbers (times, counts, ages) stay visible
#: what a located span is called when its finding gives no type
LOCATED = "identifier"
#: findings whose spans point at nothing about a person (a document's marking, a shouted
#: message, the whole of a registered document): located, but shown, so the reviewer can judge them
SHOWN_CATEGORIES = frozenset({"university_document", "etiquette", "uninspectable"})

Located = tuple[int, int] | tuple[int, int, str]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    located: bool = False  # a detector pointed at it (highlighted more strongly)


def find_spans(text: str, located: Iterable[Located] = (), keep: Iterable[str] = ()) -> list[Span]:
    """Non-overlapping spans to mask in `text`, in order.

    `located`: (start, end) or (start, end, kind) offsets a detector
    reported. `keep`: strings left visible (the envelope addresses, already
    shown in clear).
    """
    keep_l = {k.lower() for k in keep if k}
    found: list[Span] = []
    for item in located:
        start, end = item[0], item[1]
        kind = item[2] if len(item) > 2 else LOCATED  # type: ignore[misc]
        end = min(end, len(text))  # a shown text cut short (a long subject) still hides what it keeps
        if 0 <= start < end:
            found.append(Span(start, end, kind, located=True))
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
    """Overlapping spans become one; a detector's kind wins over a pattern's, then the first one."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end, not s.located)):
        if out and s.start < out[-1].end:
            last = out[-1]
            kind = s.kind if s.located and not last.located else last.kind
            out[-1] = Span(last.start, max(last.end, s.end), kind, last.located or s.located)
        else:
            out.append(s)
    return out


def placeholder(kind: str, text: str) -> str:
    """What the reader sees instead of the value: its kind and a rough length, never a character of it."""
    return f"[{kind} ·{'•' * min(max(len(text) // 3, 2), 6)}]"


def mask_text(text: str, located: Iterable[Located] = (), keep: Iterable[str] = ()) -> str:
    """`text` with every span (located ones and pattern ones) replaced by its placeholder."""
    out, pos = [], 0
    for s in find_spans(text, located, keep):
        out.append(text[pos : s.start])
        out.append(placeholder(s.kind, text[s.start : s.end]))
        pos = s.end
    out.append(text[pos:])
    return "".join(out)


def kind_of(finding_type: str) -> str:
    """How a finding's type is named in a placeholder: NHS_NUMBER -> "nhs number"."""
    return finding_type.replace("_", " ").lower() or LOCATED


def located_spans(
    findings: Iterable[Any], where: str, quoted: bool | None = None
) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every span the findings report in the text of `where`.

    One location can hold two texts, what the sender wrote and what they
    quoted (both "body"): `quoted` picks one. A finding's spans are in the
    text whose quoting is `details["segment_quoted"]` when it says so (a
    finding of reported speech in the sender's own text), else its `quoted`.

    A finding's spans are `details["spans"]` in the text of its own `where`;
    a finding whose evidence runs over several places (the sentences of one
    threat in the subject and the body) adds `details["spans_elsewhere"]`,
    {where: spans}. Read defensively: stored findings come from JSON.
    Findings of `SHOWN_CATEGORIES` are left out: they are not masked.
    """
    out: list[tuple[int, int, str]] = []
    for f in findings:
        details = getattr(f, "details", None)
        if not isinstance(details, dict) or getattr(f, "category", "") in SHOWN_CATEGORIES:
            continue
        if quoted is not None and bool(details.get("segment_quoted", getattr(f, "quoted", False))) != quoted:
            continue
        if getattr(f, "where", None) == where:
            spans = details.get("spans", ())
        else:
            elsewhere = details.get("spans_elsewhere")
            spans = elsewhere.get(where, ()) if isinstance(elsewhere, dict) else ()
        if not isinstance(spans, Sequence):
            continue
        kind = kind_of(str(getattr(f, "type", "")))
        for pair in spans:
            if isinstance(pair, list | tuple) and len(pair) == 2:
                try:
                    out.append((int(pair[0]), int(pair[1]), kind))
                except (TypeError, ValueError):
                    continue
    return out


_FILENAME = "#filename"
_ATTACHMENT = "attachment:"


def file_name_in(where: str) -> str:
    """The attachment's file name when `where` is the place of a file name ("...attachment:NAME#filename"),
    else ""."""
    if not where.endswith(_FILENAME) or _ATTACHMENT not in where:
        return ""
    return where[: -len(_FILENAME)].rsplit(_ATTACHMENT, 1)[1]


def mask_place(where: str, findings: Iterable[Any]) -> str:
    """A location as shown (`attachment:NAME/...`), with each file name in it masked.

    A file name can itself identify a patient ("Quennell notes.docx"). A name
    a finding located spans in (at `...attachment:NAME#filename`) is masked
    by those spans, or whole when they do not fit the name as written; the
    pattern net then runs over the whole location.
    """
    findings = list(findings)
    names: dict[str, str] = {}
    for f in findings:
        place = str(getattr(f, "where", ""))
        name = file_name_in(place)
        if not name or name in names:
            continue
        spans = located_spans(findings, place)
        if spans and all(end <= len(name) for _, end, _ in spans):
            names[name] = mask_text(name, spans)
        elif spans:
            names[name] = placeholder(spans[0][2], name)
    for raw, shown in sorted(names.items(), key=lambda kv: -len(kv[0])):
        where = where.replace(raw, shown)
    return mask_text(where)
