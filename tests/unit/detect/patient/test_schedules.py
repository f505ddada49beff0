"""Names in a schedule's rows (rotas, timetables, allocations, bleep lists, seating plans) are staff or students."""

from __future__ import annotations

import pytest

from tests.unit.detect import patientfixtures as pf

SCHEDULES = [
    (
        "rota rows with times and places",
        "Cover for next week:\nMon 08:00-20:00 Oskar Lindahl (AMU)\nTue 20:00-08:00 Bethan Rees (nights, ED)\n"
        "Wed 08:00-17:00 Tariq Sule (diabetes clinic)\nThu long day Imelda Cruz (stroke unit)",
    ),
    (
        "allocation rows with groups and wards",
        "Placement groups\nGroup 1: Oskar Lindahl - Ward 7 (cardiology) - Tuesdays\n"
        "Group 2: Bethan Rees - oncology clinic - Wednesdays\nGroup 3: Tariq Sule - Ward 12 (renal) - Thursdays",
    ),
    (
        "one line, items with days",
        "Who's on for the acute take: Mon Oskar Lindahl, Tue Bethan Rees, Wed Tariq Sule (stroke team, bleep 2231).",
    ),
    (
        "a bleep list on one line",
        "Bleep list: Oskar Lindahl 2231 (med reg), Bethan Rees 2232 (surgical SHO), Tariq Sule 2233 (ortho)",
    ),
    (
        "a seating plan",
        "Seating plan: table 1 Oskar Lindahl, Bethan Rees; table 2 Tariq Sule (diabetes lead), Imelda Cruz",
    ),
    (
        "a teaching timetable",
        "Teaching timetable, Friday\n09:00 Oskar Lindahl - asthma in children\n10:30 Bethan Rees - heart failure\n13:00 Tariq Sule - sepsis",
    ),
]


@pytest.mark.parametrize(("kind", "body"), SCHEDULES, ids=[k for k, _ in SCHEDULES])
def test_schedule_names_are_not_patients(detector, kind: str, body: str) -> None:
    """Rows of name + time, day, shift, group or bleep give no patient finding, whatever service they name."""
    found = [f for f in detector.detect(pf.inspection(body)) if f.category == "patient_identifier"]
    assert not found, kind


PATIENT_ROWS = [
    ("a bed in the row", "Board Mon:\n08:00 Oskar Lindahl bed 4 pneumonia\n09:00 Bethan Rees bed 6 DKA"),
    (
        "a diagnosis in the row",
        "Theatre list Tue:\n09:00 Oskar Lindahl - appendicitis\n11:00 Bethan Rees - hernia repair",
    ),
    (
        "an age in the row",
        "Clinic Wed:\n10:00 Oskar Lindahl 67M chest pain\n10:30 Bethan Rees 45F breast lump",
    ),
]


@pytest.mark.parametrize(("kind", "body"), PATIENT_ROWS, ids=[k for k, _ in PATIENT_ROWS])
def test_rows_about_health_are_patients(detector, kind: str, body: str) -> None:
    """A schedule whose rows carry a bed, an age or a condition lists patients."""
    found = [f for f in detector.detect(pf.inspection(body)) if f.category == "patient_identifier"]
    assert found, kind
