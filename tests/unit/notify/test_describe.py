"""Findings in plain words: places, grouping, masked excerpts only."""

from __future__ import annotations

import pytest

from gateway.model import Finding
from gateway.notify.describe import describe, group, place, safe_excerpt
from gateway.notify.guidance import Guidance
from tests.unit.notify.doubles import insult_finding, name_finding, nhs_finding


@pytest.fixture(scope="module")
def guidance() -> Guidance:
    return Guidance.load()


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ("body", "in the message text"),
        ("html", "in the message text"),
        ("header:Subject", "in the subject line"),
        ("header:From", "in a display name"),
        ("header:Keywords", "in the Keywords header"),
        ("", "in the message"),
        ("attachment:Ward list.xlsx", "in the attachment Ward list.xlsx"),
        ("attachment:Ward list.xlsx/Sheet1", "in the attachment Ward list.xlsx, sheet Sheet1"),
        ("attachment:handover.docx/comments", "in the attachment handover.docx, the comments"),
        ("attachment:handover.docx/properties", "in the attachment handover.docx, the document properties"),
        ("attachment:teaching.pptx/slide 4", "in the attachment teaching.pptx, slide 4"),
        ("attachment:notes.zip/case.docx", "in the attachment notes.zip, in case.docx"),
        ("attachment:notes.zip/cases/case 2.docx", "in the attachment notes.zip, in cases/case 2.docx"),
        ("attachment:notes.zip/list.xlsx/Beds", "in the attachment notes.zip, in list.xlsx, sheet Beds"),
        (
            "attachment:fwd.eml/attachment:list.xlsx/Sheet1",
            "in the attachment fwd.eml, in list.xlsx, sheet Sheet1",
        ),
        ("attachment:fwd.eml/body", "in the attachment fwd.eml, the message text"),
        ("forwarded/body", "in the message text of a forwarded message"),
        ("forwarded/attachment:scan.pdf", "in the attachment scan.pdf of a forwarded message"),
        ("attachment:photo.jpg/ocr", "in the attachment photo.jpg, the text in the image"),
    ],
)
def test_place_in_plain_words(where: str, words: str) -> None:
    """Detector locations read as a place a student can find in their own message."""
    assert place(where) == words


def test_one_item_per_type_with_every_place(guidance: Guidance) -> None:
    """Two NHS numbers in two places make one item naming both places, counted twice."""
    items = describe([nhs_finding("body"), nhs_finding("attachment:Ward list.xlsx/Sheet1")], guidance)
    assert len(items) == 1
    item = items[0]
    assert item.advice.label == "an NHS number" and item.count == 2
    assert item.places == ["in the message text", "in the attachment Ward list.xlsx, sheet Sheet1"]


def test_patient_items_come_before_tone_items(guidance: Guidance) -> None:
    """Patient confidentiality is explained first, whatever order the detectors reported in."""
    items = describe([insult_finding(), nhs_finding()], guidance)
    assert [i.category for i in items] == ["patient_identifier", "abusive_language"]


def test_abusive_excerpts_are_never_kept(guidance: Guidance) -> None:
    """Even the masked evidence of an insult stays out of the description."""
    (item,) = describe([insult_finding()], guidance)
    assert item.excerpts == []


def test_quoted_findings_say_so(guidance: Guidance) -> None:
    """A finding in quoted text says it was in text quoted from an earlier message."""
    f = Finding("patient_identifier", "NHS_NUMBER", "body", 0.9, evidence="x", quoted=True)
    (item,) = describe([f], guidance)
    assert item.places == ["in the message text (in text quoted from an earlier message)"]


def test_excerpt_masks_digit_runs_the_detector_left(guidance: Guidance) -> None:
    """A long digit run left in evidence is masked again: no number reaches a notice."""
    assert safe_excerpt("NHS no 401 023 2137 seen") == "NHS no [NUMBER] seen"
    assert safe_excerpt("bed 6 on ward 12") == "bed 6 on ward 12"
    assert len(safe_excerpt("x" * 500)) <= 160


def test_groups_share_the_why_and_mark_repeated_advice(guidance: Guidance) -> None:
    """Patient items sit under one heading; an item whose advice repeats the last is marked."""
    items = describe([nhs_finding(), name_finding(), insult_finding()], guidance)
    groups = group(items)
    assert [g.title for g in groups] == ["Patient confidentiality", "Professional tone"]
    assert [i.type for i in groups[0].items] == ["NHS_NUMBER", "PATIENT_NAME"]
    assert not any(i.same_todo for i in items)
    twice = describe(
        [
            Finding("patient_image", "CLINICAL_PHOTO", "attachment:a.jpg", 0.9),
            Finding("patient_image", "SOMETHING_ELSE", "attachment:b.jpg", 0.9),
        ],
        guidance,
    )
    assert [i.same_todo for i in group(twice)[0].items] == [False, True]
