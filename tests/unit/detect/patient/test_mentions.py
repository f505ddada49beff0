"""The candidate stage finds every way a person is mentioned, and nothing that only looks like a name."""

from __future__ import annotations

import pytest

from gateway.detect.patient.lexicon import Lexicon
from gateway.detect.patient.mentions import mentions


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


FOUND = [
    ("spaCy span", "we met Zebedee Quorn at lunch", [(7, 20)], "ner"),
    ("given name and surname", "Karen Mbatha's smear", None, "full_name"),
    ("unknown capitalised pair", "Sadly Edna Fairweather died", None, "full_name"),
    ("given name alone", "Gareth from my street", None, "first_name"),
    ("given name from the census list", "Rhonda's biopsy", None, "first_name"),
    ("a name set after 'a man,'", "clerked a 40yo man, Will Sturridge, admitted", None, "full_name"),
    ("a friend by a name no list knows", "ur friend Fitzy has", None, "first_name"),
    ("a title in lower case", "mrs pocklington bay 4", None, "titled"),
    ("lower case, with surname", "karen mbatha's smear", None, "lower_case"),
    ("courtesy title", "Mr and Mrs Okafor came in", None, "titled"),
    ("dotted initials", "J.K. was admitted", None, "initials"),
]


@pytest.mark.parametrize(
    ("text", "persons", "kind"), [(t, p or [], k) for _, t, p, k in FOUND], ids=[n for n, *_ in FOUND]
)
def test_found(lex: Lexicon, text: str, persons: list[tuple[int, int]], kind: str) -> None:
    """Each kind of mention is a candidate."""
    kinds = {m.kind for m in mentions(text, 0, len(text), persons, lex)}
    assert kind in kinds or (kind == "full_name" and "capitalised" in kinds)


NOT_FOUND = [
    ("clinical words in capitals", "Cervical Screening Programme results", []),
    ("a model's non-name", "resting Tremor, cogwheel rigidity", [(8, 14)]),
    ("a drug class", "SGLT2 inhibitors", [(0, 5)]),
    ("a saint's hospice", "St Brigid's Hospice day centre", [(0, 11)]),
    ("everyday words", "will you mark the paper in may", []),
    ("everyday words, capitalised", "Will it Rain? Hope so", []),
    ("common abbreviations", "U.K. and N.B. and e.g. this", []),
]


@pytest.mark.parametrize(
    ("text", "persons"), [(t, p) for _, t, p in NOT_FOUND], ids=[n for n, *_ in NOT_FOUND]
)
def test_not_found(lex: Lexicon, text: str, persons: list[tuple[int, int]]) -> None:
    """Clinical words, non-names the model took for people, places and everyday words are no candidates."""
    assert mentions(text, 0, len(text), persons, lex) == []


def test_offsets_are_the_segments(lex: Lexicon) -> None:
    """Mentions in a window carry offsets into the whole text, and overlapping ones are merged."""
    text = "Intro line.\nToday Karen Mbatha rang."
    start = text.index("Today")
    (m,) = mentions(text, start, len(text), [], lex)
    assert text[m.start : m.end] == "Karen Mbatha" and m.tokens == ("karen", "mbatha")
