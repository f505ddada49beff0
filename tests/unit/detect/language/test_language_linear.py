"""Every language pattern stays linear on hostile input (a 1 MB line must not stall a worker).

Two guarantees, each checked here without a clock:

- patterns that read a whole text (address removal, sentence and paragraph
  splitting, the greeting, kisses) never backtrack over a run of characters
  and start only at the first character of a run: no non-possessive
  unbounded repeat, and a leading repeat sits behind a lookbehind or an
  anchor (checked on the parsed pattern);
- every other pattern reads one sentence, and no sentence is longer than
  the cut, so its cost per sentence is bounded whatever the text.

The 1 MB run at the end then runs every pattern over the adversarial
sentences; with the old quadratic address pattern it took minutes (100,000
characters: 26 s), now it takes about a second.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from typing import Any

import pytest

from gateway.detect.language import allow, detector, names, sentences
from gateway.detect.language.lexicon import Pattern
from gateway.detect.language.sentences import clean, split_sentences
from gateway.model import Envelope, Inspection, Segment

_C = importlib.import_module("re._constants")
_P = importlib.import_module("re._parser")

WHOLE_TEXT = {
    "address": sentences._ADDRESS,
    "sentence end": sentences._SENTENCE_END,
    "paragraph": sentences._PARAGRAPH,
    "quote marker": sentences._QUOTE_MARKER,
    "greeting": names._GREETING,
    "kisses": allow._KISSES,
}

# the old text preparation, kept to show the checks below would have caught it
OLD_ADDRESS = re.compile(r"(?i)\b(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
OLD_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s)")

_KB = 1024
ADVERSARIAL = {
    "run without spaces": "a" * (128 * _KB),
    "dots": "." * (64 * _KB) + " end",
    "letters and dots": "a." * (64 * _KB),
    "repeated postcodes": "SW1A 1AA " * (8 * _KB),
    "postcodes without spaces": "SW1A1AALS29JT" * (8 * _KB),
    "repeated addresses": "jo.bloggs@example.ac.uk" * (4 * _KB),
    "at signs": "a@" * (32 * _KB),
    "web addresses": "www." * (16 * _KB) + " x",
    "long words": ("pneumonoultramicroscopicsilicovolcanoconiosis" * 40 + " ") * 64,
    "abbreviations": "Dr. " * (16 * _KB),
    "bangs and stars": "f*!" * (16 * _KB),
    "quotes": "'a\"" * (16 * _KB),
    "spaces before a word": "Hello" + " " * (64 * _KB) + "x",
    "greeting then spaces": "Hi Marcus" + " " * (64 * _KB) + "x",
}


def _walk(items: Any) -> Iterator[tuple[Any, Any]]:
    for op, av in items:
        yield op, av
        if op is _C.BRANCH:
            for branch in av[1]:
                yield from _walk(branch)
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            yield from _walk(av[2])
        elif op is _C.SUBPATTERN:
            yield from _walk(av[-1])
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            yield from _walk(av[1])
        elif op is _C.ATOMIC_GROUP:
            yield from _walk(av)


def backtracking_repeats(pattern: re.Pattern[str]) -> int:
    """Unbounded repeats that may give characters back (neither possessive nor atomic)."""
    return sum(
        1
        for op, av in _walk(_P.parse(pattern.pattern, pattern.flags))
        if op in (_C.MAX_REPEAT, _C.MIN_REPEAT) and av[1] == _C.MAXREPEAT
    )


_ANCHORS = {_C.AT_BEGINNING, _C.AT_BEGINNING_LINE, _C.AT_BEGINNING_STRING}


def unanchored_leading_repeats(pattern: re.Pattern[str]) -> int:
    """Branches that start with an unbounded repeat and may start anywhere inside a run."""
    parsed = list(_P.parse(pattern.pattern, pattern.flags))
    branches = parsed[0][1][1] if len(parsed) == 1 and parsed[0][0] is _C.BRANCH else [parsed]
    bad = 0
    for branch in branches:
        anchored = False
        for op, av in branch:
            if (op is _C.AT and av in _ANCHORS) or (op is _C.ASSERT_NOT and av[0] == -1):
                anchored = True
                continue
            if op is _C.AT:
                continue
            if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT) and av[1] == _C.MAXREPEAT:
                bad += not anchored
            break
    return bad


@pytest.mark.parametrize("name", sorted(WHOLE_TEXT))
def test_whole_text_patterns_never_backtrack_over_a_run(name: str) -> None:
    """A pattern that reads a whole text has no repeat that can give characters back."""
    assert backtracking_repeats(WHOLE_TEXT[name]) == 0


@pytest.mark.parametrize("name", sorted(WHOLE_TEXT))
def test_whole_text_patterns_start_only_at_a_run_start(name: str) -> None:
    """A whole-text pattern that starts with a repeat is held to the first character of a run."""
    assert unanchored_leading_repeats(WHOLE_TEXT[name]) == 0


@pytest.mark.parametrize("old", [OLD_ADDRESS, OLD_SENTENCE_END])
def test_the_checks_catch_the_old_quadratic_patterns(old: re.Pattern[str]) -> None:
    """The two structural checks reject the patterns that took 26 s on 100,000 characters."""
    assert backtracking_repeats(old) > 0
    assert unanchored_leading_repeats(old) > 0


ADDRESSES = [
    ("write to jo.bloggs@example.ac.uk today", "write to   today"),
    ("see https://example.org/a?b=c, then", "see   then"),
    ("(mail: a_b+c@x-y.co.uk)", "(mail:  )"),
    ("o'brien@example.com", "o' "),
    ("no address @ here", "no address @ here"),
]


@pytest.mark.parametrize(("raw", "cleaned"), ADDRESSES)
def test_addresses_are_still_removed(raw: str, cleaned: str) -> None:
    """The linear address pattern removes what the old one removed."""
    assert clean(raw) == cleaned


SPLITS = [
    (
        "Dr. Cox is here. He said hi!  Then left...  ok",
        ["Dr. Cox is here.", "He said hi!", "Then left...", "ok"],
    ),
    ('She said "stop." Then went.', ['She said "stop."', "Then went."]),
    ("Use e.g. paracetamol. Fine?! Yes", ["Use e.g. paracetamol.", "Fine?!", "Yes"]),
    ("> quoted line\n>> deeper\n\nnew para", ["quoted line", "deeper", "new para"]),
]


@pytest.mark.parametrize(("raw", "sentences"), SPLITS)
def test_sentences_are_still_split_as_before(raw: str, sentences: list[str]) -> None:
    """Possessive sentence ends and the abbreviation window split text as before."""
    assert split_sentences(clean(raw)) == sentences


def test_no_sentence_is_longer_than_the_cut() -> None:
    """Every sentence-level pattern reads at most one cut's worth of text, whatever the input."""
    for sample in ADVERSARIAL.values():
        assert max(len(s) for s in split_sentences(clean(sample))) <= sentences._MAX_SENTENCE


def _every_pattern(language: detector.LanguageDetector) -> list[re.Pattern[str]]:
    """Every compiled pattern of the language modules and of the loaded detector."""
    found: dict[int, re.Pattern[str]] = {}
    seen: set[int] = set()

    def add(value: Any, depth: int = 0) -> None:
        if id(value) in seen or depth > 8:
            return
        seen.add(id(value))
        if isinstance(value, re.Pattern):
            found[id(value)] = value
        elif isinstance(value, Pattern):
            add(value.regex)
            add(value.unless)
        elif isinstance(value, (list, tuple, dict)):
            for item in value.values() if isinstance(value, dict) else value:
                add(item, depth + 1)
        elif hasattr(value, "__dict__") and type(value).__module__.startswith("gateway.detect"):
            for item in vars(value).values():
                add(item, depth + 1)

    for name in (
        "text",
        "targets",
        "names",
        "allow",
        "detector",
        "insults",
        "discrimination",
        "lexicon",
        "profanity",
        "allegations",
        "insinuation",
        "coercion",
    ):
        module = importlib.import_module(f"gateway.detect.language.{name}")
        for value in vars(module).values():
            add(value)
    add(language)
    return list(found.values())


def test_every_pattern_on_a_megabyte_of_hostile_text(language: detector.LanguageDetector) -> None:
    """Every language pattern runs over about 1 MB of hostile text, and the detector reads it all."""
    total = sum(len(s) for s in ADVERSARIAL.values())
    assert total >= 1000 * _KB
    patterns = _every_pattern(language)
    yaml_patterns = [
        p.regex for r in [*language.patterns, language.defamation._allegations] for p in r.patterns
    ]
    yaml_patterns += [p.regex for k in language.defamation.described.kinds for p in k.patterns]
    yaml_patterns += language.defamation.described.describers
    yaml_patterns += [p.regex for ps in language.intent.parts.values() for p in ps]
    yaml_patterns += [p.regex for p in [*language.reports.cues, *language.reports.cited]]
    yaml_patterns += [p.regex for ps in language.defamation.insinuation.parts.values() for p in ps]
    yaml_patterns += [p.regex for p in language.coercion.patterns]
    assert {id(p) for p in yaml_patterns} <= {id(p) for p in patterns}  # the YAML patterns too
    views = set()
    for sample in ADVERSARIAL.values():
        for pattern in WHOLE_TEXT.values():
            pattern.sub(" ", sample)
        views.update(s.view for s in language.sentences(sample))
    for view in views:
        for pattern in patterns:
            pattern.search(view)
    inspection = Inspection(
        envelope=Envelope("student@uni.ac.uk", ("friend@gmail.com",)),
        segments=[Segment("\n".join(ADVERSARIAL.values()), "body")],
    )
    assert language.detect(inspection) == []
