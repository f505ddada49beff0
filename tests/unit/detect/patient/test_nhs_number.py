"""NHS numbers: every way students write them is found; ten-digit numbers that are not one are not."""

from __future__ import annotations

import pytest

from gateway.detect.patient.nhs_number import mod11_ok
from gateway.model import Segment
from tests.unit.detect import patientfixtures as pf

VALID = pf.nhs_number("485", "")
SPACED = pf.nhs_number("485", " ")


@pytest.mark.parametrize(
    ("digits", "ok"),
    [
        (pf.nhs_number("401", ""), True),
        (pf.nhs_number("699", ""), True),
        (pf.failing_number("612"), False),
        (pf.never_valid("733"), False),
        ("123456789", False),
        ("12345678901", False),
    ],
)
def test_mod11(digits: str, ok: bool) -> None:
    """The check digit decides: right digit passes, wrong digit, check value 10 or wrong length fail."""
    assert mod11_ok(digits) is ok


@pytest.mark.parametrize(
    "body",
    [
        f"Could you check what the pharmacy dispensed? NHS no {SPACED}, seen at home today.",
        f"The patient's NHS number is {pf.nhs_number('485', '-')} and she is on warfarin.",
        f"nhs: {pf.nhs_number('485', '.')} - bloods due tomorrow on the ward",
        f"Clerked him last night, NHS {VALID}, admitted with chest pain.",
        f"Can you book the echo for NHS no {VALID[:3]} {VALID[3:6]}\n{VALID[6:]} please, he is on the cardiology ward.",
        f"Bed | NHS number | Plan\n3 | {SPACED} | repeat troponin\n5 | {pf.nhs_number('612', ' ')} | ECG",
        f"Reminder for the clinic list: {VALID} needs a fasting glucose.",
        f"> Can you chase bloods for NHS# {VALID}\n> Thanks",
        f"nhs no.{VALID} for the clinic letter",
        f"NHS {VALID[:4]} {VALID[4:7]} {VALID[7:]} seen in clinic today",
    ],
)
def test_found(detector, body: str) -> None:
    """Spaced, dashed, dotted, plain, split over a line break, in a table, quoted: all found."""
    hits = pf.found(detector, pf.inspection(body), "NHS_NUMBER")
    assert hits and hits[0].score >= 0.5


def test_subject_line_only(detector) -> None:
    """A number in the subject of a clinical message is found there, with where = the subject header."""
    insp = pf.inspection(
        "Could you countersign the request form before I take the bloods?", subject=f"Bloods for {VALID}"
    )
    (f,) = pf.found(detector, insp, "NHS_NUMBER")
    assert f.where == "header:Subject"


def test_spreadsheet_cell(detector) -> None:
    """A number in an extracted spreadsheet row is found, located in that attachment."""
    seg = Segment(f"Bed\tName\tNHS\n2\tJo Smith\t{VALID}\t", "attachment:ward.xlsx/Sheet1", kind="attachment")
    (f,) = pf.found(detector, pf.inspection("list attached", segments=[seg]), "NHS_NUMBER")
    assert f.where == "attachment:ward.xlsx/Sheet1"


def test_quoted_flag(detector) -> None:
    """A number in quoted text is reported with quoted=True."""
    insp = pf.inspection("Thanks, will do.", quoted_body=f"> NHS no {SPACED} needs a repeat INR")
    (f,) = pf.found(detector, insp, "NHS_NUMBER")
    assert f.quoted


def test_keyword_scores_higher_than_bare(detector) -> None:
    """A label next to the number is stronger evidence than a bare valid number."""
    labelled = pf.found(detector, pf.inspection(f"NHS no {SPACED}"), "NHS_NUMBER")[0].score
    bare = pf.found(detector, pf.inspection(f"the number is {SPACED}"), "NHS_NUMBER")[0].score
    assert labelled > bare >= 0.5


@pytest.mark.parametrize(
    "body",
    [
        f"My new stethoscope is on its way, order number {pf.failing_number('612')}, arriving Friday.",
        f"Council tax reference {pf.never_valid('733')[:3]} {pf.never_valid('733')[3:6]} {pf.never_valid('733')[6:]}",
        f"Tracking number {pf.failing_number('482')} - the parcel should come tomorrow.",
        f"Account number: {pf.failing_number('655')}",
        f"Please quote account {VALID} when you ring the bank.",
        "Switchboard 0161 496 0000, office +44 161 496 0412.",
        "Student ID 20418204, candidate 1234567890123.",
        f"The reading was {VALID[:4]}.{VALID[4:]} on the meter.",
        f"Order ref {SPACED} for the lab coats (not clinical at all).",
        f"Our UCAS ID is {SPACED}, the interview is on Monday.",
        f"The reading was {VALID[:4]}.{VALID[4:]} on the meter, then {VALID[:5]}.{VALID[5:]}.",
    ],
)
def test_traps(detector, body: str) -> None:
    """Failing check digits, impossible numbers, labelled non-NHS numbers and phone numbers are not NHS numbers."""
    assert not pf.found(detector, pf.inspection(body), "NHS_NUMBER")


def test_evidence_is_masked(detector) -> None:
    """The evidence names the label and masks the number, never showing its digits."""
    (f,) = pf.found(detector, pf.inspection(f"NHS no {SPACED} for the home visit"), "NHS_NUMBER")
    assert "[NHS_NUMBER]" in f.evidence and "NHS no" in f.evidence
    assert VALID[:3] not in f.evidence and VALID[6:] not in f.evidence
