"""Hospital numbers: which words make a sentence a patient's, which labels make an ID a code, and each ID form's edges."""

from __future__ import annotations

import pytest

from gateway.detect.patient import PatientDetector, PatientDetectorOptions
from gateway.model import Finding
from tests.unit.detect import patientfixtures as pf

ASK = "Can you look up RX 552 0193"
MASKED = "Can you look up [HOSPITAL_NUMBER]"


@pytest.fixture(scope="module")
def detector() -> PatientDetector:
    d = PatientDetector(PatientDetectorOptions(ner=False))
    d.load()
    return d


def hospital(detector: PatientDetector, body: str) -> list[Finding]:
    return pf.found(detector, pf.inspection(body, segments=[]), "HOSPITAL_NUMBER")


@pytest.mark.parametrize(
    ("tail", "held"),
    [
        (" today.", False),
        (" for the patient.", True),
        (", pt.", True),
        (" notes.", True),
        (" in bed 4.", True),
        (" in bed4.", True),
        (" in bed 40.", True),
        (" in bay 12.", True),
        (" in bay12.", True),
        (", admitted.", True),
        (" admission.", True),
        (", clerked.", True),
        (" bloods.", True),
        (", discharge.", True),
        (", discharged.", True),
        (" wristband.", True),
        (" referral.", True),
        (" results.", True),
        # the same letters inside longer words are not about a patient
        (" patients.", False),
        (" footnotes.", False),
        (", admittedly.", False),
        (" bedside.", False),
    ],
)
def test_a_grouped_id_is_a_patients_only_in_a_sentence_about_one(
    detector: PatientDetector, tail: str, held: bool
) -> None:
    """Letters and grouped digits with no label count when the sentence names a patient's record, bed or care."""
    found = hospital(detector, ASK + tail)
    assert [(f.evidence, f.score) for f in found] == ([(MASKED + tail, 0.6)] if held else [])


@pytest.mark.parametrize(
    "label",
    [
        "Room",
        "Rm",
        "Room no :",
        "Course",
        "Module code",
        "Module number",
        "Job",
        "Unit code",
        "Seat",
        "Desk",
        "Locker",
        "Locker no.",
        "Locker no",
        "Locker #",
        "Locker:",
        "The room",
    ],
)
def test_a_room_course_or_seat_label_makes_a_grouped_id_a_code(detector: PatientDetector, label: str) -> None:
    """Right after a room, course, module, job, seat, desk or locker label, a grouped ID is not a patient's."""
    assert hospital(detector, f"{label} RX 552 0193 in bed 4.") == []


@pytest.mark.parametrize(
    "body",
    [
        "Mylocker RX 552 0193 in bed 4.",  # the label word must stand alone
        "Room 5 and RX 552 0193 in bed 4.",  # and stand right before the ID
    ],
)
def test_a_code_label_elsewhere_in_the_sentence_does_not_excuse_the_id(
    detector: PatientDetector, body: str
) -> None:
    """A code word that is part of another word, or not right before the ID, leaves the ID a patient's."""
    assert [f.score for f in hospital(detector, body)] == [0.6]


@pytest.mark.parametrize(
    ("body", "evidence"),
    [
        ("Can you look up RX 552 019 for the patient.", MASKED + " for the patient."),
        ("Can you look up RX - 552 - 0193 for the patient.", MASKED + " for the patient."),
        ("Can you look up TELX 552 0193 for the patient.", MASKED + " for the patient."),
        ("Can you look up TEL 552 0193 for the patient.", None),  # a phone's label, not a trust's letters
        ("MRN 552-0193 for the form.", "[HOSPITAL_NUMBER] for the form."),
        ("MRN 5520 193 for the form.", "[HOSPITAL_NUMBER] for the form."),
        ("MRN 552 0193 12 for the form.", "[HOSPITAL_NUMBER] for the form."),
        ("MRN 552 - 0193 - 12 for the form.", "[HOSPITAL_NUMBER] for the form."),
        ("Hosp no: DUMMY-1234567 for the form.", None),
        ("Hosp no: SAMPLE-1234567 for the form.", None),
    ],
)
def test_grouped_id_forms_and_their_edges(detector: PatientDetector, body: str, evidence: str | None) -> None:
    """Two letters or more, groups of three or four digits with spaced separators, a third group after a label; placeholders and phone labels are not IDs."""
    assert [f.evidence for f in hospital(detector, body)] == ([evidence] if evidence else [])
