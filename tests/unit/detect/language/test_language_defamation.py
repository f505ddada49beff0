"""DEFAMATION: allegations of crime, misconduct or gross incompetence about an identifiable person.

Held for a human to judge. A patient's history, a hedged worry, a report through the proper channel to
the university, or an allegation about no one in particular is not defamation.
"""

from __future__ import annotations

import pytest

from gateway.detect.language.defamation import DEFAMATION

ALLEGATIONS = [
    ("Dr Hughes turns up drunk to theatre and falsified the audit.", "named"),
    ("The registrar on Ward 5 is stealing controlled drugs.", "role"),
    ("Our tutor is selling the OSCE answers to the second years.", "role"),
    ("Dr Singh is sleeping with one of the medical students.", "named"),
    ("The consultant nearly killed a patient last week and covered up the mistake.", "role"),
    ("Everyone knows Prof Adams fiddled the research data.", "named"),
    ("The reg is definitely nicking morphine from the CD cupboard.", "role"),
    ("Our consultant takes backhanders from the drug reps.", "role"),
    ("Dr Evans is a danger to patients and should be struck off.", "named"),
    ("Prof Grant plagiarised his student's thesis.", "named"),
    (
        "Our personal tutor Dr Okonjo is sleeping with a second year and giving her the exam questions.",
        "named",
    ),
    ("The senior sister on ward 12 steals patients' money and everyone knows it.", "role"),
    ("Dr Khan turns up hungover every Monday and he's an alcoholic.", "named"),
]


# cheating passed on as gossip, misconduct towards people who cannot consent, dealing and spiking
ALLEGATIONS += [
    ("Apparently Dr Moreau paid someone to sit her membership exams for her.", "named"),
    ("Heard Ollie Barnes was copying off Priya in the anatomy exam, phone under the desk.", "named"),
    ("Dr Falk got caught taking photos of sedated women in recovery.", "named"),
    ("Our tutor Mr Lyle touched two of the students inappropriately at the ball.", "named"),
    ("So apparently Gethin Rowe was the one who spiked those girls at the social.", "named"),
    ("The porter on nights, Dale Huws, is dealing ketamine to the freshers.", "named"),
]


@pytest.mark.parametrize(("text", "target"), ALLEGATIONS)
def test_allegation_about_an_identifiable_person(judge, text: str, target: str) -> None:
    """A stated allegation about a named person or a role is severe DEFAMATION with that target."""
    finding = judge.one(text, DEFAMATION)
    assert (finding.severity, finding.target) == ("severe", target)


def test_he_after_a_named_member_of_staff(judge) -> None:
    """ "He" points back at the doctor named in the sentence before."""
    text = (
        "You know the anaesthetics reg I told you about, Dr Novak? He is 100% stealing the fentanyl. "
        "Last week he turned up to the morning list stinking of booze."
    )
    assert judge.one(text, DEFAMATION).target == "named"


NOT_ALLEGATIONS = [
    "He came in drunk after falling down the stairs and smelled of alcohol.",
    "The patient was an alcoholic with a background of liver disease.",
    "The patient said the nurse had stolen money from her purse, but it was found in her locker.",
    "The nurse checked the CD book with me and we counted the morphine together.",
    "The registrar said the drug chart was wrong and asked me to rewrite it.",
    "The consultant took me through how the audit data was collected.",
    "My sister is dating a medical student from Leeds.",
    "I falsified nothing; the raw data are in the appendix.",
    "The consultant was rude to me on the ward round and I'd like to discuss it with my tutor.",
    "My bike was stolen from outside the library.",
    "Tom messed up the case presentation but the consultant was kind about it.",
    "Mr Jones came in drunk again and is a known alcoholic.",
]


NOT_ALLEGATIONS += [
    "Mo is cheating on Kat at the pub quiz, he keeps looking at his phone.",
    "I was so nervous I thought people would think I cheated in the exam.",
    "Dr Rahman examined the patient and touched her abdomen gently.",
    "The lecture covered how to spot students who cheat in exams.",
    "We took photos of the sleeping puppies at Priya's house.",
    "The pharmacy is dealing with a shortage of ketamine this month.",
]


@pytest.mark.parametrize("text", NOT_ALLEGATIONS)
def test_not_an_allegation(judge, text: str) -> None:
    """Clinical histories, reported accusations, the writer and things are not defamation."""
    assert DEFAMATION not in judge.types(text)


CONCERN = (
    "I would like to raise a concern in confidence. On Tuesday Dr Evans turned up to the ward round "
    "smelling of alcohol. He was drinking on duty again on Thursday."
)


def test_concern_raised_with_the_university_is_privileged(judge) -> None:
    """A concern raised through the proper channel to internal recipients only is not reported."""
    assert DEFAMATION not in judge.types(CONCERN, to=("professionalism@uni.ac.uk", "lead@nhs.net"))


def test_the_same_concern_sent_outside_is_held(judge) -> None:
    """The same words sent to an outside address are an allegation about a named doctor."""
    assert DEFAMATION in judge.types(CONCERN, to=("journalist@news.example.com",))


def test_hedged_allegation_needs_more_than_a_rumour(judge) -> None:
    """ "I think ..." weighs an allegation down; stated as fact with support it is held."""
    assert DEFAMATION not in judge.types("I think the registrar might be nicking drugs.")
    assert DEFAMATION in judge.types(
        "The registrar is nicking drugs, everyone knows it and the CD book never adds up."
    )


def test_he_with_no_one_named_is_a_patient_story(judge) -> None:
    """An allegation about "he" when nobody has been named is not about an identifiable colleague."""
    text = "Mad night on call. He came in off his face and tried to hit a nurse, so security sat with him."
    assert DEFAMATION not in judge.types(text)
