"""A fact is tied to a person through where they are from, and a titled person's own admission or test is theirs."""

from __future__ import annotations

import pytest

from tests.unit.detect import patientfixtures as pf

REPORTED = [
    (
        "from a shop on a street",
        "Kasia from the deli on Weaver Street has hepatitis B, please keep it quiet.",
    ),
    (
        "from hyphenated halls",
        "Just heard that Kacper from the first-year halls died of meningitis at the weekend.",
    ),
    ("from a team", "Femi Adeyemi from the uni basketball team has HCM, he can't play any more."),
    ("at a workplace", "Bronwen at the bakery on Fore Street has had a stroke, she's in the General."),
    (
        "a doctor brought in, after an aside",
        "Dr Imran Quraishi, the F2 on respiratory, was brought in after an overdose.",
    ),
    ("a professor's own scan", "Prof Adaeze Nwosu's MRI showed the MS plaques, that's why she's been off."),
]


@pytest.mark.parametrize("body", [b for _, b in REPORTED], ids=[n for n, _ in REPORTED])
def test_reported(detector, body: str) -> None:
    """The person is reported as a patient."""
    assert pf.found(detector, pf.inspection(body), "PATIENT_NAME")


DELIVERED = [
    ("a doctor's list", "Dr Patel's biopsy list is running late, start without me."),
    ("a team's teaching", "Priya Shah from the diabetes team is running the teaching on insulin tomorrow."),
    ("from a place, no health", "Kasia from the deli on Weaver Street has a new puppy, so cute."),
    ("a doctor at work", "Dr Adaeze Nwosu from the renal team has a clinic on Tuesday, bring your notes."),
]


@pytest.mark.parametrize("body", [b for _, b in DELIVERED], ids=[n for n, _ in DELIVERED])
def test_delivered(detector, body: str) -> None:
    """Staff at work and people with no health fact are not reported."""
    assert pf.found(detector, pf.inspection(body)) == []
