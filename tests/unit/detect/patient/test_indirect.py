"""Indirect identification: details that together point at one patient, with no name or number."""

from __future__ import annotations

import pytest

from tests.unit.detect import patientfixtures as pf


@pytest.mark.parametrize(
    "body",
    [
        "Last night at Northam General Hospital we were called to bed 9 on Ward 31 - the lad had re-bled into his abdomen.",
        "The 16 year old from the crash on the bypass, the one all over the local news, went to theatre this morning with a ruptured spleen.",
        "We have a 7 year old with progeria from Little Brampton in clinic today, the first the consultant has seen.",
        "Guess who came into A&E last night - the Northam Rovers captain, broken tibia, off to theatre.",
        "Bed 6 at St Aldric's Hospital this morning: the lady with the fall had a cardiac arrest.",
    ],
)
def test_found(detector, body: str) -> None:
    """Ward + bed + hospital + time, a public event + age + place, a rare condition + age + place."""
    (f,) = pf.found(detector, pf.inspection(body), "INDIRECT_IDENTIFICATION")
    assert f.score >= 0.5 and f.evidence.startswith("details together:")


@pytest.mark.parametrize(
    "body",
    [
        "Ward round on Ward 9 on Thursday 5 March at 8am, then the sign-off in the seminar room.",
        "Our case this week: a 69-year-old man presented to his GP with dysphagia and weight loss.",
        "Do not write ward and bed numbers, initials or dates in the logbook.",
        "A 72-year-old woman with COPD was drowsy on the respiratory ward after high-flow oxygen.",
        "The crash on the bypass was all over the local news, the bus was late because of it.",
        "Role-play: a famous footballer, 24, came into A&E on Saturday after a tackle; you are the FY1.",
        "The famous surgeon Joseph Lister is the subject of Tuesday's lecture on sepsis in the lecture theatre.",
    ],
)
def test_traps(detector, body: str) -> None:
    """Timetables, anonymised cases, teaching text and news with no patient: nothing."""
    assert not pf.found(detector, pf.inspection(body), "INDIRECT_IDENTIFICATION")


def test_not_repeated_when_identified(detector) -> None:
    """A segment that already names an identifier is not also reported as indirect identification."""
    body = f"Bed 9 on Ward 31 at Northam General Hospital last night, NHS no {pf.nhs_number('485')}, re-bled."
    assert "INDIRECT_IDENTIFICATION" not in pf.types(detector, pf.inspection(body))


@pytest.mark.parametrize(
    "body",
    [
        "Fwd: BBC Sport - the striker was taken to hospital yesterday after a head injury at the ground,"
        " the club confirmed in a statement. He was treated in the emergency department and discharged.",
        "Did you see the news? The Prime Minister was rushed to hospital last night and is in ICU,"
        " according to Downing Street.",
    ],
)
def test_news_story_passed_on(detector, body: str) -> None:
    """A news story sent on, told by a public source and met by nobody in the message, identifies no one new."""
    assert not pf.found(detector, pf.inspection(body), "INDIRECT_IDENTIFICATION")


def test_news_story_met_first_hand(detector) -> None:
    """The same kind of story told by someone who met the person in care still identifies them."""
    body = (
        "You'll never guess who we had in resus last night - the lad from the crash that was all over the"
        " local news, went to theatre this morning with a ruptured spleen."
    )
    assert pf.found(detector, pf.inspection(body))


KNOWN = [
    ("a public office", "the deputy mayor's wife was brought in with a stroke, keep it to yourself"),
    ("a local role", "our old village postman is on the ward with pneumonia, he didn't recognise me"),
    ("a named school", "the 8 year old from Hollinsmead Primary had a seizure in clinic today"),
    (
        "a named person's relative",
        "guess who was in resus this morning with chest pain, Imogen Stroud's grandad from the PBL group",
    ),
    (
        "real cases for revision",
        "for OSCE revision let's use real cases: the man I clerked, he's the landlord of the Swan, liver mets",
    ),
    ("one of a kind", "the only vet in the village came in with a heart attack, you'd recognise him"),
]


@pytest.mark.parametrize("body", [b for _, b in KNOWN], ids=[k for k, _ in KNOWN])
def test_known_person_with_care_episode(detector, body: str) -> None:
    """A role, school, club or relation that makes someone known, with a care episode, identifies them."""
    (f,) = pf.found(detector, pf.inspection(body), "INDIRECT_IDENTIFICATION")
    assert f.score >= 0.5 and "known" in f.details["reasons"]


KNOWN_TRAPS = [
    (
        "the writer's own course",
        "I'm a medical student at the University of Northam and would love to volunteer.",
    ),
    ("the writer's own role", "I'm a teacher by training and had a stroke at 40, so I get it."),
    ("a relative's role", "My dad is a postman and he has diabetes, so I know the diet stuff."),
    ("a death with no care in sight", "Amir's grandad passed away last week, let's send a card."),
    ("a public figure on TV", "The guy from Love Island was on TV talking about his ADHD diagnosis."),
    ("a health word naming a charity", "Jack's mum runs the bake sale for Cancer Research UK on Saturday."),
    ("a health word naming a place", "The mayor opened the new cancer centre today."),
    ("a role with no care", "The mayor opened the new wing of the hospital on Friday."),
    ("a role in teaching", "Lecture 4: the footballer's knee, ACL repair and rehab, slides on the VLE."),
    (
        "a role in the news",
        "BBC News: the councillor was admitted to hospital after a fall, a spokesperson said.",
    ),
]


@pytest.mark.parametrize("body", [b for _, b in KNOWN_TRAPS], ids=[k for k, _ in KNOWN_TRAPS])
def test_known_person_traps(detector, body: str) -> None:
    """The writer's own role, a role with no care episode, in teaching or in a news story: nothing."""
    assert not pf.found(detector, pf.inspection(body), "INDIRECT_IDENTIFICATION")
