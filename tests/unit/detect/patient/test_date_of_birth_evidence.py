"""Dates of birth, exactly: every label and written form found and masked, what each kind of evidence scores, and the limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gateway.detect.patient.date_of_birth import parse_date
from gateway.model import Finding, Segment
from tests.unit.detect import patientfixtures as pf


def dob(detector: Any, body: str, segments: list[Segment] | None = None) -> list[Finding]:
    return pf.found(detector, pf.inspection(body, segments=segments or []), "DATE_OF_BIRTH")


CUED = "Seen in clinic, {}, on warfarin."
LABELS = [
    "DOB",
    "dob",
    "D.O.B.",
    "d.o.b",
    "D O B",
    "DOB:",
    "DOB -",
    "DOB =",
    "DOB –",
    "Date of birth",
    "DATE OF BIRTH:",
    "date of birth is",
    "Birth date",
    "birthdate",
    "born",
    "Born on",
    "born on the",
    "DOB was",
    "Born On",
    "BORN ON THE",
    "DOB IS",
    "DOB Was",
]


@pytest.mark.parametrize("label", LABELS)
def test_every_label_form(detector: Any, label: str) -> None:
    """Each way of writing the label introduces a date of birth; the label stays readable, the date alone is masked."""
    (f,) = dob(detector, CUED.format(f"{label} 03/11/1949"))
    assert (f.score, f.details["reasons"]) == (0.9, ["label", "clinical context", "patient cue"])
    assert f.evidence.endswith(f"{label} [DATE_OF_BIRTH], on warfarin.")


WRITTEN = [
    ("03/11/1949", dt.date(1949, 11, 3)),
    ("3.11.1949", dt.date(1949, 11, 3)),
    ("3-11-49", dt.date(1949, 11, 3)),
    ("31/12/1949", dt.date(1949, 12, 31)),
    ("10/10/1949", dt.date(1949, 10, 10)),
    ("29/02/1948", dt.date(1948, 2, 29)),
    ("1949-11-03", dt.date(1949, 11, 3)),
    ("2001-1-31", dt.date(2001, 1, 31)),
    ("19491103", dt.date(1949, 11, 3)),
    ("20011231", dt.date(2001, 12, 31)),
    ("3rd Nov 1949", dt.date(1949, 11, 3)),
    ("1st of November 1949", dt.date(1949, 11, 1)),
    ("22nd Nov. 1949", dt.date(1949, 11, 22)),
    ("3 November, 1949", dt.date(1949, 11, 3)),
    ("November 3, 1949", dt.date(1949, 11, 3)),
    ("Nov. 3rd 1949", dt.date(1949, 11, 3)),
    ("9 Nov 47", dt.date(1947, 11, 9)),
    ("9 Nov '47", dt.date(1947, 11, 9)),
    ("9 Nov ’47", dt.date(1947, 11, 9)),
    ("14th Nov 1949", dt.date(1949, 11, 14)),
    ("3RD Nov 1949", dt.date(1949, 11, 3)),
    ("21St May 1958", dt.date(1958, 5, 21)),
    ("2ND of May 1958", dt.date(1958, 5, 2)),
    ("4TH May 58", dt.date(1958, 5, 4)),
    ("3 Nov 2001", dt.date(2001, 11, 3)),
    ("3  Nov  1949", dt.date(1949, 11, 3)),
    ("1st of  November 1949", dt.date(1949, 11, 1)),
    ("Nov 3, 2001", dt.date(2001, 11, 3)),
    ("Nov  3,  1949", dt.date(1949, 11, 3)),
    ("November 2nd, 1949", dt.date(1949, 11, 2)),
    ("Nov 4th 1949", dt.date(1949, 11, 4)),
    ("19491115", dt.date(1949, 11, 15)),
    ("19490315", dt.date(1949, 3, 15)),
    ("9  Nov 47", dt.date(1947, 11, 9)),
    ("9 Nov  47", dt.date(1947, 11, 9)),
    ("9 of Nov 47", dt.date(1947, 11, 9)),
    ("9 of  Nov 47", dt.date(1947, 11, 9)),
    ("first of May 2001", dt.date(2001, 5, 1)),
    ("first of May  1958", dt.date(1958, 5, 1)),
    ("twentyfirst of May 1958", dt.date(1958, 5, 21)),
    ("twenty-first of May 1958", dt.date(1958, 5, 21)),
    ("thirtieth of June 1950", dt.date(1950, 6, 30)),
    ("first of May 58", dt.date(1958, 5, 1)),
    ("Twentieth May 1958", dt.date(1958, 5, 20)),
    ("thirty first of May 1958", dt.date(1958, 5, 31)),
]


@pytest.mark.parametrize(("written", "date"), WRITTEN)
def test_every_written_form_after_a_label(detector: Any, written: str, date: dt.date) -> None:
    """Numeric, ISO, compact, day-month, month-day, two-digit-year and words-for-the-day dates are found after a label and read right."""
    (f,) = dob(detector, CUED.format(f"DOB {written}"))
    assert f.evidence == CUED.format("DOB [DATE_OF_BIRTH]")
    assert parse_date(written) == date


MONTHS = [
    ("January", 1),
    ("Jan", 1),
    ("February", 2),
    ("Feb", 2),
    ("March", 3),
    ("Mar", 3),
    ("April", 4),
    ("Apr", 4),
    ("May", 5),
    ("June", 6),
    ("Jun", 6),
    ("July", 7),
    ("Jul", 7),
    ("August", 8),
    ("Aug", 8),
    ("September", 9),
    ("Sept", 9),
    ("Sep", 9),
    ("October", 10),
    ("Oct", 10),
    ("November", 11),
    ("Nov", 11),
    ("December", 12),
    ("Dec", 12),
    ("DECEMBER", 12),
]


@pytest.mark.parametrize(("month", "number"), MONTHS)
def test_every_month_name(detector: Any, month: str, number: int) -> None:
    """Every month's name and abbreviation, in any case, is read as that month, day first or month first."""
    (f,) = dob(detector, CUED.format(f"DOB 4 {month} 1950"))
    assert f.evidence == CUED.format("DOB [DATE_OF_BIRTH]")
    assert parse_date(f"4 {month} 1950") == parse_date(f"{month} 4, 1950") == dt.date(1950, number, 4)


@pytest.mark.parametrize(
    "written",
    [
        "32/11/1949",
        "00/11/1949",
        "03/13/1949",
        "03/00/1949",
        "03/11-1949",
        "1949-13-03",
        "19491303",
        "03/11/1849",
        "03/11/1949/2",
        "03/11/49/2",
        "1949-11-03/2",
    ],
)
def test_no_such_date_after_a_label(detector: Any, written: str) -> None:
    """A day or month out of range, mixed separators or a year before 1900 is not a date of birth."""
    assert dob(detector, CUED.format(f"DOB {written}")) == []


@pytest.mark.parametrize(
    ("body", "score", "reasons"),
    [
        ("Warfarin question: DOB 03/11/1949.", 0.65, ["label", "clinical context"]),
        (
            "Warfarin question.\n\nThanks a lot.\n\nSee you at the match.\n\nDOB 03/11/1949.",
            0.55,
            ["label", "clinical context"],
        ),
        (CUED.format("DOB 03/11/1949"), 0.9, ["label", "clinical context", "patient cue"]),
        ("Kenneth Ardley, DOB 12.8.1955, for the form.", 0.6, ["label", "full name"]),
        (
            "Kenneth Ardley, DOB 12.8.1955, seen in clinic for warfarin.",
            0.99,
            ["label", "clinical context", "patient cue", "full name"],
        ),
        ("Jo Li, DOB 12.8.1955, for the form.", 0.6, ["label", "full name"]),
        ("Kenneth Ardley, d.o.b. 12.8.1955, for the form.", 0.6, ["label", "full name"]),
        ("Kenneth Ardley, d.o.b 12.8.1955, for the form.", 0.6, ["label", "full name"]),
        ("Kenneth Ardley, date of birth 12.8.1955, for the form.", 0.6, ["label", "full name"]),
        ("Kenneth Ardley born 12.8.1955, for the form.", 0.6, ["label", "full name"]),
        ("Kenneth  Ardley, DOB 12.8.1955, for the form.", 0.6, ["label", "full name"]),
        ("Kenneth Ardley DOB: 12.8.1955, for the form.", 0.95, ["label", "patient cue", "full name"]),
        (CUED.format("Date  of  birth 03/11/1949"), 0.9, ["label", "clinical context", "patient cue"]),
        ("Kenneth Ardley,DOB 12.8.1955, for the form.", 0.6, ["label", "full name"]),
        ("Kenneth Ardley (DOB 12.8.1955) for the form.", 0.6, ["label", "full name"]),
        ("For the form: Kenneth Ardley, DOB 12.8.1955.", 0.6, ["label", "full name"]),
        (
            "Seen in clinic; I was reborn, his DOB 03/03/1950, on warfarin.",
            0.9,
            ["label", "clinical context", "patient cue"],
        ),
        (
            "Seen in clinic; I was borne along, DOB 03/03/1950, on warfarin.",
            0.9,
            ["label", "clinical context", "patient cue"],
        ),
        (
            "Mr Ives was born on 03/03/1950, seen in clinic on warfarin.",
            0.9,
            ["label", "clinical context", "patient cue"],
        ),
    ],
)
def test_labelled_score_and_reasons(detector: Any, body: str, score: float, reasons: list[str]) -> None:
    """A label gives 0.4, a clinical message 0.15 (0.1 more with a clinical word nearby), a patient cue 0.35, a full name 0.2."""
    (f,) = dob(detector, body)
    assert (f.score, f.details["reasons"]) == (score, reasons)


@pytest.mark.parametrize(
    "body",
    [
        "DOB 03/11/1949 for the form.",
        "Seen in clinic; I was born 03/03/1950 myself, on warfarin.",
        "Seen in clinic, stubborn 03/11/1949, on warfarin.",
        "Seen in clinic, rebirth date 03/11/1949, on warfarin.",
    ],
)
def test_labelled_dates_that_are_not_a_patients(detector: Any, body: str) -> None:
    """A label alone in non-clinical mail, or the writer's own birth, is not reported."""
    assert dob(detector, body) == []


def table(header: str, row: str, body: str = "list attached") -> tuple[str, list[Segment]]:
    seg = Segment(f"Row\t{header}\tNote\n{row}", "attachment:list.xlsx/Sheet1", kind="attachment")
    return body, [seg]


@pytest.mark.parametrize(
    ("header", "row", "body", "score"),
    [
        ("DOB", "1\t04/05/1941\ttbc", "list attached", 0.6),
        ("D.O.B", "1\t04/05/1941\ttbc", "list attached", 0.6),
        ("Date of birth", "1\t1941-05-04\ttbc", "list attached", 0.6),
        ("Birthdate", "1\t4 May 1941\ttbc", "list attached", 0.6),
        ("Born", "1\t04.05.1941\ttbc", "list attached", 0.6),
        ("DOB", "1\t04/05/1941\ttbc", "warfarin list attached", 0.9),
    ],
)
def test_dob_column(detector: Any, header: str, row: str, body: str, score: float) -> None:
    """A date under a date-of-birth column counts with no label of its own: 0.6, 0.9 in clinical mail."""
    (f,) = dob(detector, *table(header, row, body))
    assert (f.score, f.details["reasons"]) == (score, ["table column"])


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("Seen", "1\t04/05/1941\ttbc"),
        ("DOB", "1\t04/05/2941\ttbc"),
        ("DOB", "1\t31/02/1941\ttbc"),
        ("Newborn", "1\t04/05/1941\ttbc"),
        ("Dobson", "1\t04/05/1941\ttbc"),
        ("DOB", "1\tx04 May 1941\ttbc"),
    ],
)
def test_not_a_dob_column(detector: Any, header: str, row: str) -> None:
    """A date under another column, or no possible date of birth under a DOB column, is not reported."""
    assert dob(detector, *table(header, row, "warfarin list attached")) == []


@pytest.mark.parametrize(
    ("body", "score"),
    [
        ("Rang JK 07/09/1944 about the warfarin.", 0.55),
        ("Rang JK 07/09/1944 about the warfarin after the ward round on the stroke unit.", 0.65),
        ("Rang J.K. 07/09/1944 about the warfarin.", 0.55),
        ("Rang J. K. 07/09/1944 about the warfarin.", 0.55),
        ("Rang J.K.L., 07/09/1944, about the warfarin.", 0.55),
        ("Rang JKL: 07/09/1944 about the warfarin.", 0.55),
        ("Rang JK (07/09/1944) about the warfarin.", 0.55),
        ("Rang JK - 07/09/1944 about the warfarin.", 0.55),
        ("Rang JK, DOB 07/09/1944, about the warfarin.", None),
        ("Rang JK, d.o.b 07/09/1944, about the warfarin.", None),
        ("Rang JK, dob:: 07/09/1944 about the warfarin.", 0.55),
        ("Rang JK, d.o.b:: 07/09/1944 about the warfarin.", 0.55),
        ("The patient JK 07/09/1944 about the warfarin after the ward round on the stroke unit.", 0.95),
    ],
)
def test_initials_and_date(detector: Any, body: str, score: float | None) -> None:
    """Initials right before a date in clinical mail: 0.55, 0.1 more in clearly clinical mail, 0.3 more with a patient cue."""
    found = pf.found(detector, pf.inspection(body), "INITIALS_AND_DOB")
    if score is None:
        assert found == [] and dob(detector, body)  # a DOB label makes it a labelled date of birth instead
    else:
        (f,) = found
        assert (f.score, f.details["reasons"]) == (score, ["initials", "clinical context"])


@pytest.mark.parametrize(
    "body",
    [
        "Rang JK 07/09/1944 about it.",
        "Rang JKLM 07/09/1944 about the warfarin.",
        "Rang jk 07/09/1944 about the warfarin.",
        "Rang JK at home, then 07/09/1944 about the warfarin.",
        "Rang JK\n07/09/1944 about the warfarin.",
        "Rang JK 07/09/1944/2 about the warfarin.",
        "Rang JK 1/07/09/1944 about the warfarin.",
        "Rang JK 3.07/09/1944 about the warfarin.",
        "Rang xJ.K. 07/09/1944 about the warfarin.",
        "Rang JK at 07/09/1944 about the warfarin.",
    ],
)
def test_not_initials_and_date(detector: Any, body: str) -> None:
    """Without clinical words, with four capitals or lower case, words or a line break between, or inside a longer number: nothing."""
    assert pf.found(detector, pf.inspection(body), "INITIALS_AND_DOB") == []


def test_labelled_dates_judged_up_to_500(detector: Any) -> None:
    """At most 500 labelled dates of birth are judged per part; a part like that is held long before."""
    body = "Warfarin list.\n" + "\n".join(
        f"DOB {d % 28 + 1:02d}/{d % 12 + 1:02d}/19{d % 90 + 10}" for d in range(520)
    )
    (f,) = dob(detector, body)
    assert f.details["count"] == 500


ORDINAL_WORDS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
]


@pytest.mark.parametrize(("day", "word"), list(enumerate(ORDINAL_WORDS, 1)))
def test_every_day_in_words(day: int, word: str) -> None:
    """Each ordinal word names its day, alone or after "twenty"; "thirtieth" and "thirty-first" too."""
    assert parse_date(f"the {word} of May 1958") == dt.date(1958, 5, day)
    if day <= 9:
        assert parse_date(f"twenty-{word} of May 1958") == dt.date(1958, 5, 20 + day)
    assert parse_date("thirtieth of May 1958") == dt.date(1958, 5, 30)
    assert parse_date("thirty first of May 1958") == dt.date(1958, 5, 31)


def test_an_identifier_nearby_is_a_patient_cue(detector: Any) -> None:
    """A patient identifier near a labelled date of birth makes it a patient's, even in mail with no clinical words."""
    (f,) = dob(detector, f"NHS {pf.nhs_number('485', ' ')}, DOB 03/11/1949, for the form.")
    assert (f.score, f.details["reasons"]) == (0.75, ["label", "patient cue"])


@pytest.mark.parametrize(
    ("text", "date"),
    [("01/01/99", dt.date(1999, 1, 1)), ("01/01/05", dt.date(2005, 1, 1)), ("01/01/00", dt.date(2000, 1, 1))],
)
def test_two_digit_years_either_side_of_the_century(text: str, date: dt.date) -> None:
    """A two-digit year up to this year's is 20xx, a later one 19xx: 99 is 1999, 05 and 00 are 2005 and 2000."""
    assert parse_date(text) == date


@pytest.mark.parametrize(
    "body",
    [
        "Rang JK 07/09/1944 about the warfarin, and DOB 03/11/1949 for the other one.",
        "DOB 03/11/1949 for one, and rang JK 07/09/1944 about the warfarin.",
    ],
)
def test_a_labelled_date_and_initials_in_one_part(detector: Any, body: str) -> None:
    """A labelled date of birth does not hide initials with a date before or after it in the same part."""
    assert pf.types(detector, pf.inspection(body)) >= {"DATE_OF_BIRTH", "INITIALS_AND_DOB"}
