"""What reviewers' marks are stored as, and the accepted entries the workers compare against."""

from __future__ import annotations

import dataclasses

import pytest

from gateway.model.learned import (
    ALLOWED_VALUE,
    KINDS,
    PUBLIC_FIGURE,
    REASON_BY_KEY,
    REASONS,
    STAFF_NAME,
    LearnedEntries,
    normal,
)


def test_stored_kinds_and_reason_keys_are_pinned() -> None:
    """Entry kinds and reason keys are written to the store and posted by the page: renaming one would
    orphan every stored entry and mark, so they are fixed here."""
    assert (STAFF_NAME, PUBLIC_FIGURE, ALLOWED_VALUE) == ("staff_name", "public_figure", "allowed_value")
    assert KINDS == {
        "staff_name": "staff name",
        "public_figure": "public figure",
        "allowed_value": "allowed code or word",
    }
    assert [(r.key, r.label, r.kind) for r in REASONS] == [
        ("staff", "a member of staff", "staff_name"),
        ("public", "a public or historical figure", "public_figure"),
        ("code", "not an identifier / ordinary code", "allowed_value"),
        ("fine", "a word that is fine here", ""),
        ("other", "other", ""),
    ]
    assert REASON_BY_KEY["code"].kind == ALLOWED_VALUE


@pytest.mark.parametrize(
    ("value", "normalised"),
    [("WARD-0042", "ward-0042"), ("  Ottoline\t Fairweather ", "ottoline fairweather"), ("ẞ", "ss")],
)
def test_values_compare_without_case_or_spacing(value: str, normalised: str) -> None:
    """Case (full case folding) and runs of white space do not make two values different."""
    assert normal(value) == normalised


def test_entries_answer_for_their_type_and_count_every_kind() -> None:
    """`allows` needs the type and the value; `size` counts staff names, public figures and values."""
    entries = LearnedEntries(
        version=3,
        staff_names=("Ottoline Fairweather", "Sam Ode"),
        public_figures=("Joseph Merrick",),
        allowed=frozenset({("HOSPITAL_NUMBER", "ward-0042")}),
    )
    assert entries.allows("HOSPITAL_NUMBER", "Ward-0042")
    assert not entries.allows("NHS_NUMBER", "ward-0042")
    assert entries.size == 4
    assert LearnedEntries().size == 0


def test_entries_cannot_change_once_handed_over() -> None:
    """The copy a worker holds is frozen: a detector cannot alter what the next message is judged with."""
    entries = LearnedEntries(version=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        entries.version = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        REASONS[0].kind = ""  # type: ignore[misc]
