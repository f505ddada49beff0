"""A notice's texts de-identified from the inspection's own findings: no second detector run.

The patient detector has already located every identifier it reports
(`Finding.details["spans"]`, offsets into the text of the finding's place).
A notice's subject, draft and places are masked from those spans, and then,
as a second net, by the display's patterns (`gateway.model.masking`: long
numbers, dates, postcodes, e-mail addresses, titled names), which also take
the numbers a detector weighed and did not report. A word of a patient's
name found anywhere in the message is masked wherever it appears in these
texts (a subject alone has no clinical context to find it by).

This is what the review page hides too, plus the patient's name wherever
it recurs; `benchmarks/notify/draft_diff.py` checks over whole corpora that
it hides at least what running the patient detector again over the texts
hid. Pure: no models, no sockets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from gateway.model import Finding, Inspection, Segment
from gateway.model.finding import PATIENT_IDENTIFIER
from gateway.model.masking import file_name_in, find_spans

NAME_TYPE = "PATIENT_NAME"
#: whose spans are masked: the patient detector locates identifiers; the meaning detector's spans are
#: whole sentences (what the text says about a patient), which would leave a sender no draft to reuse
PATIENT_DETECTOR = "patient"
#: what the display's pattern kinds stand for in a draft (the others take the category's words)
PATTERN_TYPES = {"name": NAME_TYPE, "postcode": "PATIENT_ADDRESS"}
_NAME_WORD = re.compile(r"[A-Z][A-Za-z'\u2019-]{2,}")
#: words of a name that say nothing on their own (titles)
_TITLES = frozenset({"Mr", "Mrs", "Miss", "Ms", "Mx", "Dr", "Prof", "Sir", "Dame", "Lady", "Lord"})

Span3 = tuple[int, int, str]
Spans = list[Span3]


@dataclass(frozen=True)
class Located:
    """One text to show and the identifier spans the findings place in it."""

    text: str
    spans: Spans


def own_text_spans(inspection: Inspection, findings: Sequence[Finding]) -> Located:
    """What the sender wrote (the plain-text body, else the HTML body's text), with the findings' spans."""
    for where in ("body", "html"):
        segments = [s for s in inspection.segments if s.where == where and not s.quoted and s.kind == "body"]
        if not segments:
            continue
        joined = "\n\n".join(s.text for s in segments)
        lead = len(joined) - len(joined.lstrip())
        text = joined.strip()
        spans: Spans = []
        offset = 0
        for seg in segments:
            for s, e, t in segment_spans(seg, findings):
                s, e = max(s + offset - lead, 0), min(e + offset - lead, len(text))
                if s < e:
                    spans.append((s, e, t))
            offset += len(seg.text) + 2
        return Located(text, spans)
    return Located("", [])


def segment_spans(segment: Segment, findings: Iterable[Finding]) -> Spans:
    """The patient detector's spans that point into this segment's text.

    A finding names its place, not its segment: when one place was cut into
    several segments (a very long body), every span that fits is taken, which
    can only mask more.
    """
    out: Spans = []
    for f in findings:
        if f.category != PATIENT_IDENTIFIER or f.detector != PATIENT_DETECTOR:
            continue
        if f.where != segment.where or f.quoted != segment.quoted:
            continue
        for pair in f.details.get("spans", ()):
            s, e = int(pair[0]), int(pair[1])
            if 0 <= s < e <= len(segment.text):
                out.append((s, e, f.type))
    return out


def subject_spans(
    inspection: Inspection, findings: Sequence[Finding], extra: Sequence[Span3] = ()
) -> Located:
    """The subject with the spans of the findings in it (and `extra` ones)."""
    spans: Spans = list(extra)
    for seg in inspection.segments:
        if seg.where == "header:Subject" and seg.text == inspection.subject:
            spans += segment_spans(seg, findings)
    return Located(inspection.subject, spans)


def place_spans(place: str, inspection: Inspection, findings: Sequence[Finding]) -> Located:
    """A place as a notice names it, with the spans found in any file name it contains."""
    spans: Spans = []
    for seg in inspection.segments:
        name = file_name_in(seg.where)
        if not name:
            continue
        found = segment_spans(seg, findings)
        if not found or not name:
            continue
        at = place.find(name)
        while at >= 0:
            if seg.text == name:
                spans += [(at + s, at + e, t) for s, e, t in found]
            else:  # read differently from how it is written (encoded): the whole name goes
                spans.append((at, at + len(name), found[0][2]))
            at = place.find(name, at + len(name))
    return Located(place, spans)


def name_words(inspection: Inspection, findings: Sequence[Finding]) -> set[str]:
    """The words of every patient's name the findings located, in any text of the message."""
    words: set[str] = set()
    for seg in inspection.segments:
        for s, e, t in segment_spans(seg, findings):
            if t == NAME_TYPE:
                words.update(w for w in _NAME_WORD.findall(seg.text[s:e]) if w not in _TITLES)
    return words


def name_spans(text: str, words: set[str]) -> Spans:
    """Each of `words` in `text`, as a name span ("Desmond Quillfeather": one span)."""
    if not words:
        return []
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")\b")
    out: Spans = []
    for m in pattern.finditer(text):
        if out and not text[out[-1][1] : m.start()].strip():
            out[-1] = (out[-1][0], m.end(), NAME_TYPE)
        else:
            out.append((m.start(), m.end(), NAME_TYPE))
    return out


def mask_spans(located: Located, words: set[str], keep: Iterable[str] = ()) -> Spans:
    """What to hide in the text: the located spans, the names and the pattern net, merged, in order."""
    if not located.text.strip():
        return []
    return [
        (s.start, s.end, s.kind if s.located else PATTERN_TYPES.get(s.kind, s.kind))
        for s in find_spans(located.text, [*located.spans, *name_spans(located.text, words)], keep)
    ]


def masked(located: Located, words: set[str], labels: Mapping[str, str], keep: Iterable[str] = ()) -> str:
    """The text with everything `mask_spans` finds replaced by "[label]" (the type's words)."""
    text = located.text
    out, pos = [], 0
    for start, end, kind in mask_spans(located, words, keep):
        out.append(text[pos:start])
        out.append(f"[{labels.get(kind) or kind}]")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def deidentified(
    inspection: Inspection,
    findings: Sequence[Finding],
    places: Sequence[str],
    labels: Mapping[str, str],
    *,
    body: bool = True,
    subject: Sequence[Span3] = (),
) -> tuple[str, str, list[str]]:
    """(subject, the sender's own text or "" without `body`, each place), de-identified.

    `subject`: spans found in the subject by judging it on its own (`Drafter`).
    """
    words = name_words(inspection, findings)
    keep = (inspection.envelope.mail_from, *inspection.envelope.rcpt_tos)
    title = masked(subject_spans(inspection, findings, subject), words, labels, keep)
    text = masked(own_text_spans(inspection, findings), words, labels, keep) if body else ""
    shown = [masked(place_spans(p, inspection, findings), words, labels, keep) for p in places]
    return title, text, shown
