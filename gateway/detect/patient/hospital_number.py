"""Hospital numbers and MRNs: each trust's own formats, and any ID a hospital-number label introduces.

Every trust numbers its patients differently, so formats are configured
(`detect.hospital_numbers`: a name and a regular expression each). Any
other ID counts when a label says what it is: "hosp no", "MRN", "unit
no.", "K number", "RXH", "patient ID"... (the labels are a data file), or
when it sits in a table column with such a label in its header.
Student IDs, module codes and reference numbers carry none of these
labels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gateway.detect.patient.context import MessageContext
from gateway.detect.patient.nhs_number import not_patient_label
from gateway.detect.patient.recognizer import Candidate, SegmentScan, clamp
from gateway.detect.presidio_engine import PatternSpec, RecognizerSpec, anycase

TRUST_ENTITY = "HOSPITAL_NUMBER_TRUST"
GROUPED_ENTITY = "HOSPITAL_NUMBER_GROUPED"
#: grouped IDs reported per segment at most
MAX_GROUPED = 200
#: grouped IDs judged per segment at most (each is judged from its sentence)
MAX_GROUPED_JUDGED = 1000
KEYED_ENTITY = "HOSPITAL_NUMBER_KEYED"
TYPE = "HOSPITAL_NUMBER"

#: the Presidio pattern is the digits alone (fast to scan for); the letters before them are added back
#: (a slash before the digits only after capitals: "SG/0082715" is an ID, "12/2024" and "and/or" are not)
DIGITS = r"(?<![\da-z.,])(?<![\da-z]/)\d{4,10}[A-Z]?(?![\w/])"
_PREFIX = re.compile(r"[A-Z]{1,4}[ \t]?[-/]?[ \t]?$")
#: after a label the letters may end in a digit, as trust codes do ("unit no. RJ1 448812")
_LABELLED_PREFIX = re.compile(r"[A-Z]{1,4}\d?[ \t]?[-/]?[ \t]?$")
#: IDs an anonymiser or a test system writes
#: words that make an unlabelled ID a patient's: the patient, their notes, their bed, their admission
_PATIENT_RECORD = re.compile(
    r"\b(?:patient|pt|notes|bed\s*\d+|bay\s*\d+|admitted|admission|clerked|bloods|discharged?|wristband|"
    r"referral|results)\b",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"^(?:ANON|TEST|XXX|DEMO|DUMMY|SAMPLE)", re.IGNORECASE)
#: what separates groups of an ID: a space, a dash or a slash, or a line break (then only after a label:
#: "MRN 552\n0193", "WGH-552-\n0193")
_SEP = r"(?:[ \t]?[-/ ][ \t]?|[ \t]?[-/]?\n[ \t>]*)"
#: letters, then digits in groups: "WGH-552-0193", "NRI 552 0193", "RXH/123/4567"
GROUPED = rf"(?<![\w/-])[A-Z]{{2,4}}{_SEP}\d{{3,4}}{_SEP}\d{{3,4}}(?![\w/-])"
#: digits alone in groups ("552 0193"): a hospital number only right after its label ("MRN 552 0193")
GROUPED_DIGITS = rf"(?<![\w/.,-])\d{{3,4}}{_SEP}\d{{3,4}}(?:[ \t]?[-/ ][ \t]?\d{{2,4}})?(?![\w/-])"
#: a site code between a label and the ID: "Hospital number (RJ1) 448812", "MRN [WGH] 552019",
#: "MRN (site: WGH) ..."
_SITE_CODE = r"(?:[(\[][ \t]*(?:site[ \t]*:?[ \t]*)?(?-i:[A-Z]{2,5}\d?)[ \t]*[)\]][ \t]*[:#.=-]{0,2}[ \t]*)?"
#: letters that make grouped digits something else: an NHS/CHI number's label, a phone's
_OTHER_PREFIX = re.compile(r"^(?:NHS|CHI|HCN|HC|TEL|MOB|FAX|EXT|PIN|REF)\b")
#: words right before grouped digits that make them a room, a course or a job, not a patient
_CODE_LABEL = re.compile(
    r"\b(?:room|rm|course|module|job|unit code|seat|desk|locker)[ \t]*(?:no\.?|number|code)?[ \t]*[:#]?[ \t]*$",
    re.IGNORECASE,
)
#: a reference string of a mail system or a booking system: hexadecimal, ten to twelve characters
_HEX_TOKEN = re.compile(r"[0-9A-F]{10,12}")
_ID_IN_CELL = re.compile(
    r"^(?:(?:[A-Z]{1,4}\d?[ \t]?[-/]?[ \t]?)?\d{4,10}[A-Z]?"
    # letters and grouped digits: "ABC-552-0193", "XYZ 552 0193", "552/0193"
    r"|(?:[A-Z]{1,4}[ \t]?[-/ ][ \t]?)?\d{3,4}[ \t]?[-/ ][ \t]?\d{3,4}(?:[ \t]?[-/ ][ \t]?\d{2,4})?)$"
)


def keyword_regex(phrases: Sequence[str]) -> str:
    """One regular expression for the label phrases: dots and spaces optional, "no" = number/#/id."""
    alts = []
    for phrase in sorted(phrases, key=len, reverse=True):
        parts = []
        for w in phrase.lower().split():
            if w == "no":
                parts.append("(?:" + "|".join(anycase(x) for x in ("no", "number", "num", "nr")) + r"|#)\.?")
            elif w == "id":
                parts.append("(?:" + "|".join(anycase(x) for x in ("id", "ident", "identifier")) + r")\.?")
            else:
                parts.append(anycase(w) + r"\.?")
        alts.append(r"[ \t.]*(?:\n[ \t>]*)?".join(parts))  # "Hospital\nnumber:": a label over a line break
    return r"\b(?:" + "|".join(alts) + r")"


class HospitalNumberRecognizer:
    """Configured trust formats, plus IDs after a hospital-number label or under one in a table."""

    name = "hospital_number"

    def __init__(self, trust_patterns: Sequence[tuple[str, str]], keywords: Sequence[str]) -> None:
        self.trust_patterns = tuple(trust_patterns)
        self.keywords = tuple(keywords)
        self._label = re.compile(keyword_regex(self.keywords) + r"(?!\w)", re.IGNORECASE)
        self._label_before = re.compile(
            # ("MRN#: 00293847": a hash and a colon both)
            keyword_regex(self.keywords)
            + r"(?:[ \t]+(?:is|was|of))?[ \t]*[:#.=(-]{0,2}[ \t]*"
            + _SITE_CODE
            + r"(?:\r?\n[ \t>]*)?$",
            re.IGNORECASE,
        )

    def specs(self) -> list[RecognizerSpec]:
        digits = PatternSpec("id_digits", DIGITS, 0.1)
        grouped = PatternSpec("id_grouped", GROUPED, 0.1)
        grouped_digits = PatternSpec("id_grouped_digits", GROUPED_DIGITS, 0.1)
        specs = [
            RecognizerSpec(KEYED_ENTITY, (digits,), case_sensitive=True),
            RecognizerSpec(GROUPED_ENTITY, (grouped, grouped_digits), case_sensitive=True),
        ]
        if self.trust_patterns:
            specs.append(
                RecognizerSpec(
                    TRUST_ENTITY,
                    tuple(PatternSpec(f"trust:{n}", p, 0.75) for n, p in self.trust_patterns),
                    context=("hosp", "hospital", "mrn", "unit", "number"),
                    case_sensitive=True,
                )
            )
        return specs

    def find(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        out: list[Candidate] = []
        clinical = msg.clinical > 0
        text = scan.view.text
        for hit in scan.hits_of(KEYED_ENTITY):
            # letters before the digits are part of the ID ("ERI-447190", "K1234567"); a label precedes it
            start = self._labelled_start(text, hit.start)
            if start is None:
                cand = self._unlabelled(scan, msg, hit.start, hit.end)
                if cand:
                    out.append(cand)
                continue
            if _PLACEHOLDER.match(text[start : hit.end]):
                continue
            reasons = ("label", "clinical context") if clinical else ("label",)
            out.append(Candidate(TYPE, start, hit.end, clamp(0.8 + (0.12 if clinical else 0.0)), reasons))
        for hit in scan.hits_of(TRUST_ENTITY):
            score = 0.75 + (0.15 if clinical else 0.0) + (0.05 if hit.context_word else 0.0)
            reasons = ("trust format", *(("clinical context",) if clinical else ()))
            out.append(Candidate(TYPE, hit.start, hit.end, clamp(score), reasons))
        out.extend(self._grouped(scan, msg))
        out.extend(self._table_cells(scan, msg, {(c.start, c.end) for c in out}))
        return out

    def _grouped(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        """Letters and grouped digits ("WGH-552-0193"): a hospital number after its label, or in a
        sentence about a patient's care; never after a booking, ticket, room or module label."""
        out = []
        view = scan.view
        text = view.text
        for hit in scan.hits_of(GROUPED_ENTITY)[:MAX_GROUPED_JUDGED]:
            start, end = hit.start, hit.end
            if view.in_signature(start) or not_patient_label(scan, start, msg):
                continue
            if _CODE_LABEL.search(text[max(0, start - 24) : start]):
                continue
            if _PLACEHOLDER.match(text[start:end]) or _OTHER_PREFIX.match(text[start:end]):
                continue
            if any(c.start < end and start < c.end for c in scan.found):
                continue  # part of an NHS or CHI number found already
            # a label, maybe then a site letter: "MRN 552 0193", "hosp no K 330 5518"
            labelled = self._labelled_start(text, start)
            if labelled is not None or self._label.match(text, start, end):
                score, begin = 0.8 + (0.12 if msg.clinical else 0.0), start if labelled is None else labelled
                out.append(Candidate(TYPE, begin, end, clamp(score), ("label", "grouped ID")))
                continue
            if hit.pattern == "id_grouped_digits" or "\n" in text[start:end]:
                continue  # digits alone, or groups on two lines, count only after a hospital-number label
            if len(out) >= MAX_GROUPED:
                break  # enough to hold the message; the rest of a segment full of IDs adds nothing
            lo, hi = view.sentence_at(start)
            sentence = text[lo:hi].replace(text[start:end], " ")
            facts = [f for f in scan.health_facts_in(msg.lexicon, lo, hi) if not f.weak]
            if not (_PATIENT_RECORD.search(sentence) or facts) or msg.lexicon.teaching_cues.search(sentence):
                continue
            out.append(Candidate(TYPE, start, end, 0.6, ("grouped ID", "patient sentence")))
        return out

    def _unlabelled(self, scan: SegmentScan, msg: MessageContext, start: int, end: int) -> Candidate | None:
        """A hospital-style ID with no label ("pull the notes for NRH-339021") in a sentence about a patient."""
        text = scan.view.text
        before = text[max(0, start - 8) : start]
        prefix = _PREFIX.search(before)
        if prefix is None or end - start < 6 or not msg.clinical:
            return None  # letters and at least six digits, like trust numbers; not "MED3021" or a year
        begin = start - len(before) + prefix.start()
        if prefix.group().strip(" \t-/:#.").lower() in ("nhs", "chi", "hcn"):
            return None  # an NHS or CHI number's own label before digits that failed its check
        if begin > 0 and text[begin - 1].isalnum():
            return None  # the middle of a longer token ("4F3A21C41234567"): a reference, not a trust number
        if _reference_token(text, begin, end):
            return None
        view = scan.view
        if view.in_signature(begin) or not_patient_label(scan, begin, msg):
            return None
        sentence = text[slice(*view.sentence_at(begin))]
        if not _PATIENT_RECORD.search(sentence.replace(text[begin:end], " ")):
            return None
        return Candidate(TYPE, begin, end, 0.55, ("ID shape", "patient sentence"))

    def _labelled_start(self, text: str, digits_start: int) -> int | None:
        """Where the labelled ID starts ("MRN 1234567" at the digits, "hosp no ERI-447190" at the letters)."""
        if self._label_before.search(text[max(0, digits_start - 40) : digits_start]):
            return digits_start
        before = text[max(0, digits_start - 8) : digits_start]
        prefix = _LABELLED_PREFIX.search(before)
        if prefix:
            start = digits_start - len(before) + prefix.start()
            if self._label_before.search(text[max(0, start - 40) : start]):
                return start
        return None

    def _table_cells(
        self, scan: SegmentScan, msg: MessageContext, seen: set[tuple[int, int]]
    ) -> list[Candidate]:
        out = []
        text = scan.view.text
        for table in scan.view.tables:
            cols = [i for i, label in enumerate(table.header) if self._label.search(label)]
            for row in table.rows:
                for i in cols:
                    if i >= len(row):
                        continue
                    s, e = row[i]
                    if (s, e) in seen or not _ID_IN_CELL.match(text[s:e].strip()):
                        continue
                    score = 0.8 + (0.12 if msg.clinical else 0.0)
                    out.append(Candidate(TYPE, s, e, clamp(score), ("table column",)))
        return out


def _reference_token(text: str, start: int, end: int) -> bool:
    """The whole token around [start, end) is a hexadecimal reference (a mail queue id such as
    Postfix's "4F3A21C0B9"), with letters after its first digit: trust numbers put letters first."""
    lo, hi = start, end
    while lo > 0 and text[lo - 1].isalnum():
        lo -= 1
    while hi < len(text) and text[hi].isalnum():
        hi += 1
    token = text[lo:hi]
    if not _HEX_TOKEN.fullmatch(token):
        return False
    first_digit = next((i for i, ch in enumerate(token) if ch.isdigit()), len(token))
    return any(ch.isalpha() for ch in token[first_digit:])
