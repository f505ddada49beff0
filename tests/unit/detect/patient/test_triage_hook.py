"""The patient detector's triage hook: quiet mail skips the recognizers, anything with a sign is still read."""

from __future__ import annotations

import pytest

from gateway.detect.patient import PatientDetector
from gateway.detect.patient.context import MessageContext
from tests.unit.detect.patientfixtures import inspection, nhs_number, types


@pytest.mark.parametrize(
    ("body", "scan", "ner"),
    [
        ("Fancy the cinema on the weekend? The new one looks fun.", False, False),
        ("Thanks for lending me your notes, they were really helpful.", False, False),
        (f"Can you check {nhs_number()} for me", True, False),
        ("Mrs Quillfeather is back on the ward", True, True),
        ("Odalys has metastatic carcinoma and is very frightened", True, True),
        ("Today the patient was admitted with pneumonia", True, True),
    ],
)
def test_detector_triage_table(detector: PatientDetector, body: str, scan: bool, ner: bool) -> None:
    """Which message bodies the detector scans and which reach spaCy, with the shipped lexicon."""
    insp = inspection(body, subject="hello")
    assert detector.lexicon is not None
    signs = detector.triage(insp, MessageContext.build(insp, detector.lexicon))
    assert (signs.needs_patient_scan, signs.needs_ner) == (scan, ner)


def test_quiet_message_has_no_scans(detector: PatientDetector) -> None:
    """A message with no sign gives no segment scans (no recognizer and no NER ran)."""
    assert detector.scan(inspection("See you at the pub later, bring your coat.", subject="tonight")) == []


def test_identifier_still_found(detector: PatientDetector) -> None:
    """An NHS number in otherwise quiet mail is still reported: the triage lets it through."""
    assert "NHS_NUMBER" in types(detector, inspection(f"number {nhs_number()} thanks", subject="hi"))
