"""A patient's phone number: tied to the patient by the text, in a clinical message."""

from __future__ import annotations

import pytest

from gateway.detect.patient import PatientDetector, PatientDetectorOptions
from tests.unit.detect import patientfixtures as pf


@pytest.mark.parametrize(
    "body",
    [
        "He was diagnosed with MND last year and said I could pass on his mobile, 07700 900123.",
        "Can you ring her on 0113 496 0789 to rebook the clinic appointment?",
        "The patient's number is +44 7700 900456 if the ward needs to call about the results.",
        "Her daughter's phone: 07700900789 - next of kin for the DNACPR discussion.",
        "Mum's mobile is 07700 900567 if the patient in bed 3 needs anything.",
    ],
)
def test_found(detector, body: str) -> None:
    """A number tied to the patient or their family, in a clinical message, is reported."""
    (f,) = pf.found(detector, pf.inspection(body), "PATIENT_PHONE")
    assert f.score >= 0.5 and "[PATIENT_PHONE]" in f.evidence


@pytest.mark.parametrize(
    "body",
    [
        "Thanks for the ward round teaching.\n\nBest wishes,\nRobin\nMob: 07700 900111",
        "Call me on 07700 900222 if the clinic runs late.",
        "Switchboard 0161 496 0000 | bleep 2270 | the ward is expecting you.",
        "His mobile is 07700 900333, he wants to join the five-a-side team.",
        "My number for the rota is 07700 900444, see you on the ward.",
    ],
)
def test_traps(detector, body: str) -> None:
    """Signatures, the writer's own number, switchboards and non-clinical messages: nothing."""
    assert not pf.found(detector, pf.inspection(body), "PATIENT_PHONE")


def test_own_number_from_config() -> None:
    """The university's own numbers (config) are never a patient's."""
    det = PatientDetector(PatientDetectorOptions(own_phone_numbers=("0113 496 0789",), ner=False))
    det.load()
    body = "Can you ring her on 0113 496 0789 to rebook the clinic appointment?"
    assert not pf.found(det, pf.inspection(body), "PATIENT_PHONE")
