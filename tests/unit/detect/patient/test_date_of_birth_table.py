"""Dates of birth, shape by shape: what each written form reads as, the 1900-to-today window, and what the finding says."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gateway.detect.patient.date_of_birth import any_date_ok, birth_date_ok, parse_date
from tests.unit.detect import patientfixtures as pf

TODAY = dt.date.today()
YY = TODAY.year % 100


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/1/1949", dt.date(1949, 1, 3)),
        ("03.11.49", dt.date(1949, 11, 3)),
        (f"01/01/{YY:02d}", dt.date(2000 + YY, 1, 1)),
        (f"01/01/{(YY + 1) % 100:02d}", dt.date(1900 + (YY + 1) % 100 + (100 if YY == 99 else 0), 1, 1)),
        ("1949-1-3", dt.date(1949, 1, 3)),
        ("19491231", dt.date(1949, 12, 31)),
        ("1st January 2001", dt.date(2001, 1, 1)),
        ("23rd Sept. 1960", dt.date(1960, 9, 23)),
        ("30th of december, 1999", dt.date(1999, 12, 30)),
        ("Dec 3rd, 1955", dt.date(1955, 12, 3)),
        ("  31/12/1980.  ", dt.date(1980, 12, 31)),
        ("3 Smarch 1960", None),
        ("Smarch 3, 1960", None),
        ("13/13/1960", None),
        ("1960-02-30", None),
        ("19600230", None),
        ("03/11/196", None),
        ("03/11/19490", None),
        ("tomorrow", None),
        ("the  twenty-first of May 1958", dt.date(1958, 5, 21)),
        ("first the May 1958", None),
    ],
)
def test_parse_table(text: str, expected: dt.date | None) -> None:
    """Each written form reads as the date a person would read; two-digit years up to this year are 20xx, later ones 19xx."""
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("date", "ok"),
    [
        (dt.date(1900, 1, 1), True),
        (dt.date(1899, 12, 31), False),
        (TODAY, True),
        (TODAY + dt.timedelta(days=1), False),
    ],
)
def test_birth_dates_lie_between_1900_and_today(date: dt.date, ok: bool) -> None:
    """A date of birth is from 1 January 1900 up to and including today."""
    assert birth_date_ok(date.strftime("%d/%m/%Y")) is ok
    assert any_date_ok(date.strftime("%d/%m/%Y"))


def test_unreadable_dates_are_not_dates() -> None:
    """Text that is no date is neither a date nor a date of birth."""
    assert not any_date_ok("31/02/1950") and not birth_date_ok("31/02/1950")


@pytest.mark.parametrize(
    ("body", "reasons"),
    [
        ("Warfarin dosing question from clinic: DOB 03/11/1949.", ["label", "clinical context"]),
        (
            "Mrs Ashby, 84, seen in clinic after the ward round, DOB 03/11/1949, on warfarin.",
            ["label", "clinical context", "patient cue"],
        ),
    ],
)
def test_labelled_finding_says_why(detector: Any, body: str, reasons: list[str]) -> None:
    """A labelled date of birth names its evidence: the label, a clinical message, a patient cue nearby."""
    (f,) = pf.found(detector, pf.inspection(body), "DATE_OF_BIRTH")
    assert f.details["reasons"] == reasons and "[DATE_OF_BIRTH]" in f.evidence


def test_patient_cue_scores_higher(detector: Any) -> None:
    """A patient cue next to a labelled date of birth makes it stronger evidence than the label alone."""
    plain = pf.found(detector, pf.inspection("Warfarin dosing question from clinic: DOB 03/11/1949."))
    cued = pf.found(
        detector,
        pf.inspection("Mrs Ashby, 84, seen in clinic after the ward round, DOB 03/11/1949, on warfarin."),
    )
    score = {f.type: f.score for f in plain}["DATE_OF_BIRTH"]
    assert {f.type: f.score for f in cued}["DATE_OF_BIRTH"] > score >= 0.5


@pytest.mark.parametrize(
    "body",
    [
        "Seen in clinic after the ward round, DOB 03/11/1899, on warfarin.",
        f"Seen in clinic after the ward round, DOB {(TODAY + dt.timedelta(days=3)).strftime('%d/%m/%Y')}, on warfarin.",
        "Seen in clinic after the ward round, DOB 31/02/1949, on warfarin.",
    ],
)
def test_impossible_birth_dates_are_not_reported(detector: Any, body: str) -> None:
    """A labelled date before 1900, in the future or not in the calendar is no date of birth."""
    assert pf.found(detector, pf.inspection(body), "DATE_OF_BIRTH") == []


def test_dob_column_finding_names_the_column(detector: Any) -> None:
    """A date under a DOB column is reported as a table-column finding."""
    from gateway.model import Segment

    seg = Segment("Bed\tDOB\tIssue\n1\t04/05/1941\tfall", "attachment:list.xlsx/Sheet1", kind="attachment")
    (f,) = pf.found(detector, pf.inspection("ward round handover", segments=[seg]), "DATE_OF_BIRTH")
    assert f.details["reasons"] == ["table column"] and f.where == "attachment:list.xlsx/Sheet1"


OF_ANY_CASE = [
    ("capital OF", "DOB 3rd OF May 1950"),
    ("title case Of", "date of birth 3rd Of May 1950"),
    ("all capitals", "born on the 3RD OF MAY 1950"),
    ("capital OF, two-digit year", "dob 3rd OF May 50"),
    ("capital OF, day in words", "born on the THIRD OF MAY 1950"),
]


@pytest.mark.parametrize("dob", [d for _, d in OF_ANY_CASE], ids=[i for i, _ in OF_ANY_CASE])
def test_of_in_any_case(detector, dob: str) -> None:
    """A labelled date of birth whose "of" is typed in capitals reads as one, like its lower-case twin."""
    body = f"Admitted overnight with chest pain, {dob}, on the cardiology ward."
    (f,) = pf.found(detector, pf.inspection(body), "DATE_OF_BIRTH")
    assert f.score >= 0.5 and "[DATE_OF_BIRTH]" in f.evidence and "1950" not in f.evidence
