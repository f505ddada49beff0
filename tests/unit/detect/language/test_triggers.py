"""Trigger keys of patterns anchored at the start of a sentence view: keyed, and never skipping a match."""

from __future__ import annotations

import re

import pytest

from gateway.detect.language.detector import LanguageDetector
from gateway.detect.language.triggers import passes, trigger_keys


@pytest.mark.parametrize(
    ("pattern", "alternatives"),
    [
        (r"^(?:food for thought|your call)[.!]*$", [[{"foo"}, {"for"}, {"tho"}], [{"you"}, {"cal"}]]),
        (r"(?:^|, )(?:think about it|sleep on that)", [[{"thi", "sle"}]]),
        (r"(?:^|\bi )(?:would |so )*(?:bang|smash)", [[{"wou", "so", "ban", "sma"}]]),
        (r"\A(?:go away|die)\b", [[{"go"}, {"awa"}], [{"die"}]]),
        (r"^(?:x|y){2,}", [[]]),  # no word to key on: runs on every sentence
        (r"^\W*die", [[]]),  # the word need not start the view
    ],
)
def test_a_start_anchor_starts_a_word(pattern: str, alternatives: list[list[set[str]]]) -> None:
    """A pattern anchored at the view's start is keyed on the word that must stand there."""
    got = [sorted(map(sorted, sets)) for sets in trigger_keys(pattern)]
    assert sorted(got) == sorted(sorted(map(sorted, sets)) for sets in alternatives)


SENTENCES = [
    "Food for thought.",
    "Your call!",
    "Think about it, I know where you live.",
    "Just so you know, I know where you live",
    "I would totally bang her",
    "Die.",
    "Up to you.",
    "Tick tock",
    "Mark my words",
    "I hope you die",
]


def test_anchored_patterns_pass_every_sentence_they_match(language: LanguageDetector) -> None:
    """Every shipped pattern anchored at the start: a sentence it matches always passes its key check."""
    recognisers = [*language.patterns, language.grievance]
    views = [s for text in SENTENCES for s in language.sentences(text)]
    checked = 0
    for rec in recognisers:
        for pattern, requirements in zip(rec.patterns, rec._keys, strict=True):
            if not re.search(r"(?:^|\(\?:|\|)\^", pattern.regex.pattern):
                continue
            for s in views:
                if pattern.regex.search(s.view):
                    checked += 1
                    assert passes(requirements, s.keys), (pattern.id, s.view)
    assert checked >= 5
