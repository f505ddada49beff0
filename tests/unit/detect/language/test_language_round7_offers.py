"""Round 7: telling others is a threat only with a harm, a demand or a shaming object, never with a benefit alone."""

from __future__ import annotations

import pytest

from tests.unit.detect.language.conftest import Judge

# an offer, praise or a happy occasion: telling or showing others is kind
KIND = [
    "If you like, I will send your photos from the ball to everyone.",
    "I'll tell everyone how brilliant you were at the OSCE.",
    "Want me to send your graduation pics to your mum? She'd love them.",
    "I'm going to show everyone your poster, it's brilliant.",
    "I'll tell your parents how well you did, they will be so proud.",
    "Happy to forward your CV to my consultant if you want.",
    "I'll post the photos from the wedding on the group chat tonight if that's ok.",
    "Your whole year will hear about your prize at the dinner, well done!",
    "If you win, I will tell everyone at the dinner.",
    "If you pass I'll tell your mum straight away!",
    # praise is praise whatever the condition
    "Send me the photo from the rag quiz by Friday or I will tell everyone you're modest.",
    # a shaming object with no telling: a victim keeping evidence
    "I wish to report a scam. I have his number and I have attached the messages he sent.",
]

# the same acts with a shaming object or a demand of the writer's: (text, what the finding says)
UNKIND = [
    ("I'll post the pics of you drunk at the ball to the whole year.", "exposure + shaming"),
    ("I'm going to tell everyone what you did at the ball.", "exposure + shaming"),
    ("Keep ignoring me and your family finds out about the affair.", "exposure"),
    ("If you like, I will send the photos of you naked to everyone.", "photos"),
    ("If you report me, I will send your photos from the party to everyone.", "reputation"),
    ("Everyone will see those photos if you don't drop the complaint.", "exposure + leverage"),
]


@pytest.mark.parametrize("text", KIND)
def test_an_offer_or_praise_to_others_is_not_a_threat(judge: Judge, text: str) -> None:
    """Sending someone's happy photos or praise on, or offering to, gives no THREAT."""
    assert "THREAT" not in judge.types(text), text


@pytest.mark.parametrize(("text", "says"), UNKIND)
def test_exposure_with_shame_or_a_demand_is_a_threat(judge: Judge, text: str, says: str) -> None:
    """The same act with a shaming object or a demand of the writer's is a THREAT, whatever the politeness."""
    found = judge.one(text, "THREAT")
    assert says in found.evidence, found.evidence


def test_a_benefit_word_does_not_excuse_a_shaming_object_in_the_stock_rules(judge: Judge) -> None:
    """'If you like' beside nudes is no offer: the stock release rule still reads it."""
    assert "THREAT" in judge.types("If you like I'll send your nudes to your dad, your choice.")


def test_a_happy_occasion_does_not_excuse_a_demand(judge: Judge) -> None:
    """Photos from a party sent on as the price of a dropped complaint are a threat, not an offer."""
    found = judge.one("Drop the complaint or I'll send your photos from the party to your parents.", "THREAT")
    assert "exposure + leverage" in found.evidence, found.evidence
