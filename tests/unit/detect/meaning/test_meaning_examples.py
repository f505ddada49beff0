"""The shipped model on short emails written for these tests (none is in the training data): what it holds,
what it lets through, and how its findings are routed."""

from __future__ import annotations

import pytest

from gateway.detect.meaning import ABUSE_TYPE, PATIENT_TYPE
from tests.unit.detect.meaning.conftest import STAFF, Judge

PATIENT = {PATIENT_TYPE}
ABUSE = {ABUSE_TYPE}
NOTHING: set[str] = set()


@pytest.mark.parametrize(
    ("text", "types"),
    [
        # a named person's health, told outside
        (
            "Guess who turned up in A&E last night - Callum Reid from our PBL group, he's got pancreatitis "
            "and they think it's the drinking.",
            PATIENT,
        ),
        (
            "Saw Mrs Abernethy from the butcher's on the oncology ward today, she's started chemo for breast "
            "cancer. Don't tell anyone!",
            PATIENT,
        ),
        (
            "My flatmate Josie has been diagnosed with epilepsy, she had a seizure in the library on Friday.",
            PATIENT,
        ),
        (
            "bed 12 is Mr Harrow, 81, post-op day 2 after his hip, confused overnight, daughter is on 07700 900461",
            PATIENT,
        ),
        # threats, harassment, discriminatory abuse, defamation
        (
            "I know you walk home past the canal on Thursdays. It would be a shame if something happened to you "
            "there.",
            ABUSE,
        ),
        ("Keep telling people about the rota and see what happens to your sign-off. I'm not joking.", ABUSE),
        ("Everyone knows Dr Pemberton fiddles his expenses and sleeps with the students he marks.", ABUSE),
        ("You're a useless fat cow and nobody on this firm wants you here, just quit already.", ABUSE),
        # everyday mail, teaching, the writer's own health, hyperbole
        (
            "Hi all, the anatomy practical has moved to Thursday at 2pm in room 4.12, please bring your lab coats.",
            NOTHING,
        ),
        ("Thanks so much for the reference, I got the FY1 job in Leeds!", NOTHING),
        ("I've had a horrible cold all week so I'm going to skip the pub quiz, sorry guys.", NOTHING),
        (
            "A 54-year-old woman presents with fatigue and a microcytic anaemia. What is the next investigation?",
            NOTHING,
        ),
        ("That exam absolutely killed me, I'm going to murder a pizza tonight.", NOTHING),
        ("Can you send me the slides on heart failure from Tuesday's lecture?", NOTHING),
        ("The deadline for the audit poster is Friday; send drafts to Dr Khan by Wednesday.", NOTHING),
        ("Happy birthday mate! Hope you have a brilliant day, see you at the ball.", NOTHING),
        (
            "We lost 3-0 on Saturday, the ref was blind and their keeper was a wall. Rematch next month.",
            NOTHING,
        ),
        (
            "I'm writing to complain that the library heating has been off for two weeks during exam season.",
            NOTHING,
        ),
    ],
)
def test_own_examples(judge: Judge, text: str, types: set[str]) -> None:
    """The shipped model holds these disclosures and this abuse, and lets this everyday mail through."""
    assert judge.types(text) == types


def test_a_forwarded_threat_is_quoted(judge: Judge) -> None:
    """A threat in the quoted part of a message is a quoted finding (the policy's routing applies)."""
    threat = "Keep telling people about the rota and see what happens to your sign-off. I'm not joking."
    findings = judge("Please see what I was sent below.", quoted=threat, to=STAFF)
    assert [(f.type, f.quoted) for f in findings] == [(ABUSE_TYPE, True)]


def test_the_rules_stay_the_first_opinion(judge: Judge) -> None:
    """A discriminatory one-liner near the model's threshold is reported by the language rules, the model or
    both: the model adds findings beside the rules, it does not replace them."""
    from gateway.detect.registry import build_detectors
    from gateway.model import Envelope, Inspection, Segment

    text = "Go back to where you came from, your lot have no business being doctors."
    (language,) = build_detectors(None, names=("language",))
    language.load()
    inspection = Inspection(
        envelope=Envelope("s@uni.ac.uk", ("x@gmail.com",)), segments=[Segment(text, "body")]
    )
    rules = [f for f in language.detect(inspection) if f.severity == "severe" and not f.quoted]
    model = judge(text)
    assert rules or model
    assert all(f.type == ABUSE_TYPE for f in model)
