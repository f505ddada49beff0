"""Northern Ireland H&C numbers: 320-399 million with the modulus-11 check digit."""

from __future__ import annotations

import pytest

from tests.unit.detect import patientfixtures as pf

HC = pf.nhs_number("352", " ")


@pytest.mark.parametrize(
    "body",
    [
        f"Her H&C number is {HC}; she was admitted from Belfast.",
        f"Health and Care number {HC.replace(' ', '')} on the referral letter for clinic.",
        f"Transferred from the Ulster ward, NHS no {HC}, for rehab.",
        f"The patient in bed 6, {HC}, needs a repeat potassium.",
    ],
)
def test_found(detector, body: str) -> None:
    """Labelled (H&C, health and care, NHS) or in a clinical passage: reported as HC_NUMBER."""
    (f,) = pf.found(detector, pf.inspection(body), "HC_NUMBER")
    assert f.score >= 0.5


def test_not_an_nhs_number(detector) -> None:
    """An H&C-range number is reported as H&C, not also as an English NHS number."""
    assert pf.types(detector, pf.inspection(f"H&C {HC} admitted to ward 4")) == {"HC_NUMBER"}


@pytest.mark.parametrize(
    "body",
    [
        f"Invoice {HC} is attached, payable in 30 days.",
        f"Our house reference is {HC} for the letting agent.",
        f"H&C {pf.failing_number('352')} was what she wrote down (not a valid number).",
    ],
)
def test_traps(detector, body: str) -> None:
    """Other labels, no clinical context, or a failing check digit: nothing."""
    assert not pf.found(detector, pf.inspection(body), "HC_NUMBER")
