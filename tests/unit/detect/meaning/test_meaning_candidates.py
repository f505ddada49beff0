"""The patient package's promise to the meaning gate (gateway.detect.patient.candidates), pinned as a table.

A change to the patient rules' candidate stage that changes a row here changes
what the gate passes, and so the meaning model's cross-validated thresholds:
retrain (scripts/train_meaning.py) and update the row on purpose.
"""

from __future__ import annotations

import pytest

from gateway.detect.meaning.gate import anchor
from gateway.detect.patient.candidates import LABELS, PERSON_KINDS, Identifier, candidates, name_words
from gateway.detect.patient.lexicon import Lexicon


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


PERSONS = [
    ("Karen Mbatha's cervical screening came back abnormal.", [("full_name", "Karen Mbatha's")]),
    ("Mrs Okafor in bed 11 is NBM.", [("titled", "Mrs Okafor")]),
    ("Dr Evans saw Gareth from my street yesterday.", [("titled", "Evans"), ("first_name", "Gareth")]),
    ("karen mbatha's smear was fine", [("lower_case", "karen mbatha's")]),
    ("Kemi's scan is on Friday", [("unknown_name", "Kemi")]),
    ("J.K. was admitted overnight", [("initials", "J.K.")]),
    ("Edna Fairweather fell again", [("full_name", "Edna Fairweather")]),
    ("my friend Matty tested positive", [("first_name", "Matty")]),
    ("Is Dominic coming?", [("first_name", "Dominic")]),
    ("a 67-year-old man presented with chest pain", []),
    ("the lady from the bridal shop came to the ball", []),
]


@pytest.mark.parametrize(("text", "expected"), PERSONS)
def test_person_mentions_with_their_kind_and_place(
    lexicon: Lexicon, text: str, expected: list[tuple[str, str]]
) -> None:
    """Each person mention comes with its kind and its offsets, in text order; described people are not mentions."""
    found = candidates(text, 0, len(text), lexicon)
    assert [(p.kind, text[p.start : p.end]) for p in found.persons] == expected
    assert all(p.kind in PERSON_KINDS for p in found.persons)


IDENTIFIERS = [
    ("dob 12/03/1958, hosp no K7734102", [("12/03/1958", True, {"birth"}), ("K7734102", False, {"patient"})]),
    ("seen on 12/03/2024 in clinic", [("12/03/2024", True, set())]),
    ("booking ref 123456 for Tuesday", [("ref 123456", False, {"other"})]),
    (
        "his mobile is 07700 900123",
        [("is 07700", False, {"other", "possessive"}), ("900123", False, {"other", "possessive"})],
    ),
    ("NHS 943 476 5919", [("943 476 5919", False, set())]),
    ("patient id 4857773456", [("id 4857773456", False, set())]),
    ("born 3/4/47 in Leeds", [("3/4/47", True, {"birth"})]),
    ("tel 0113 496 0000\nRef 99-88-77", [("0113 496 0000", False, {"other"}), ("99-88-77", True, {"other"})]),
    ("ward 7, bed 123456", [("bed 123456", False, set())]),
    ("queue id 4F2A1B3C9D 123456", [("123456", False, {"other"})]),
    ("about 12,000 people on 3/4", []),
]


@pytest.mark.parametrize(("text", "expected"), IDENTIFIERS)
def test_identifier_shapes_with_what_their_label_says(
    lexicon: Lexicon, text: str, expected: list[tuple[str, bool, set[str]]]
) -> None:
    """Each identifier shape comes with its offsets, whether it is a date, and what the label on its line says."""
    found = candidates(text, 0, len(text), lexicon)
    assert [(text[i.start : i.end], i.date, set(i.labels)) for i in found.identifiers] == expected
    assert all(i.labels <= LABELS for i in found.identifiers)


def test_only_the_stretch_asked_for_is_read(lexicon: Lexicon) -> None:
    """Mentions and identifiers outside text[start:end] are not given; offsets stay the whole text's."""
    text = "Hi Sam. Tom Ridley rang. Call 07700 900123 or Karen Mbatha"
    found = candidates(text, 8, 24, lexicon)
    assert [(p.kind, p.start, p.end) for p in found.persons] == [("full_name", 8, 18)]
    assert found.identifiers == ()


def test_a_label_before_the_window_is_not_read(lexicon: Lexicon) -> None:
    """A label that stands before the start of the window does not label a number inside it."""
    text = "order no. 1234567"
    start = text.index("1234567")
    assert candidates(text, 0, len(text), lexicon).identifiers[0].labels == {"other"}
    assert candidates(text, start, len(text), lexicon).identifiers[0].labels == frozenset()


ANCHORS = [
    (True, set(), False),
    (True, {"birth"}, True),
    (True, {"other"}, False),
    (True, {"patient"}, False),
    (False, set(), True),
    (False, {"other"}, False),
    (False, {"other", "patient"}, True),
    (False, {"other", "possessive"}, True),
    (False, {"birth"}, True),
]


@pytest.mark.parametrize(("date", "labels", "expected"), ANCHORS)
def test_the_gate_reads_the_labels(date: bool, labels: set[str], expected: bool) -> None:
    """A date anchors only as a date of birth; a number unless only a label that is not a patient's stands there."""
    assert anchor(Identifier(0, 1, date, frozenset(labels))) is expected


@pytest.mark.parametrize(
    ("name", "words"),
    [("Karen O'Brien-Lee", ["karen", "o'brien-lee"]), ("Dr A. Evans", ["dr", "evans"]), ("", [])],
)
def test_name_words(name: str, words: list[str]) -> None:
    """A correspondent's display name is compared by the same lower-case words as a mention's."""
    assert name_words(name) == words


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("ref" + " " * 27 + "1234567", {"other"}),  # the label's first letter 30 characters back: read
        ("ref" + " " * 28 + "1234567", set()),  # 31 characters back: out of reach
        ("booking ref\n1234567", set()),  # on the line before: not this number's label
        ("booking ref 1234567\n7654321", set()),  # the second number's line has no label
    ],
)
def test_a_label_is_read_on_the_line_within_reach(lexicon: Lexicon, text: str, labels: set[str]) -> None:
    """Labels are read at most 30 characters back and never across a line break."""
    assert set(candidates(text, 0, len(text), lexicon).identifiers[-1].labels) == labels
