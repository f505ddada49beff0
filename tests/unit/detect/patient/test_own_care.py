"""A titled or role-given person whose own care is told is a patient; the same person at work is staff."""

from __future__ import annotations

import pytest

from tests.unit.detect import patientfixtures as pf

REPORTED = [
    (
        "coming to a unit for treatment",
        "Dr Adaeze Nnamdi has been coming to the fertility unit for egg collection, I saw her on the list.",
    ),
    (
        "a cycle of treatment",
        "Dr Ines Carvalho was in the fertility clinic, they're on their second cycle of IVF.",
    ),
    (
        "off for their own operation",
        "Note: Dr Lockridge is off from Thursday for his own surgery and back in May.",
    ),
    (
        "a round of chemo",
        "Prof Halvorsen has started her third round of chemo, so the seminar moves to June.",
    ),
]


@pytest.mark.parametrize("body", [b for _, b in REPORTED], ids=[n for n, _ in REPORTED])
def test_reported(detector, body: str) -> None:
    """Staff whose own treatment or stay is told are reported as patients."""
    assert pf.found(detector, pf.inspection(body), "PATIENT_NAME"), body


DELIVERED = [
    ("coming to a ward to teach", "Dr Lockridge has been coming to the ward to teach us about IVF."),
    ("running a clinic", "Dr Carvalho is running the fertility clinic and the IVF list on Thursday."),
    ("a round of interviews", "Prof Halvorsen is on her second round of interviews for the chair."),
    ("surgery as a placement", "I'm off to theatre for surgery placement tomorrow with Dr Lockridge."),
]


@pytest.mark.parametrize("body", [b for _, b in DELIVERED], ids=[n for n, _ in DELIVERED])
def test_not_reported(detector, body: str) -> None:
    """Staff at work, teaching or interviewing, and a placement, identify no patient."""
    assert pf.found(detector, pf.inspection(body)) == [], body
