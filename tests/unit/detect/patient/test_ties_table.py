"""How a sentence ties a health fact to a named person, one row per structure, read without spaCy: each tie, and
the same sentence shape with the tie broken."""

from __future__ import annotations

import pytest

from gateway.detect.patient.lexicon import Lexicon
from gateway.detect.patient.mentions import mentions
from gateway.detect.patient.text import SegmentView
from gateway.detect.patient.ties import OWN_CARE, PATIENT_STATUS, tied_to
from gateway.model import Segment


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


def _tied(lex: Lexicon, text: str, name: str) -> bool:
    view = SegmentView(Segment(text, "body"), lex)
    facts = lex.health_facts.find(text)
    assert facts, "the row needs a health fact"
    (m,) = [m for m in mentions(text, 0, len(text), [], lex) if text[m.start : m.end] == name]
    return tied_to(view, m, facts)


# (name, text, the person, tied)
ROWS = [
    ("a possessive", "Ottoline's biopsy came back", "Ottoline", True),
    ("a verb straight after", "Ottoline was admitted overnight", "Ottoline", True),
    (
        "a plural verb",
        "The Oyelowo family are on the labour ward, the baby was stillborn",
        "Oyelowo family",
        True,
    ),
    ("a modal verb", "Gethin can't drink, it is liver damage", "Gethin", True),
    ("commas round the name", "Our guide, Colin Ashdown, has had two heart attacks", "Colin Ashdown", True),
    ("an age in commas", "Hodan Warsame, 12, may be taken abroad for FGM", "Hodan Warsame", True),
    (
        "an age in commas with years old",
        "Hodan Warsame, 12 years old, may be at risk of FGM",
        "Hodan Warsame",
        True,
    ),
    ("an aside in brackets", "Ngozi Achebe (the radio one) has had a miscarriage", "Ngozi Achebe", True),
    ("where they are from", "Kasia Wrobel from the deli has hepatitis B", "Kasia Wrobel", True),
    ("a label after where they are from", "I met Janice from the Co-op - 3rd round of chemo", "Janice", True),
    ("a label after where they are at", "I met Janice at the Co-op: chemo again", "Janice", True),
    ("a label dash", "Malcolm Tennant - MRI shows metastases", "Malcolm Tennant", True),
    ("a bare comma and no verb", "Janice, the chemo ward is on level 3", "Janice", False),
    ("where they are from, no label", "I met Janice from the Co-op and talked about chemo", "Janice", False),
    (
        "a label too far after the aside",
        "I met Janice from the Co-op - we talked for ages and ages about the new chemo",
        "Janice",
        False,
    ),
]


@pytest.mark.parametrize(
    ("text", "name", "tied"), [(t, n, b) for _, t, n, b in ROWS], ids=[r[0] for r in ROWS]
)
def test_ties(lex: Lexicon, text: str, name: str, tied: bool) -> None:
    """Each structure ties the fact to the person; the broken shape does not."""
    assert _tied(lex, text, name) is tied


# (name, the text after a titled name, own care)
CARE = [
    ("coming to a unit", " has been coming to the fertility unit for egg collection", True),
    ("going into a clinic", " had been going into the pain clinic", True),
    ("a cycle of treatment", " was in clinic, they're on their second cycle of IVF", True),
    ("a round started", " has started her third round of chemo", True),
    ("off for their own", " is off from Thursday for his own surgery", True),
    ("coming to a ward to teach", " has been coming to the ward to teach us", False),
    ("a round of interviews", " is on her second round of interviews", False),
    ("for the team", " is off for the team's away day", False),
]


@pytest.mark.parametrize(("after", "own"), [(a, o) for _, a, o in CARE], ids=[r[0] for r in CARE])
def test_own_care(after: str, own: bool) -> None:
    """What follows a titled name says it is their own care, or their work."""
    assert bool(OWN_CARE.match(after)) is own


STATUS = [
    (" is now a patient on our ward", True),
    (" has been admitted", True),
    (" was brought in by ambulance", True),
    (" is on the ward today", False),
]


@pytest.mark.parametrize(("after", "patient"), STATUS)
def test_patient_status(after: str, patient: bool) -> None:
    """Being a patient, admitted or brought in makes anyone a patient; being on the ward does not."""
    assert bool(PATIENT_STATUS.match(after)) is patient
