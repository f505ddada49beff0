"""NHS numbers, exactly: the score and reasons each kind of evidence gives, how far a label reaches, and the CHI date rule."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.detect.patient.nhs_number import chi_date_ok
from gateway.model import Finding
from tests.unit.detect import patientfixtures as pf

PLAIN = pf.nhs_number("485", "")  # in an allocated range (4xx, 6xx, 7xx)
UNALLOCATED = pf.nhs_number("512", "")  # passes the check, outside England's allocated ranges
OTHER = pf.nhs_number("733", "")


def nhs_findings(detector: Any, body: str) -> list[Finding]:
    return pf.found(detector, pf.inspection(body), "NHS_NUMBER")


def table(number: str) -> str:
    return (
        "Bed\tNHS number\tPlan\n1\tside room\tdischarge planning meeting with family later\n"
        f"3\t{number}\trepeat troponin"
    )


CLINICAL = "Started on warfarin in clinic after the ward round, {}."


@pytest.mark.parametrize(
    ("body", "score", "reasons"),
    [
        (f"NHS no {PLAIN}", 0.99, ["checksum", "keyword"]),
        (f"NHS no {UNALLOCATED}", 0.69, ["checksum", "keyword"]),
        (table(PLAIN), 0.97, ["checksum", "table column"]),
        (table(UNALLOCATED), 0.67, ["checksum", "table column"]),
        (CLINICAL.format(PLAIN), 0.85, ["checksum", "clinical context"]),
        (CLINICAL.format(UNALLOCATED), 0.55, ["checksum", "clinical context"]),
        (f"The number is {PLAIN}.", 0.6, ["checksum"]),
        (f"NHS number:\n{PLAIN}", 0.99, ["checksum", "keyword"]),
        (f"NHS number:\n{UNALLOCATED} for the form", 0.69, ["checksum", "keyword"]),
    ],
)
def test_score_and_reasons_per_evidence(detector: Any, body: str, score: float, reasons: list[str]) -> None:
    """Each kind of evidence gives its exact score and reason, the label on the line before included."""
    (f,) = nhs_findings(detector, body)
    assert (f.score, f.details["reasons"]) == (score, reasons)


def padded(label: str, distance: int) -> str:
    """`label`, then words, then PLAIN starting `distance` characters after the label's start."""
    filler = " - as on the new list: "
    gap = distance - len(label) - len(filler)
    assert gap >= 0
    return label + filler[:-2] + " " * gap + ": " + PLAIN + " today."


@pytest.mark.parametrize(
    ("body", "reasons"),
    [
        (padded("NHS", 32), ["checksum", "keyword"]),
        (padded("NHS", 33), ["checksum"]),
        (f"NHSmail to all of the team, {PLAIN} today.", ["checksum"]),
        (f"Our NHS: {PLAIN} today.", ["checksum", "keyword"]),
    ],
)
def test_how_far_the_nhs_label_reaches(detector: Any, body: str, reasons: list[str]) -> None:
    """ "NHS" counts as the number's label up to 32 characters before it on its line, and only as a word of its own."""
    (f,) = nhs_findings(detector, body)
    assert f.details["reasons"] == reasons


@pytest.mark.parametrize(
    ("body", "found"),
    [
        (f"Order number {OTHER} arrives on Monday", False),
        (f"Thanks for all your help with this one, order number {OTHER} arrives on Monday", False),
        (f"Thanks for all your help with this one, the order number is {OTHER}", False),
        (f"Tracking: {OTHER}", False),
        (f"Thanks for all your help with this one, {OTHER} arrives on Monday", True),
    ],
)
def test_a_non_patient_label_anywhere_on_a_long_line(detector: Any, body: str, found: bool) -> None:
    """A non-patient label right before a number (a short word such as "is" between) stops it, however long the line."""
    assert bool(nhs_findings(detector, body)) is found


@pytest.mark.parametrize(
    ("body", "found"),
    [
        (f"NHS no {PLAIN},1234 next cell", True),
        (f"NHS no {PLAIN},12 next cell", True),
        (f"NHS no {PLAIN},123 next cell", False),
    ],
)
def test_a_comma_and_three_digits_continue_the_number(detector: Any, body: str, found: bool) -> None:
    """A comma and exactly three digits after the digits make them a larger number (thousands), not an NHS number."""
    assert bool(nhs_findings(detector, body)) is found


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("0101990000", True),
        ("010199", True),  # six digits are enough
        ("01019", False),  # five are not
        ("3112991234", True),  # 31 December
        ("3111991234", False),  # 31 November
        ("2902961234", True),  # 29 February 1996
        ("2902971234", False),  # 29 February 1997
        ("2902001234", True),  # 29 February 2000
        ("0013721234", False),  # day 00
        ("3204990000", False),  # day 32
        ("0100990000", False),  # month 00
    ],
)
def test_chi_date_table(number: str, ok: bool) -> None:
    """The first six digits must be a real day, month and two-digit year (DDMMYY), leap days included."""
    assert chi_date_ok(number) is ok
