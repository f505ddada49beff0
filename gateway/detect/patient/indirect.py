"""Indirect identification: details that together point at one patient, with no name or number.

"Bed 14 on Ward 22 at the Royal Infirmary on Tuesday night", or "the
17-year-old from the stabbing that was all over the local news", or a
rare condition with an age and a town. Each detail alone is harmless
(anonymised cases have an age; timetables have wards and dates); the
combination is what identifies. A passage (paragraph) is scored by which
kinds of detail it holds, and only when it is about a patient. A news
story passed on (a public source tells it, and nobody in the message met
the person first-hand) identifies no one the news has not already named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.detect.patient.context import AGE, BED, WARD, MessageContext, patient_cue
from gateway.detect.patient.recognizer import Candidate, SegmentScan, clamp
from gateway.detect.presidio_engine import RecognizerSpec

TYPE = "INDIRECT_IDENTIFICATION"

HOSPITAL = re.compile(
    r"\b(?:[A-Z][a-z'’]+[ \t]+){1,3}(?:Hospital|Infirmary|Hospice|Medical[ \t]Centre|Health[ \t]Centre|Surgery)\b"
    r"|\b(?:the|at|in)[ \t]+(?:[A-Z]{2,5})\b(?=[^.\n]{0,40}\b(?:ward|bed|theatre|ED|A&E|ICU)\b)"
)
WHEN = re.compile(
    r"\b(?:last|this|on)[ \t]+(?:night|morning|afternoon|evening|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(?:yesterday|today|tonight)\b"
    r"|\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*[ \t]+\d{1,2}(?:st|nd|rd|th)?\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[ \t]+\d{1,2}(?:st|nd|rd|th)?\b"
    r"|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b",
    re.IGNORECASE,
)
#: a care episode happened to someone
CARE = re.compile(
    r"\b(?:came\s+in(?:to)?|admitted|brought\s+in|rushed\s+in|blue[ -]lighted|in\s+resus|into\s+resus|"
    r"(?:in|into|to)\s+(?:A&E|ED|ICU|ITU|HDU|theatre)|went\s+(?:back\s+)?to\s+theatre|operated\s+on|"
    r"on\s+the\s+ward|was\s+treated|died|passed\s+away|re-?bled|arrested|intubated)\b",
    re.IGNORECASE,
)
#: a place named after "from / outside / in / near": a town, a street, a school, a ground
PLACE = re.compile(
    r"\b(?:from|outside|in|near|at)[ \t]+(?:the[ \t]+)?[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+){0,3}\b"
)


@dataclass(frozen=True)
class Details:
    bed: bool
    ward: bool
    hospital: bool
    when: bool
    age: bool
    news: bool
    rare: bool
    place: bool
    patient: bool
    care: bool  # someone came in, was admitted, went to theatre: a care episode, not teaching
    reported: bool = (
        False  # a public source tells it (BBC, "a spokesperson said"), nobody met them first-hand
    )

    @property
    def kinds(self) -> list[str]:
        return [k for k, v in self.__dict__.items() if v and k not in ("patient", "care", "reported")]


class IndirectRecognizer:
    """Combinations of ward, bed, hospital, date, age, place, a rare condition or a public event."""

    name = "indirect"

    def specs(self) -> list[RecognizerSpec]:
        return []

    def find(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        view = scan.view
        if view.segment.kind in ("name", "metadata") or not msg.clinical:
            return []
        out = []
        for start, end in _passages(view.text):
            if view.in_signature(start) or view.table_at(start):
                continue
            passage = view.text[start:end]
            if msg.lexicon.fictional_context.search(passage):
                continue  # a role-play script or a scenario: invented details point at nobody
            d = self._details(passage, msg)
            score = _score(d)
            if score >= 0.5 and d.patient:
                out.append(Candidate(TYPE, start, end, clamp(score), tuple(d.kinds)))
        return out

    def _details(self, passage: str, msg: MessageContext) -> Details:
        lex = msg.lexicon
        return Details(
            bed=bool(BED.search(passage)),
            ward=bool(WARD.search(passage)),
            hospital=bool(HOSPITAL.search(passage)),
            when=bool(WHEN.search(passage)),
            age=bool(AGE.search(passage)),
            news=len(lex.news_cues.distinct(passage)) >= 1,
            rare=lex.rare_conditions.search(passage),
            place=bool(PLACE.search(passage)),
            patient=(patient_cue(passage, lex) and len(lex.clinical_terms.distinct(passage)) >= 1)
            or len(lex.clinical_terms.distinct(passage, at_most=2)) >= 2,
            care=bool(CARE.search(passage)) and not lex.teaching_cues.search(passage),
            reported=lex.public_sources.search(passage) and not lex.encounter_cues.search(passage),
        )


def _score(d: Details) -> float:
    """How strongly the details point at one person."""
    if d.bed and d.ward and (d.hospital or d.when):
        return 0.75 + (0.15 if d.hospital and d.when else 0.0)
    if d.bed and d.hospital and d.when:
        return 0.75
    public = [d.when, d.hospital, d.bed, d.ward, d.age, d.place]
    if d.news and d.care and any(public) and not d.reported:
        # a public event or a public figure: one more detail finds the person in the news
        return 0.7 + (0.1 if sum(public) >= 2 else 0.0)
    if d.rare and d.age and d.place:
        return 0.7 + (0.1 if d.when or d.hospital else 0.0)
    return 0.0


def _passages(text: str) -> list[tuple[int, int]]:
    """Paragraphs (blank-line separated); long ones are cut into overlapping windows."""
    out = []
    for m in re.finditer(r"(?:[^\n]|\n(?![ \t>]*\n))+", text):
        s, e = m.start(), m.end()
        if e - s <= 1500:
            out.append((s, e))
            continue
        step = 1000
        for i in range(s, e, step):
            out.append((i, min(e, i + 1500)))
    return out
