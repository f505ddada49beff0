"""The grammar added in round 7 for phone numbers, dates and years of birth and hospital numbers: each shape
found, and the near misses beside it that stay clean."""

from __future__ import annotations

import datetime as dt

import pytest

from gateway.detect.patient.date_of_birth import parse_date
from tests.unit.detect import patientfixtures as pf


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            "Please ring the patient on 0044 7700 900 125 about his biopsy result.", id="0044 prefix"
        ),
        pytest.param(
            "Please ring her on 00 44 161 496 0735 about her colonoscopy result.", id="00 44 spaced"
        ),
        pytest.param(
            "Her husband’s number is 020 7946 0123, he wants an update on her chemo.", id="curly apostrophe"
        ),
        pytest.param(
            "The patient’s mobile is 07700 900456, she wants her biopsy result.", id="curly patient’s"
        ),
        pytest.param("Son 07700 900987 re her CT scan result, the man in bed 4.", id="relative word before"),
        pytest.param("NOK wife: 07700 900654 - update her after his surgery.", id="nok then relative"),
        pytest.param(
            "Daughter's mobile: 07700 900246 - her mum's biopsy result.", id="relative's mobile colon"
        ),
        pytest.param(
            "His daughter asked for a call back on 07700 900 246 about his dementia assessment.",
            id="relative asked for a call back",
        ),
        pytest.param(
            "The patient requested a call back on 07700 900 247 about the biopsy result.",
            id="patient requested a call back",
        ),
        pytest.param("ring pt 01632 960123 thyroid results", id="ring pt"),
        pytest.param("call pt back 07700 900 128 chest x-ray result", id="call pt back"),
    ],
)
def test_phone_found(detector, body: str) -> None:
    """A patient's or relative's number in each way notes and subject lines write it is reported."""
    assert pf.found(detector, pf.inspection(body), "PATIENT_PHONE")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("My husband 07700 900123 can pick me up after my blood test.", id="my husband"),
        pytest.param("Our son 07700 900124 is ill with flu, so I may miss the lecture.", id="our son"),
        pytest.param("Call me back on 07700 900125 about the biopsy tutorial.", id="call me back"),
        pytest.param(
            "The son of the founder 07700 900126 gave a talk on diabetes.", id="relative not before"
        ),
        pytest.param(
            "Conference line 0044 20 3855 0123 for the journal club on sepsis.", id="0044 service line"
        ),
    ],
)
def test_phone_clean(detector, body: str) -> None:
    """The writer's own family, the writer's own number and service lines are not a patient's phone."""
    assert not pf.found(detector, pf.inspection(body), "PATIENT_PHONE")


@pytest.mark.parametrize(
    ("written", "date"),
    [
        ("21 05 1958", dt.date(1958, 5, 21)),
        ("3 3 38", dt.date(1938, 3, 3)),
        ("21MAY1958", dt.date(1958, 5, 21)),
        ("9nov47", dt.date(1947, 11, 9)),
        ("21 05/1958", None),
        ("21may", None),
    ],
)
def test_parse_spaced_and_squashed(written: str, date: dt.date | None) -> None:
    """Spaced numbers and a record's squashed date are read; separators must agree; a year is needed."""
    assert parse_date(written) == date


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            "The woman in bay 3, DOB 21 05 1958, came in with a fall and a head injury.", id="spaced"
        ),
        pytest.param(
            "The woman in bay 3, DOB 21MAY1958, came in with a fall and a head injury.", id="squashed"
        ),
        pytest.param(
            "The man in bay 3, aged 84 (b. 1940), came in with a fall and a head injury.", id="b. year"
        ),
        pytest.param("Patient in bed 2, YOB 1951, admitted with chest pain overnight.", id="YOB"),
        pytest.param("The patient in bed 2 was born in 1951 and admitted with a stroke.", id="born in"),
    ],
)
def test_date_of_birth_found(detector, body: str) -> None:
    """Dates of birth spaced or squashed after a label, and a year of birth beside a patient, are reported."""
    assert pf.found(detector, pf.inspection(body), "DATE_OF_BIRTH")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            "Alexander Fleming (b. 1881) discovered penicillin; sepsis lecture next week.", id="history"
        ),
        pytest.param("I was born in 1990 and had asthma as a child, for the OH form.", id="writer"),
        pytest.param("The hospital was built in 1940 and the stroke unit opened later.", id="no label"),
        pytest.param(
            "Book chapter on diabetes, 2nd edn., b. 1999 reprint, for the tutorial.", id="no patient"
        ),
        pytest.param(f"Sepsis teaching, the ward opened b. {dt.date.today().year + 1}.", id="future year"),
    ],
)
def test_birth_year_clean(detector, body: str) -> None:
    """A historical figure's year, the writer's own, a year without a birth label or a patient is clean."""
    assert not pf.found(detector, pf.inspection(body), "DATE_OF_BIRTH")


@pytest.mark.parametrize(
    ("body", "evidence"),
    [
        (
            "Could you find the letter for hosp no K 330 5518? Seen in the fracture clinic.",
            "hosp no [HOSPITAL_NUMBER]",
        ),
        ("MRN RJ 552 0193 - admitted overnight with chest pain.", "MRN [HOSPITAL_NUMBER]"),
    ],
)
def test_hospital_letter_then_grouped_digits(detector, body: str, evidence: str) -> None:
    """After a label, a site letter and grouped digits are one hospital number, letter included."""
    (f,) = pf.found(detector, pf.inspection(body), "HOSPITAL_NUMBER")
    assert evidence in f.evidence
