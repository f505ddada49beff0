"""De-identified drafts: the patient detector's own recognition, masked with presidio-anonymizer."""

from __future__ import annotations

import pytest

from gateway.config import Settings
from gateway.detect.deidentify import Deidentifier, deidentify
from gateway.detect.patient import PatientDetector, PatientDetectorOptions
from gateway.model import Envelope, Inspection

NHS = "401 023 2137"  # valid check digit, invented


@pytest.fixture(scope="module")
def deid() -> Deidentifier:
    d = Deidentifier.from_settings(Settings())
    d.load()
    return d


def test_identifiers_are_masked_and_the_rest_kept(deid: Deidentifier) -> None:
    """NHS number, name, date of birth and phone go; the clinical story and the greeting stay."""
    text = (
        "Hi Sam,\n\n"
        f"The lady in bed 3 on Larch ward, Mrs Philippa Dunkerley, NHS no {NHS}, DOB 04/11/1948,\n"
        "was admitted with a fractured neck of femur. Her daughter's mobile is 07700 900877.\n\n"
        "Thanks, Jo\n"
    )
    out = deid.deidentify(text)
    for secret in ("4010232137", "401 023 2137", "Dunkerley", "Philippa", "04/11/1948", "07700 900877"):
        assert secret not in out
    assert "[NHS_NUMBER]" in out and "[PATIENT_NAME]" in out
    assert "fractured neck of femur" in out and out.startswith("Hi Sam,") and "Thanks, Jo" in out


def test_labels_choose_the_words_that_replace(deid: Deidentifier) -> None:
    """The notifier's placeholders replace the type names in the draft."""
    out = deid.deidentify(
        f"Patient NHS number {NHS} for review.", labels={"NHS_NUMBER": "NHS number removed"}
    )
    assert out == "Patient NHS number [NHS number removed] for review."


def test_several_texts_at_once_keep_their_order(deid: Deidentifier) -> None:
    """Subject, body and places are judged in one pass and come back in order."""
    out = deid.deidentify_many([f"NHS no {NHS}", "Lunch on Friday?", ""])
    assert out == ["NHS no [NHS_NUMBER]", "Lunch on Friday?", ""]


def test_a_number_without_its_label_is_masked_in_clinical_context(deid: Deidentifier) -> None:
    """An NHS number written without "NHS" but next to clinical words is still taken out."""
    out = deid.deidentify(f"Pt {NHS.replace(' ', '')} on ward 3 with chest pain")
    assert out == "Pt [NHS_NUMBER] on ward 3 with chest pain"


def test_correspondents_are_not_patients(deid: Deidentifier) -> None:
    """With the message as context, the recipient's name in the greeting is left alone."""
    context = Inspection(
        envelope=Envelope("jo@example.ac.uk", ("sam.okafor@example.ac.uk",)),
        correspondents=[("Sam Okafor", "sam.okafor@example.ac.uk")],
    )
    out = deid.deidentify("Dear Sam Okafor,\n\nSee you at the teaching session.\n", context)
    assert "Sam Okafor" in out


def test_text_without_identifiers_is_returned_unchanged(deid: Deidentifier) -> None:
    """Nothing to mask: the very same text comes back."""
    text = "Could we move the anatomy tutorial to 3pm on Thursday?"
    assert deid.deidentify(text) == text


def test_module_function_keeps_one_loaded_deidentifier() -> None:
    """deidentify(text, settings) loads the detector once per configuration."""
    s = Settings()
    assert "[NHS_NUMBER]" in deidentify(f"NHS number {NHS}", s)
    assert deidentify("nothing here", s) == "nothing here"


BODY = (
    "Mr Desmond Quillfeather on Birch ward had his biopsy results today: "
    "adenocarcinoma, and he has not been told yet."
)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("About Mr Desmond Quillfeather", "About Mr [PATIENT_NAME]"),
        ("Quillfeather - follow up", "[PATIENT_NAME] - follow up"),
        ("re: desmond's rota swap", "re: desmond's rota swap"),
        ("Ward round notes", "Ward round notes"),
    ],
)
def test_a_name_found_in_the_body_is_masked_in_the_subject(
    deid: Deidentifier, subject: str, expected: str
) -> None:
    """A subject with no clinical words still loses a patient's name that the body gives away."""
    out = deid.deidentify_many([subject, BODY])
    assert out[0] == expected
    assert "Quillfeather" not in out[1] and "biopsy results" in out[1]


def test_a_subject_alone_keeps_an_unconnected_name(deid: Deidentifier) -> None:
    """Without a body naming a patient, a plain name in a subject is not a patient's."""
    assert deid.deidentify_many(["About Mr Desmond Quillfeather", "Lunch on Friday?"]) == [
        "About Mr Desmond Quillfeather",
        "Lunch on Friday?",
    ]


def test_a_loaded_detector_is_not_loaded_again() -> None:
    """A worker's patient detector, loaded for inspection, is reused as it is by the first draft: no second load."""
    detector = PatientDetector(PatientDetectorOptions(ner=False))
    detector.load()
    engine = detector.engine
    Deidentifier(detector).load()
    assert detector.engine is engine
