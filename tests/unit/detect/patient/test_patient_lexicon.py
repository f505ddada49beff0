"""Word lists: read from data files, matched as whole words and phrases, whatever the case."""

from __future__ import annotations

import pytest

from gateway.detect.patient.lexicon import Lexicon, WordList, read_list


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


def test_every_list_loads(lex: Lexicon) -> None:
    """Every data file named by the lexicon exists and has entries."""
    for name in Lexicon.__dataclass_fields__:
        value = getattr(lex, name)
        assert value.entries if isinstance(value, WordList) else value, name


def test_comments_are_skipped() -> None:
    """Lines starting "# " are comments; an entry may itself start with "#" ("#nof")."""
    entries = read_list("clinical_terms")
    assert "#nof" in entries
    assert not any(e.startswith("# ") for e in entries)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bloods in A&E, then an X-ray", {"a&e", "x ray", "bloods"}),
        ("end-of-life care on the Stroke Unit", {"end of life", "stroke", "stroke unit"}),
        ("wardrobe and bedroom", set()),
    ],
)
def test_distinct(lex: Lexicon, text: str, expected: set[str]) -> None:
    """Whole words and phrases, case-blind, hyphen or space alike; never inside a longer word."""
    assert expected <= lex.clinical_terms.distinct(text)
    if not expected:
        assert not lex.clinical_terms.distinct(text)


def test_at_most_stops_early(lex: Lexicon) -> None:
    """Asking for at most N entries returns no more than N."""
    text = "ward bay bed clinic theatre icu " * 50
    assert len(lex.clinical_terms.distinct(text, at_most=3)) == 3


def test_find_gives_positions() -> None:
    """`find` returns where each entry is."""
    wl = WordList.of("t", ["guest speaker", "lead"])
    assert wl.find("our Guest Speaker and the lead") == [(4, 17, "guest speaker"), (26, 30, "lead")]
