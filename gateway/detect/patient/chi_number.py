"""Scottish CHI numbers: a date of birth (DDMMYY), two digits, a sex digit and a check digit.

The ninth digit is odd for men and even for women; the tenth is the same
modulus-11 check digit as an NHS number's. A CHI is usually written as
ten digits or as DDMMYY NNNN. A date-shaped number that passes the check
is still only a candidate: it needs the word "CHI", a CHI table column or
a clinical passage around it.
"""

from __future__ import annotations

import re

from gateway.detect.patient.context import MessageContext
from gateway.detect.patient.nhs_number import (
    ENTITY,
    chi_date_ok,
    context_score,
    label_before,
    mod11_ok,
    not_patient_label,
)
from gateway.detect.patient.recognizer import Candidate, SegmentScan, clamp
from gateway.detect.presidio_engine import RecognizerSpec

TYPE = "CHI_NUMBER"
KEYWORD = re.compile(r"\bchi\b", re.IGNORECASE)


def chi_ok(number: str) -> bool:
    return chi_date_ok(number) and mod11_ok(number)


class ChiNumberRecognizer:
    """CHI numbers: date-of-birth digits, a valid check digit, and something that says CHI or clinic."""

    name = "chi_number"

    def specs(self) -> list[RecognizerSpec]:
        return []  # ten-digit candidates come from the NHS number recognizer's pattern

    def find(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        out = []
        for hit in scan.hits_of(ENTITY):
            if not chi_ok(scan.view.text[hit.start : hit.end]):
                continue
            keyword = hit.context_word == "chi" or bool(KEYWORD.search(label_before(scan, hit.start)))
            table = scan.view.table_at(hit.start)
            label = table.label_at(hit.start) if table else ""
            label = label if "chi" in label.split() else ""
            if not keyword and not label and not_patient_label(scan, hit.start, msg):
                continue
            bonus, reasons = context_score(scan, hit.start, hit.end, msg, keyword=keyword, label=label)
            # a date-shaped number is common; without a keyword it needs a clinical passage
            base = 0.58 if (keyword or label) else 0.45
            out.append(
                Candidate(TYPE, hit.start, hit.end, clamp(base + bonus), ("checksum", "date", *reasons))
            )
        return out
