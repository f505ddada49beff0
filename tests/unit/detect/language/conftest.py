"""A language detector loaded once for the folder, and the helper that judges a text with it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pytest

from gateway.detect.language import LanguageDetector
from gateway.detect.language.triggers import passes
from tests.unit.detect.judging import INTERNAL, OUTSIDE, SECURE, STAFF, Judge

__all__ = ["INTERNAL", "OUTSIDE", "SECURE", "STAFF", "Judge", "keyed_matches"]


@pytest.fixture(scope="session")
def language() -> LanguageDetector:
    detector = LanguageDetector(internal=INTERNAL, secure=SECURE)
    detector.load()
    return detector


@pytest.fixture(scope="session")
def judge(language: LanguageDetector) -> Judge:
    return Judge(language)


def keyed_matches(language: LanguageDetector, patterns: Iterable, texts: Sequence[str]) -> int:
    """How many (pattern, sentence) pairs of `texts` match; asserts each passes the pattern's key pre-check.

    A keyed pattern runs only on sentences whose words hold its keys: a match whose keys
    the sentence lacks would be a finding the pre-check silently skips.
    """
    sentences = [s for text in texts for s in language.sentences(text)]
    checked = 0
    for pattern in patterns:
        for s in sentences:
            if pattern.regex.search(s.view):
                checked += 1
                assert passes(pattern.keys, s.keys), (pattern.regex.pattern[:60], s.view)
    return checked
