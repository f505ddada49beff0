"""What the review UI masks before a reviewer reveals it."""

from __future__ import annotations

import pytest

from gateway.web.masking import find_spans, placeholder


@pytest.mark.parametrize(
    ("text", "hidden", "kind"),
    [
        ("NHS no 943 476 5919 today", "943 476 5919", "number"),
        ("hospital number RXH1234567.", "RXH1234567", "number"),
        ("call 0131 496 0000 please", "0131 496 0000", "number"),
        ("born 01/02/1950", "01/02/1950", "date"),
        ("born 3rd March 2024", "3rd March 2024", "date"),
        ("seen on 2024-11-05", "2024-11-05", "date"),
        ("lives at EH1 1AB", "EH1 1AB", "postcode"),
        ("saw Mrs Ada Lovelock on the ward", "Ada Lovelock", "name"),
        ("write to pat.someone@mail.example.com", "pat.someone@mail.example.com", "email"),
    ],
)
def test_identifiers_are_masked(text: str, hidden: str, kind: str) -> None:
    """Each kind of identifier is found as one span of its kind."""
    spans = find_spans(text)
    assert [(text[s.start : s.end], s.kind) for s in spans] == [(hidden, kind)]


@pytest.mark.parametrize("text", ["meet at 10:30 in room 12", "3 of 4 students", "the year 2024 went well"])
def test_short_numbers_stay_visible(text: str) -> None:
    """Times, counts and years are not identifiers: nothing is masked."""
    assert find_spans(text) == []


def test_known_addresses_stay_visible() -> None:
    """The envelope addresses, shown in clear anyway, are not masked in the text."""
    assert find_spans("from a@example.ac.uk", keep=["A@example.ac.uk"]) == []


def test_detector_spans_are_masked_and_marked() -> None:
    """A span a detector located is masked even when no pattern matches it."""
    spans = find_spans("the patient Bobby said", located=[(12, 17)])
    assert [(s.start, s.end, s.located) for s in spans] == [(12, 17, True)]


def test_placeholder_shows_no_character_of_the_value() -> None:
    """The placeholder names the kind only."""
    p = placeholder("number", "9434765919")
    assert not any(ch.isdigit() for ch in p) and "number" in p
