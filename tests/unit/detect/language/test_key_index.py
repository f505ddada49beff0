"""The key index lets through exactly the patterns the one-by-one key check lets through."""

from __future__ import annotations

import random

import pytest

from gateway.detect.language.detector import LanguageDetector
from gateway.detect.language.triggers import KeyIndex, passes

TABLE = {
    "no requirements: always": ([[[]]], [set(), {"zzz"}]),
    "one set": ([[[frozenset({"kil"})]]], [set(), {"kil"}, {"kil", "you"}, {"you"}]),
    "two sets, both needed": (
        [[[frozenset({"go", "kil"}), frozenset({"you"})]]],
        [{"go"}, {"go", "you"}, {"kil", "you"}, {"you"}, set()],
    ),
    "two alternatives": (
        [[[frozenset({"ste"})], [frozenset({"sto"}), frozenset({"mor"})]]],
        [{"ste"}, {"sto"}, {"sto", "mor"}, {"mor"}, set()],
    ),
    "an empty set never passes": ([[[frozenset()]], [[frozenset({"a"}), frozenset()]]], [{"a"}, set()]),
    "an always alternative after others": (
        [[[frozenset({"x"})], []]],
        [set(), {"x"}],
    ),
    "several patterns share keys": (
        [
            [[frozenset({"you"}), frozenset({"die"})]],
            [[frozenset({"die"})]],
            [[frozenset({"you"})], [frozenset({"yer"}), frozenset({"die"})]],
        ],
        [{"you"}, {"die"}, {"you", "die"}, {"yer", "die"}, {"yer"}, set()],
    ),
}


@pytest.mark.parametrize(("requirements", "sentences"), TABLE.values(), ids=list(TABLE))
def test_key_index_agrees_with_passes(requirements: list, sentences: list[set[str]]) -> None:
    """For each sentence's keys: the patterns let through are those `passes` lets through, in order."""
    index = KeyIndex(requirements)
    for words in map(frozenset, sentences):
        assert index.passing(words) == [i for i, r in enumerate(requirements) if passes(r, words)]


def test_key_index_agrees_with_passes_on_every_shipped_pattern_file(language: LanguageDetector) -> None:
    """Over the shipped pattern files, for real sentences and random draws of their keys, the same answer."""
    recognisers = [*language.patterns, language.defamation._allegations, language.defamation._support]
    texts = [
        "I know where you park and you'll regret this.",
        "He is 100% stealing the fentanyl and turned up to the list stinking of booze.",
        "You've blocked my number so I'll keep emailing every single day until you answer.",
        "The registrar is definitely nicking morphine and everyone knows it.",
        "Immigrants are taking our places from British students.",
        "See you at the seminar on Tuesday; bring the notes.",
    ]
    sentences = [s.keys for text in texts for s in language.sentences(text)]
    rng = random.Random(17)
    compared = 0
    for rec in recognisers:
        every_key = sorted({k for alts in rec._keys for sets in alts for ks in sets for k in ks})
        draws = [frozenset(rng.sample(every_key, min(len(every_key), n))) for n in (1, 2, 3, 5, 8, 13) * 20]
        for words in [*sentences, *draws]:
            expected = [i for i, r in enumerate(rec._keys) if passes(r, words)]
            assert rec._passing.passing(words) == expected
            compared += bool(expected)
    assert compared > 100  # the draws let many patterns through, not only none
