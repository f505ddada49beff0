"""A language detector loaded once for the folder, and the helper that judges a text with it."""

from __future__ import annotations

import pytest

from gateway.detect.language import LanguageDetector
from tests.unit.detect.judging import INTERNAL, OUTSIDE, SECURE, STAFF, Judge

__all__ = ["INTERNAL", "OUTSIDE", "SECURE", "STAFF", "Judge"]


@pytest.fixture(scope="session")
def language() -> LanguageDetector:
    detector = LanguageDetector(internal=INTERNAL, secure=SECURE)
    detector.load()
    return detector


@pytest.fixture(scope="session")
def judge(language: LanguageDetector) -> Judge:
    return Judge(language)
