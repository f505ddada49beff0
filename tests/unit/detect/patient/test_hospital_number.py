"""Hospital numbers / MRNs: configured trust formats, IDs after a hospital-number label, table columns."""

from __future__ import annotations

import pytest

from gateway.detect.patient import PatientDetector, PatientDetectorOptions
from gateway.detect.patient.hospital_number import keyword_regex
from gateway.model import Segment
from tests.unit.detect import patientfixtures as pf


@pytest.mark.parametrize(
    "body",
    [
        "Mr Pell, hosp no NRH-339021, came back with a rebleed.",
        "Hospital number: 00483921 - please file the ECG in the notes.",
        "MRN 77120934, seen in clinic, needs a repeat scan.",
        "Her unit no. is WGH 0091734 according to the old letter.",
        "The K number is K4471902 on the wristband.",
        "RXH 5519023 is the number on the request card.",
        "Patient ID: ABC1234567 for the discharge summary.",
        "Hosp #: 5550192 - taken to theatre tonight",
        "hosp no\n  PQR-884410\nbloods due at 6",
    ],
)
def test_labelled_ids(detector, body: str) -> None:
    """An ID right after a hospital-number label is reported, the label not part of the masked span."""
    (f,) = pf.found(detector, pf.inspection(body), "HOSPITAL_NUMBER")
    assert f.score >= 0.8
    assert "[HOSPITAL_NUMBER]" in f.evidence


def test_unlabelled_id_about_a_patient(detector) -> None:
    """A trust-style ID with no label counts when its sentence is about a patient's record."""
    (f,) = pf.found(
        detector,
        pf.inspection("Can you pull the notes for NRH-339021, the patient in bed 3?"),
        "HOSPITAL_NUMBER",
    )
    assert "ID shape" in f.details["reasons"]


def test_table_column(detector) -> None:
    """IDs under a "Hosp no" column header are hospital numbers, with no label on their own line."""
    seg = Segment(
        "Bed | Name | Hosp no | Issue\n1 | A Lee | TRH-220145 | fall\n2 | B Khan | TRH-330912 | sepsis",
        "attachment:list.xlsx/Sheet1",
        kind="attachment",
    )
    (f,) = pf.found(detector, pf.inspection("list attached", segments=[seg]), "HOSPITAL_NUMBER")
    assert f.details.get("count") == 2


def test_configured_trust_format() -> None:
    """A trust's own format from the configuration is found without any label."""
    det = PatientDetector(PatientDetectorOptions(hospital_numbers=(("Northam", r"\bNTH\d{7}\b"),), ner=False))
    det.load()
    (f,) = pf.found(
        det, pf.inspection("Can you find the notes for NTH2049921, admitted today?"), "HOSPITAL_NUMBER"
    )
    assert f.score >= 0.8 and "trust format" in f.details["reasons"]


@pytest.mark.parametrize(
    "body",
    [
        "Student ID 20431187, MBChB Year 2.",
        "MED3021 and MED3030 have moved to LT3.",
        "Mitigating circumstances reference MC-26-0147, chat refs CHT-55120 and CHT-55391.",
        "I live in unit 4, 1234 Long Road (not a hospital number).",
        "Crime reference MB/26/004417 for the burglary.",
        "Patient ID: ANON0042 (anonymised export for the poster)",
        "The record number 55512345 is on the invoice.",
        "Module MED302145 starts in the ward block next week.",
        "Room booking ABC123456 for the clinical skills session.",
    ],
)
def test_traps(detector, body: str) -> None:
    """Student IDs, module codes, references, anonymised IDs and unlabelled numbers are not hospital numbers."""
    assert not pf.found(detector, pf.inspection(body), "HOSPITAL_NUMBER")


@pytest.mark.parametrize(
    "label", ["hosp no", "Hosp. No.", "HOSPITAL NUMBER", "mrn", "Unit No", "k number", "patient id"]
)
def test_label_regex(label: str) -> None:
    """Labels match whatever the case, with or without dots, "no" or "number"."""
    import re

    phrases = ["hosp no", "hospital no", "mrn", "unit no", "k no", "patient id"]
    assert re.fullmatch(keyword_regex(phrases) + r"\.?", label)
