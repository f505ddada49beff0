"""Threats by word class (round 6): a harm or a knowledge of a life, plus a condition, the writer's doing or a grudge."""

from __future__ import annotations

import pytest

from gateway.detect.language import LanguageDetector
from tests.unit.detect.language.conftest import STAFF, Judge, keyed_matches

# (text, parts that must meet): each pairs one strong part with one other, in no stock phrase
THREATS = [
    (
        "Give me back the deposit by Friday or you'll wish you'd never rented to students.",
        {"harm", "condition"},
    ),
    ("Mark my portfolio down once more, Dr Hale, and things will get very awkward for you.", {"harm"}),
    ("Keep it up and you'll be losing your place on the course, Priyesh.", {"harm"}),
    ("I am going to smash his windscreen the next time he blocks my bay.", {"harm", "agency"}),
    ("My cousins will batter him after the Friday lecture, Lorcan knows why.", {"harm", "agency"}),
    ("Stay away from Nadia or you'll be limping for a month.", {"harm", "condition"}),
    ("I've found out where your parents live, Corinne. Think it over.", {"knowledge", "veiled"}),
    (
        "I saw you leaving the gym at ten again. I'd hate for anything to happen to you.",
        {"knowledge", "harm"},
    ),
    (
        "You humiliated me at the case presentation. I know you have two little girls, Dr Price.",
        {"knowledge", "grievance"},
    ),
    (
        "Your son finishes at the primary at half three, Mr Loy. I should not like it to come to that.",
        {"knowledge"},
    ),
    ("You reported me to the block lead. I know which window is yours.", {"knowledge", "grievance"}),
    ("Just so we're clear, Ms Ward: if the grade stands, matters will become unpleasant for you.", {"harm"}),
    ("Pay back the £200 by Sunday or something bad is coming to your family.", {"harm", "condition"}),
    (
        "You think you're so clever reporting me. Your car is parked by the library every day, Imran.",
        {"knowledge"},
    ),
    ("I know your dad's shop on Mill Lane. One spark and the whole place goes up. Keep talking.", {"harm"}),
    ("Seen your little brother waiting at the bus stop, Ffion. Sleep tight.", {"knowledge", "veiled"}),
    ("Sign my logbook by Friday or I will tell your wife everything about the conference.", {"exposure"}),
    (
        "Someone reported my parking. When I find out who, they will not last till Easter here.",
        {"harm", "hunt"},
    ),
    ("Refund the deposit or I'll drag you over that desk, Mr Orr.", {"harm", "agency"}),
]

# the same word classes where they stay innocent
NOT_THREATS = [
    "If you want the notes, I'll send them over tonight.",  # a condition and the writer's doing, no harm
    "I'll destroy her in the debate on Thursday, I've read every paper on it.",  # a debate
    "Watch me batter him at five-a-side on Sunday.",  # sport
    "If you spoil the final I will literally end you lol",  # banter, no harm class
    "Touch my chips again and I'll stab you with a fork haha love u",  # friends joking
    "I saw you leaving the gym, you looked so strong! Same time next week?",  # knowledge alone
    "You have a daughter at the uni too? How lovely, which course is she on?",  # a question of interest
    "The lecture covered how stalkers learn which window is yours and when you leave.",  # teaching
    "Our landlord said he will visit the flat to fix the boiler if we are in.",  # a visit with a purpose
    "I'd hate for you to miss the ball, I'll save you a ticket.",  # regret for the reader
    "after July you won't be coming back to halls, enjoy the summer and sleep tight xx",  # leaving halls
    "You catch the 8.10 every morning too? Let's sit together tomorrow.",  # a shared routine
    "If you want, I will tell your mum everything about the open day, she asked.",  # an offer, no demand
    "He gets low at lunchtime, so have a chat with him if you can.",  # kindness to a patient
    "keep pushing yourself like this and you'll end up in hospital, take a day off",  # care for a friend
    "If anyone ever threatens you online, 'I know where you live' or similar, screenshot it.",  # advice
    "In the film the stalker leaves a note: 'I'll stab you where you sleep.' Four stars.",  # fiction
]


@pytest.mark.parametrize(("text", "parts"), THREATS)
def test_word_classes_together_make_a_threat(judge: Judge, text: str, parts: set[str]) -> None:
    """A strong part plus one other, aimed at someone, is a severe THREAT even to staff only."""
    found = [f for f in judge(text, to=STAFF) if f.type == "THREAT"]
    assert len(found) == 1 and found[0].severity == "severe" and not found[0].quoted, text
    rules = found[0].details["rules"]
    met = {p for r in rules if r.startswith("intent:") for p in r[7:].split("+")}
    assert not met or parts <= met, (text, rules)


@pytest.mark.parametrize("text", NOT_THREATS)
def test_the_same_classes_in_innocent_mail_are_no_threat(judge: Judge, text: str) -> None:
    """A condition or the writer's doing without a harm, sport, banter, teaching and care are not threats."""
    assert not [f for f in judge(text, to=STAFF) if f.type == "THREAT" and not f.quoted], text


def test_the_writers_doing_counts_only_beside_the_harm(judge: Judge) -> None:
    """'I will' outside the harm's sentence is a plan of the writer's, not the harm's author."""
    text = "I will bring the slides tomorrow. The seminar is on Thursday. Accidents happen on that ward."
    assert "THREAT" not in judge.types(text)
    text = "You are worried about losing your driving licence. Mark me on the sheet I'll send Saturday."
    assert "THREAT" not in judge.types(text)
    assert "THREAT" in judge.types("Accidents happen on that ward, Dr Moss. I will make sure of it.")


def test_a_demand_opening_a_sentence_is_said_to_the_reader(judge: Judge) -> None:
    """'Drop the complaint' names no one, but a demand is made of the reader: the threat is aimed at them."""
    found = judge.one("Drop the complaint before someone gets hurt.", "THREAT")
    assert found.target == "second_person"


def test_a_grudge_needs_a_strong_part(judge: Judge) -> None:
    """A grievance with a condition and the writer's doing, but no harm, is an angry email, not a threat."""
    assert "THREAT" not in judge.types(
        "You reported me to the Dean. If you want to talk it through, I will be in."
    )


def test_pre_checks_never_skip_a_round_six_match(language: LanguageDetector) -> None:
    """Every intent pattern that matches a sentence of these tables passes its trigger-key pre-check there."""
    texts = [t for t, _ in THREATS] + NOT_THREATS
    assert keyed_matches(language, [p for ps in language.intent.parts.values() for p in ps], texts) >= 20


def test_the_writers_doing_in_another_sentence_does_not_pair_with_a_harm(judge: Judge) -> None:
    """'I will send the slides' beside 'accidents happen on that ward, Dr Moss' is two sentences, no threat."""
    text = "I will send you the slides tomorrow. Accidents happen on that ward, Dr Moss."
    assert "THREAT" not in judge.types(text)


# a first window that is excused (banter, an innocent purpose, no one aimed at), then a threat later on
LATER_THREATS = [
    "I know your shifts this week, just so you know lol. The rota is on the fridge. Bins go out on "
    "Monday. Pizza on Friday. Stay away from my girlfriend or you'll end up in A&E lol",
    "I have your address so I can post the card, just so you know. The rota is on the fridge. Bins go out "
    "on Monday. Pizza on Friday. Drop the complaint, Dr Moss, or you'll end up in A&E.",
    "Accidents happen on icy car parks. Just saying. The rota is on the fridge. Bins go out on Monday. "
    "Pizza on Friday. Drop the complaint, Dr Moss, or you'll end up in A&E.",
]


@pytest.mark.parametrize("text", LATER_THREATS)
def test_a_threat_after_an_excused_window_is_still_read(judge: Judge, text: str) -> None:
    """Windows are read one after another: an excused first window does not end the reading."""
    assert "THREAT" in judge.types(text), text


def test_a_demand_inside_a_sentence_is_aimed_at_whom_it_names(judge: Judge) -> None:
    """Only a demand that opens its sentence is said to the reader; inside one, the person named is aimed at."""
    found = judge.one("Tell Dr Moss to drop the complaint before someone gets hurt.", "THREAT")
    assert found.target == "named"
