"""OBSCENE: sexual remarks about a person are severe; clinical and sexual-health talk is never obscene."""

from __future__ import annotations

import pytest

from gateway.detect.language.obscenity import OBSCENE

OBSCENE_CASES = [
    "Did you see her tits in that top?",
    "I'd shag her.",
    "She's well fit, I'd bend her over the desk.",
    "Bet the new tutor is filthy behind closed doors, I'd get her drunk and have a go on her.",
    "Wouldn't mind getting in her knickers after the ball.",
    "Spent the whole ward round staring at her arse. I'd give her a proper examination, if you know what I mean.",
    "Did you see the new physio? Legs for days. I'd absolutely ruin her.",
    "The new anatomy demonstrator has the best arse in the building. Would bang.",
    "Kirsty from the skills lab is gagging for it, I'm going to shag her after the ball.",
    "You looked so sexy in that dress today, wish I could see you out of it.",
]


@pytest.mark.parametrize("text", OBSCENE_CASES)
def test_sexual_remark_about_a_person_is_severe(judge, text: str) -> None:
    """Crude sexual remarks about a person are a severe OBSCENE finding aimed at that person."""
    finding = judge.one(text, OBSCENE)
    assert finding.severity == "severe" and finding.target in ("named", "role", "second_person")


CLINICAL = [
    "We did rectal examinations on the manikins, then practised asking about penile discharge.",
    "Breast lump station, then testicular examination and why torsion is an emergency.",
    "Vaginal examination and speculum practice in the skills centre with the CTAs.",
    "The urologist examined his penis and scrotum for the varicocele.",
    "Sexual history: ask about oral and anal sex, condom use and the number of partners.",
    "I'm on the sexual health clinic rota on Tuesday, chaperoning intimate examinations.",
    "Lecture on erectile dysfunction as an early marker of cardiovascular disease.",
    "Mum says the baby has nappy rash on her bum and it's getting worse.",
    "Her boobs have been sore since the baby started feeding, she said.",
    "She is hot to the touch and was fit and well until yesterday.",
    "When she bent over to pick up the manikin the whole table tipped.",
    "We banged our heads on the low door of the sluice and had a laugh about it.",
    "He's a fit and healthy 45-year-old with no past medical history.",
    "The landlord screwed him over on the deposit.",
]


@pytest.mark.parametrize("text", CLINICAL)
def test_clinical_and_everyday_bodies_are_not_obscene(judge, text: str) -> None:
    """Anatomy, intimate examinations and sexual-health work produce no finding at all."""
    assert judge.types(text) == set()


def test_swear_word_inside_a_sexual_remark_is_part_of_it(judge) -> None:
    """The slang in "staring at her ..." belongs to the obscene remark, not a separate profanity."""
    found = judge("Spent the whole ward round staring at her arse. I'd give her a proper seeing to.")
    assert [f.type for f in found] == [OBSCENE]


def test_one_sexualising_word_alone_is_not_enough(judge) -> None:
    """ "She's hot" alone is not held; it needs a cruder remark beside it."""
    assert OBSCENE not in judge.types("Honestly the new physio is so hot.")
