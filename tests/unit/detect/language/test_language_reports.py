"""Reports of abuse: a victim or witness citing what was said to them, to get help, is not the writer's abuse."""

from __future__ import annotations

import pytest

from tests.unit.detect.language.conftest import OUTSIDE, STAFF, Judge

# (own words, quoted or forwarded text below): the abuse is cited in a real report or request for help
REPORTS = [
    ("My ex texted me 'you're dead if you go to the police'. Is this harassment? What should I do?", ""),
    ("Someone scrawled 'go back to your own country' on my door in halls. I've told campus security.", ""),
    ("A patient's relative shouted \"I'll smash your face in\" at me on the ward. I felt really shaken.", ""),
    (
        "Please see the message below. I don't feel safe, could we meet tomorrow?",
        "You stupid cow, I know where you park.",
    ),
    (
        "I'm forwarding what I was sent last night, I've kept screenshots of all of it.",
        "Watch your back, grass.",
    ),
    ("He said I was a 'useless fat slag' in front of the whole team, I've reported it to my tutor.", ""),
    ("A man at the bus stop called me a 'dirty Paki'. It still hurts, I keep thinking about it.", ""),
    ("Calling the new lad 'our resident spastic' on the mic at the dinner was indefensible.", ""),
]


@pytest.mark.parametrize(("own", "quoted"), REPORTS)
def test_a_victims_report_gives_no_finding(judge: Judge, own: str, quoted: str) -> None:
    """Abuse cited in a request for help or a report gives no finding, to staff or to a friend outside."""
    for to in (STAFF, OUTSIDE):
        assert [f.type for f in judge(own, quoted=quoted, to=to) if f.severity == "severe"] == []


# the frame is not real: the writer's own words abuse someone, or nothing is asked or reported
ATTACKS = [
    ("I want to report you to the Dean, you useless cow.", "", "INSULT"),
    ("I've reported it to the police. I know where you live and you'll regret it.", "", "THREAT"),
    ("What should I do? Honestly the registrar on ward 9 is stealing morphine.", "", "DEFAMATION"),
    ("Could we meet? Because you are a pathetic idiot and I want to tell you to your face.", "", "INSULT"),
]


@pytest.mark.parametrize(("own", "quoted", "type_"), ATTACKS)
def test_an_attack_dressed_as_a_report_is_still_found(
    judge: Judge, own: str, quoted: str, type_: str
) -> None:
    """A report cue before the writer's own abuse does not make it a report: the abuse is found as theirs."""
    assert type_ in judge.types(own, quoted=quoted, to=STAFF)


def test_forwarded_abuse_without_a_report_is_still_quoted(judge: Judge) -> None:
    """Forwarding abuse with no request for help and no report keeps the quoted finding (held outside)."""
    found = judge("lol look what she sent", quoted="You stupid cow, I know where you park.", to=OUTSIDE)
    assert found and all(f.quoted for f in found)


def test_the_report_frame_must_be_the_writers_own(judge: Judge) -> None:
    """A help cue inside the quotation ("what should I do") is not the writer's request for help."""
    found = judge("he wrote 'what should I do with you, you filthy little cow'")
    assert found and all(f.quoted for f in found)


def test_a_report_with_abuse_of_the_writers_own_keeps_the_cited_abuse(judge: Judge) -> None:
    """A help cue beside the writer's own insult is no report: the cited words stay a quoted finding too."""
    found = judge(
        "What should I do? You are a pathetic excuse for a tutor.",
        quoted="I know where you live and you will regret this.",
    )
    assert any(f.quoted for f in found)  # the cited threat is not dropped
    assert any(f.type == "INSULT" and not f.quoted for f in found)


def test_profanity_of_the_writers_own_does_not_undo_a_report(judge: Judge) -> None:
    """A victim who swears in their own words ('this is shit') is still reporting: the cited abuse goes."""
    found = judge(
        "He sent me this last night, this is shit and I feel unsafe. What should I do?",
        quoted="I know where you live and you will regret this.",
    )
    assert not [f for f in found if f.severity == "severe"]
