"""A patient's address: postcode (official format) and/or house and street, in a passage about a patient."""

from __future__ import annotations

import pytest

from gateway.detect.patient import PatientDetector, PatientDetectorOptions
from gateway.model import Segment
from tests.unit.detect import patientfixtures as pf


@pytest.mark.parametrize(
    "body",
    [
        "First home visit was 14 Heron Close, NE4 7QT, a frail man with a pressure sore.",
        "The patient lives at Flat 2, 9 Mill Street, Anytown AB1 2CD and is housebound.",
        "District nurse visit to 27 Larkspur Avenue this morning: leg ulcer dressing.",
        "Address: 3 Orchard Rise, BT9 5AB - discharged home yesterday with a care package.",
    ],
)
def test_found(detector, body: str) -> None:
    """House and street and/or postcode in a passage about a patient are reported."""
    (f,) = pf.found(detector, pf.inspection(body), "PATIENT_ADDRESS")
    assert f.score >= 0.5 and "[PATIENT_ADDRESS]" in f.evidence


def test_postcode_format() -> None:
    """Only the official UK postcode shapes count."""
    import regex

    from gateway.detect.patient.address import POSTCODE

    good = ["SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A 1BB", "W1A 0AX"]
    bad = ["QV1 1AA", "M1 1CI", "AB12", "12AB 3CD"]
    rx = regex.compile(POSTCODE)
    assert all(rx.fullmatch(p) for p in good)
    assert not any(rx.fullmatch(p) for p in bad)


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        (
            "Kind regards,\nRobin Ashcombe\nSchool of Medicine, Foundry House, 1 Quay Street, Northam NM2 5EX\n"
            "Switchboard 0161 496 0000",
            [],
        ),
        ("This is the third time I have reported the mould in my flat at 14B Weaver Street, NM3 6HL.", []),
        ("We meet at Northam General Hospital, 1 Infirmary Road, NM1 3RA, for the ward round.", []),
        ("Council tax letter for 9 Larch Terrace arrived today.", []),
        ("Flat viewing at 22 Larkspur Road, MB5 8PJ on Saturday - shall we all go after the ward round?", []),
        (
            "CV attached.",
            [
                Segment(
                    "Robin Ashcombe - Curriculum Vitae\nAddress: 22 Elm Road, Northam NM5 8PJ. Placements: ED.",
                    "attachment:cv.pdf",
                    kind="attachment",
                )
            ],
        ),
    ],
)
def test_traps(detector, body: str, segments: list[Segment]) -> None:
    """Signatures, the writer's own address, hospitals' and universities' addresses: not a patient's."""
    assert not pf.found(detector, pf.inspection(body, segments=segments), "PATIENT_ADDRESS")


def test_own_postcode_from_config() -> None:
    """The university's own postcode (config) is never a patient's, even in a clinical sentence."""
    det = PatientDetector(PatientDetectorOptions(own_postcodes=("NM2 5EX",), ner=False))
    det.load()
    body = "The patient was seen at our skills centre, NM2 5EX, for a dressing change."
    assert not pf.found(det, pf.inspection(body), "PATIENT_ADDRESS")
