"""Patient details in DICOM headers, from the extractor's metadata segment and the artifact's tags."""

from __future__ import annotations

import pytest

from gateway.detect.patient.dicom_tags import anonymised, metadata_identifiers
from gateway.model import Artifact, Segment
from tests.unit.detect import patientfixtures as pf

WHERE = "attachment:chest.dcm"


def dicom_segment(lines: str) -> Segment:
    return Segment(lines, WHERE, kind="metadata")


def test_tags_as_text(detector) -> None:
    """PatientName, PatientID and PatientBirthDate lines are a name, a hospital number and a date of birth."""
    seg = dicom_segment(
        "PatientName: Aurelia Vance\nPatientID: QEH-118274\nPatientBirthDate: 1961-04-12\nModality: CR"
    )
    got = {f.type: f for f in pf.found(detector, pf.inspection("scan attached", segments=[seg]))}
    assert {"PATIENT_NAME", "HOSPITAL_NUMBER", "DATE_OF_BIRTH"} <= set(got)
    assert all(
        f.where == WHERE and "Vance" not in f.evidence and "118274" not in f.evidence for f in got.values()
    )


def test_tags_in_artifact_metadata(detector) -> None:
    """Tag values in a DICOM artifact's metadata are found even without a text segment."""
    art = Artifact(
        "dicom", WHERE, "chest.dcm", "application/dicom", 4000, metadata={"PatientName": "VANCE^AURELIA"}
    )
    (f,) = pf.found(detector, pf.inspection("scan attached", artifacts=[art]), "PATIENT_NAME")
    assert f.evidence == "DICOM PatientName [PATIENT_NAME]"


def test_anonymised_header(detector) -> None:
    """An anonymiser's placeholders are not identifiers."""
    seg = dicom_segment("PatientName: SSC01 ANON\nPatientID: ANON0001\nModality: CT")
    art = Artifact(
        "dicom",
        WHERE,
        "ct.dcm",
        "application/dicom",
        4000,
        metadata={"PatientName": "ANON^SSC01", "PatientID": "ANON0001"},
    )
    assert not pf.found(detector, pf.inspection("for the poster", segments=[seg], artifacts=[art]))


@pytest.mark.parametrize(
    ("value", "anon"),
    [
        ("", True),
        ("ANON^SSC01", True),
        ("Anonymous", True),
        ("REMOVED", True),
        ("^", True),
        ("VANCE^AURELIA", False),
        ("QEH-118274", False),
    ],
)
def test_anonymised_values(value: str, anon: bool) -> None:
    """Blank and placeholder values count as anonymised; real values do not."""
    assert anonymised(value) is anon


def test_metadata_identifiers_ignore_other_tags() -> None:
    """Only patient tags count: modality, institution and study dates are not patient identifiers."""
    meta = {
        "Modality": "CT",
        "InstitutionName": "NORTHAM GENERAL",
        "StudyDate": "20260101",
        "PatientID": "QEH-1",
    }
    assert metadata_identifiers(meta) == [("HOSPITAL_NUMBER", "PatientID")]


def test_patient_label_in_prose_is_not_a_tag(detector) -> None:
    """ "Patient name:" in a document is judged as a name (with its checks), not as a DICOM tag."""
    seg = Segment(
        "Patient name: ______________ (leave blank, anonymise everything)",
        "attachment:form.docx",
        kind="attachment",
    )
    assert not pf.found(detector, pf.inspection("form", segments=[seg]))
