"""Blackmail by an audience learning something (intent.yaml's round-8 exposure): the audience however placed."""

from __future__ import annotations

import pytest

from tests.unit.detect.language.conftest import Judge

# an audience that matters to the person learning what the writer holds, beside a demand or a grievance
BLACKMAIL = [
    "Drop the complaint or everyone at your gym in town finds out about the cautions.",
    "Keep complaining to the warden and your landlord will hear about the extra lodger.",
    "You reported me to the bar manager. See how you like it when the whole netball team learns what you did at the social.",
    "If you don't withdraw the complaint, the committee will discover some interesting receipts.",
]

# the same audiences learning good news, or gossip that tells no one anything new
NOT_BLACKMAIL = [
    "If you win the poster prize, everyone at the conference will hear about your research!",
    "Your landlord will hear about the leak from me tomorrow, I'm ringing him at nine.",
    "Dr Ames is retiring in June, everyone knows.",
    "The committee will discover the new budget at the meeting on Friday.",
]


@pytest.mark.parametrize("text", BLACKMAIL)
def test_an_audience_learning_beside_a_demand_is_a_threat(judge: Judge, text: str) -> None:
    """An audience that matters to the person learning something, with a demand or a grievance, is a THREAT."""
    assert "THREAT" in judge.types(text)


@pytest.mark.parametrize("text", NOT_BLACKMAIL)
def test_good_news_an_errand_or_gossip_is_no_threat(judge: Judge, text: str) -> None:
    """Praise, a repair reported, a closing "everyone knows" or a plain agenda is no threat."""
    assert "THREAT" not in judge.types(text)
