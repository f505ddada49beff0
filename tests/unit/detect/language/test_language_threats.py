"""THREAT: menace and promises of harm are severe; clinical "kills" and friendly jokes are not threats."""

from __future__ import annotations

import pytest

from gateway.detect.language.threats import THREAT

THREATS = [
    "I know where you park.",
    "You'll regret this.",
    "I'm going to smash your face in.",
    "I will break your legs if you say that again.",
    "Watch your back. This isn't over.",
    "I'll make sure you never qualify.",
    "I will make your life hell for the rest of the year.",
    "If you tell anyone, you'll be sorry.",
    "I know where your parents live.",
    "You have been warned. Do it by Friday or else.",
    "I'll ruin your career, see if I don't.",
    "I know you're always the last one out of the library. It's a long dark walk to the car park.",
    "Would be a real shame if something happened to your car while you're on nights.",
    "Keep talking to the welfare team and see what happens. You won't see it coming.",
    "Remember I still have those photos of you. Think carefully about what you say to the police.",
    "If you report me I'll make sure your name is dragged through the mud. You'd better watch yourself.",
    "Say one more word about me to the tutors and I swear I'll put you in hospital.",
    "You've made a big mistake crossing me. I know your shifts and which car park you use. Enjoy your last week of peace.",
]


@pytest.mark.parametrize("text", THREATS)
def test_threat_is_severe_and_aimed_at_the_reader(judge, text: str) -> None:
    """Menace aimed at the reader is a severe THREAT."""
    finding = judge.one(text, THREAT)
    assert (finding.severity, finding.target) == ("severe", "second_person")


def test_hints_of_menace_and_harassment_add_up(judge) -> None:
    """Knowing someone's route (a threat hint) and waiting for them (a harassment hint) make one finding."""
    found = judge("I know which bus you get home. I'll be waiting outside your flat until you talk to me.")
    assert len(found) == 1 and found[0].type in (THREAT, "HARASSMENT") and found[0].severity == "severe"


def test_threat_against_a_named_person(judge) -> None:
    """A promise to hurt someone named is a threat against that person."""
    finding = judge.one("I'm going to batter Tom Keane when I see him.", THREAT)
    assert finding.target == "named"


NOT_THREATS = [
    "Pip-taz kills gram-negative bacteria, including Pseudomonas.",
    "The tumour killed him within six months.",
    "The patient died peacefully overnight.",
    "I'll kill the bacteria with co-amoxiclav and hit him with IV fluids.",
    "I know where you live, I'll drop the notes round later.",
    "You'll regret it if you don't come to the ball!",
    "You'll be sorry to hear the lecture is cancelled.",
    "You'll pay for the pizza, right?",
    "Be careful walking home tonight, it's icy.",
    "Watch yourself on the stairs, they're slippery.",
    "We're going to smash the OSCE tomorrow.",
    "I could murder a burger after that shift.",
    "I'm going to kill Tom if he eats my leftovers again lol",
    "Her partner threatened her, so we discussed safeguarding and how to document it.",
    "Let's wait and see what happens with the rota before we complain.",
    "Don't tell anyone and keep your mouth shut about the surprise party for Sarah!",
    "I know where your mum works, can you ask her about the job?",
    "The fall put her in hospital for a month.",
    "I'll get you a coffee and find you a seat at the front.",
    "I know people who have had this operation and were fine.",
    "You'll break your neck on those stairs, be careful.",
    "I'm going to destroy you at squash on Friday, and I'll beat you at the pub quiz again.",
    "I'll shoot you an email with the slides and hit you with the details later.",
    "You're dead to me after that spoiler.",
]


@pytest.mark.parametrize("text", NOT_THREATS)
def test_not_a_threat(judge, text: str) -> None:
    """Clinical killing, advice, hyperbole and jokes between friends are not threats."""
    assert THREAT not in judge.types(text)


def test_threat_reported_in_quotation_marks_is_marked_quoted(judge) -> None:
    """Words in quotation marks are someone else's: the finding is quoted."""
    found = judge(
        'He sent me this last night: "I know where you park. You\'ll regret this."', to=("tutor@uni.ac.uk",)
    )
    threats = [f for f in found if f.type == THREAT]
    assert threats and all(f.quoted for f in threats)
