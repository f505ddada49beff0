"""The cheap triage: which texts give the patient detector's costly passes something to start from."""

from __future__ import annotations

import pytest

from gateway.detect.triage import triage

CLINICAL = ("diagnosed", "chemotherapy", "sepsis")


def is_clinical(text: str) -> bool:
    """A stand-in for the lexicon: three clinical words."""
    low = text.lower()
    return any(w in low for w in CLINICAL)


@pytest.mark.parametrize(
    ("text", "scan", "ner"),
    [
        # nothing to start from: skipped
        ("Are we still on for the pub quiz tonight? Bring snacks.", False, False),
        ("Thanks for the notes, see you at the lecture on Friday", False, False),
        ("Lovely weather today, shall we go for a walk along the river", False, False),
        # identifier shapes
        ("Her number is 943 476 5919", True, False),
        ("ref 1403724512 attached", True, False),
        ("meet at 10.30 by the library", True, False),
        ("posting it to LS6 2QT tomorrow", True, False),
        ("She turned 47 yrs last week", True, False),
        # titles, keywords and months
        ("Mr Pemberton was grumpy again", True, False),
        ("the lady in bed four", True, False),
        ("his DOB is on the form", True, False),
        ("see you in March", True, False),
        # clinical signs, with and without a word that could be a name
        ("she was diagnosed last week", True, False),
        ("Gwendolyn was diagnosed last week", True, True),
        ("started chemotherapy, Tuesday clinic", True, True),
        # a name with no ASCII capital is still a name NER should read
        ("łukasz said Żaneta was diagnosed", True, True),
        ("Ólöf was diagnosed last week", True, True),
    ],
)
def test_triage_table(text: str, scan: bool, ner: bool) -> None:
    """Text with no identifier shape, title, keyword or clinical word skips the scan; NER needs clinical + a capital."""
    signs = triage(text, is_clinical)
    assert (signs.needs_patient_scan, signs.needs_ner) == (scan, ner)


def test_reasons_name_signs_not_text() -> None:
    """The reasons are names of signs, never pieces of the text."""
    signs = triage("Mr Pemberton diagnosed 943 476 5919", is_clinical)
    assert signs.reasons <= {"identifier", "postcode", "keyword", "clinical", "capitalised"}
    assert {"identifier", "keyword", "clinical", "capitalised"} <= signs.reasons
