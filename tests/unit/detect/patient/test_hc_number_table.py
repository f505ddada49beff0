"""H&C numbers, exactly: every way the label is written, what a number alone or in a table scores, and labels that stop one."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.model import Finding, Segment
from tests.unit.detect import patientfixtures as pf

HC = pf.nhs_number("352", "")
SECOND = pf.nhs_number("371", "")
NHS = pf.nhs_number("485", "")
CLINICAL = "\nStarted on warfarin in clinic after the ward round."
FAR = " - as on the new list: "  # five words: too far for a context word, inside the label window


def hc_findings(detector: Any, body: str) -> list[Finding]:
    return pf.found(detector, pf.inspection(body), "HC_NUMBER")


def table(header: str, number: str) -> str:
    return f"Bed\t{header}\tPlan\n1\tside room\tdischarge planning meeting with family later\n3\t{number}\tbloods"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f"H&C{FAR}{HC}", id="H&C"),
        pytest.param(f"H & C{FAR}{HC}", id="H & C"),
        pytest.param(f"H &C{FAR}{HC}", id="H &C"),
        pytest.param(f"HCN{FAR}{HC}", id="HCN"),
        pytest.param(f"NHS{FAR}{HC}", id="NHS"),
        pytest.param(f"Health and Care number {HC}", id="health and care"),
        pytest.param(f"Health & Care no. {HC}", id="health & care"),
        pytest.param(f"Health  and  care number {HC}", id="double spaces"),
        pytest.param(f"H&C number:\n{HC}", id="H&C on the line before"),
        pytest.param(f"HCN:\n{HC}", id="HCN on the line before"),
    ],
)
def test_every_written_label(detector: Any, body: str) -> None:
    """However the H&C label is written, before the number or on the line above, the number scores as labelled."""
    (f,) = hc_findings(detector, body)
    assert (f.score, f.details["reasons"]) == (0.99, ["checksum", "keyword"])


@pytest.mark.parametrize(
    ("body", "score", "reasons"),
    [
        (table("H&C number", HC), 0.97, ["checksum", "table column"]),
        (table("NHS no", HC), 0.97, ["checksum", "table column"]),
        (table("Reference", HC) + CLINICAL, 0.7, ["checksum", "clinical context"]),
        (f"Seen today, {HC}.{CLINICAL}", 0.7, ["checksum", "clinical context"]),
        (f"NHSmail to all of the team, {HC}.{CLINICAL}", 0.7, ["checksum", "clinical context"]),
        (HC, 0.6, ["checksum"]),
        (f"  {HC}\n", 0.6, ["checksum"]),
    ],
)
def test_score_and_reasons_per_evidence(detector: Any, body: str, score: float, reasons: list[str]) -> None:
    """An H&C or NHS column counts as a label; a clinical passage scores lower; a number alone in its part counts."""
    (f,) = hc_findings(detector, body)
    assert (f.score, f.details["reasons"]) == (score, reasons)


@pytest.mark.parametrize(
    "body",
    [
        f"The number is {HC}.",
        f"{HC} is the number",
        f"1 of 2: {HC}",
        f"NHSmail to all of the team, {HC}.",
        f"Invoice {HC} is attached.{CLINICAL}",
        f"The order number is {HC}.{CLINICAL}",
    ],
)
def test_not_an_hc_number(detector: Any, body: str) -> None:
    """A number with other words around it and no label or clinical passage, or behind a non-patient label, is no H&C number."""
    assert hc_findings(detector, body) == []


@pytest.mark.parametrize(
    "body",
    [
        f"NHS {NHS} and H&C {HC} on the ward.",
        f"Invoice {SECOND}, and H&C {HC} on the ward.",
    ],
)
def test_a_number_before_does_not_stop_the_scan(detector: Any, body: str) -> None:
    """A number that is not an H&C number, or one behind an invoice label, does not hide the H&C number after it."""
    (f,) = hc_findings(detector, body)
    assert (f.score, f.details["reasons"]) == (0.99, ["checksum", "keyword"])


def test_alone_in_an_attachment(detector: Any) -> None:
    """A number that is the whole text of an attachment part is reported there."""
    seg = Segment(f"{HC}\n", "attachment:id.txt", kind="attachment")
    (f,) = pf.found(detector, pf.inspection("see attached", segments=[seg]), "HC_NUMBER")
    assert (f.where, f.score) == ("attachment:id.txt", 0.6)
