"""Arrival at a person's place from a hostile writer (future_harm.py), and a friend's joke over a game (banter.py)."""

from __future__ import annotations

import pytest

from gateway.detect.language import LanguageDetector
from gateway.detect.language.future_harm import _ARRIVAL, FutureHarmReader
from tests.unit.detect.language.conftest import Judge

# a visit still to come, in a message that holds a grievance, or a demand or framing in another sentence
HOSTILE_ARRIVALS = [
    "You still owe me for the deposit. Transfer it today or I'll come round to your flat on Sunday.",
    "You got me dropped from the squad. I'll be outside the sports hall when you finish, Kai.",
    "You binned my lab book. If it is not replaced by Friday, we'll be round at yours that night.",
    "Just so we understand each other. I'll be waiting by your locker after the ward round.",
]

# the same visits from a friend, a host, a lift, or a practical condition
FRIENDLY_ARRIVALS = [
    "I'll come round to your flat on Sunday with the notes, text me if that's too early.",
    "I'll be outside the sports hall when you finish, Kai, then we'll get food together.",
    "Hurry or I'll be waiting at your door all morning, the taxi comes at nine!",
    "If the train is late I'll be waiting at the station for you, don't worry.",
    "We'd love to see you at the social on Friday if you can make it, no pressure.",
]

# (text, held): friends joking over a game or food; the same words with something hostile or real
BANTER = [
    ("I'll kill you 😂 that was my last blue shell in mario kart", False),
    ("eat my last slice of pizza again and I swear I will kill you 😂😂", False),
    ("I will kill you lol, that rematch at fifa was robbery", False),
    ("I'll kill you 😂 and I know you walk home through the car park alone", True),
    ("I will kill you with a knife lol, pizza or not", True),
]


@pytest.mark.parametrize("text", HOSTILE_ARRIVALS)
def test_an_arrival_from_a_hostile_writer_is_a_threat(judge: Judge, text: str) -> None:
    """Coming round, being outside or waiting at a person's place is a THREAT beside a grievance or another demand."""
    assert "THREAT" in judge.types(text)


@pytest.mark.parametrize("text", FRIENDLY_ARRIVALS)
def test_an_arrival_from_a_friend_is_nothing(judge: Judge, text: str) -> None:
    """The same visits offered, planned or conditioned on a taxi are no threat."""
    assert "THREAT" not in judge.types(text)


def test_the_arrival_is_named_as_a_part(language: LanguageDetector) -> None:
    """The structure reader names an arrival among the parts only when the message is hostile."""
    reader = FutureHarmReader()
    (sentence,) = language.sentences("Pay up or I'll come round to your flat on Sunday.")
    assert "arrival" in reader.parts_of(sentence, hostile=True)
    assert reader.parts_of(sentence, hostile=False) == []


def test_arrival_words_are_read_after_the_future_marker(language: LanguageDetector) -> None:
    """Each arrival of the table is matched by the arrival class (a guard against a class that matches nothing)."""
    views = [s.view for t in HOSTILE_ARRIVALS for s in language.sentences(t)]
    assert sum(bool(_ARRIVAL.search(v)) for v in views) >= len(HOSTILE_ARRIVALS)


@pytest.mark.parametrize(("text", "held"), BANTER)
def test_a_joke_over_a_game_is_cleared_only_with_nothing_hostile(judge: Judge, text: str, held: bool) -> None:
    """Laughter + a game or food + nothing hostile clears a threat; a weapon, a grievance or a real place does not."""
    assert ("THREAT" in judge.types(text)) is held
