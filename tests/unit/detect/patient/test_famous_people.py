"""Figures from medical history and famous patients taught in class are not patients, unless met first-hand."""

from __future__ import annotations

import pytest

from tests.unit.detect import patientfixtures as pf

# people added to the curated lists in round 6, in the framing a student would use
TAUGHT = [
    ("a surgeon of the past", "Harold Gillies rebuilt the faces of soldiers with burns and shrapnel wounds."),
    (
        "a famous patient",
        "Fanny Burney's account of her mastectomy without anaesthetic is on the reading list.",
    ),
    ("an ethics case", "Noel Conway, who had motor neurone disease, took his case to the Court of Appeal."),
    ("a child protection case", "The Victoria Climbié inquiry changed how we share concerns about children."),
    (
        "a public figure's cancer",
        "Tessa Jowell spoke about her glioblastoma and the trial she wanted to join.",
    ),
    ("a quiz", "Quiz question 3: which poet, John Keats, trained at Guy's and died of tuberculosis?"),
    ("a court case", "In the court case, Sally Clark was wrongly convicted after two cot deaths."),
]


@pytest.mark.parametrize(("kind", "body"), TAUGHT, ids=[k for k, _ in TAUGHT])
def test_taught_figures(detector, kind: str, body: str) -> None:
    """A figure the lists know, or a quiz or court-case frame, gives no patient name finding."""
    assert not pf.found(detector, pf.inspection(body), "PATIENT_NAME"), kind


MET = [
    ("on our ward", "Rob Burrow's cousin says hi - no wait, Kevin Sinfield is on our ward, he had a fall!"),
    ("turned up in", "You won't believe it, Stephen Fry turned up in minors with a broken wrist."),
]


@pytest.mark.parametrize(("kind", "body"), MET, ids=[k for k, _ in MET])
def test_met_first_hand(detector, kind: str, body: str) -> None:
    """The same kind of public figure met first-hand in a care setting is a patient."""
    assert pf.found(detector, pf.inspection(body), "PATIENT_NAME"), kind
