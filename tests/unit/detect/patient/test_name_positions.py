"""A name no list knows is read from where it stands: lower case beside a word for kin, apposition after a word
for a person, the object of a verb that takes a person, before more verbs and "from <what they do>"; and the
ties that set a name off by commas, an age or a label after where they are from."""

from __future__ import annotations

import pytest

from gateway.detect.patient.lexicon import Lexicon
from gateway.detect.patient.mentions import mentions
from tests.unit.detect import patientfixtures as pf


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


# (name, text, the mention's words, its kind)
MENTIONS = [
    ("lower case before 's and kin", "kwabena's mum is in again", "kwabena", "lower_case"),
    ("lower case before 's, an adjective and kin", "yusra's little bro has DKA", "yusra", "lower_case"),
    ("lower case after kin", "my bro idris is in resus", "idris", "lower_case"),
    ("lower case with an apostrophe after kin", "my mate d'arcy was sectioned", "d'arcy", "lower_case"),
    (
        "lower case opening a sentence, then from",
        "ok. tamsin from netball is pregnant",
        "tamsin",
        "lower_case",
    ),
    ("capitalised, then from what they do", "Oyinda from hockey was in clinic", "Oyinda", "unknown_name"),
    ("capitalised before another verb", "Annoyingly, Sefton slipped on the ice", "Sefton", "unknown_name"),
    ("capitalised before a modal", "Gethin can't drink any more", "Gethin", "unknown_name"),
    ("capitalised before 'who'", "You know Ilkay who works at the deli", "Ilkay", "unknown_name"),
    ("capitalised in a year group", "Tancredi in Year 1 keeps hearing things", "Tancredi", "unknown_name"),
    ("the object of a visit", "the team are visiting Ottoline twice a day", "Ottoline", "unknown_name"),
    ("apposition after a role", "The drummer, Stu, might be late", "Stu", "first_name"),
    ("apposition after a possessor's kin", "Next door's son, Liam, got out", "Liam", "first_name"),
    ("after a kin word, capitalised", "her son Benedikt is poorly", "Benedikt", "first_name"),
    ("after a classmate", "my son's classmate Minh is coming", "Minh", "first_name"),
]


@pytest.mark.parametrize(
    ("text", "words", "kind"), [(t, w, k) for _, t, w, k in MENTIONS], ids=[n for n, *_ in MENTIONS]
)
def test_name_positions(lex: Lexicon, text: str, words: str, kind: str) -> None:
    """A name standing where only a name stands is a candidate, of its kind."""
    found = [(text[m.start : m.end], m.kind) for m in mentions(text, 0, len(text), [], lex)]
    assert (words, kind) in found, found


NOT_MENTIONS = [
    ("an English word after kin", "my mum cooked and my dad washed up"),
    ("an English word before 's and kin", "the shop's owner is away"),
    ("a lower-case word opening a sentence before from", "ok. ring from the landline later"),
    ("a place word after a verb", "we drove about town with Boots bags"),
    ("a role in apposition with no name", "The drummer, however, was late"),
]


@pytest.mark.parametrize("text", [t for _, t in NOT_MENTIONS], ids=[n for n, _ in NOT_MENTIONS])
def test_not_name_positions(lex: Lexicon, text: str) -> None:
    """Everyday words in those places are not taken for names."""
    assert mentions(text, 0, len(text), [], lex) == []


REPORTED = [
    ("lower-case name and kin", "yusra's little bro idris in w DKA again. PICU. dont tell anyone"),
    ("a name from an activity", "Oyinda from hockey was in the GUM clinic getting treated for chlamydia"),
    ("a name before another verb", "Annoyingly, Sefton slipped on the way down and fractured his ankle."),
    (
        "apposition after a role",
        "The drummer, Stu, might be late, he's got a hospital appointment for his Crohn's.",
    ),
    (
        "apposition after a role, then a verb",
        "Our walk leader, Colin Ashdown, has had two heart attacks this year.",
    ),
    ("an age between commas", "The midwife thinks Hodan Warsame, 12, may be taken abroad for FGM."),
    ("a family, plural verb", "The Oyelowo family are in the bereavement suite, the baby was stillborn."),
    (
        "a label after where they are from",
        "Met the loveliest lady today - Janice from the Co-op - 3rd round of chemo.",
    ),
    ("a name in a year group", "Tancredi in Year 1 has been referred to the early intervention team."),
]


@pytest.mark.parametrize("body", [b for _, b in REPORTED], ids=[n for n, _ in REPORTED])
def test_reported(detector, body: str) -> None:
    """A person in those places tied to a health fact is reported as a patient."""
    assert pf.found(detector, pf.inspection(body), "PATIENT_NAME")


DELIVERED = [
    (
        "a name from an activity, no health",
        "Oyinda from hockey was at the clinic open day handing out leaflets.",
    ),
    ("apposition, no health", "The drummer, Stu, might be late, he's got a driving lesson."),
    ("lower case and kin, no health", "yusra's little bro idris passed his driving test again lol"),
    ("visiting, no health", "We're visiting Ottoline twice a week to practise the duet."),
]


@pytest.mark.parametrize("body", [b for _, b in DELIVERED], ids=[n for n, _ in DELIVERED])
def test_not_reported(detector, body: str) -> None:
    """The same places with nothing about health identify no patient."""
    assert pf.found(detector, pf.inspection(body)) == []
