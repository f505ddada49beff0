"""Health facts read by word class and structure, not phrase by phrase: an organ and a harm, a bone and an
injury, a measurement with its value, a plural, an eponym's possessive alone, a weak fact said of someone,
substance use, safeguarding and life support."""

from __future__ import annotations

import pytest

from gateway.detect.patient.lexicon import Lexicon
from tests.unit.detect import patientfixtures as pf


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


# (name, text, the fact's words, its kind, strong)
FACTS = [
    ("an organ and damage", "the doctors say it is pancreas damage", "pancreas damage", "diagnosis", True),
    ("an organ and failure", "she went into bowel failure", "bowel failure", "diagnosis", True),
    ("an organ and a function test", "his lung function is down", "lung function", "result", True),
    ("an organ and a transplant", "waiting for a spleen transplant", "spleen transplant", "treatment", True),
    (
        "an organ and an operation",
        "after her gallbladder operation",
        "gallbladder operation",
        "treatment",
        True,
    ),
    ("a bone broken", "he has a broken kneecap", "broken kneecap", "diagnosis", True),
    (
        "a bone fractured, with whose",
        "she fractured her cheekbone",
        "fractured her cheekbone",
        "diagnosis",
        True,
    ),
    ("a bone named first", "both heels smashed in the fall", "heels smashed", "diagnosis", True),
    ("a bone and a fracture", "it was a skull fracture", "skull fracture", "diagnosis", True),
    ("a measurement and its value", "Hb 61 this morning", "Hb", "result", True),
    ("a measurement, 'of' and a value", "a ferritin of 3", "ferritin", "result", True),
    ("a measurement, a verb and a value", "her sats were 84%", "sats", "result", True),
    ("a measurement with a colon", "Na: 121", "Na", "result", True),
    ("a plural of a listed condition", "two heart attacks this year", "heart attacks", "diagnosis", True),
    ("an eponym's possessive alone", "she has Cushing's, poor thing", "Cushing's", "diagnosis", True),
    (
        "an eponym's possessive before 'and'",
        "he's got Dupuytren's and gout",
        "Dupuytren's",
        "diagnosis",
        True,
    ),
    ("pregnancy said of someone", "Ffion is pregnant again", "pregnant", "diagnosis", True),
    ("an operation had", "he had the operation on Monday", "operation", "treatment", True),
    ("a termination had", "she had a termination in May", "termination", "treatment", True),
    ("rehab left", "he came out of rehab last week", "rehab", "treatment", True),
    ("rehab entered", "she's in rehab", "rehab", "treatment", True),
    ("a drug of dependence", "he's back on heroin", "heroin", "diagnosis", True),
    ("dependence named", "her alcoholism got worse", "alcoholism", "diagnosis", True),
    ("grooming", "she is being groomed online", "being groomed", "safeguarding", True),
    ("social services", "social services came for the twins", "social services", "safeguarding", True),
    (
        "a safeguarding meeting",
        "the safeguarding meeting is Tuesday",
        "safeguarding meeting",
        "safeguarding",
        True,
    ),
    ("hitting", "says her stepdad hits her", "hits her", "safeguarding", True),
    ("a machine that breathes", "onto the breathing machine", "breathing machine", "treatment", True),
    ("life support", "still on life support", "life support", "treatment", True),
    ("a mental hospital", "in the mental hospital since May", "mental hospital", "admission", True),
    ("a learning disability", "he has a learning disability", "learning disability", "diagnosis", True),
    (
        "a unit named by a condition",
        "she's in the eating disorders unit",
        "in the eating disorders unit",
        "admission",
        True,
    ),
    ("an allergy emergency", "an anaphylactic reaction to nuts", "anaphylactic", "diagnosis", True),
]


@pytest.mark.parametrize(
    ("text", "words", "kind", "strong"),
    [(t, w, k, s) for _, t, w, k, s in FACTS],
    ids=[n for n, *_ in FACTS],
)
def test_fact_structures(lex: Lexicon, text: str, words: str, kind: str, strong: bool) -> None:
    """Each structure gives its health fact, of its kind, counting on its own."""
    found = [(text[f.start : f.end], f.kind, not f.weak) for f in lex.health_facts.find(text)]
    assert (words, kind, strong) in found, found


# (name, text, the words that stay weak)
STILL_WEAK = [
    ("pregnancy not said of anyone", "revision on pregnant women", "pregnant"),
    ("an operation in general", "the operation list is long", "operation"),
    ("rehab as a place", "a job at the rehab place", "rehab"),
    ("bruises alone", "bruises fade from purple to yellow", "bruises"),
    ("safeguarding alone", "safeguarding is everyone's business", "safeguarding"),
]


@pytest.mark.parametrize(
    ("text", "words"), [(t, w) for _, t, w in STILL_WEAK], ids=[n for n, *_ in STILL_WEAK]
)
def test_still_weak(lex: Lexicon, text: str, words: str) -> None:
    """A weak fact that the sentence does not say of someone stays weak."""
    found = [(text[f.start : f.end], f.weak) for f in lex.health_facts.find(text)]
    assert (words, True) in found, found


NOT_FACTS = [
    ("a measurement's name with no value", "we learnt what Hb does"),
    ("a measurement's name before a word", "sats on Saturday for revision"),
    ("an eponym's possessive before a noun", "Cushing's triad in the lecture"),
    ("an eponym in lower case", "the cushing's lecture"),
    ("an eponym that is a word, possessive", "drinks at Bell's and then home"),
    ("an organ with no harm", "the heart of the city"),
    ("a bone with no injury", "my back garden"),
]


@pytest.mark.parametrize("text", [t for _, t in NOT_FACTS], ids=[n for n, _ in NOT_FACTS])
def test_not_facts(lex: Lexicon, text: str) -> None:
    """Names of measurements, eponyms and body parts with nothing happening to them are no health facts."""
    assert lex.health_facts.find(text) == []


REPORTED = [
    ("an organ's damage", "Gethin can't drink any more, he's been told he's got liver damage."),
    ("a plural condition", "Our walk leader, Colin Ashdown, has had two heart attacks this year."),
    ("an eponym alone", "Carys Pritchard from our year has got Cushing's, that's why she's off."),
    ("a told pregnancy", "Heulwen Tranter in my group is pregnant, about twelve weeks."),
    ("a told termination", "Bryony's girlfriend Ines had a termination last week, keep it quiet."),
    ("a drug of dependence", "Tobias Wrenfield has just come out of rehab for heroin, he looks rough."),
    ("a child being groomed", "Kerys Allard, who is 14, is being groomed by a man she met online."),
    ("a measurement", "Albert Mossop: Hb 61 this morning, transfusing tonight."),
]


@pytest.mark.parametrize("body", [b for _, b in REPORTED], ids=[n for n, _ in REPORTED])
def test_reported(detector, body: str) -> None:
    """A named person tied to a fact of these structures is reported as a patient."""
    assert pf.found(detector, pf.inspection(body), "PATIENT_NAME")


DELIVERED = [
    ("a lecture on an organ", "Gethin Morys is giving the lecture on liver damage and alcohol on Friday."),
    ("a measurement in teaching", "Dr Ashdown explained what ferritin 15 means in the tutorial."),
    ("pregnancy in an essay", "Heulwen's essay compares nausea in pregnant women across trials."),
]


@pytest.mark.parametrize("body", [b for _, b in DELIVERED], ids=[n for n, _ in DELIVERED])
def test_not_reported(detector, body: str) -> None:
    """The same words in teaching, with a titled member of staff, or in an essay identify no patient."""
    assert pf.found(detector, pf.inspection(body)) == []
