"""Who could the patient be: the candidate stage a patient-disclosure score needs beside it.

A window the model calls a patient disclosure is reported only when it
also holds a person mention (the patient rules' own candidate stage,
`gateway.detect.patient.mentions`, without spaCy) that is not one of the
message's correspondents, or an identifier-shaped token (a long digit
run, a letter-and-digits code, a date). Without one, an anonymised case
("a 67-year-old man presented with...") or the writer's own health ("I've
had tonsillitis all week") is not reported unless the model is very sure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gateway.detect.patient.context import name_tokens
from gateway.detect.patient.lexicon import Lexicon
from gateway.detect.patient.mentions import mentions

#: identifier shapes: six or more digits (any separators), letters then five or more digits, a date
_IDENTIFIER = re.compile(
    r"\d(?:[ \-./,]?\d){5,}|\b[A-Za-z]{1,4}[- ]?\d{5,}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"
)
#: a greeting's name is the reader's, not a patient's ("Hi Priya,")
_GREETING = re.compile(r"(?i)\b(?:hi|hiya|hello|hey|dear|morning|thanks|thank you|cheers)[ ,]+$")


class Gate:
    """Finds person mentions and identifier shapes in a span of text."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def reasons(self, text: str, start: int, end: int, correspondents: Iterable[str] = ()) -> list[str]:
        """Why text[start:end] could identify someone (empty: it could not)."""
        out: list[str] = []
        if _IDENTIFIER.search(text, start, end):
            out.append("identifier-shaped token")
        known = set(correspondents)
        for m in mentions(text, start, end, [], self.lexicon):
            if known and set(m.tokens) <= known:
                continue
            line_start = text.rfind("\n", 0, m.start) + 1
            if _GREETING.search(text[max(line_start, m.start - 20) : m.start]):
                continue
            out.append(f"person mention ({m.kind.replace('_', ' ')})")
            break
        return out


def correspondent_tokens(pairs: Iterable[tuple[str, str]]) -> set[str]:
    """Lower-case name words of the correspondents (display names and address local parts)."""
    out: set[str] = set()
    for display, address in pairs:
        out.update(name_tokens(display))
        local = address.split("@", 1)[0]
        out.update(t for t in re.split(r"[._\-+0-9]+", local.lower()) if len(t) > 1)
    return out
