"""The historical frame on its own: which words set a passage in the past, which follow a historical figure."""

from __future__ import annotations

import datetime as dt

import pytest

from gateway.detect.patient.framing import achievement_after, clause_around, past_frame

TODAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nineteenth-century surgeons", True),
        ("in the Edwardian era", True),
        ("in 1848", True),
        ("born 1948 and admitted", False),
        ("DOB 12/03/1948", False),
        ("in 1848, and he was admitted today", False),
        ("in 2019", False),
        ("during WW2", True),
    ],
)
def test_past_frame(text: str, expected: bool) -> None:
    """Centuries, eras, wars and years a generation ago set a passage in the past; birth years and today do not."""
    assert past_frame(text, TODAY) is expected


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (" discovered that the pump spread cholera", True),
        (" first described the syndrome", True),
        (" was the first woman to perform the operation", True),
        (" won the Nobel prize", True),
        (" discovered a lump", False),
        (" was the first to arrive", False),
    ],
)
def test_achievement_after(after: str, expected: bool) -> None:
    """What history says of a person follows the name; what happens to a patient does not count."""
    assert achievement_after("Xanthe Oduya" + after, len("Xanthe Oduya")) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in the 1890s", True),
        ("Lister (1827-1912) and antisepsis", True),
        ("centuries ago people bled patients", True),
        ("in ancient Greece", True),
        ("in 1996", True),  # thirty years ago
        ("in 1997", False),  # not yet a generation
        ("in 1998", False),
        ("she was born in 1940 and is on our ward", False),
        ("date of birth 1/2/1940", False),
        ("1) Pearce, Lionel 09/08/1960 - R TKR", False),
        ("the Victorian ward at the General, currently closed", False),
    ],
)
def test_past_frame_edges(text: str, expected: bool) -> None:
    """Decades, life dates and eras count; a year only a generation ago or more; birth years and the present do not."""
    assert past_frame(text, TODAY) is expected


@pytest.mark.parametrize(
    "text",
    [
        "an 18th-century physician",
        "the twentieth century saw",
        "in the 1860s the hospital",
        "an Edwardian nurse",
        "a Tudor barber-surgeon",
        "in the Second World War",
        "after WW1 he",
        "World War Two veterans",
        "Hunter (c. 1728 - 1793)",
        "in ancient Rome",
        "two centuries ago",
    ],
)
def test_each_kind_of_past(text: str) -> None:
    """Every kind of past marker sets the passage in the past on its own."""
    assert past_frame(text, TODAY)


@pytest.mark.parametrize(
    "text",
    ["the 18th centurion", "sww1 lab", "mid-Victorianism", "in the 2020s", "Tudorville"],
)
def test_near_past_words(text: str) -> None:
    """Words that only look like past markers do not count."""
    assert not past_frame(text, TODAY)


@pytest.mark.parametrize(
    "after",
    [
        " isolated the bacterium that causes cholera",
        " pioneered a technique for skin grafts",
        " proposed that germs spread disease",
        " first identified the organism",
        " first performed the operation",
        " became the first woman to be given the vaccine",
        " won a Nobel prize",
        "'s work first described the sign",
    ],
)
def test_each_achievement(after: str) -> None:
    """Each way history credits a person is read as an achievement."""
    assert achievement_after("Xanthe Oduya" + after, len("Xanthe Oduya"))


@pytest.mark.parametrize(
    "after",
    [
        " has discovered that she is pregnant",  # a verb form history does not use
        " just discovered that the lump is back",
        " said he was the first to be seen",
        " described her pain as the worst ever",
        "\n\nfirst described the rash",
    ],
)
def test_not_an_achievement(after: str) -> None:
    """What a patient does or says is no achievement."""
    assert not achievement_after("Xanthe Oduya" + after, len("Xanthe Oduya"))


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        ("My essay on the Victorians is late because Ann's biopsy came back", "Ann's biopsy came back"),
        ("In 1848 Ann described the first case", "In 1848 Ann described the first case"),
        ("the 1890s\nAnn was admitted today", "Ann was admitted today"),
        ("Ann was admitted; in 1848 it was a workhouse", "Ann was admitted"),
    ],
)
def test_clause_around(text: str, clause: str) -> None:
    """A name's clause stops at line breaks, semicolons and conjunctions that start another thought."""
    start = text.index("Ann")
    assert clause_around(text, start, start + 3, 0, len(text)).strip() == clause
