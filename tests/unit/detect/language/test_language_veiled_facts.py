"""Threats with no future marker (veiled_facts.py): a life told beside a weak spot, a means or the writer watching."""

from __future__ import annotations

import pytest

from gateway.detect.language import LanguageDetector
from gateway.detect.language.veiled_facts import _PARTS
from tests.unit.detect.language.conftest import Judge, keyed_matches

# (text, parts the finding must name): present-tense facts, no stock phrase, no "will"
THREATS = [
    (
        "Your son waits for the school bus on Mill Lane by himself, Mr Orme. Bit exposed there.",
        {"life", "weak spot"},
    ),
    (
        "You jog round the reservoir every evening at eight, don't you. Nobody about at that hour.",
        {"weak spot"},
    ),
    ("I know which shed is yours. The padlock is cheap, did you realise?", {"life", "weak spot"}),
    ("That little Corsa you drive. Bleach does wonders on paintwork.", {"life", "means"}),
    ("You reported me to the warden. Your door doesn't lock properly, by the way.", {"weak spot"}),
    (
        "You got me thrown off the team. I was sat two rows behind you at the match, Ms Oyelaran.",
        {"presence", "hostile"},
    ),
    (
        "Mrs Kaye, your twins are at Elm Road Primary, aren't they? Withdraw the complaint.",
        {"family", "hostile"},
    ),
    ("Your caravan on the cliff is on its own out there. Just mentioning it.", {"weak spot"}),
    (
        "You got me taken off the rota. Nobody would hear a thing in the basement archive, Dr Lusk.",
        {"weak spot"},
    ),
]

# the same words, with care, a remedy, a practical reason, an invitation, or no second part
CLEARED = [
    "You jog round the reservoir every evening on your own, please take a friend, I worry about you.",
    "The back door of the flat doesn't lock properly, so I've logged a repair with the letting agent.",
    "Your nan's cottage is on its own up the lane, so she might not hear the bell. Knock loudly.",
    "Your mum's coming up for the graduation? I've saved her a seat at the front.",
    "I saw your brother at the climbing wall on Tuesday, he was brilliant. Tell him hi.",
    "I'll be waiting outside the library at five, then we can walk to the station together.",
    "Petrol's cheap this month at the big Tesco, worth filling up before the trip.",
    "My brakes failed the MOT so I'm getting the bus to placement this week.",
    "Dr Hale asked about cleaning stock. Bleach is half price at the corner shop this week.",
    "Your car is booked in at the garage on Monday, your brakes squeak a bit.",
    "Your flat is lovely and quiet, perfect for revision.",
    "Safety tip from the welfare team: walk back from the library with a friend after dark.",
]


@pytest.mark.parametrize(("text", "parts"), THREATS)
def test_veiled_facts_are_threats(judge: Judge, text: str, parts: set[str]) -> None:
    """A life told to its owner beside a weak spot, a means or the writer watching is a THREAT naming its parts."""
    evidence = judge.one(text, "THREAT").evidence
    assert "threat by veiled facts: " in evidence
    named = evidence.split("threat by veiled facts: ", 1)[1].split(";")[0]
    assert parts <= set(named.split(" + ")), evidence


@pytest.mark.parametrize("text", CLEARED)
def test_the_same_words_with_care_or_no_second_part_are_nothing(judge: Judge, text: str) -> None:
    """Care, a remedy, a reason, an invitation, a plain compliment or an idle remark about oneself is no threat."""
    assert "THREAT" not in judge.types(text)


def test_between_friends_veiled_facts_do_not_count(judge: Judge) -> None:
    """Banter markers: friends know each other's routines ("on your own again lol") and tease."""
    assert "THREAT" not in judge.types(
        "you walk back from the gym on your own every night lol, nobody about haha"
    )


def test_evidence_names_parts_not_words(judge: Judge) -> None:
    """The finding names the parts that met, never the writer's words."""
    finding = judge.one("That little Corsa you drive. Bleach does wonders on paintwork.", "THREAT")
    assert "bleach" not in finding.evidence.lower() and "corsa" not in finding.evidence.lower()


def test_quoted_veiled_facts_are_not_the_writers(judge: Judge) -> None:
    """Words the writer reports ("she wrote '...'") are not read as the writer's own facts."""
    text = (
        'My ex texted "your bike is chained outside every night, the lock is cheap" and I have told security.'
    )
    assert "THREAT" not in judge.types(text)


def test_key_check_never_skips_a_table_sentence(language: LanguageDetector) -> None:
    """Every part pattern that matches a table sentence passes its trigger-key pre-check."""
    import re

    from gateway.detect.language.triggers import Keyed

    patterns = [Keyed(re.compile(p)) for ps in _PARTS.values() for p in ps]
    assert keyed_matches(language, patterns, [t for t, _ in THREATS] + CLEARED) > 10
