"""A person described, not named (role, relation, place in care, rare trait) and told a health fact."""

from __future__ import annotations

import pytest

from tests.unit.detect import patientfixtures as pf

FOUND = [
    (
        "care place",
        "care place",
        "the old chap in bay 3 with the new colostomy keeps asking for his daughter",
    ),
    ("care place, ward", "care place", "the girl on Larch ward who came in after the overdose is awake now"),
    ("care place, side room", "care place", "that lady in side room 2 has been started on IV antibiotics"),
    ("a possessor's relation", "relation", "my housemate's grandad was admitted with a stroke on Sunday"),
    ("a staff member's relation", "relation", "the registrar's wife came in with chest pain at 2am"),
    ("a friend's relation", "relation", "my flatmate's girlfriend was the overdose they brought into resus"),
    (
        "the reader's relation, met in care",
        "reader's relation",
        "saw your cousin in the fracture clinic, wrist in plaster",
    ),
    (
        "a place seen at",
        "where seen",
        "the woman from the launderette on Quay Street has been diagnosed with lupus",
    ),
    (
        "off a show, met in care",
        "where seen",
        "the woman off that cooking show came into the fracture clinic today",
    ),
    ("a local place", "where seen", "that fella from the chippy came in with a perforated appendix"),
    (
        "an activity",
        "where seen",
        "the man who runs the paper shop on Fenwick Street was admitted with pneumonia",
    ),
    ("an everyday role", "role", "our cleaner has just started chemo, she asked us not to make a fuss"),
    ("a neighbour", "role", "our next-door neighbour was sectioned last night, the police were there"),
    ("the only one", "rare trait", "the only Sikh lad doing engineering had a seizure on the bus"),
    ("a neighbour's child", "relation", "my neighbour's little boy has just been diagnosed with leukaemia"),
    ("a dean's assistant", "relation", "the dean's PA has chlamydia, I saw the clinic letter"),
    (
        "named in brackets after the fact",
        "where seen",
        "cubicle 3 query appendicitis (that's the barista from the station café), cubicle 5 asthma",
    ),
    (
        "a couple",
        "where seen",
        "that couple who run the Red Lion were both admitted with carbon monoxide poisoning",
    ),
    (
        "gossip overheard",
        "role",
        "the nurses were talking about how the landlord of the Swan has liver cancer",
    ),
    (
        "a teaching word, but real and recent",
        "where seen",
        "Not a PBL case, I mean it: the man who runs the chippy was admitted last night with a stroke.",
    ),
    ("a nationality", "rare trait", "the Latvian lad in the flat below had a seizure on the stairs"),
    ("a feature", "rare trait", "the bloke with the snake tattoo had his leg amputated on Monday"),
    (
        "a pronoun in the next sentence",
        "where seen",
        "Remember the groundsman at the cricket club? He's had a heart attack and is on the cardiac ward.",
    ),
]


@pytest.mark.parametrize(("kind", "body"), [(k, b) for _, k, b in FOUND], ids=[i for i, _, _ in FOUND])
def test_found(detector, kind: str, body: str) -> None:
    """A definite description of someone, tied to a health fact, is indirect identification saying which kind."""
    (f,) = pf.found(detector, pf.inspection(body), "INDIRECT_IDENTIFICATION")
    assert f.score >= 0.5
    reasons = f.details["reasons"]
    assert any(r.startswith("described by") for r in reasons), reasons
    assert f"described by {kind}" in reasons
    assert any(r.startswith("health fact:") for r in reasons)


TRAPS = [
    ("an anonymised case", "A 61-year-old man presents with crushing chest pain and sweating."),
    (
        "an exam stem",
        "The woman in bed 4 has a raised troponin. What is the most likely diagnosis? Choose one answer.",
    ),
    (
        "a role-play script",
        "Station 2 brief. You are the FY1. Your dad had a heart attack at 50 and you smoke.",
    ),
    ("the writer's own health", "The pharmacist said my blood pressure readings were fine."),
    ("the writer's own family", "My mum was admitted with a chest infection so I'm going home this weekend."),
    ("sympathy to the reader", "So sorry to hear about your gran's stroke, take all the time you need."),
    ("a hypothetical", "If your neighbour collapses with chest pain, call 999 and start CPR."),
    ("speech between", "The lecturer said the exam will be mostly about heart failure and asthma."),
    ("a death with no care in sight", "Our old neighbour passed away last week, the funeral is on Friday."),
    ("a news story", "BBC News: the man who runs the county's biggest farm was admitted with sepsis."),
    ("a teaching passage", "In the PBL case this week the landlady of the pub has alcoholic liver disease."),
    ("a job, not a stay", "Remember the girl from Year 9? She's a nurse now on the stroke unit."),
    ("no health fact", "The lady from the chip shop on Mill Lane gave us extra scraps for free."),
    ("one weak health fact", "the lady from the chip shop got her results"),
    (
        "a health word in a charity's name",
        "our neighbour volunteers at the Stroke Association shop on Fridays",
    ),
    ("the writer's own treatment", "our neighbour drove me to my chemo on Monday"),
    (
        "the patient's relative, clinical register",
        "the patient's wife has breast cancer too, she told us at visiting",
    ),
    ("an indefinite person", "I met a man from Swindon on the train who had lots to say about trains."),
]


@pytest.mark.parametrize("body", [b for _, b in TRAPS], ids=[i for i, _ in TRAPS])
def test_traps(detector, body: str) -> None:
    """Anonymised cases, scripts, exams, the writer's own or family's health, sympathy, news, teaching: nothing."""
    assert not [
        f
        for f in pf.found(detector, pf.inspection(body), "INDIRECT_IDENTIFICATION")
        if any(r.startswith("described by") for r in f.details["reasons"])
    ]


def test_evidence_has_no_words_of_the_message(detector) -> None:
    """The finding's evidence names the kinds of detail, never the description or the fact themselves."""
    body = "the man who runs the paper shop on Fenwick Street was admitted with pneumonia last night"
    (f,) = pf.found(detector, pf.inspection(body), "INDIRECT_IDENTIFICATION")
    assert f.evidence.startswith("details together:")
    for word in ("paper", "shop", "Fenwick", "pneumonia"):
        assert word not in f.evidence


def test_not_added_where_something_is_already_reported(detector) -> None:
    """A segment that already reports an identifier gets no description finding on top."""
    body = f"the man who runs the paper shop, NHS no {pf.nhs_number('485')}, was admitted with pneumonia"
    assert "INDIRECT_IDENTIFICATION" not in pf.types(detector, pf.inspection(body))


SCORES = [
    (
        "a role, same sentence, a treatment",
        "our cleaner has just started chemo, she asked us not to make a fuss",
        0.65,
    ),
    (
        "where seen, next sentence, a diagnosis",
        "Remember the groundsman at the cricket club? He's had a heart attack.",
        0.6,
    ),
    (
        "a care place in a clinical message",
        "the old chap in bay 3 with the new colostomy keeps asking for his daughter",
        0.7,
    ),
]


@pytest.mark.parametrize(("body", "score"), [(b, sc) for _, b, sc in SCORES], ids=[i for i, _, _ in SCORES])
def test_score(detector, body: str, score: float) -> None:
    """A tie in the same sentence weighs more than one carried by a pronoun; a care place or a diagnosis,
    admission or treatment adds to it, and so does a clinical message."""
    (f,) = pf.found(detector, pf.inspection(body), "INDIRECT_IDENTIFICATION")
    assert f.score == pytest.approx(score)


def test_a_script_in_another_paragraph_does_not_hide_a_real_person(detector) -> None:
    """Role-play words make their own paragraph invented, not the next one."""
    body = (
        "OSCE practice tonight: you are the FY1, be nice to the actor.\n\n"
        "Also the man who runs the chippy was admitted with a stroke."
    )
    (f,) = pf.found(detector, pf.inspection(body), "INDIRECT_IDENTIFICATION")
    assert "described by where seen" in f.details["reasons"]


def test_a_script_in_the_same_paragraph_does(detector) -> None:
    """The same words inside the role-play's paragraph point at nobody."""
    body = "OSCE practice tonight: you are the FY1. The man who runs the chippy was admitted with a stroke."
    assert not pf.found(detector, pf.inspection(body), "INDIRECT_IDENTIFICATION")
