"""The patient detector as the pipeline sees it: built from settings, safe evidence, one finding per place."""

from __future__ import annotations

import re

import pytest

from gateway.config import Settings
from gateway.detect.base import Detector
from gateway.detect.patient import PatientDetector, build
from gateway.detect.patient.recognizer import REPORT_AT
from gateway.detect.registry import build_detectors
from gateway.model import Segment
from gateway.model.finding import PATIENT_IDENTIFIER
from tests.unit.detect import patientfixtures as pf

NHS = pf.nhs_number("485", " ")
IDENTIFIED = (
    f"Handover: Mrs Hester Quayle, DOB 04/05/1941, NHS no {NHS}, hosp no NRH-339021, lives at "
    "14 Heron Close, NE4 7QT. Her daughter's phone: 07700 900789. Admitted with sepsis, in bed 4."
)


def test_registered_and_built_from_settings() -> None:
    """The registry builds the patient detector from settings; nothing loads in the constructor."""
    (det,) = build_detectors(Settings(), names=("patient",))
    assert isinstance(det, PatientDetector) and isinstance(det, Detector)
    assert det.categories == (PATIENT_IDENTIFIER,) and det.engine is None


def test_detect_before_load_fails() -> None:
    """Detecting with an unloaded detector is a programming error, not a silent pass."""
    with pytest.raises(RuntimeError):
        build(Settings()).detect(pf.inspection("NHS no 485 000 0000"))


def test_every_kind_found_in_one_message(detector) -> None:
    """A handover naming everything yields a finding of each type, all in the patient category."""
    got = pf.found(detector, pf.inspection(IDENTIFIED))
    assert {
        "PATIENT_NAME",
        "DATE_OF_BIRTH",
        "NHS_NUMBER",
        "HOSPITAL_NUMBER",
        "PATIENT_ADDRESS",
        "PATIENT_PHONE",
    } <= {f.type for f in got}
    assert all(f.category == PATIENT_IDENTIFIER and f.detector == "patient" for f in got)


def test_evidence_never_holds_the_values(detector) -> None:
    """No evidence string contains the name, a date, a number, a postcode or a street from the message."""
    got = pf.found(detector, pf.inspection(IDENTIFIED))
    secrets = [
        "Quayle",
        "Hester",
        "04/05/1941",
        NHS,
        NHS.replace(" ", ""),
        "339021",
        "Heron",
        "NE4 7QT",
        "900789",
    ]
    for f in got:
        assert not any(s in f.evidence for s in secrets), f.evidence
        assert not re.search(r"\d{4}", f.evidence), f.evidence


def test_no_low_score_findings(detector) -> None:
    """Only findings the policy would act on are reported: nothing below the reporting threshold."""
    insp = pf.inspection(
        "Ward round went well. Mr Hartigan taught us about COPD. A 70-year-old man with chest pain, "
        "ref 4821 0093, order 1234567890."
    )
    assert all(f.score >= REPORT_AT for f in pf.found(detector, insp))


def test_one_finding_per_type_and_place(detector) -> None:
    """Three NHS numbers in the body are one finding with a count; the same in an attachment is another."""
    nums = pf.nhs_numbers(3)
    body = "\n".join(f"NHS no {n}" for n in nums)
    insp = pf.inspection(body, segments=[Segment(body, "attachment:list.txt", kind="attachment")])
    got = pf.found(detector, insp, "NHS_NUMBER")
    assert sorted(f.where for f in got) == ["attachment:list.txt", "body"]
    assert all(f.details["count"] == 3 for f in got)


def test_text_read_from_an_image(detector) -> None:
    """Text the OCR read from a photo (a wristband) is scanned like any other text."""
    seg = Segment(f"NHS No: {NHS}\nDOB 02/03/1950", "attachment:IMG_2231.jpg", kind="attachment")
    got = pf.found(detector, pf.inspection("look at this", segments=[seg]))
    assert {f.where for f in got} == {"attachment:IMG_2231.jpg"}


def test_display_names_are_not_scanned_as_prose(detector) -> None:
    """A correspondent's display name is never reported, whatever it contains."""
    insp = pf.inspection("see you later", sender=("Mrs Ann Lee (Ward 9 patient)", "ann@example.org"))
    assert not pf.found(detector, insp)
