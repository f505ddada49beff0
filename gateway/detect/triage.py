"""Cheap triage: does a message's text hold any sign that the patient detector's costly passes could use?

Most outgoing mail names no patient: no clinical word, no identifier-shaped
token, no titled name. For such text the patient detector's recognizers and
spaCy's NER can find nothing to report, so the detector skips them. The
triage is one pass of compiled regular expressions plus the clinical word
list the detector itself uses, so it costs a fraction of a millisecond per
message.

It must never cost recall, so every test is a superset of what a
recognizer needs to start: any run of three digits (numbers, dates of birth,
postcodes, phones, ages), a postcode shape, a title or a clinical, ward or
identifier keyword, a month name, or a clinical term from the lexicon.
`Triage.reasons` says which signs were seen (names of signs, never text).

`needs_ner` is the narrower question for spaCy: only text with a clinical
sign and a capitalised word that could be part of a name needs the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from gateway.detect.letters import CAP, LOWER

#: a run of digits long enough for any identifier, date, age, phone or street number
_DIGITS = re.compile(
    r"\d(?:[\s./-]?\d){2,}|\d{1,2}(?:st|nd|rd|th)\b|\b\d{1,3}\s*(?:y|yo|yrs?|years?)\b", re.I
)
#: a UK postcode, complete or outward half (the address recognizer reads both)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?(?:\s*\d[A-Z]{2})?\b")
#: words that start a recognizer or a name, whatever the case
_KEYWORDS = re.compile(
    r"\b(?:mr|mrs|ms|miss|mx|master|dr|prof|sir|dame|lady|lord|patient|patients|pt|pts|bed|beds|bay|ward"
    r"|nhs|chi|mrn|hcn|hosp|hospital|dob|d\.o\.b|born|aged?|age|address|lives|living|resides|postcode"
    r"|tel|phone|mobile|mob|dicom|case|client|resident|service\s+user"
    r"|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july"
    r"|august|september|october|november|december)\b",
    re.I,
)
#: a capitalised word: a name could be in it (used only with a clinical sign, for NER)
_CAPITALISED = re.compile(rf"\b{CAP}[{LOWER}'’-]+\b")


@dataclass(frozen=True)
class Triage:
    """Which signs a text holds; the detector's costly passes run only where there is one."""

    reasons: frozenset[str]

    @property
    def needs_patient_scan(self) -> bool:
        return bool(self.reasons)

    @property
    def needs_ner(self) -> bool:
        return "clinical" in self.reasons and "capitalised" in self.reasons


def triage(text: str, is_clinical: Callable[[str], bool]) -> Triage:
    """The signs in `text`; `is_clinical` answers whether it holds a clinical term (the lexicon's)."""
    reasons = set()
    if _DIGITS.search(text):
        reasons.add("identifier")
    if _POSTCODE.search(text):
        reasons.add("postcode")
    if _KEYWORDS.search(text):
        reasons.add("keyword")
    if is_clinical(text):
        reasons.add("clinical")
    if reasons and _CAPITALISED.search(text):
        reasons.add("capitalised")
    return Triage(frozenset(reasons))
