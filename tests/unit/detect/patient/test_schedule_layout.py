"""A schedule's layout on its own: which lines are rows of a rota or list, and which rows speak of health."""

from __future__ import annotations

import pytest

from gateway.detect.patient.lexicon import Lexicon
from gateway.detect.patient.schedule import in_schedule_layout, patient_row, teaching_schedule


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("Mon 9am Oskar\nTue 9am Bethan", "Oskar", True),
        ("Mon Oskar, Tue Bethan, Wed Tariq", "Bethan", True),
        ("Can Oskar swap his Tuesday long day? He has a scan at 9am.", "Oskar", False),
        (
            "The lady I saw on Tues (Mrs Oskar, Group 4 home), has a UTI and is confused today.",
            "Oskar",
            False,
        ),
        ("Mon 9am Oskar", "Oskar", False),  # one row alone is no schedule
    ],
)
def test_layout(text: str, name: str, expected: bool) -> None:
    """Two rows with slots, or one line of short items with slots, make a schedule; prose does not."""
    assert in_schedule_layout(text, text.index(name)) is expected


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("Mon 9am Oskar Lindahl (diabetes clinic)", False),
        ("Mon 9am Oskar Lindahl (stroke unit)", False),
        ("Mon 9am Oskar Lindahl bed 4", True),
        ("Mon 9am Oskar Lindahl - pneumonia", True),
    ],
)
def test_patient_row(row: str, expected: bool) -> None:
    """A service's name in a row is where someone works; a bed or a condition is about a patient."""
    facts = Lexicon.load().health_facts.find(row)
    assert patient_row(row, row.index("Oskar"), facts) is expected


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("Bleep list: Oskar 2231 (reg), Bethan 2232 (SHO), Tariq 2233 (F1)", "Bethan", True),
        ("Bleep list: Oskar is on, he has a cold", "Oskar", False),  # one item: no list
        ("Mon 9am Oskar\n\nTue 9am Bethan", "Oskar", False),  # a blank line ends the block
        ("Rows\nMon 9am Oskar\nWe went to the pub on Tuesday and it was great fun", "Oskar", False),
        ("Mon 9am Oskar\nTue 9am Bethan\nWed 9am Tariq", "Tariq", True),
        ("Week 3 Oskar Lindahl\nWeek 4 Bethan Rees", "Oskar", True),
        ("a week is long for Oskar\nand the week after for Bethan", "Oskar", False),  # "week is" is no slot
        ("x" * 500 + "\nMon 9am Oskar\nTue 9am Bethan", "Oskar", True),  # a long line above the block
        (
            "Mon 9am Oskar " + "and more words " * 40 + "\nTue 9am Bethan",
            "Oskar",
            False,
        ),  # a long row is prose
        ("Mon 9am Oskar\nnotes\nTue 9am Bethan", "Oskar", True),  # a note between rows stays in the block
    ],
)
def test_layout_edges(text: str, name: str, expected: bool) -> None:
    """A schedule's name on one line needs several items; rows need slots, short lines and no blank line."""
    assert in_schedule_layout(text, text.index(name)) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Teaching timetable\n09:00 Oskar - asthma\n10:00 Bethan - sepsis", True),
        ("Theatre list\n09:00 Oskar - appendicitis\n10:00 Bethan - hernia", False),
        ("09:00 Oskar - asthma lecture\n10:00 Bethan - sepsis", True),
        ("Tue 09:00 Bethan - hernia\n09:00 Oskar - asthma\n10:00 Tariq - sepsis", False),
    ],
)
def test_teaching_schedule(text: str, expected: bool) -> None:
    """A schedule headed or filled with teaching lists topics, not patients' conditions."""
    assert teaching_schedule(text, text.index("Oskar"), Lexicon.load()) is expected


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("Mon 9am Oskar Lindahl 67M", True),
        ("Mon 9am Oskar Lindahl, dob 3/4/55", True),
        ("Mon 9am Oskar Lindahl - results", False),  # a weak fact alone
        ("Mon 9am Oskar Lindahl (AMU)", False),  # a place of care
        ("Mon Oskar Lindahl - pneumonia, Tue Bethan Rees - nights", True),
        ("Mon Bethan Rees - pneumonia, Tue Oskar Lindahl - nights", False),  # another item's condition
    ],
)
def test_patient_row_edges(row: str, expected: bool) -> None:
    """Ages and birth dates make a row a patient's; a weak fact, a place or another item's condition do not."""
    facts = Lexicon.load().health_facts.find(row)
    assert patient_row(row, row.index("Oskar"), facts) is expected
