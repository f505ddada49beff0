"""A hospital number is found when a site code stands between its label and the digits, or a line break splits it."""

from __future__ import annotations

import pytest

from tests.unit.detect import patientfixtures as pf

CLINICAL = " She was admitted with sepsis and started on IV antibiotics."

# (body, the identifier's digits, which must not be left in the evidence)
FOUND = [
    ("a site code in round brackets", "Hospital number (RJ1) 448812 for the discharge letter.", "448812"),
    ("a site code in square brackets", "MRN [WGH] 552019 for the discharge letter.", "552019"),
    ("a site code after a dash", "unit no - BRI 0041772 for the discharge letter.", "0041772"),
    ("a site code, then a colon", "Hosp no (RJ1): 448812 for the discharge letter.", "448812"),
    ("a site code with a colon inside", "MRN (site: WGH) 552019 for the discharge letter.", "552019"),
    ("a site code after the label's colon", "Hospital number: (RJ1) 448812 for the letter.", "448812"),
    ("a site code on the label's line", "Hospital number (RJ1)\n448812\nfor the discharge letter.", "448812"),
    ("digits on the line after the label", "Hosp no:\n  77120934\nfor the discharge letter.", "77120934"),
    ("grouped digits split by a line break", "MRN 552\n0193 for the discharge letter.", "0193"),
    ("letters and groups split by a line break", "Hosp no: WGH-552-\n0193 for the letter.", "0193"),
    ("a label split over two lines", "Hospital\nnumber: 448812 for the discharge letter.", "448812"),
]


@pytest.mark.parametrize(("body", "digits"), [(b, d) for _, b, d in FOUND], ids=[n for n, *_ in FOUND])
def test_site_code_and_split_ids(detector_without_ner, body: str, digits: str) -> None:
    """A labelled hospital number is reported and masked whatever stands between the label and the digits."""
    found = pf.found(detector_without_ner, pf.inspection(body + CLINICAL), "HOSPITAL_NUMBER")
    assert found, body
    assert all(digits not in f.evidence for f in found)
    assert max(f.score for f in found) >= 0.8


NOT_FOUND = [
    ("a room code in brackets", "Room (B12) 448812 is free for the tutorial."),
    ("a year after a bracketed code", "The audit (RJ1) 2024 found nothing."),
    ("a split phone number under a label", "Hosp switchboard:\n0161 276\n1234 for the ward."),
    ("grouped digits on two lines with no label", "Scores 552\n0193 in the quiz."),
]


@pytest.mark.parametrize("body", [b for _, b in NOT_FOUND], ids=[n for n, _ in NOT_FOUND])
def test_not_hospital_numbers(detector_without_ner, body: str) -> None:
    """Codes in brackets and digits on two lines are no hospital number without a hospital-number label."""
    assert pf.found(detector_without_ner, pf.inspection(body), "HOSPITAL_NUMBER") == []
