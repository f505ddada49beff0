"""Scottish CHI numbers: a date of birth, then a check digit; found with "CHI" or in clinical text."""

from __future__ import annotations

import pytest

from gateway.detect.patient.chi_number import chi_date_ok, chi_ok
from tests.unit.detect import patientfixtures as pf

CHI = pf.chi_number("140372")


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        (CHI, True),
        (pf.chi_number("290200"), True),  # 29 Feb 2000
        ("3102721234", False),  # 31 February
        ("0013721234", False),  # day 00
        (CHI[:9] + str((int(CHI[9]) + 1) % 10), False),  # wrong check digit
    ],
)
def test_chi_validation(number: str, ok: bool) -> None:
    """A CHI needs a real date and the modulus-11 check digit."""
    assert chi_ok(number) is ok


def test_date_part() -> None:
    """The first six digits are read as DDMMYY."""
    assert chi_date_ok("0101990000") and not chi_date_ok("3204990000")


@pytest.mark.parametrize(
    "body",
    [
        f"Holiday-maker from Fife on AMU, CHI {CHI[:6]} {CHI[6:]}, needs a repeat troponin.",
        f"Use the CHI number on the forms: {CHI}.",
        f"Bed | ID | Issue\nA2 | CHI {CHI} | NSTEMI",
        f"Admitted overnight with pneumonia, {CHI[:6]} {CHI[6:]}, on IV antibiotics in bed 4.",
    ],
)
def test_found(detector, body: str) -> None:
    """With the word CHI, or a clearly clinical passage, a valid CHI is reported."""
    (f,) = pf.found(detector, pf.inspection(body), "CHI_NUMBER")
    assert f.score >= 0.5


@pytest.mark.parametrize(
    "body",
    [
        f"Booking reference {CHI} for the flights to Inverness.",
        f"The competition entry code is {CHI}, good luck!",
        "CHI 3102721234 is what the form said (a date that does not exist).",
    ],
)
def test_traps(detector, body: str) -> None:
    """Date-shaped numbers with another label, without clinical context, or with an impossible date: nothing."""
    assert not pf.found(detector, pf.inspection(body), "CHI_NUMBER")
