"""Families of health facts and person mentions the lists lacked: care units, capitals, eponyms, kin and families."""

from __future__ import annotations

import pytest

from gateway.detect.patient.lexicon import Lexicon
from gateway.detect.patient.mentions import mentions
from tests.unit.detect import patientfixtures as pf


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


# (text, the fact's words, its kind)
FACTS = [
    ("a specialty ward", "she is on the gastro ward again", "on the gastro ward", "admission"),
    ("a named ward", "he was moved onto Heron ward", "onto Heron ward", "admission"),
    ("a unit of care", "Ben is in the spinal unit now", "in the spinal unit", "admission"),
    (
        "a unit of several words",
        "she's in the mother and baby unit",
        "in the mother and baby unit",
        "admission",
    ),
    ("a unit at a place", "on her third cycle at the Lotus day unit", "at the Lotus day unit", "admission"),
    ("an abbreviation in capitals", "84, CAP, improving", "CAP", "diagnosis"),
    ("two abbreviations", "AKI on CKD", "AKI", "diagnosis"),
    ("an eponym with disease", "her Crohn's disease flared", "Crohn's disease", "diagnosis"),
    ("an eponym with syndrome", "he has Marfan syndrome", "Marfan syndrome", "diagnosis"),
    ("an eponym alone", "a bad Crohn's flare", "Crohn's", "diagnosis"),
    ("a rare condition", "she has Tay-Sachs", "Tay-Sachs", "diagnosis"),
    ("a listed fact inside a unit", "she is on the stroke rehab unit", "stroke", "diagnosis"),
    ("a medicine the clinical list knew", "he is on morphine now", "morphine", "treatment"),
    ("a condition the clinical list knew", "she has delirium", "delirium", "diagnosis"),
    ("a death in other words", "he took his own life on Saturday", "took his own life", "death"),
    ("a mental health team", "the home treatment team visit her", "home treatment team", "treatment"),
]


@pytest.mark.parametrize(
    ("text", "words", "kind"), [(t, w, k) for _, t, w, k in FACTS], ids=[n for n, *_ in FACTS]
)
def test_fact_families(lex: Lexicon, text: str, words: str, kind: str) -> None:
    """Each family of health fact is found, with its kind."""
    found = [(text[f.start : f.end], f.kind) for f in lex.health_facts.find(text)]
    assert (words, kind) in found


NOT_FACTS = [
    ("a storage unit", "my boxes are in the storage unit"),
    ("a teaching unit", "it is in unit 3 of the module"),
    ("a ward round", "see you on ward round"),
    ("a ward's party", "he is coming to the paeds ward Christmas party"),
    ("a visit to a ward", "the band came to the children's ward to sing"),
    ("staff at a ward", "thank you to everyone at Heron ward for the care"),
    ("a ward's reception", "she works on the Heron ward reception"),
    ("a title in capitals' place", "ms jones is the new tutor"),
    ("a cap", "the cap is off the pen"),
    ("a product name", "join the MS Teams call at ten"),
    ("a surname that is an eponym", "the Bishop's covering Sunday"),
]


@pytest.mark.parametrize("text", [t for _, t in NOT_FACTS], ids=[n for n, _ in NOT_FACTS])
def test_not_facts(lex: Lexicon, text: str) -> None:
    """Units, titles, caps and products that are not care are no health facts."""
    assert lex.health_facts.find(text) == []


# (text, the mention's words)
MENTIONS = [
    ("an aunt by her given name", "Aunty Folasade is on the transplant list", "Folasade"),
    ("an aunt in lower case", "my auntie Mei is on chemo", "Mei"),
    ("a nickname after 'old'", "rip old Fergus from the fish shop", "Fergus"),
    ("a nickname after 'big'", "big Tomasz had his results", "Tomasz"),
    ("a family by its surname", "The Oyelowo family are in the bereavement suite", "Oyelowo"),
    ("sisters by their surname", "The Delacroix sisters came back positive", "Delacroix"),
    ("a family's baby", "The Nowaks' baby died last night", "Nowak"),
]


@pytest.mark.parametrize(("text", "name"), [(t, n) for _, t, n in MENTIONS], ids=[n for n, *_ in MENTIONS])
def test_mention_families(lex: Lexicon, text: str, name: str) -> None:
    """A person named after a word of kinship or affection, or a family by its surname, is a candidate."""
    found = [text[m.start : m.end] for m in mentions(text, 0, len(text), [], lex)]
    assert any(name in f for f in found), found


NOT_MENTIONS = [
    ("a magazine after a capitalised adjective", "I bought the Big Issue today"),
    ("a royal family", "the Royal family were on the news"),
]


@pytest.mark.parametrize("text", [t for _, t in NOT_MENTIONS], ids=[n for n, _ in NOT_MENTIONS])
def test_not_mention_families(lex: Lexicon, text: str) -> None:
    """An everyday word after a capitalised adjective, and the royal family, are no candidates."""
    assert mentions(text, 0, len(text), [], lex) == []


REPORTED = [
    ("a specialty ward", "Shira Levinsohn from our year is on the gastro ward with a bad Crohn's flare."),
    ("a list row with an abbreviation", "Board round:\n1. Nkechi Obi, 33, hyperemesis, IV fluids"),
    (
        "an aunt on a transplant list",
        "Aunty Folasade from church is on the transplant list, the renal team rang her on Tuesday.",
    ),
    ("a nickname with a diagnosis", "Big Davie from Cowan Street was in with a bleed from his varices."),
    ("a family's baby", "The Nowaks' baby boy died on NICU last night, he was born at 24 weeks."),
]


@pytest.mark.parametrize("body", [b for _, b in REPORTED], ids=[n for n, _ in REPORTED])
def test_reported(detector, body: str) -> None:
    """A person tied to a fact of these families is reported as a patient."""
    assert pf.found(detector, pf.inspection(body), "PATIENT_NAME")


DELIVERED = [
    ("a family at an open day", "The Smith family are coming to the open day on Saturday."),
    ("a storage unit", "Priya Shah left her boxes in the storage unit by the station."),
    ("a product in capitals", "Can you set up an MS Teams call with Priya Shah about the audit?"),
]


@pytest.mark.parametrize("body", [b for _, b in DELIVERED], ids=[n for n, _ in DELIVERED])
def test_not_reported(detector, body: str) -> None:
    """The same forms with nothing about health identify no patient."""
    assert pf.found(detector, pf.inspection(body)) == []
