"""Menace carried by the subject line alone (subject_menace.py), and a routine told beside a demand (veiled_facts.py)."""

from __future__ import annotations

import pytest

from tests.unit.detect.language.conftest import Judge

BODY = "Hi, the minutes from Tuesday are attached. Room 2.14 is booked for next week."

# subject lines that are the message's point: a warning, knowing, watching or a harm, aimed at someone
MENACING_SUBJECTS = [
    ("final warning, Marcus", "warning"),
    ("we know what you did at the summer ball", "knowing"),
    ("I am watching you, Hollie", "watching"),
    ("before I come for you and your brother", "harm"),
]

# headings that name a warning or a person without menace
PLAIN_SUBJECTS = [
    "Final warning: library fines for overdue loans, Marcus",
    "Watching brief for the ethics committee",
    "We know you're busy - quick survey on the teaching block",
    "Last orders at the staff bar, Hollie",
]

# (text, held): a routine told to the person, with and without a demand or a framing beside it
ROUTINES = [
    (
        "You cycle home along Marsh Lane every evening around seven. It would be wise to drop the appeal.",
        True,
    ),
    ("Your dog walks past my gate every morning at eight. Just so you know that I know.", True),
    ("You cycle home along Marsh Lane every evening around seven, want to ride together on Friday?", False),
    ("Your dog walks past my gate every morning at eight, she is such a good girl.", False),
]


@pytest.mark.parametrize(("subject", "part"), MENACING_SUBJECTS)
def test_a_menacing_subject_over_a_plain_body_is_a_threat(judge: Judge, subject: str, part: str) -> None:
    """A warning, a claim to know or watch, or a harm in the subject line alone is a THREAT naming that part."""
    finding = judge.one(BODY, "THREAT", subject=subject)
    assert "threat in the subject line" in finding.evidence and part in finding.evidence


@pytest.mark.parametrize("subject", PLAIN_SUBJECTS)
def test_a_plain_heading_is_nothing(judge: Judge, subject: str) -> None:
    """A notice about fines, a committee's brief, a survey or last orders is no threat."""
    assert "THREAT" not in judge.types(BODY, subject=subject)


def test_the_same_words_in_the_body_are_not_read_as_a_heading(judge: Judge) -> None:
    """Only the subject line is read alone: in a body, a warning aimed at someone needs company."""
    assert "THREAT" not in judge.types(
        "Final warning to everyone, Marcus: the quiz starts at eight, bring pens."
    )


@pytest.mark.parametrize(("text", "held"), ROUTINES)
def test_a_routine_beside_a_demand_or_framing_is_a_threat(judge: Judge, text: str, held: bool) -> None:
    """When and where someone can be found, told to them beside a demand or a veiled framing, is a THREAT."""
    assert ("THREAT" in judge.types(text)) is held
