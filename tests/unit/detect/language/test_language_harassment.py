"""HARASSMENT: watching, refusing to be blocked, urging self-harm; persistence in a complaint is not harassment."""

from __future__ import annotations

import pytest

from gateway.detect.language.harassment import HARASSMENT

HARASSMENT_CASES = [
    "You've blocked my number so I'll keep emailing every single day until you answer me.",
    "Why are you ignoring me? Answer me. I'll be waiting outside your flat until you talk to me.",
    "I saw you leaving his flat at 2am. I know your timetable and you can't avoid me forever.",
    "Kill yourself.",
    "Nobody likes you. Do everyone a favour and drop out.",
    "The world would be better off without you.",
    "Send me nudes or I'll tell everyone what you did.",
    "Why won't you reply? You've blocked me everywhere. I know you finish at 5 on Wednesdays, "
    "so I'll come and meet you there. I'm not going to stop until you give me an answer.",
    "I've been outside your flat three nights in a row. You blocked me on everything, but I'll keep writing until you see me.",
    "I made a new account since you blocked the old one. I'm outside your flat right now.",
]


@pytest.mark.parametrize("text", HARASSMENT_CASES)
def test_harassment_is_severe(judge, text: str) -> None:
    """Unwanted contact, watching and urging self-harm are severe HARASSMENT aimed at the reader."""
    finding = judge.one(text, HARASSMENT)
    assert (finding.severity, finding.target) == ("severe", "second_person")


NOT_HARASSMENT = [
    "This is my third email about the damp. I will keep chasing until the repair is done.",
    "I have written five times now; please reply by Friday or I will contact the ombudsman.",
    "I'll wait for you outside the library after the lecture, then we can get lunch.",
    "I saw you at the lecture but couldn't catch you, coffee tomorrow?",
    "He said he wanted to kill himself, so we did a full suicide risk assessment.",
    "Answer the questions on the worksheet before Thursday's session.",
    "Have you had any thoughts of wanting to kill yourself?",
    "Risk assessment: ask whether they have ever thought about ways to kill yourself or others.",
]


@pytest.mark.parametrize("text", NOT_HARASSMENT)
def test_not_harassment(judge, text: str) -> None:
    """Persistent complaints, meeting friends and clinical risk assessments are not harassment."""
    assert HARASSMENT not in judge.types(text)
