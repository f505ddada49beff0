"""Shapes of hospital numbers, dates of birth and family phone numbers as records and people write them,
each reported by its own recognizer, and the same shapes in harmless sentences."""

from __future__ import annotations

import pytest

from gateway.model import Segment
from tests.unit.detect import patientfixtures as pf

FOUND = [
    ("NHS_NUMBER", f"NHS: {' '.join(pf.nhs_number('485', ''))} - admitted last night with chest pain."),
    ("DATE_OF_BIRTH", "Her date-of-birth is 09/11/1947 and she was admitted last night."),
    ("HOSPITAL_NUMBER", "MRN#: 00293847 - admitted overnight with pneumonia."),
    ("HOSPITAL_NUMBER", "Hosp no SG/0082715, she was admitted with chest pain."),
    ("HOSPITAL_NUMBER", "Unit no. RJ1 448812 for the man admitted with sepsis."),
    ("HOSPITAL_NUMBER", "Pull the notes for SG/0082715, admitted last night with a fall."),
    ("DATE_OF_BIRTH", "Pt aged 78 (dob 09-Nov-1947) admitted with a fall."),
    ("DATE_OF_BIRTH", "Bed 5 - date of birth: 9-Nov-47 - admitted with a fall."),
    ("DATE_OF_BIRTH", "Bed 5, DOB 09.NOV.1947, admitted with a fall."),
    ("PATIENT_PHONE", "Can you call his daughter back on 07700 900123 about his kidney function results?"),
    ("PATIENT_PHONE", "Ring the patient's wife on 0161 496 0733 about the CT result please."),
    ("PATIENT_PHONE", "NOK: daughter 07700 900123, she wants an update on his chemo."),
    ("PATIENT_PHONE", "Please call back on 07700 900123 (patient's husband) re the MRI result."),
    ("PATIENT_PHONE", "Contact number for her husband: 07700-900-123 about the biopsy."),
    ("PATIENT_PHONE", "The family can be reached on +44 (0)7700 900123 about his cancer diagnosis."),
    ("PATIENT_PHONE", "Her son is on 07700 900123, please update him about her biopsy result."),
    ("PATIENT_PHONE", "Bay 2: Iris Penhale, 88, end of life, family at bedside, son on 07700 900812."),
    (
        "PATIENT_PHONE",
        "Mrs Dunn's CT showed a bleed, Dr Patel saw her. Ring her on 07700 900417 with the plan.",
    ),
]


@pytest.mark.parametrize(("type_", "body"), FOUND, ids=[b[:40] for _, b in FOUND])
def test_found(detector, type_: str, body: str) -> None:
    """Each shape is reported by its recognizer, with the value masked in the evidence."""
    (f,) = pf.found(detector, pf.inspection(body), type_)
    assert f.score >= 0.5 and f"[{type_}]" in f.evidence


CLEAN = [
    ("NHS_NUMBER", f"Reference number {pf.nhs_number('485')} for the conference booking."),
    ("NHS_NUMBER", f"Confirmation no. {pf.nhs_number('485')} for the OSCE revision course."),
    ("NHS_NUMBER", "Scores for the admitted-patients quiz: 1 2 3 4 5 6 7 8 9 0 - count them up."),
    ("HOSPITAL_NUMBER", "Tracking: SG/0082715 for the stethoscope delivery, the one for the ward."),
    ("HOSPITAL_NUMBER", "Invoice SG/0082715 for the clinical skills kit used in the sepsis teaching."),
    ("HOSPITAL_NUMBER", "The 2019/2024 audit of admitted patients found 12/2034 bloods repeated."),
    ("DATE_OF_BIRTH", "The falls audit is due on 09-Nov-2026, bring the admitted patient numbers."),
    ("DATE_OF_BIRTH", "Teaching on 9-Nov-47 era antibiotics, for the pneumonia lecture."),
    ("PATIENT_PHONE", "My mum's number is 07700 900123 in case of emergency on the trip."),
    ("PATIENT_PHONE", "Call me back on 07700 900123 (my mobile) about the biopsy teaching session."),
    ("PATIENT_PHONE", "Ring the ward on 0161 496 0733 if the bloods come back abnormal."),
    ("PATIENT_PHONE", "His wife can be reached on 07700 900123 about the five-a-side fixtures."),
    (
        "PATIENT_PHONE",
        "Rota news: the ward sister is on leave from Monday, go gently on the new HCAs. "
        "Her mobile is 07700 900417 for anything urgent.",
    ),
    (
        "PATIENT_PHONE",
        "Is the interpreter booked for the ward teaching? Dr Siddiqui asked. Her number is 07700 900634.",
    ),
]


@pytest.mark.parametrize(("type_", "body"), CLEAN, ids=[b[:40] for _, b in CLEAN])
def test_not_found(detector, type_: str, body: str) -> None:
    """Reference numbers, teaching dates, the writer's own and a ward's number, a colleague's number ("her
    mobile" after the ward sister or a doctor is named, and no patient), and a family's number with no
    health fact, are not reported."""
    assert not pf.found(detector, pf.inspection(body), type_)


TABLES = [
    ("HOSPITAL_NUMBER", "Hospital number\tResult\nABC-552-0193\traised\n"),
    ("HOSPITAL_NUMBER", "Hosp no\tWard\nXYZ 552 0193\t7\n"),
    ("DATE_OF_BIRTH", "DOB\tWard\n9 Nov 47\t7\n"),
    ("DATE_OF_BIRTH", "DOB\tWard\nMay 21st, 1958\t7\n"),
    ("DATE_OF_BIRTH", "Date of birth\tWard\n21 May '58\t7\n"),
    ("PATIENT_PHONE", "Patient mobile\tSeen\n07700 900456\tyes\n"),
    ("PATIENT_PHONE", "NOK tel\tSeen\n0161 496 0733\tyes\n"),
    ("PATIENT_PHONE", "Daughter's mobile\tDiagnosis\n07700 900456\tstroke\n"),
]


@pytest.mark.parametrize(("type_", "table"), TABLES, ids=[t.split("\n")[1] for _, t in TABLES])
def test_table_columns(detector, type_: str, table: str) -> None:
    """A cell under a hospital-number, date-of-birth or patient's-phone heading is reported in every shape
    the heading's recognizer knows."""
    seg = Segment(table, "attachment:list.xlsx", kind="attachment")
    (f,) = pf.found(detector, pf.inspection("List attached.", segments=[seg]), type_)
    assert f.score >= 0.5


def test_the_patients_number_after_numbers_that_are_not(detector) -> None:
    """A colleague's, the writer's own and a ward's number earlier in the message do not stop the patient's
    relative's number after them from being found."""
    body = (
        "Is the interpreter booked? Dr Siddiqui asked. Her number is 07700 900634.\n"
        "Call me on 07700 900321 tonight, or the ward on 0161 496 0733.\n"
        "His daughter's number is 07700 900123, she wants the biopsy result."
    )
    found = pf.found(detector, pf.inspection(body), "PATIENT_PHONE")
    assert len(found) == 1 and found[0].details["spans"] == [
        [body.index("07700 900123"), body.index("07700 900123") + 12]
    ]


def test_quoted_csv_cell(detector) -> None:
    """A CSV cell that the writer quoted because it holds a comma is one cell: its date is read whole."""
    seg = Segment('DOB,Ward\n"May 21st, 1958",7\n', "attachment:list.csv", kind="attachment")
    (f,) = pf.found(detector, pf.inspection("List attached.", segments=[seg]), "DATE_OF_BIRTH")
    assert f.score >= 0.5


CLEAN_TABLES = [
    ("HOSPITAL_NUMBER", "Module\tRoom\nMED 552 0193\tCSB 201\n"),
    ("DATE_OF_BIRTH", "Deadline\tModule\n9 Nov 26\tMED3021\n"),
    ("PATIENT_PHONE", "Tutor\tMobile\nDr Lee\t07700 900456\n"),
    ("PATIENT_PHONE", "Daughter's mobile\tTrip\n07700 900456\tyes\n"),
]


@pytest.mark.parametrize(("type_", "table"), CLEAN_TABLES, ids=[t.split("\n")[0] for _, t in CLEAN_TABLES])
def test_other_table_columns(detector, type_: str, table: str) -> None:
    """Module codes, deadlines, a tutor's number and a relative's number in a list with no health word
    are not reported."""
    seg = Segment(table, "attachment:list.xlsx", kind="attachment")
    assert not pf.found(detector, pf.inspection("List attached.", segments=[seg]), type_)
