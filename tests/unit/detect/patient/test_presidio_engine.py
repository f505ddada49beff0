"""The Presidio home: declarative specs become recognizers; context words, checksums and masking work."""

from __future__ import annotations

import pytest

from gateway.detect.presidio_engine import PatternSpec, PresidioEngine, RecognizerSpec, anycase


@pytest.fixture(scope="module")
def engine() -> PresidioEngine:
    spec = RecognizerSpec(
        "CODE",
        (PatternSpec("code", r"(?<!\d)\d{4}(?!\d)", 0.3),),
        context=("code",),
        validate=lambda t: not t.startswith("0"),
        case_sensitive=True,
    )
    e = PresidioEngine([spec])
    e.load()
    return e


def test_pattern_hits_with_names(engine: PresidioEngine) -> None:
    """Each hit carries its entity, span, score and the name of the pattern that matched."""
    (h,) = engine.analyze("reference 4821 only")
    assert (h.entity, h.start, h.end, h.pattern) == ("CODE", 10, 14, "code")
    assert h.score == pytest.approx(0.3)


def test_context_word_raises_the_score(engine: PresidioEngine) -> None:
    """A context word among the words just before a hit raises its score and is named."""
    (h,) = engine.analyze("the door code is 4821")
    assert h.score == pytest.approx(0.3 + PresidioEngine.CONTEXT_BOOST)
    assert h.context_word == "code"


def test_validate_drops_matches(engine: PresidioEngine) -> None:
    """A failing check drops the match entirely."""
    assert engine.analyze("code 0421") == []


def test_mask(engine: PresidioEngine) -> None:
    """presidio-anonymizer replaces each span by its entity name in brackets."""
    assert engine.mask("code 4821 and 7777", [(5, 9, "CODE"), (14, 18, "OTHER")]) == "code [CODE] and [OTHER]"


def test_persons_without_model(engine: PresidioEngine) -> None:
    """Without an NER model, persons() answers an empty list per window."""
    assert engine.persons(["Ann Lee was here", "nothing"]) == [[], []]


def test_analyze_before_load_fails() -> None:
    """Using the engine before load() is a programming error, said plainly."""
    with pytest.raises(RuntimeError):
        PresidioEngine([]).analyze("text")


def test_anycase() -> None:
    """A literal becomes a case-blind pattern."""
    import re

    assert re.fullmatch(anycase("mrn"), "MrN")
