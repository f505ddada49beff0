"""PROFANITY: swearing aimed at no one is mild; aimed at a person it becomes an insult.

The sentences below contain swear words on purpose: they are what the detector must find.
"""

from __future__ import annotations

import re

import pytest

from gateway.detect.language.insults import INSULT
from gateway.detect.language.profanity import PROFANITY

UNAIMED = [
    "That exam was absolutely shit, half of it was on stuff we never covered.",
    "Fucking hell, the train has been cancelled again and I'm stuck in the rain.",
    "The bloody printer in the library ate my portfolio. Crap.",
    "What a shit show the rota was this week.",
    "I can't be arsed to revise tonight, the pharmacology is doing my head in.",
    "This placement is bollocks, we just stand around all day.",
    "The car park was rammed and I was late, ffs.",
    "Bugger, I left my stethoscope on the bus.",
    "Some prick parked across my space again.",
]


@pytest.mark.parametrize("text", UNAIMED)
def test_unaimed_swearing_is_mild_profanity(judge, text: str) -> None:
    """Swearing at a thing or a situation is reported as mild profanity with no target."""
    finding = judge.one(text, PROFANITY)
    assert (finding.category, finding.severity, finding.target) == ("abusive_language", "mild", "none")
    assert judge.types(text) == {PROFANITY}


@pytest.mark.parametrize(
    "text",
    [
        "What the f*ck is this timetable.",
        "This week has been a complete sh1t show.",
        "Fuuuuck, I overslept.",
        "The bus is late again, f.u.c.k.",
        "Absolute bulls**t from the parking office.",
    ],
)
def test_disguised_spellings_are_still_profanity(judge, text: str) -> None:
    """Stars, digits and stretched letters do not hide a swear word."""
    assert judge.types(text) == {PROFANITY}


@pytest.mark.parametrize(
    "text",
    [
        "You're a useless fucking waste of space.",
        "Fuck you and your stupid project.",
        "Marcus, fuck off and do your own section.",
        "Go fuck yourself.",
    ],
)
def test_swearing_aimed_at_a_person_is_a_severe_insult(judge, text: str) -> None:
    """Swearing at the reader is an insult (severe), and the same words are not reported twice."""
    finding = judge.one(text, INSULT, names=["Marcus Ellery"])
    assert finding.severity == "severe" and finding.target == "second_person"
    assert PROFANITY not in judge.types(text, names=["Marcus Ellery"])


def test_evidence_never_spells_out_the_word(judge) -> None:
    """Evidence and details show the first letter and stars only."""
    finding = judge.one("The exam was shit and the bus was fucking late.", PROFANITY)
    shown = finding.evidence + " " + " ".join(finding.details["rules"])
    assert "s*** (profanity)" in finding.evidence
    assert not re.search(r"shit|fuck", shown)


@pytest.mark.parametrize(
    "text",
    [
        "Personal statement: I achieved A*A*A at A level, with an A* in chemistry.",
        "Predicted A** in the extended project and D*D*D* in the BTEC diploma.",
        "CV: GCSEs 9 x A*, A levels: Biology (A*), Chemistry (A).",
        "I only got an a* in maths, not the two I hoped for.",
    ],
)
def test_starred_exam_grades_are_not_censored_swearing(judge, text: str) -> None:
    """Exam grades written with stars (A*, A**, D*D*D*) are grades, never a censored swear word."""
    assert judge(text) == []


@pytest.mark.parametrize(
    "text", ["The rota this week is fu**ed.", "What a load of sh**.", "This placement is bo**."]
)
def test_censored_swearing_with_two_visible_letters_is_still_read(judge, text: str) -> None:
    """Stars after two visible letters still stand for a swear word ("bo**" for a longer word)."""
    assert judge.types(text) == {PROFANITY}
