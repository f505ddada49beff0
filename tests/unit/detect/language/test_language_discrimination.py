"""DISCRIMINATION: slurs and hostility towards groups are severe; neutral mentions of groups are not.

The sentences below contain slurs on purpose: they are what the detector must find.
"""

from __future__ import annotations

import pytest

from gateway.detect.language.discrimination import DISCRIMINATION

SLURS = [
    ("He's a dirty paki and he shouldn't be on this course.", "racial slur"),
    ("No one wants some faggot practising on them.", "homophobic slur"),
    ("Stop being such a spaz.", "ableist slur"),
    ("No one wants a retard as their doctor.", "ableist slur"),
    ("That tranny from the other group was there again.", "transphobic slur"),
]


@pytest.mark.parametrize(("text", "kind"), SLURS)
def test_slur_is_severe_discrimination(judge, text: str, kind: str) -> None:
    """A slur is severe DISCRIMINATION; the evidence names the kind of slur, never the word."""
    finding = judge.one(text, DISCRIMINATION)
    assert finding.severity == "severe" and kind in finding.evidence


HOSTILITY = [
    "Go back to your own country.",
    "Women shouldn't be surgeons, they're too emotional.",
    "He only got the place because he's black.",
    "Immigrants are taking our places from British students.",
    "Gays are disgusting.",
    "Send them all back where they came from.",
    "That's so gay.",
    "Women shouldn't be doing surgery, they can't handle the hours.",
    "He only got in because of some diversity scheme.",
    "The Chinese lot all passed again, probably cheated like they always do. Typical.",
    "Jews run the banks and the media, everyone knows that.",
    "They should all go back to Africa.",
    "Being gay is a choice and a sin.",
    "You're so autistic, stop lining up your pens.",
]


@pytest.mark.parametrize("text", HOSTILITY)
def test_hostility_to_a_group_without_a_slur(judge, text: str) -> None:
    """Hostility towards people for their race, sex, sexuality or origin is discrimination aimed at a group."""
    finding = judge.one(text, DISCRIMINATION)
    assert finding.target == "group"


NEUTRAL = [
    "Muslim patients fasting during Ramadan may need their insulin adjusted.",
    "South Asian patients have a higher risk of type 2 diabetes.",
    "Women should not be given valproate during pregnancy.",
    "Older people are at higher risk of falls and women of osteoporosis.",
    "The gay and lesbian society is running a quiz night.",
    "International students should contact the visa office before travelling.",
    "We had a lecture on the Tuskegee study and racism in research.",
    "She has spastic diplegia and uses a walking frame.",
    "Intrauterine growth retardation was picked up on the scan.",
    "There was a chink of light under the door.",
    "We had faggots and peas for tea at my nan's.",
    "Homo sapiens evolved in Africa.",
    "My grandad went on a bender after the wedding.",
    "Dr Coon will take the tutorial.",
    "Disabled students should not be allowed to fall behind because of inaccessible rooms.",
    "International students shouldn't be charged more for the same course.",
    "She's going back to India for the summer to see her grandparents.",
    "Autistic patients may need a quiet room before the clinic.",
    "My brother is autistic and loves trains.",
]


@pytest.mark.parametrize("text", NEUTRAL)
def test_neutral_mentions_and_innocent_senses(judge, text: str) -> None:
    """Groups named in clinical or neutral terms, and innocent senses of slur words, are not discrimination."""
    assert judge.types(text) == set()


def test_slur_mentioned_in_quotation_marks_is_marked_quoted(judge) -> None:
    """A word discussed in quotation marks is reported speech, not the writer's own abuse."""
    found = judge(
        "In the ethics seminar we talked about why the word 'retard' is so hurtful.", to=("tutor@uni.ac.uk",)
    )
    assert found and all(f.quoted for f in found)


def test_slur_reported_after_called_is_marked_quoted(judge) -> None:
    """ "called the nurse a ..." reports someone else's abuse."""
    found = judge(
        "The patient became aggressive and called the nurse a paki, so security came and we did a Datix.",
        to=("tutor@uni.ac.uk",),
    )
    assert [f.quoted for f in found if f.type == DISCRIMINATION] == [True]
