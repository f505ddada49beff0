"""NHS numbers (England, Wales, Isle of Man): ten digits whose last is a modulus-11 check digit.

Written as 3-3-4 with spaces (non-breaking and thin ones too), dashes,
dots, slashes or commas, as ten plain digits, or one digit at a time
("4 8 5 0 ...", as a form's boxes come out of a PDF),
possibly split over a line break or sitting in a table cell. The check
digit is the evidence: about one random ten-digit number in eleven
passes it. Numbers in the ranges England actually allocates (400-499,
600-799 million) score higher than the rest; a label such as "order
number" or "account" just before a number makes it something else. The
same checksum serves the Scottish CHI and Northern Irish H&C numbers,
which have their own recognizers.
"""

from __future__ import annotations

import datetime as _dt
import re

from gateway.detect.patient.context import MessageContext, clinical_count, digits
from gateway.detect.patient.recognizer import Candidate, SegmentScan, clamp
from gateway.detect.presidio_engine import PatternSpec, RecognizerSpec

#: the one Presidio entity for ten-digit health identifiers; NHS, CHI and H&C recognizers judge its hits
ENTITY = "TEN_DIGITS"
TYPE = "NHS_NUMBER"

#: a space between digit groups: ordinary, non-breaking, figure, thin or narrow no-break space
_SP = "[ \t\u00a0\u2007\u2009\u202f]"
#: between digit groups: a space, a dash, a dot, a slash or a comma (with optional spaces), or a line break
SEP = rf"(?:{_SP}?[-.–/,]{_SP}?|{_SP}{{1,2}}|{_SP}{{0,4}}\r?\n[ \t>]{{0,8}})"
#: in unusual groupings only spaces, dashes and line breaks (a dot there is a decimal point)
_GAP = rf"(?:{_SP}?[-–]{_SP}?|{_SP}{{1,2}}|{_SP}{{0,4}}\r?\n[ \t>]{{0,8}})"
#: not inside a longer number, a phone number (+44 ...) or a decimal
_BEFORE = r"(?=\d)(?<![\d+])(?<!\d[.,])(?<!\+44[ \t])(?<!\+44)"
#: (a comma and a short number after it is the next cell of a CSV row, not more of this number)
_AFTER = r"(?![\d])(?!\.\d)(?!,\d{3}(?!\d))"

PATTERNS = (
    PatternSpec(
        "ten_digits",
        # the usual 3-3-4 and CHI's 6-4, other groupings of at least three digits, or ten plain digits
        rf"{_BEFORE}(?:\d{{3}}{SEP}\d{{3}}{SEP}\d{{4}}|\d{{6}}{SEP}\d{{4}}|\d{{10}}"
        rf"|\d{{4}}{_GAP}\d{{3}}{_GAP}\d{{3}}|\d{{3}}{_GAP}\d{{4}}{_GAP}\d{{3}}|\d{{5}}{_GAP}\d{{5}}"
        rf"|\d{{4}}{_GAP}\d{{6}}|\d{{3}}{_GAP}\d{{7}}|\d{{7}}{_GAP}\d{{3}}"
        # each digit in a box of a form, or spaced out by a PDF's text layer: "4 8 5 0 0 0 0 0 0 2"
        rf"|\d(?:{_SP}\d){{9}}(?!{_SP}\d)){_AFTER}",
        0.4,
    ),
)
CONTEXT = ("nhs", "chi", "h&c", "hcn")
#: England's allocated ranges (first digit); 3xx is Northern Ireland, 010-311 Scotland's CHI
ALLOCATED = frozenset("467")
KEYWORD = re.compile(r"\bnhs\b", re.IGNORECASE)
#: the label right before a number, on its line
_LABEL_WINDOW = 32


def mod11_ok(number: str) -> bool:
    """True when the tenth digit is the modulus-11 check digit of the first nine."""
    d = digits(number)
    if len(d) != 10:
        return False
    total = sum(int(c) * w for c, w in zip(d[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(d[9])


def label_before(scan: SegmentScan, start: int) -> str:
    """The text just before `start` on the same line (lower case)."""
    line_start, _ = scan.view.line_at(start)
    return scan.view.text[max(line_start, start - _LABEL_WINDOW) : start].lower()


def not_patient_label(scan: SegmentScan, start: int, msg: MessageContext) -> bool:
    """An "order no", "account", "tel" label sits right before the number."""
    before = label_before(scan, start)
    # the last 24 characters, so that the label's end is measured against the text it was found in
    tail = re.sub(r"[\s:#.\-–(]+$", "", before)[-24:]
    # "reference number", "confirmation no": the label's word is what the list names
    tail = re.sub(r"(?<=\w)[ \t]+(?:no|number|num|nr)$", "", tail)
    hits = msg.lexicon.number_labels_not_patient.find(tail)
    return any(end >= len(tail) - 3 for _, end, _ in hits)


def context_score(
    scan: SegmentScan, start: int, end: int, msg: MessageContext, *, keyword: bool, label: str
) -> tuple[float, list[str]]:
    """What a valid check digit is worth here: keyword, table column or clinical context."""
    reasons = []
    if keyword:
        reasons.append("keyword")
        return 0.39, reasons
    if label:
        reasons.append("table column")
        return 0.37, reasons
    lo, hi = scan.view.neighbours(start, 1)
    if clinical_count(scan.view.text[lo:hi], msg.lexicon) or msg.clinical:
        reasons.append("clinical context")
        return 0.25, reasons
    return 0.0, reasons


class NhsNumberRecognizer:
    """NHS numbers: grouped or plain ten digits with a valid check digit."""

    name = "nhs_number"

    def specs(self) -> list[RecognizerSpec]:
        return [RecognizerSpec(ENTITY, PATTERNS, context=CONTEXT, validate=mod11_ok, case_sensitive=True)]

    def find(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        out = []
        for hit in scan.hits_of(ENTITY):
            d = digits(scan.view.text[hit.start : hit.end])
            if _belongs_elsewhere(d) or (_grouped_6_4(scan.view.text[hit.start : hit.end]) and _chi_date(d)):
                continue  # CHI (date of birth first) or H&C (320-399): their recognizers judge
            keyword = hit.context_word == "nhs" or bool(KEYWORD.search(label_before(scan, hit.start)))
            table = scan.view.table_at(hit.start)
            label = table.label_at(hit.start) if table else ""
            label = label if "nhs" in label else ""
            if not keyword and not label and not_patient_label(scan, hit.start, msg):
                continue
            base = 0.6 if d[0] in ALLOCATED else 0.3
            bonus, reasons = context_score(scan, hit.start, hit.end, msg, keyword=keyword, label=label)
            out.append(Candidate(TYPE, hit.start, hit.end, clamp(base + bonus), ("checksum", *reasons)))
        return out


def _grouped_6_4(text: str) -> bool:
    """DDMMYY NNNN is how a CHI is written (when the six digits are a date), never an NHS number."""
    return re.fullmatch(r"\d{6}\D+\d{4}", text) is not None


def chi_date_ok(number: str) -> bool:
    """The first six digits are a real date (DDMMYY), as a Scottish CHI number begins (chi_number)."""
    d = digits(number)
    if len(d) < 6:
        return False
    day, month, yy = int(d[0:2]), int(d[2:4]), int(d[4:6])
    for century in (1900, 2000):
        try:
            _dt.date(century + yy, month, day)
            return True
        except ValueError:
            continue
    return False


def _chi_date(d: str) -> bool:
    return chi_date_ok(d)


def _belongs_elsewhere(d: str) -> bool:
    return d[0] not in ALLOCATED and (chi_date_ok(d) or 320 <= int(d[:3]) <= 399)
