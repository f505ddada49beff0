"""Round 8 clearing cases for people: each everyday message with its twin that must still be held.

Two families the gateway held across several writers' files: news a friend or relative
asked the writer to tell everyone (made public by them; leave to tell one person is not
enough, a patient gives that to a student too), and a
member of staff named after their role ("our guest speaker is Mr X", "a consultant who
supervised me, Mr X").
"""

from __future__ import annotations

import pytest

from tests.unit.detect import patientfixtures as pf

PASSED_ON = [
    (
        "asked to tell everyone",
        "Uncle Tomasz phoned: his hernia repair went fine and he is home. He asked me to tell everyone.",
    ),
    (
        "said we can tell",
        "Marisol's mum is recovering after her stroke; Marisol said we can tell the society so nobody asks.",
    ),
    (
        "asked to tell the group",
        "Jakub has been diagnosed with glandular fever and asked me to tell the group he will miss the trip.",
    ),
    (
        "happy for everyone to know",
        "Priyanka's brother had his appendix out on Monday and is fine, she's happy for everyone to know.",
    ),
]


@pytest.mark.parametrize("body", [b for _, b in PASSED_ON], ids=[i for i, _ in PASSED_ON])
def test_news_passed_on_at_the_persons_request_is_not_a_disclosure(detector, body: str) -> None:
    """Health news the person asked to have passed on is theirs to share: no finding."""
    assert not pf.found(detector, pf.inspection(body))


KEPT_QUIET = [
    (
        "asked not to tell",
        "Marisol's mum is recovering after her stroke; Marisol asked me not to tell anyone, keep it quiet.",
    ),
    (
        "nobody to know",
        "Jakub has been diagnosed with glandular fever. Don't tell the group, he doesn't want anyone to know.",
    ),
    (
        "a patient's leave to tell one person",
        "The patient said I could tell you: the man from the bike shop on Mill Lane has bowel cancer.",
    ),
    (
        "a patient asked to pass it on",
        "The patient you let me examine, the retired vicar with the AF, asked me to pass on that he has"
        " started apixaban.",
    ),
    (
        "met on the ward, consent or not",
        "We saw Ffion's dad on our ward today after his bypass, she said we can tell the society.",
    ),
]


@pytest.mark.parametrize("body", [b for _, b in KEPT_QUIET], ids=[i for i, _ in KEPT_QUIET])
def test_news_kept_quiet_or_met_in_care_is_still_found(detector, body: str) -> None:
    """Without the person's request to pass it on, or met first-hand in care, it is still a patient."""
    assert pf.found(detector, pf.inspection(body))


ROLE_FIRST = [
    (
        "a role in apposition",
        "A registrar who taught us on the ward, Mr Hamish Orr, made comments about my accent in theatre.",
    ),
    (
        "the role is the person",
        "Our guest speaker is Mr Anil Rao, who will talk about caring for his wife.",
    ),
]


@pytest.mark.parametrize("body", [b for _, b in ROLE_FIRST], ids=[i for i, _ in ROLE_FIRST])
def test_a_person_named_after_their_staff_role_is_staff(detector, body: str) -> None:
    """A name set after its staff role (apposition, or "the role is Mr X") is staff: no finding."""
    assert not pf.found(detector, pf.inspection(body))


ROLE_FIRST_TWINS = [
    (
        "a patient in apposition",
        "The man who collapsed in clinic, Mr Hamish Orr, has a brain tumour.",
    ),
    ("the patient is", "The patient in bed 4 is Mr Anil Rao, admitted with pneumonia last night."),
    (
        "staff who is a patient",
        "A registrar who taught us on the ward, Mr Hamish Orr, has been admitted with a brain tumour.",
    ),
]


@pytest.mark.parametrize("body", [b for _, b in ROLE_FIRST_TWINS], ids=[i for i, _ in ROLE_FIRST_TWINS])
def test_a_patient_named_after_a_description_is_still_found(detector, body: str) -> None:
    """A patient set after a description of their care, or staff whose own illness is told, is found."""
    assert pf.found(detector, pf.inspection(body))
