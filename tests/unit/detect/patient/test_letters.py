"""Names written with letters outside ASCII are whole names to every name pattern of the patient detector."""

from __future__ import annotations

import re
import unicodedata

import pytest

from gateway.detect.letters import CAP, LETTER, LOW, LOWER, UPPER, for_regex_module
from gateway.detect.patient.lexicon import Lexicon
from gateway.detect.patient.mentions import mentions
from gateway.model import Segment
from tests.unit.detect import patientfixtures as pf


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


CLASSES = [
    ("plain capital", "K", CAP, True),
    ("Latin-1 capital", "É", CAP, True),
    ("Extended-A capital", "Ł", CAP, True),
    ("Irish fada capital", "Ó", CAP, True),
    ("Latin-1 small", "ë", LOW, True),
    ("Extended-A small", "ł", LOW, True),
    ("Vietnamese small (Extended Additional)", "ễ", LOW, True),
    ("Extended-B small", "ș", LOW, True),
    ("sharp s", "ß", LOW, True),
    ("a small letter is no capital", "é", CAP, False),
    ("a capital is no small letter", "Ś", LOW, False),
    ("a multiplication sign is no letter", "×", LETTER, False),
    ("a division sign is no letter", "÷", LETTER, False),
    ("a digit is no letter", "7", LETTER, False),
    ("an apostrophe is no letter", "’", LETTER, False),
    ("Greek is outside the Latin classes", "Ω", CAP, False),
]


@pytest.mark.parametrize(
    ("char", "cls", "matches"), [(c, k, m) for _, c, k, m in CLASSES], ids=[n for n, *_ in CLASSES]
)
def test_letter_classes(char: str, cls: str, matches: bool) -> None:
    """The classes hold the Latin scripts' letters by case, and nothing else."""
    assert bool(re.fullmatch(cls, char)) is matches


def test_classes_cover_every_latin_letter() -> None:
    """Every cased letter of Latin-1, Extended-A/B and Extended Additional is in UPPER or LOWER."""
    upper, lower = re.compile(f"[{UPPER}]"), re.compile(f"[{LOWER}]")
    for first, last in ((0xC0, 0x24F), (0x1E00, 0x1EFF)):
        for cp in range(first, last + 1):
            c = chr(cp)
            cat = unicodedata.category(c)
            assert bool(upper.fullmatch(c)) is (cat in ("Lu", "Lt")), hex(cp)
            assert bool(lower.fullmatch(c)) is (cat == "Ll"), hex(cp)


# (text, the whole name the candidate stage must cover)
WHOLE_NAMES = [
    ("a circumflex", "Auntie Siân has been admitted with sepsis", "Siân"),
    ("a diaeresis and a fada", "Zoë Ó Briain had her appendix out", "Zoë Ó Briain"),
    ("Polish letters", "Łukasz Wójcik was admitted last night", "Łukasz Wójcik"),
    ("Vietnamese letters", "Nguyễn Thị Hoa's biopsy came back", "Nguyễn Thị"),
    ("an acute accent", "Renée Dubois's scan showed a bleed", "Renée Dubois"),
    ("a straight apostrophe", "Priya D'Souza was admitted on Monday", "Priya D'Souza"),
    ("a curly apostrophe", "Aoife O’Neill was admitted on Monday", "Aoife O’Neill"),
    ("a hyphenated surname", "Karen Smith-Jones was admitted on Monday", "Karen Smith-Jones"),
    ("a title and an accented surname", "Mrs Wójcik was admitted on Monday", "Mrs Wójcik"),
    ("a title and an apostrophe", "Mr O'Brien was admitted on Monday", "Mr O'Brien"),
]


@pytest.mark.parametrize(
    ("text", "name"), [(t, n) for _, t, n in WHOLE_NAMES], ids=[n for n, *_ in WHOLE_NAMES]
)
def test_candidate_is_the_whole_name(lex: Lexicon, text: str, name: str) -> None:
    """A name with letters outside ASCII is one candidate covering the whole name, not cut at the first accent."""
    found = [text[m.start : m.end] for m in mentions(text, 0, len(text), [], lex)]
    assert any(name in f for f in found), found


REPORTED = [
    ("a circumflex", "Auntie Siân Pritchard has been admitted with sepsis, she's on ward 4."),
    ("Polish letters", "Łukasz Wójcik was admitted last night with a perforated ulcer."),
    ("a fada", "Zoë Ó Briain's biopsy came back as melanoma, she's devastated."),
    ("an apostrophe and capital", "Priya D'Souza's smear came back abnormal and she is really worried."),
    ("a curly apostrophe", "Aoife O’Neill has just been diagnosed with leukaemia."),
    ("a title and an accented surname", "Mrs Wójcik in bed 6 has a grade 3 pressure sore."),
    ("a ward list in capitals", "Bed 4: Łukasz WÓJCIK, 3/6/61, sickle cell crisis"),
]


@pytest.mark.parametrize("body", [b for _, b in REPORTED], ids=[n for n, _ in REPORTED])
def test_accented_patient_names_are_reported(detector, body: str) -> None:
    """A patient named with accents or apostrophes is reported as a name, and the name is masked in evidence."""
    (f,) = pf.found(detector, pf.inspection(body), "PATIENT_NAME")
    assert f.score >= 0.5
    for word in ("Siân", "Wójcik", "Zoë", "D'Souza", "O’Neill", "Łukasz", "WÓJCIK"):
        assert word not in f.evidence


def test_decomposed_text_is_composed() -> None:
    """A segment's text is NFC: "e" + a combining acute reads as one "é"."""
    decomposed = "Rene\u0301e"
    assert Segment(decomposed, "body").text == "Renée"
    assert Segment("plain ascii", "body").text == "plain ascii"


def test_decomposed_name_is_reported(detector) -> None:
    """A patient's name typed with combining accents is reported exactly as the composed one."""
    composed = "Zoë Ó Briain's biopsy came back as melanoma, she's devastated."
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    got = pf.found(detector, pf.inspection(decomposed), "PATIENT_NAME")
    want = pf.found(detector, pf.inspection(composed), "PATIENT_NAME")
    assert [(f.type, f.evidence) for f in got] == [(f.type, f.evidence) for f in want] != []


REGEX_MODULE = [
    ("an accented name", "Zoë Wójcik", True),
    ("a plain name", "Karen Mbatha", True),
    ("lower case", "karen mbatha", False),
    ("digits", "K4ren Mbatha", False),
]


@pytest.mark.parametrize(
    ("text", "matches"), [(t, m) for _, t, m in REGEX_MODULE], ids=[n for n, *_ in REGEX_MODULE]
)
def test_patterns_for_presidio_match_alike(text: str, matches: bool) -> None:
    """A pattern rewritten for Presidio's `regex` module matches what the `re` pattern matches."""
    import regex

    pattern = f"{CAP}[{LOWER}'’]+ {CAP}{LOW}+"
    rewritten = for_regex_module(pattern)
    assert UPPER not in rewritten and LOWER not in rewritten
    assert bool(re.fullmatch(pattern, text)) is matches
    assert bool(regex.fullmatch(rewritten, text)) is matches
