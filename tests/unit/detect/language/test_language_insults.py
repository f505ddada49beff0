"""INSULT: insults aimed at the reader, a named person or a role are severe; at oneself or a thing, nothing.

The sentences below contain insults on purpose.
"""

from __future__ import annotations

import pytest

from gateway.detect.language.insults import INSULT

AIMED = [
    ("You're a useless waste of space.", "second_person"),
    ("You are a fucking idiot.", "second_person"),
    ("You stupid cow.", "second_person"),
    ("Are you thick or something? Are you stupid?", "second_person"),
    ("You're acting like a spoilt brat and a total bitch.", "second_person"),
    ("Honestly you are a disgrace to medicine.", "second_person"),
    ("What a prick you are.", "second_person"),
    ("Thanks for nothing, loser.", "second_person"),
    ("Get lost, nobody asked you.", "second_person"),
    ("Stop being such a dick about the rota.", "second_person"),
    ("Marcus is a lazy prick.", "named"),
    ("Dr Fenwick is a complete moron.", "named"),
    ("He is so pathetic, honestly.", "named"),
    ("The registrar is a total twat.", "role"),
    ("Our CBL facilitator is useless.", "role"),
    ("Ollie, honestly mate you're a liability and a waste of space.", "second_person"),
    ("That idiot registrar made me redo the whole clerking.", "role"),
    ("Chris, you're an arrogant prick and everyone in the group thinks so.", "second_person"),
    ("Honestly Jess is thick as shit, she couldn't find the femoral pulse.", "named"),
    ("Hannah, you are the laziest, most useless group member I have ever had.", "second_person"),
    ("Whoever runs the timetabling office is a moron.", "named"),
]


@pytest.mark.parametrize(("text", "target"), AIMED)
def test_insult_aimed_at_a_person_is_severe(judge, text: str, target: str) -> None:
    """An insult said of, or called at, a person is a severe INSULT with that target."""
    finding = judge.one(text, INSULT)
    assert (finding.severity, finding.target) == ("severe", target)


NOT_INSULTS = [
    "I'm such an idiot, I left my stethoscope on the bus.",
    "I feel so useless on the ward at the moment.",
    "The printer is useless and the library is freezing.",
    "You are not stupid, you just need more practice with ECGs.",
    "Don't be silly, it was a great presentation.",
    "She is in heart failure and fit for discharge once the diuretics are sorted.",
    "The exam was a joke, honestly.",
    "What a nightmare of a shift.",
    "You absolute legend, thanks for the notes!",
    "The consultant is lovely and the registrar is brilliant.",
    "He's a control freak about the notes, but he teaches well.",
    "Our new flatmate is a bit of a neat freak.",
    "Shut up, no way! That's amazing news.",
    "The guinea pig study and the rat model were in the lecture.",
    "A cow's milk protein allergy clinic is on Thursday.",
    "You have been incompetent from start to finish and I expect a refund.",
    "She's a bit of a cow sometimes but we get on.",
    "Sorry I've been a nightmare this week.",
    "The patient was confused and kept shouting that we were all idiots.",
]


@pytest.mark.parametrize("text", NOT_INSULTS)
def test_not_an_insult(judge, text: str) -> None:
    """Said of oneself or a thing, negated, or in an innocent sense: no finding."""
    assert judge.types(text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "you idiot, you left your charger at mine lol",
        "Ha, you muppet, see you at the pub x",
        "You daft git, it's on Thursday not Friday.",
    ],
)
def test_friendly_teasing_is_not_held(judge, text: str) -> None:
    """Mild insults between friends ("lol", kisses, "git") are not reported as insults."""
    assert INSULT not in judge.types(text)


def test_weak_insults_need_company(judge) -> None:
    """One weak word ("lazy") is not enough; with a strong one it is part of the insult."""
    assert judge.types("You were lazy about the write-up.") == set()
    finding = judge.one("You were lazy about the write-up, you selfish prick.", INSULT)
    assert finding.details["weight"] >= 1.0


def test_named_reader_in_the_headers_is_named(judge) -> None:
    """A name known from To/Cc is a named target even alone in the text."""
    finding = judge.one("Imogen is useless and she knows it.", INSULT, names=["Imogen Ashdown"])
    assert finding.target == "named"
