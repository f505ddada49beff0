"""The cheap substring test before each marking's pattern: it may let a text through, never stop a match."""

from __future__ import annotations

import re

import pytest

from gateway.detect.markings import flexible, folded, may_contain, phrase_words

# (marking, text): texts the marking's case-blind pattern matches, some only through Unicode case rules
MATCHED = [
    ("for internal use only", "FOR INTERNAL USE ONLY"),
    ("for internal use only", "For-Internal_use  only."),
    ("internal use only", "\u0130NTERNAL USE ONLY"),  # dotted capital I
    ("internal use only", "\u0131nternal use only"),  # dotless small i
    ("staff only", "\u017ftaff only"),  # long s
    ("not to be shared with students", "NOT TO BE SHARED WITH STUDENT\u017f"),
    ("do not circulate", "do\u00a0not\u2013circulate"),
    ("keep it", "\u212aeep it"),  # Kelvin sign
]


@pytest.mark.parametrize(("marking", "text"), MATCHED)
def test_a_text_the_pattern_matches_passes_the_substring_test(marking: str, text: str) -> None:
    """Whenever the marking's pattern matches a text, the substring test lets that text through."""
    assert re.search(flexible(marking), text, re.IGNORECASE)
    assert may_contain(phrase_words(marking), folded(text))


@pytest.mark.parametrize(
    ("marking", "text"),
    [
        ("for internal use only", "for use only by the internal team"[:10]),
        ("staff only", "only the students"),
        ("not for distribution", "not for sale"),
    ],
)
def test_a_text_missing_one_word_is_stopped(marking: str, text: str) -> None:
    """A text that lacks one of the marking's words is stopped before the pattern runs."""
    assert not may_contain(phrase_words(marking), folded(text))


def test_a_marking_with_a_word_outside_ascii_always_runs() -> None:
    """A marking with a non-ASCII word gets no substring test: its pattern always runs."""
    assert phrase_words("réservé au personnel") is None
    assert may_contain(None, folded("anything at all"))
