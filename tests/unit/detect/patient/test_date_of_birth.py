"""Dates of birth: labelled, in a DOB column, or after initials, in clinical messages; never the writer's own."""

from __future__ import annotations

import datetime as dt

import pytest

from gateway.detect.patient.date_of_birth import birth_date_ok, parse_date
from gateway.model import Segment
from tests.unit.detect import patientfixtures as pf


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/11/1949", dt.date(1949, 11, 3)),
        ("22.08.1966", dt.date(1966, 8, 22)),
        ("3-11-49", dt.date(1949, 11, 3)),
        ("1949-11-03", dt.date(1949, 11, 3)),
        ("19491103", dt.date(1949, 11, 3)),
        ("2nd Feb 1938", dt.date(1938, 2, 2)),
        ("19 June 1957", dt.date(1957, 6, 19)),
        ("4th of March 1971", dt.date(1971, 3, 4)),
        ("February 2, 1938", dt.date(1938, 2, 2)),
        ("31/02/1950", None),
    ],
)
def test_parse(text: str, expected: dt.date | None) -> None:
    """Numeric, ISO, compact and written dates are read; impossible dates are not."""
    assert parse_date(text) == expected


def test_future_is_not_a_birth_date() -> None:
    """A date in the future is nobody's date of birth."""
    assert not birth_date_ok((dt.date.today() + dt.timedelta(days=40)).strftime("%d/%m/%Y"))


@pytest.mark.parametrize(
    "body",
    [
        "The patient we saw on the ward round, DOB 03/11/1949, needs her warfarin reviewed.",
        "Seen in clinic: d.o.b. 19 June 1957, admitted last week with a bleed.",
        "Date of birth: 22.08.1966 - referred to the respiratory team.",
        "She was born 2nd Feb 1938 and died on the stroke unit this morning.",
        "Pt DOB 1949-11-03, for the diabetic review at the surgery.",
        "DOB: 19491103 on the request form for the CT.",
    ],
)
def test_labelled(detector, body: str) -> None:
    """A labelled date in a clinical message is reported, masked."""
    (f,) = pf.found(detector, pf.inspection(body), "DATE_OF_BIRTH")
    assert f.score >= 0.5 and "[DATE_OF_BIRTH]" in f.evidence


def test_dob_column(detector) -> None:
    """Dates under a DOB column of a clinical table are dates of birth."""
    seg = Segment(
        "Bed\tInitials\tDOB\tIssue\n1\tA.B.\t04/05/1941\tfall\n2\tC.D.\t11/12/1950\tsepsis",
        "attachment:handover.xlsx/Sheet1",
        kind="attachment",
    )
    (f,) = pf.found(detector, pf.inspection("handover", segments=[seg]), "DATE_OF_BIRTH")
    assert f.details.get("count") == 2


def test_initials_and_date(detector) -> None:
    """Initials followed by a date, in a clinical message, identify a patient."""
    insp = pf.inspection("Rang J.K.L., 07/09/1944, about the repeat U&E after the ward round.")
    assert pf.types(detector, insp) & {"INITIALS_AND_DOB", "DATE_OF_BIRTH"}


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("My DOB is 03/11/2001 if you need it for the booking.", []),
        ("I was born on 4th of March 2002, so I can't rent the car.", []),
        ("DOB 03/11/1949 - please fill in the passport form for Grandad.", []),
        (
            "CV attached.",
            [
                Segment(
                    "Robin Ashcombe - Curriculum Vitae\n\nDate of birth: 14/05/2003. Placements: ED, acute medicine.",
                    "attachment:cv.pdf",
                    kind="attachment",
                )
            ],
        ),
        ("The lecture on 12/03/2026 covers sepsis and the ward round.", []),
    ],
)
def test_traps(detector, body: str, segments: list[Segment]) -> None:
    """The writer's own date of birth, dates in non-clinical mail and teaching dates are not reported."""
    assert not pf.found(detector, pf.inspection(body, segments=segments), "DATE_OF_BIRTH")
