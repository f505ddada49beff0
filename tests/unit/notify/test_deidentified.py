"""Drafts masked from the inspection's findings hide at least what a second run of the patient detector hid.

Every message here is invented (names, numbers, places); the NHS numbers pass the
modulus-11 check and belong to no one. The same comparison runs over whole corpora in
benchmarks/notify/draft_diff.py.
"""

from __future__ import annotations

import pytest

from gateway.config import Settings
from gateway.detect.deidentify import Deidentifier
from gateway.detect.patient import PatientDetector, PatientDetectorOptions
from gateway.mime import parse_message
from gateway.model import Envelope, Finding, Inspection
from gateway.notify.deidentified import (
    Located,
    Spans,
    deidentified,
    mask_spans,
    name_words,
    own_text_spans,
    place_spans,
    subject_spans,
)

NHS = "401 023 2137"
OTHER_NHS = "943 476 5919"


def eml(subject: str, body: str, *, attachment: str = "", html: bool = False) -> bytes:
    head = (
        f"From: A Student <student@example.ac.uk>\r\nTo: Sam Okafor <sam@gmail.com>\r\nSubject: {subject}\r\n"
    )
    kind = "text/html" if html else "text/plain"
    if not attachment:
        return (head + f"Content-Type: {kind}; charset=utf-8\r\n\r\n" + body.replace("\n", "\r\n")).encode()
    b = "mix-b0undary"
    return (
        head
        + f'Content-Type: multipart/mixed; boundary="{b}"\r\n\r\n'
        + f"--{b}\r\nContent-Type: {kind}; charset=utf-8\r\n\r\n{body}\r\n".replace("\n", "\r\n")
        + f'--{b}\r\nContent-Type: text/plain; name="{attachment}"\r\n'
        + f'Content-Disposition: attachment; filename="{attachment}"\r\n\r\nsee the body\r\n--{b}--\r\n'
    ).encode()


MESSAGES = [
    pytest.param(
        eml(
            "Ward round tomorrow",
            f"Hi Sam,\n\nThe lady in bed 3 on Larch ward, Mrs Philippa Dunkerley, NHS no {NHS}, "
            "DOB 04/11/1948, was admitted with a fractured neck of femur. Her daughter's mobile is "
            "07700 900877.\n\nThanks, Jo\n",
        ),
        id="name-number-dob-phone",
    ),
    pytest.param(
        eml(
            "About Mr Desmond Quillfeather",
            "Mr Desmond Quillfeather on Birch ward had his biopsy results today: adenocarcinoma, "
            "and he has not been told yet. Quillfeather asked about his son.\n",
        ),
        id="name-in-the-subject",
    ),
    pytest.param(
        eml(
            "case for Thursday",
            f"Pt {OTHER_NHS.replace(' ', '')} on ward 3 with chest pain, lives at 14 Orchard Close, "
            "Thornbury BS35 2XY.\n\n> On Monday Jo wrote:\n> lunch?\n",
            attachment="Dunkerley discharge.txt",
        ),
        id="bare-number-address-attachment",
    ),
    pytest.param(
        eml(
            "notes",
            "<p>Seen <b>Mrs Agatha Pennyworth</b> (hospital no RXH 4471920) in clinic: new diagnosis "
            "of type 2 diabetes.</p>",
            html=True,
        ),
        id="html-only",
    ),
    pytest.param(
        eml("Lunch on Friday?", "Could we move the anatomy tutorial to 3pm on Thursday?\n"),
        id="nothing-to-mask",
    ),
]


@pytest.fixture(scope="module")
def patient() -> PatientDetector:
    d = PatientDetector(PatientDetectorOptions.from_settings(Settings()))
    d.load()
    return d


def _inspect(patient: PatientDetector, raw: bytes) -> tuple[Inspection, list[Finding]]:
    env = Envelope("student@example.ac.uk", ("sam@gmail.com",))
    insp = parse_message(raw, env, Settings().limits)
    return insp, [*insp.findings, *patient.detect(insp)]


def _uncovered(text: str, old: Spans, new: Spans) -> list[str]:
    covered = [False] * len(text)
    for s, e, _ in new:
        covered[s:e] = [True] * (e - s)
    return [
        text[s:e] for s, e, _ in old if any(not covered[i] and not text[i].isspace() for i in range(s, e))
    ]


@pytest.mark.parametrize("raw", MESSAGES)
def test_the_new_draft_masks_everything_the_detectors_second_run_masked(
    patient: PatientDetector, raw: bytes
) -> None:
    """Subject, own text and every place: no character the old de-identifier hid is shown."""
    insp, findings = _inspect(patient, raw)
    old_way = Deidentifier(patient)
    places = sorted({f.where for f in findings})
    alone = old_way.spans([insp.subject], insp)[0]
    texts = [subject_spans(insp, findings, alone), own_text_spans(insp, findings)]
    texts += [place_spans(p, insp, findings) for p in places]
    old = old_way.spans([t.text for t in texts], insp)
    words = name_words(insp, findings)
    for located, old_spans in zip(texts, old, strict=True):
        new = mask_spans(Located(located.text, located.spans), words)
        assert _uncovered(located.text, old_spans, new) == []


def test_the_draft_of_a_held_message_shows_no_identifier(patient: PatientDetector) -> None:
    """The patient's name, NHS number, date of birth and phone go; the clinical story stays."""
    insp, findings = _inspect(patient, MESSAGES[0].values[0])
    subject, text, _ = deidentified(insp, findings, [], {"NHS_NUMBER": "NHS number removed"})
    for secret in ("Dunkerley", "Philippa", NHS, "04/11/1948", "07700 900877"):
        assert secret not in text
    assert "[NHS number removed]" in text and "fractured neck of femur" in text
    assert subject == "Ward round tomorrow"


def test_a_name_found_in_the_body_is_masked_in_the_subject_and_the_places(patient: PatientDetector) -> None:
    """A patient named in the body loses that name wherever a notice would show it."""
    raw = eml(
        "Quillfeather - follow up",
        "Mr Desmond Quillfeather on Birch ward had his biopsy results today: adenocarcinoma.\n",
        attachment="Quillfeather notes.txt",
    )
    insp, findings = _inspect(patient, raw)
    place = "attachment:Quillfeather notes.txt"
    subject, text, (shown,) = deidentified(insp, findings, [place], {"PATIENT_NAME": "the patient"})
    assert subject == "[the patient] - follow up"
    assert "Quillfeather" not in text + shown and "biopsy results" in text
    assert shown == "attachment:[the patient] notes.txt"


def test_the_draft_is_left_out_when_no_body_is_offered(patient: PatientDetector) -> None:
    """Without `body` only the subject and the places come back (a draft is not offered)."""
    insp, findings = _inspect(patient, MESSAGES[0].values[0])
    assert deidentified(insp, findings, ["body"], {}, body=False) == ("Ward round tomorrow", "", ["body"])


def test_spans_of_a_finding_about_another_place_are_not_applied(patient: PatientDetector) -> None:
    """A finding's spans mask only the text of its own place: an attachment's spans leave the body alone."""
    insp, _ = _inspect(patient, eml("hello", "Could we meet at the library?\n"))
    elsewhere = Finding(
        "patient_identifier",
        "PATIENT_NAME",
        "attachment:x.txt",
        0.9,
        detector="patient",
        details={"spans": [[0, 5]]},
    )
    assert own_text_spans(insp, [elsewhere]).spans == []


def test_a_whole_sentence_judged_about_a_patient_is_not_masked_whole(patient: PatientDetector) -> None:
    """Only the patient detector's identifiers are masked: a sentence-long span of another detector is not."""
    insp, _ = _inspect(patient, eml("hello", "Could we meet at the library?\n"))
    sentence = Finding(
        "patient_identifier", "CLINICAL_STORY", "body", 0.9, detector="meaning", details={"spans": [[0, 29]]}
    )
    assert deidentified(insp, [sentence], [], {}) == ("hello", "Could we meet at the library?", [])
