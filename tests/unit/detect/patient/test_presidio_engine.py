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


def _engine(*specs: RecognizerSpec) -> PresidioEngine:
    e = PresidioEngine(specs)
    e.load()
    return e


@pytest.mark.parametrize(
    ("inner_score", "spans"),
    [
        (0.3, [(0, 4)]),  # a hit inside another of its type with the same score is dropped
        (0.2, [(0, 4)]),  # ... and with a lower one
        (0.5, [(0, 4), (0, 2)]),  # a stronger hit inside is kept
    ],
)
def test_hits_inside_others_of_their_type(inner_score: float, spans: list[tuple[int, int]]) -> None:
    """Presidio's de-duplication: a hit inside another of its type survives only with a higher score."""
    spec = RecognizerSpec(
        "CODE", (PatternSpec("whole", r"\b\d{4}\b", 0.3), PatternSpec("inner", r"\b\d{2}", inner_score))
    )
    assert [(h.start, h.end) for h in _engine(spec).analyze("1234 here")] == spans


@pytest.mark.parametrize(
    ("patterns", "text", "found"),
    [
        # the end of a hit, inside it: dropped like its start; every hit after a dropped one is still judged
        ([(r"\b\d{4}\b", 0.3), (r"\d{2}\b", 0.3)], "1234 5678", [(0, 4, 0.3), (5, 9, 0.3)]),
        # the same span at two scores: the higher one only
        ([(r"\d{4}", 0.3), (r"\b\d+\b", 0.6)], "ref 1234", [(4, 8, 0.6)]),
        ([(r"\d{4}", 0.6), (r"\b\d+\b", 0.3)], "ref 1234", [(4, 8, 0.6)]),
        # an empty match is no hit, and the pattern's later matches still count
        ([(r"\d*", 0.3)], "a 12", [(2, 4, 0.3)]),
        # a pattern with no score finds nothing
        ([(r"\d+", 0.0)], "a 12", []),
    ],
)
def test_which_matches_become_hits(
    patterns: list[tuple[str, float]], text: str, found: list[tuple[int, int, float]]
) -> None:
    """Empty matches and scoreless patterns give nothing; of equal or contained hits the strongest stays."""
    spec = RecognizerSpec("CODE", tuple(PatternSpec(f"p{i}", rx, sc) for i, (rx, sc) in enumerate(patterns)))
    assert [(h.start, h.end, h.score) for h in _engine(spec).analyze(text)] == found


def test_a_failing_check_drops_only_its_own_match(engine: PresidioEngine) -> None:
    """A match whose checksum fails is dropped; the matches after it are still found."""
    assert [(h.start, h.end) for h in engine.analyze("code 0421 and 4821")] == [(14, 18)]


def test_context_for_a_hit_before_the_first_word() -> None:
    """A hit that starts with a space, before any word, still has the words after it as context."""
    spec = RecognizerSpec("CODE", (PatternSpec("code", r"\s\d{4}", 0.3),), context=("code",))
    (h,) = _engine(spec).analyze(" 4821 code")
    assert h.context_word == "code"


def test_the_first_pattern_names_an_equal_hit() -> None:
    """Two patterns of one recognizer finding the same span with the same score: the first one names it."""
    spec = RecognizerSpec(
        "CODE", (PatternSpec("first", r"\d{4}", 0.4), PatternSpec("second", r"\b\d+\b", 0.4))
    )
    (h,) = _engine(spec).analyze("ref 1234")
    assert h.pattern == "first"


@pytest.mark.parametrize(
    ("scores", "order"),
    [
        ((0.5, 0.5), ["A_ENTITY", "B_ENTITY"]),  # same span, same score: by entity name
        ((0.4, 0.6), ["B_ENTITY", "A_ENTITY"]),  # same span: the higher score first
    ],
)
def test_same_span_of_two_entities(scores: tuple[float, float], order: list[str]) -> None:
    """Hits of different entities on one span are all kept, strongest first, then by entity name."""
    a = RecognizerSpec("A_ENTITY", (PatternSpec("a", r"\d{4}", scores[0]),))
    b = RecognizerSpec("B_ENTITY", (PatternSpec("b", r"\d{4}", scores[1]),))
    assert [h.entity for h in _engine(b, a).analyze("ref 1234")] == order


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("code a b c 4821", "code"),  # the context word four words before the hit counts
        ("code a b c d 4821", ""),  # five words before does not
        ("code , ; - . 4821", "code"),  # punctuation is not a word
        ("code -a -b -c -d 4821", "code"),  # nor is a token that starts with punctuation
        ("4821 code", "code"),  # one word after counts
        ("4821 a code", ""),  # two do not
        ("PIN 4821", "pin"),  # case-blind
    ],
)
def test_context_window_in_words(text: str, word: str) -> None:
    """A context word raises a hit's score within four words before it or one after it, punctuation not counted."""
    spec = RecognizerSpec("CODE", (PatternSpec("code", r"\d{4}", 0.3),), context=("pin", "code"))
    (h,) = _engine(spec).analyze(text)
    assert h.context_word == word
    assert h.score == pytest.approx(0.3 + (PresidioEngine.CONTEXT_BOOST if word else 0))
