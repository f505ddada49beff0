"""Northern Ireland Health and Care (H&C) numbers: ten digits from 320 000 0000 to 399 999 9999.

They use the NHS number's modulus-11 check digit, in a range England
and Scotland never allocate. Labels: "H&C", "HCN", "health and care
number".
"""

from __future__ import annotations

import re

from gateway.detect.patient.context import MessageContext, digits
from gateway.detect.patient.nhs_number import ENTITY, context_score, label_before, mod11_ok, not_patient_label
from gateway.detect.patient.recognizer import Candidate, SegmentScan, clamp
from gateway.detect.presidio_engine import RecognizerSpec

TYPE = "HC_NUMBER"
KEYWORD = re.compile(r"\b(?:nhs|h\s?&\s?c|hcn|health\s+(?:and|&)\s+care)\b", re.IGNORECASE)


class HcNumberRecognizer:
    """H&C numbers: 320-399 million, valid check digit."""

    name = "hc_number"

    def specs(self) -> list[RecognizerSpec]:
        return []  # ten-digit candidates come from the NHS number recognizer's pattern

    def find(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        out = []
        for hit in scan.hits_of(ENTITY):
            d = digits(scan.view.text[hit.start : hit.end])
            if not (320 <= int(d[:3]) <= 399 and mod11_ok(d)):
                continue
            keyword = bool(KEYWORD.search(label_before(scan, hit.start))) or hit.context_word in (
                "h&c",
                "hcn",
            )
            table = scan.view.table_at(hit.start)
            label = table.label_at(hit.start) if table else ""
            label = label if KEYWORD.search(label) or "nhs" in label else ""
            if not keyword and not label and not_patient_label(scan, hit.start, msg):
                continue
            bonus, reasons = context_score(scan, hit.start, hit.end, msg, keyword=keyword, label=label)
            alone = (
                scan.view.text.strip() == scan.view.text[hit.start : hit.end]
            )  # the number is the whole text
            base = 0.6 if (keyword or label or alone) else 0.45
            out.append(Candidate(TYPE, hit.start, hit.end, clamp(base + bonus), ("checksum", *reasons)))
        return out
