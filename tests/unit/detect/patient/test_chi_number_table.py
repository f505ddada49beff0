"""CHI numbers, exactly: the score and reasons for each kind of evidence, labels that stop one, and several in a part."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.model import Finding
from tests.unit.detect import patientfixtures as pf

CHI = pf.chi_number("140372")
SECOND = pf.chi_number("020480")
NHS = pf.nhs_number("485", "")
CLINICAL = "\nStarted on warfarin in clinic after the ward round."


def chi_findings(detector: Any, body: str) -> list[Finding]:
    return pf.found(detector, pf.inspection(body), "CHI_NUMBER")


def table(header: str, number: str) -> str:
    return f"Bed\t{header}\tPlan\n1\tside room\tdischarge planning meeting with family later\n3\t{number}\tbloods"


@pytest.mark.parametrize(
    ("body", "score", "reasons"),
    [
        (f"CHI {CHI} seen today.", 0.97, ["checksum", "date", "keyword"]),
        (f"CHI number:\n{CHI}", 0.97, ["checksum", "date", "keyword"]),
        (table("CHI no", CHI), 0.95, ["checksum", "date", "table column"]),
        (f"Seen today, {CHI}.{CLINICAL}", 0.7, ["checksum", "date", "clinical context"]),
        (f"NHS number:\n{CHI}{CLINICAL}", 0.7, ["checksum", "date", "clinical context"]),
        (f"Chiropody on the list at ten: {CHI}.{CLINICAL}", 0.7, ["checksum", "date", "clinical context"]),
        (
            f"Flew home from Kochi on the list at ten: {CHI}.{CLINICAL}",
            0.7,
            ["checksum", "date", "clinical context"],
        ),
        (table("Chief complaint", CHI) + CLINICAL, 0.7, ["checksum", "date", "clinical context"]),
    ],
)
def test_score_and_reasons_per_evidence(detector: Any, body: str, score: float, reasons: list[str]) -> None:
    """The word CHI (before the number or on the line above) or a CHI column beats a clinical passage; "NHS" or "chi" inside a word is no CHI label."""
    (f,) = chi_findings(detector, body)
    assert (f.score, f.details["reasons"]) == (score, reasons)


@pytest.mark.parametrize(
    "body",
    [
        f"Seen today, {CHI}.",
        f"Booking reference {CHI} for the flights.{CLINICAL}",
        f"The order number is {CHI}.{CLINICAL}",
    ],
)
def test_not_a_chi_number(detector: Any, body: str) -> None:
    """Without a label or a clinical passage, or behind a non-patient label even in clinical mail, a date-shaped number is no CHI."""
    assert chi_findings(detector, body) == []


@pytest.mark.parametrize(
    "body",
    [
        f"NHS {NHS} and CHI {CHI} on the ward.",
        f"Booking reference {SECOND}, and CHI {CHI} on the ward.",
        f"CHI {pf.failing_number('140')} crossed out, CHI {CHI} on the ward.",
    ],
)
def test_a_number_before_does_not_stop_the_scan(detector: Any, body: str) -> None:
    """A number that is not a CHI (an NHS number, one behind a booking label, a failing check digit) does not hide the CHI after it."""
    (f,) = chi_findings(detector, body)
    assert (f.score, f.details["reasons"]) == (0.97, ["checksum", "date", "keyword"])


def test_several_chi_numbers_are_counted(detector: Any) -> None:
    """Two CHI numbers in one part are one finding that says how many there were."""
    (f,) = chi_findings(detector, f"CHI {CHI} and CHI {SECOND} both need bloods.")
    assert f.details["count"] == 2
