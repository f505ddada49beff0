"""A person tied to a health fact is a patient, whatever the phrasing; public, historical, invented and staff people are not."""

from __future__ import annotations

import pytest

from gateway.model import Segment
from tests.unit.detect import patientfixtures as pf

# one row per kind of health fact, no title, no number, no "patient" keyword
POSITIVES = [
    ("result", "Karen Mbatha's cervical screening came back abnormal and she is really worried."),
    ("result", "Tom Ridley rang about his kidney function results, can someone get back to him?"),
    ("test", "Olumide Bankole is booked for a colonoscopy on Thursday, he's anxious about the prep."),
    ("diagnosis", "Gareth from my street has just been told he has hepatitis C."),
    ("diagnosis", "Apparently Siobhan Kearney has been diagnosed with MS, she told me at the bus stop."),
    ("admission", "Edna Fairweather was admitted overnight after a fall at home."),
    (
        "clinic",
        "You'll never guess who we saw in the eye clinic this morning - Gary Lineker! Retinal detachment.",
    ),
    ("treatment", "Dave Pritchard started chemo yesterday and is feeling rough."),
    ("death", "Sadly Winifred Oakes died on the ward last night, her family were with her."),
    ("lower case", "karen mbatha's smear came back abnormal, dont tell anyone"),
    ("first name", "Priya's biopsy showed melanoma, she's seeing the oncologist next week."),
    ("first-hand beats fame", "Guess who came into our clinic today - Stephen Fry, he's had a stroke!"),
    ("famous, with a role", "Guess who we had in resus - the weather presenter Sian Lloyd! Fractured wrist."),
    ("pronoun carries the fact", "Did you hear about Bethany Cole? She's in ICU after an overdose."),
    ("label dash", "Re: Malcolm Tennant - MRI shows metastases in the spine, family not yet told"),
    (
        "possessive before a test word",
        "Zainab Hussein's pregnancy test came back positive, she hasn't told anyone.",
    ),
    ("medical word ending", "my aunt Doreen Walsh is having a mastectomy next week at the General"),
    ("titled, tied by a verb", "Mr and Mrs Okafor came in together, he has terminal lung cancer."),
    ("an injury in other words", "Agnes Thorley slipped on the ice and has broken her hip, poor love."),
    ("how they arrived", "Rhiannon Pugh came in with chest pain at about 3am."),
    ("a unit of care", "Callum Reid is on the burns unit after the bonfire night accident."),
    ("a condition by its ending", "Wilf Entwistle has thrombosis in his leg again."),
    (
        "a pronoun later in the next sentence",
        "Do you remember Rosalind Achebe? Apparently they found a tumour in her bowel.",
    ),
    (
        "the name given after the facts",
        "A girl from my course came into the sexual health clinic today. Gonorrhoea. Her name's Tilly Wragg.",
    ),
    ("a result, then whose it is", "The biopsy results came back for Hattie Moyo this morning, sarcoma."),
    ("a copula after the fact", "The man with the new HIV diagnosis in side room 2 is Ewan Farraday."),
    (
        "title and surname in lower case",
        "mr pocklington bay 4 rosehip ward has a grade 2 pressure ulcer on his heel",
    ),
    (
        "a friend by a name no list knows",
        "ur mate Fitzy from five-a-side, he came in with a dislocated shoulder",
    ),
    (
        "a list row: name, date, condition",
        "from the real clinic list last week: Ottilie Brennan 3/6/61 sickle cell",
    ),
    (
        "staff who are patients",
        "Can you take bloods from the man with sepsis in bed 5, Mr Ruddock, he's a porter here",
    ),
    (
        "a doctor who is a patient",
        "Dr Salter from the practice in Hebden is a patient on our ward - pancreatitis.",
    ),
]


@pytest.mark.parametrize(("kind", "body"), POSITIVES, ids=[k for k, _ in POSITIVES])
def test_person_with_health_fact(detector, kind: str, body: str) -> None:
    """A named person with a result, test, diagnosis, admission, clinic visit, treatment or death is reported."""
    (f,) = pf.found(detector, pf.inspection(body), "PATIENT_NAME")
    assert f.score >= 0.5 and "[PATIENT_NAME]" in f.evidence
    reasons = " ".join(f.details["reasons"])
    assert "health fact" in reasons or "patient cue" in reasons


def test_explanation_names_the_kinds_not_the_words(detector) -> None:
    """The finding says which kind of mention and health fact made it, and never shows the name."""
    (f,) = pf.found(detector, pf.inspection("Dave Pritchard started chemo yesterday."), "PATIENT_NAME")
    assert "person (ner)" in f.details["reasons"] or "person (full name)" in f.details["reasons"]
    assert "health fact: treatment" in f.details["reasons"]
    assert "Pritchard" not in f.evidence and "Pritchard" not in str(f.details)


def test_in_the_subject_only(detector) -> None:
    """A person and a health fact in the subject line alone are found there."""
    insp = pf.inspection("see below", subject="Fwd: Colin Marsh biopsy results - melanoma")
    (f,) = pf.found(detector, insp, "PATIENT_NAME")
    assert f.where == "header:Subject"


def test_in_a_file_name(detector) -> None:
    """A person and a health fact in an attachment's file name (as a text segment) are found there."""
    seg = Segment(
        "Janet Okafor MRI brain report.pdf", "attachment:Janet Okafor MRI brain report.pdf", kind="filename"
    )
    (f,) = pf.found(detector, pf.inspection("as discussed", segments=[seg]), "PATIENT_NAME")
    assert f.score >= 0.5


TRAPS = [
    (
        "a doctor at work on the ward",
        "Dr Okafor is on the ward today if you need your sign-off for the cannula.",
    ),
    ("a dissertation topic", "Sophie is doing her dissertation on breast cancer screening uptake."),
    (
        "a pronoun carries teaching too",
        "Chloe is coming too. Her scan results were fine for the ultrasound practical.",
    ),
    (
        "a ward round is no admission",
        "Joined Hamish Tulloch on the ward round today, he let me present first.",
    ),
    (
        "a charity event named for someone",
        "Sign up for the Hospice 10k for Lottie Danvers at the MedSoc stall.",
    ),
    (
        "a pronoun far from the fact",
        "Priya Lund is doing the sponsored walk. " + "We set off at nine. " * 12 + "She has cancer.",
    ),
    ("historical", "For my essay: Mary Mallon was an asymptomatic carrier of typhoid and infected dozens."),
    ("historical", "Joseph Merrick had Proteus syndrome, not neurofibromatosis - see the lecture notes."),
    ("historical", "Henry Molaison's amnesia after surgery taught us how memory is consolidated."),
    (
        "historical",
        "Alexander Fleming noticed the mould that became penicillin, a lucky infection of his plates.",
    ),
    ("news", "BBC News: Gary Lineker has been treated for a retinal detachment, his agent said."),
    ("news", "According to the Guardian, the singer Adele Hartley was admitted to hospital with exhaustion."),
    (
        "rota",
        "Rota for the acute take: Mon Sarah Jones, Tue Tom Price, Wed Karen Mbatha (on call, bleep 4411).",
    ),
    ("timetable", "Timetable change: 9am diabetes lecture with Ben Carter moved to room 2.14."),
    ("osce", "OSCE station 4: you are Karen Mbatha, 45, and you have been diagnosed with breast cancer."),
    (
        "exam question",
        "Exam question: Tom Ridley, 67, presents with haematuria. What is the most likely diagnosis?",
    ),
    ("reference list", "Mbatha K, Ridley T (2021) Cervical screening uptake in Leeds. BMJ Open 11: e0421."),
    ("correspondent", "Hi Kit, my bloods came back fine, thanks for asking. Robin"),
    ("staff", "Sarah Jones (the reg) said the CT showed a small bleed, she'll review after the list."),
    ("eponym", "Revision: Parkinson's disease, Crohn's disease and Graves' disease for Friday's exam."),
    ("exam results", "Karen said the anatomy exam results are out tomorrow."),
    (
        "exam question, MCQ",
        "MCQ 14. Derek Hale, 58, presents with chest pain and ST elevation. Most likely diagnosis?",
    ),
    ("organisation", "Mohammed is collecting money for Cancer Research UK at the stall outside the library."),
    ("person spoken to", "Thanks Michael for covering my clinic yesterday, I owe you one."),
    ("seen, but not in care", "I saw Rachel in the library, she said the biopsy practical is cancelled."),
    (
        "equipment, not a person's test",
        "Can you ask Jordan whether the ECG machine in the skills lab has been fixed?",
    ),
    (
        "made staff by the sentence",
        "Fiona Grant is the new clinical lead for the diabetes service, she starts in March.",
    ),
    ("a group of students", "Our group (Aisha, Ben, Chloe, Dan) will do the presentation on heart failure."),
    (
        "co-authors",
        "The patient information leaflet on diabetes was written by Ruth Evans and Mark Lee in 2019.",
    ),
    ("a death with no care in sight", "Mrs Jones next door died last week, the funeral is on Friday."),
    ("a thing to learn from", "Hannah Lewis said she'd lend me her ECG book before the exam."),
    (
        "an allocation under its heading",
        "Allocations for the surgery block:\n\nGroup A: Emily Clarke, Jacob Ward, Fatima Noor - Mr Hughes"
        " (colorectal), clinic Tues\nGroup B: Liam Foster, Grace Kim - Ms Adeyemi (breast), theatre Weds",
    ),
]


@pytest.mark.parametrize(("kind", "body"), TRAPS, ids=[k for k, _ in TRAPS])
def test_not_a_patient(detector, kind: str, body: str) -> None:
    """Historical figures, news, rotas, timetables, role-plays, exam questions, references, correspondents,
    staff and eponyms are not reported as patients."""
    assert not pf.found(detector, pf.inspection(body), "PATIENT_NAME")


def test_news_forward_then_first_hand(detector) -> None:
    """The same public figure in a forwarded news story is not a patient; met on our ward, they are."""
    news = "Fwd: BBC News - Stephen Fry was admitted to hospital after a fall, a spokesperson said."
    ward = "We've got Stephen Fry on our ward after a fall, he was admitted last night!"
    assert not pf.found(detector, pf.inspection(news), "PATIENT_NAME")
    assert pf.found(detector, pf.inspection(ward), "PATIENT_NAME")


def test_forwarded_news_block(detector) -> None:
    """People in a forwarded news round-up are public, even paragraphs below the source's name."""
    body = (
        "thought you'd like this for the public health module\n\n"
        "---------- Forwarded message ---------\n"
        "From: Health Desk <desk@example-news.co.uk>\n"
        "Subject: Weekly round-up\n\n"
        "In this week's round-up from the health desk:\n\n"
        "Local man Gordon Pryce, 71, was admitted to hospital after collapsing at the half marathon.\n\n"
        "Meanwhile flu cases are rising across the region, and Janet Bright has been treated for skin cancer."
    )
    assert not pf.found(detector, pf.inspection(body), "PATIENT_NAME")


def test_lower_case_after_another_word(detector) -> None:
    """A lower-case given name and surname are found even straight after another lower-case word."""
    body = "fyi priya patel in room 3 tested positive for covid"
    assert pf.found(detector, pf.inspection(body), "PATIENT_NAME")
