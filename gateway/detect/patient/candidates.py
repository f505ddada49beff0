"""What the patient package promises the meaning model's gate: the people and identifiers in a stretch of text.

The meaning detector reports a patient disclosure only when the window it
scored also holds someone who could be the patient: a person mention or an
identifier-shaped token (gateway/detect/meaning/gate.py). Its cross-validated
thresholds are chosen with that gate in place, so every change to what the
gate is given shifts the model. This module is the one thing the gate reads
from the patient package, and states exactly what it gets:

- `persons`: every person mention of the patient rules' candidate stage
  (`mentions()`, without spaCy), one per place, in text order, each with
  its segment offsets, its kind (one of `PERSON_KINDS`) and its lower-case
  name words. Whether a mention is a patient is not decided here.
- `identifiers`: every identifier-shaped token, whatever its separators (a
  date; six or more digits; one to four letters and five or more digits),
  with segment offsets and what the words just before it on its line say it
  is (`LABELS`): a date of birth ("dob", "born"), a patient's number
  ("patient id", "hosp no"), someone's own ("his", "her", "their"), or
  something else's (a reference, order, ticket, phone, queue id: the patient
  rules' list of labels that are not a patient's). Whether it is an anchor is
  the gate's decision.
- `name_words`: the lower-case words a name is compared by, so that the gate
  can match a correspondent's display name against a mention's words.

A change to `mentions()` that keeps this table (tests/unit/detect/meaning/
test_meaning_candidates.py) keeps the gate, and so the model's thresholds,
as they were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.detect.patient.context import name_tokens
from gateway.detect.patient.lexicon import Lexicon
from gateway.detect.patient.mentions import mentions

#: how a person was found: a courtesy or doctor's title and a surname, a given name and capitalised words, two
#: capitalised words no list knows, a given name alone, a capitalised word no list knows where a person stands,
#: a given name in lower case, dotted initials (spaCy's "ner" never: the gate runs without spaCy)
PERSON_KINDS = frozenset(
    {"titled", "full_name", "capitalised", "first_name", "unknown_name", "lower_case", "initials"}
)
#: what the label before an identifier says: "birth" (a date of birth), "patient" (a patient's number),
#: "possessive" (his, her, their), "other" (a reference, order, phone...: not a patient's)
LABELS = frozenset({"birth", "patient", "possessive", "other"})

#: identifier shapes: a date (group "date"), six or more digits (any separators), letters then five or more digits
_IDENTIFIER = re.compile(
    r"(?P<date>\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b)|\d(?:[ \-./,]?\d){5,}|\b[A-Za-z]{1,4}[- ]?\d{5,}\b"
)
#: how far before an identifier its label is looked for
LABEL_REACH = 30
_POSSESSIVE = re.compile(r"\b(?:his|her|their)\b")
#: a date is a date of birth after one of these
_BIRTH = re.compile(r"(?i)(?:\bd\.?o\.?b\b|\bborn\b|\bbirth|\bb\.)[^\n]{0,12}$")


@dataclass(frozen=True)
class Person:
    """A person mention: text[start:end], how it was found (`PERSON_KINDS`), its lower-case name words."""

    start: int
    end: int
    kind: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Identifier:
    """An identifier-shaped token: text[start:end], whether it is a date, what its label says (`LABELS`)."""

    start: int
    end: int
    date: bool
    labels: frozenset[str]


@dataclass(frozen=True)
class Candidates:
    """The people and identifiers in a stretch of text, in text order."""

    persons: tuple[Person, ...]
    identifiers: tuple[Identifier, ...]


def candidates(text: str, start: int, end: int, lexicon: Lexicon) -> Candidates:
    """Person mentions and identifier shapes in text[start:end] (offsets in `text`); labels are read on the
    identifier's line, at most `LABEL_REACH` characters back and not before `start`."""
    persons = tuple(Person(m.start, m.end, m.kind, m.tokens) for m in mentions(text, start, end, [], lexicon))
    ids = []
    for m in _IDENTIFIER.finditer(text, start, end):
        ids.append(Identifier(m.start(), m.end(), bool(m.group("date")), _labels(text, m, start, lexicon)))
    return Candidates(persons, tuple(ids))


def name_words(name: str) -> list[str]:
    """The lower-case words a name is compared by (as in `Person.words`): "Karen O'Brien-Lee" -> karen, o'brien-lee."""
    return name_tokens(name)


def _labels(text: str, m: re.Match[str], start: int, lexicon: Lexicon) -> frozenset[str]:
    lo = max(start, m.start() - LABEL_REACH)
    brk = text.rfind("\n", lo, m.start())
    before = text[(brk + 1 if brk >= 0 else lo) : m.start()]
    low = before.lower()
    out = set()
    if _BIRTH.search(before):
        out.add("birth")
    if any(k in low for k in lexicon.hospital_number_keywords):
        out.add("patient")
    if _POSSESSIVE.search(low):
        out.add("possessive")
    if lexicon.number_labels_not_patient.pattern.search(before):
        out.add("other")
    return frozenset(out)
