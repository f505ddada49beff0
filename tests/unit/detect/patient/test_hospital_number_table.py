"""Hospital numbers, exactly: what each kind of evidence scores and masks, the label forms, and the IDs that are not a patient's."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gateway.detect.patient import PatientDetector, PatientDetectorOptions
from gateway.detect.patient.hospital_number import keyword_regex
from gateway.model import Finding, Segment
from tests.unit.detect import patientfixtures as pf

CLINICAL = " She was admitted with sepsis and started on IV antibiotics on the ward."
#: a Northam trust number as a trust configures it
TRUST = (("Northam", r"\bNTH\d{7}\b"),)


@pytest.fixture(scope="module")
def trust_detector() -> PatientDetector:
    d = PatientDetector(PatientDetectorOptions(hospital_numbers=TRUST, ner=False))
    d.load()
    return d


def hospital(detector: Any, body: str, segments: list[Segment] | None = None) -> list[Finding]:
    return pf.found(detector, pf.inspection(body, segments=segments or []), "HOSPITAL_NUMBER")


@pytest.mark.parametrize(
    ("body", "score", "reasons", "evidence"),
    [
        ("MRN 77120934 for the form.", 0.8, ["label"], "MRN [HOSPITAL_NUMBER] for the form."),
        (
            "MRN 77120934 for the form." + CLINICAL,
            0.92,
            ["label", "clinical context"],
            "MRN [HOSPITAL_NUMBER] for the form. She was a…",
        ),
        ("Hosp no ERI-447190 for the form.", 0.8, ["label"], "Hosp no [HOSPITAL_NUMBER] for the form."),
        ("Hosp no is ERI-447190 for the form.", 0.8, ["label"], "Hosp no is [HOSPITAL_NUMBER] for the form."),
        ("Hosp no = ERI-447190 for the form.", 0.8, ["label"], "Hosp no = [HOSPITAL_NUMBER] for the form."),
        ("Hosp no (ERI-447190) for the form.", 0.8, ["label"], "Hosp no ([HOSPITAL_NUMBER]) for the form."),
        ("Hosp no.\n  ERI-447190 for the form.", 0.8, ["label"], "[HOSPITAL_NUMBER] for the form."),
        (
            "Hosp no: WGH-552-0193 for the form.",
            0.8,
            ["label", "grouped ID"],
            "Hosp no: [HOSPITAL_NUMBER] for the form.",
        ),
        (
            "Hosp no: WGH-552-0193 for the form." + CLINICAL,
            0.92,
            ["label", "grouped ID"],
            "Hosp no: [HOSPITAL_NUMBER] for the form. She was a…",
        ),
        ("MRN 552 0193 for the form.", 0.8, ["label", "grouped ID"], "[HOSPITAL_NUMBER] for the form."),
        (
            "Please pull the notes for WGH-552-0193 today.",
            0.6,
            ["grouped ID", "patient sentence"],
            "Please pull the notes for [HOSPITAL_NUMBER] today.",
        ),
        (
            "Please pull the notes for the patient, NRH-339021." + CLINICAL,
            0.55,
            ["ID shape", "patient sentence"],
            "…the notes for the patient, [HOSPITAL_NUMBER]. She was admitted with…",
        ),
        (
            "Please pull the notes for the patient, NRH339021." + CLINICAL,
            0.55,
            ["ID shape", "patient sentence"],
            "…the notes for the patient, [HOSPITAL_NUMBER]. She was admitted with…",
        ),
    ],
)
def test_score_reasons_and_mask_per_evidence(
    detector: Any, body: str, score: float, reasons: list[str], evidence: str
) -> None:
    """A label gives 0.8 (0.92 in clinical mail), a patient sentence 0.6 or 0.55; the mask covers the ID's letters too."""
    (f,) = hospital(detector, body)
    assert (f.score, f.details["reasons"], f.evidence) == (score, reasons, evidence)


@pytest.mark.parametrize(
    ("body", "score", "reasons"),
    [
        ("Can you pull the notes for NTH2049921 today?", 0.75, ["trust format"]),
        ("The number NTH2049921 is on the form.", 0.8, ["trust format"]),
        (
            "Can you pull the notes for NTH2049921 today?" + CLINICAL,
            0.9,
            ["trust format", "clinical context"],
        ),
    ],
)
def test_configured_trust_format_scores(
    trust_detector: Any, body: str, score: float, reasons: list[str]
) -> None:
    """A configured trust format scores 0.75, plus 0.05 for a context word before it and 0.15 in clinical mail."""
    (f,) = hospital(trust_detector, body)
    assert (f.score, f.details["reasons"]) == (score, reasons)


def table(rows: str) -> Segment:
    return Segment("Row | Name | Hosp no | Issue\n" + rows, "attachment:list.xlsx/Sheet1", kind="attachment")


@pytest.mark.parametrize(
    ("rows", "body", "score", "count"),
    [
        ("1 | A Lee | TRH-220145 | tbc\n2 | B Khan | 330912 | tbc", "list attached", 0.8, 2),
        ("1 | A Lee | TRH-220145 | tbc\n2 | B Khan | see notes | tbc", "list attached", 0.8, None),
        ("1 | A Lee | TRH-220145 | tbc\n2 | B Khan", "list attached", 0.8, None),
        ("1 | A Lee | TRH-220145 | tbc\n2", "list attached", 0.8, None),
        ("1 | A Lee | TRH-220145 | tbc", "list attached." + CLINICAL, 0.92, None),
    ],
)
def test_table_column(detector: Any, rows: str, body: str, score: float, count: int | None) -> None:
    """Every ID under a hospital-number column counts (0.92 in clinical mail); other text and short rows do not."""
    (f,) = hospital(detector, body, [table(rows)])
    assert (f.score, f.details["reasons"], f.details.get("count")) == (score, ["table column"], count)


@pytest.mark.parametrize(
    "body",
    [
        *(
            f"Hosp no {p}447190 for the form."
            for p in ("ANON", "TEST", "XXX", "DEMO", "DUMMY", "SAMPLE", "test")
        ),
        "Please pull the notes for XXX-552-0193 today.",
        *(
            f"Please pull the notes for {p} 552 0193 today."
            for p in ("NHS", "CHI", "HCN", "HC", "TEL", "MOB", "FAX", "EXT", "PIN", "REF")
        ),
        *(
            f"{label} WGH-552-0193 for the patient notes."
            for label in (
                "Room",
                "Rm no.",
                "Course code:",
                "Module",
                "Job number",
                "Seat",
                "Desk #",
                "Locker",
            )
        ),
        "Please pull the lecture notes for WGH-552-0193 today.",
        "Please pull the notes for 552 0193 today.",
        "WGH-552-0193 for the form.",
        "Order number WGH-552-0193 for the patient notes.",
        "Please pull the notes for the patient, NRH-33902." + CLINICAL,
        "Please pull the notes for the patient, nrh-339021." + CLINICAL,
        "Please pull the notes for the patient, CHI-339021." + CLINICAL,
        "Please pull the notes for the patient, NHS 3390211." + CLINICAL,
        "Please pull the notes for the patient, order NRH-339021." + CLINICAL,
        "Please pull the notes for the patient, 4F3A21C412345." + CLINICAL,
        "Please pull the notes for the patient, A4F3A21C412345." + CLINICAL,
        "Please pull the form for NRH-339021 from the shelf." + CLINICAL,
        "Hosp no was 447190/2 for the form.",
    ],
)
def test_not_a_patients_hospital_number(detector: Any, body: str) -> None:
    """Placeholders, other labels (NHS, phone, room, course, order), teaching, short or lower-case IDs, references: nothing."""
    assert hospital(detector, body) == []


def test_unlabelled_ids_need_clinical_mail(detector: Any) -> None:
    """An unlabelled trust-style ID counts only in a message with clinical words."""
    assert hospital(detector, "Please pull the notes for NRH-339021 from the shelf.") == []
    assert hospital(detector, "Please pull the notes for NRH-339021 from the shelf." + CLINICAL)


def ids(n: int, start: int = 0) -> list[str]:
    return [f"WGH-{(start + i) // 1000 + 100:03d}-{(start + i) % 1000 + 1000:04d}" for i in range(n)]


def test_grouped_ids_in_patient_sentences_stop_at_200(detector: Any) -> None:
    """At most 200 unlabelled grouped IDs are reported per part (enough to hold the message)."""
    body = " ".join(f"Please pull the notes for {i} today." for i in ids(230))
    (f,) = hospital(detector, body)
    assert f.details["count"] == 200


def test_labelled_grouped_ids_are_judged_up_to_1000(detector: Any) -> None:
    """Labelled grouped IDs count past 200, up to the 1000 judged per part."""
    body = "\n".join(f"Hosp no: {i}" for i in ids(1010))
    (f,) = hospital(detector, body)
    assert f.details["count"] == 1000


@pytest.mark.parametrize(
    ("phrases", "text", "matched"),
    [
        (["hosp no"], "Hosp No. 123", "Hosp No."),
        (["hosp no"], "HOSP NUMBER 123", "HOSP NUMBER"),
        (["hosp no"], "hosp num 123", "hosp num"),
        (["hosp no"], "hosp nr 123", "hosp nr"),
        (["hosp no"], "hosp # 123", "hosp #"),
        (["hosp no"], "hosp.no 123", "hosp.no"),
        (["hosp no"], "hosp\t no 123", "hosp\t no"),
        (["patient id"], "Patient Identifier 123", "Patient Identifier"),
        (["patient id"], "patient ident. 123", "patient ident."),
        (["patient id"], "PATIENT ID: 123", "PATIENT ID"),
        (["mrn", "mrn no"], "MRN no 123", "MRN no"),
        (["mrn no", "mrn"], "MRN no 123", "MRN no"),
        (["k no"], "k. number 123", "k. number"),
        (["mrn"], "submrn 123", None),
        (["hosp no"], "hospital no 123", None),
        (["mrn"], "MRNs 123", None),
    ],
)
def test_label_regex_table(phrases: list[str], text: str, matched: str | None) -> None:
    """A label matches whole words in any case, dots optional, "no" as number/num/nr/#, "id" as ident/identifier, longest first."""
    m = re.search(keyword_regex(phrases) + r"(?!\w)", text)
    assert (m.group() if m else None) == matched


def quoted_far(ident: str, distance: int) -> str:
    """A "Medical record number:" label whose start is `distance` characters before `ident`, quote marks between."""
    label = "Medical record number:"
    pad = distance - len(label) - 1
    return label + "\n" + "> " * (pad // 2) + " " * (pad % 2) + ident + " for the form."


@pytest.mark.parametrize(
    ("body", "reasons"),
    [
        (quoted_far("4471902", 40), ["label"]),
        (quoted_far("4471902", 41), None),
        (quoted_far("ERI-447190", 40), ["label"]),
        (quoted_far("ERI-447190", 41), None),
        (quoted_far("WGH-552-0193", 40), ["label", "grouped ID"]),
        (quoted_far("WGH-552-0193", 41), None),
        ("Room:" + " " * 19 + "WGH-552-0193 for the patient notes.", None),
        ("Room:" + " " * 20 + "WGH-552-0193 for the patient notes.", ["grouped ID", "patient sentence"]),
    ],
)
def test_how_far_a_label_reaches(detector: Any, body: str, reasons: list[str] | None) -> None:
    """A hospital-number label reaches 40 characters (across a line break and quote marks); a room label 24."""
    found = hospital(detector, body)
    assert [f.details["reasons"] for f in found] == ([reasons] if reasons else [])


@pytest.mark.parametrize(
    ("body", "reasons"),
    [
        ("NRH-339021 for the patient in bed 3", ["ID shape", "patient sentence"]),
        ("WGH-552-0193 has metastatic breast cancer.", ["grouped ID", "patient sentence"]),
        ("Please pull the notes for the patient, FEDC123456." + CLINICAL, ["ID shape", "patient sentence"]),
        ("Please pull the notes for the patient, FED123456A." + CLINICAL, None),
    ],
)
def test_unlabelled_edges(detector: Any, body: str, reasons: list[str] | None) -> None:
    """An ID at the very start counts, a health fact makes a patient sentence; a hexadecimal token with letters after its digits is a reference."""
    found = hospital(detector, body)
    assert [f.details["reasons"] for f in found] == ([reasons] if reasons else [])


def test_an_nhs_number_is_not_also_a_hospital_number(detector: Any) -> None:
    """Grouped digits after a hospital label that are a valid NHS number are reported once, as the NHS number."""
    found = pf.found(detector, pf.inspection("MRN 485 000 0002 on the form."))
    assert [f.type for f in found] == ["NHS_NUMBER"]


@pytest.mark.parametrize(
    ("body", "count"),
    [
        ("Hosp no TEST447190 crossed out, hosp no ERI-447190 for the form.", None),
        ("Order number WGH-552-0193, and hosp no: WGH-552-0194 for the form.", None),
        ("MRN AB12345 for the form.", None),
    ],
)
def test_a_rejected_id_does_not_stop_the_scan(detector: Any, body: str, count: int | None) -> None:
    """A placeholder or an order number before a labelled ID does not hide it; letters right after the label belong to the ID."""
    (f,) = hospital(detector, body)
    assert (f.score, f.details.get("count")) == (0.8, count)


def test_a_short_row_in_the_middle(detector: Any) -> None:
    """A row too short to reach the hospital-number column does not stop the rows after it."""
    (f,) = hospital(
        detector,
        "list attached",
        [table("1 | A Lee | TRH-220145 | tbc\n2 | B Khan\n3 | C Ray | TRH-330912 | tbc")],
    )
    assert f.details["count"] == 2


def test_unlabelled_ids_stop_once_200_are_reported(detector: Any) -> None:
    """Past 200 reported IDs (labelled ones included), unlabelled ones in patient sentences are no longer judged."""
    labelled = "\n".join(f"Hosp no: {i}" for i in ids(250))
    unlabelled = " ".join(f"Please pull the notes for {i} today." for i in ids(10, start=500))
    (f,) = hospital(detector, labelled + "\n" + unlabelled)
    assert f.details["count"] == 250
