"""Any person mention with a health fact tied to it is a patient: names no list knows, ties through a pronoun."""

from __future__ import annotations

import pytest

from gateway.detect.patient.lexicon import Lexicon
from gateway.detect.patient.mentions import mentions, unknown_name
from tests.unit.detect import patientfixtures as pf

# one row per way of mentioning the person or tying the fact to them; no title, no number, no "patient"
POSITIVES = [
    ("a name no list knows, possessive", "Tobenna's MRI showed a slipped disc, he's gutted about rugby."),
    ("a name no list knows, a verb after", "Did you hear Oyinda was admitted with appendicitis on Sunday?"),
    ("a name no list knows, where from", "Zdenka from the climbing wall is in with a broken pelvis."),
    ("a name no list knows, her group", "Kalani in my anatomy group told me she's been self-harming again."),
    ("a name no list knows, set off", "Ngozi (the one who does the radio show) has had a miscarriage."),
    (
        "absence from teaching is no teaching",
        "Femi's been missing lectures because of his sickle cell crisis.",
    ),
    (
        "what someone does outside class",
        "Trevor who does the quiz at the Feathers was in resus with a stroke.",
    ),
    ("a contraction before the verb", "Nia B's off because she's had a seizure at the bus stop."),
    (
        "lower-case title on a long first line",
        "ok so mr oduya the caretaker is on our ward, had his appendix out",
    ),
    ("a nickname-like given name", "Paddy from the darts team is in with pancreatitis again."),
    ("end-of-life care is care", "Marjorie, who kept the corner shop for years, is on end-of-life care now."),
    ("a given name before a condition", "Efua's sickle cell crisis means she's missing the trip to Whitby."),
    ("a passive verb", "Gwilym has been diagnosed with coeliac disease after months of tests."),
    (
        "staff, their own diagnosis",
        "Just so you know, our tutor Dr Ingleby has cancer and starts chemo soon.",
    ),
    ("staff, off sick with treatment", "Dr Abara on the renal team is off sick, radiotherapy started today."),
    (
        "staff who collapsed at work",
        "Prof Quennell collapsed during the anatomy lecture, he's in the cath lab.",
    ),
    ("staff having a procedure", "Sister Oduya is having a hysterectomy next week, don't tell the students."),
    (
        "a reply to a quoted question",
        "> Is Dominic coming to the ball?\nNo, he is in with a collapsed lung and has a chest drain.",
    ),
    ("a given name after a capitalised opener", "Has Norah had her hip replacement yet?"),
    (
        "a list of people with their conditions",
        "Update: Bryony - chickenpox, Lorcan - tonsillitis, both off.",
    ),
]


@pytest.mark.parametrize(("kind", "body"), POSITIVES, ids=[k for k, _ in POSITIVES])
def test_person_tied_to_fact(detector, kind: str, body: str) -> None:
    """A person mentioned in any of these ways, with a health fact tied to them, is reported and says why."""
    found = pf.found(detector, pf.inspection(body), "PATIENT_NAME")
    assert found, kind
    reasons = " ".join(found[0].details["reasons"])
    assert "person (" in reasons and "health fact" in reasons


TRAPS = [
    (
        "a hospital named for a saint",
        "Bed 6 at St Aldwyn's Hospital had a cardiac arrest this morning, awful.",
    ),
    ("a place after 'in'", "The outbreak in Thornaby was measles, the paper said, forty children."),
    ("an organisation after 'the'", "I start at the Beatson's oncology unit on Monday, so excited."),
    ("a place that is an English word", "Reading has a new cancer centre opening in the spring."),
    ("a pronoun for someone else", "Kalani told me her mum has been diagnosed with diabetes, so sad."),
    ("a label, not initials", "Seen in clinic, D.O.B. 03/11/1950, on warfarin."),
    ("a name and a fact, untied", "Tobenna is doing his project on MRI safety with the physics department."),
    ("staff diagnosing someone", "Dr Ingleby diagnosed her with cancer and referred her to oncology."),
    (
        "staff with a diagnosis to make",
        "Dr Ingleby has diagnosed him with diabetes, so book the education class.",
    ),
    ("staff running a clinic", "Dr Abara is having a clinic on Friday for the diabetes patients."),
    ("staff at work on the ward", "Dr Abara is on the ward today if you need your cannula signed off."),
    (
        "a hospital named after a queen",
        "I'm on placement at the Queen Adelaide now.\nDo come to the hospice open day, I'm doing the teas.",
    ),
    ("a chat opener", "Tbh everyone's been drinking too much, hangovers all round lol."),
]


@pytest.mark.parametrize(("kind", "body"), TRAPS, ids=[k for k, _ in TRAPS])
def test_not_a_person_with_a_fact(detector, kind: str, body: str) -> None:
    """Places, organisations, labels, someone else's relative and an untied fact give no name finding."""
    assert not pf.found(detector, pf.inspection(body), "PATIENT_NAME"), kind


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Tobenna", True),
        ("Oyinda", True),
        ("Reading", False),  # an English word
        ("London", False),  # a place the word list knows
        ("Monday", False),
        ("Karen", False),  # a given name: found as one, not as an unknown name
        ("Tbh", False),
        ("Parkinson", False),  # an eponym
    ],
)
def test_unknown_name_word(word: str, expected: bool) -> None:
    """Only a capitalised word no list explains can be a name no list knows."""
    assert unknown_name(word, Lexicon.load()) is expected


def test_unknown_name_needs_a_person_slot() -> None:
    """A lone unknown word is a mention only where a person stands (possessive, verb, 'from the ...')."""
    lex = Lexicon.load()
    slot = "We think Tobenna's scan was fine."
    no_slot = "We drove past Tobenna on the way to the scan."
    assert [m.kind for m in mentions(slot, 0, len(slot), [], lex)] == ["unknown_name"]
    assert not [m for m in mentions(no_slot, 0, len(no_slot), [], lex) if m.kind == "unknown_name"]
