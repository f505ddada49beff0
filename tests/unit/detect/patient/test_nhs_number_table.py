"""NHS numbers as users write them: every check digit, every grouping, labels that do and do not stop a match, and the CHI/H&C hand-over."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.detect.patient.nhs_number import mod11_ok
from gateway.model import Finding
from tests.unit.detect import patientfixtures as pf


def with_check(start: str, check: int) -> str:
    """A valid ten-digit number beginning with `start` whose check digit is `check`."""
    for n in range(10**6):
        nine = (start + str(n).zfill(9))[:9]
        if pf.check_digit(nine) == check:
            return nine + str(check)
    raise AssertionError("no such number")  # pragma: no cover


ZERO = with_check("485", 0)  # about one NHS number in eleven ends in a 0 check digit
NINE = with_check("612", 9)
PLAIN = pf.nhs_number("485", "")
OTHER = pf.nhs_number("733", "")
UNALLOCATED = pf.nhs_number("512", "")  # passes the check, outside England's allocated ranges


def group(d: str, *sizes: int, sep: str = " ") -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(d[at : at + size])
        at += size
    return sep.join(parts)


def nhs_findings(detector: Any, body: str) -> list[Finding]:
    return pf.found(detector, pf.inspection(body), "NHS_NUMBER")


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        (ZERO, True),
        (ZERO[:9] + "1", False),
        (NINE, True),
        (NINE[:9] + "8", False),
        (group(ZERO, 3, 3, 4), True),
        ("0000000000", True),
        ("4000000001", False),
        (PLAIN[:9], False),
        (PLAIN + "0", False),
    ],
)
def test_check_digit_table(number: str, ok: bool) -> None:
    """The modulus-11 check: 0 and 9 check digits pass, one digit off fails, separators are ignored, length is ten."""
    assert mod11_ok(number) is ok


@pytest.mark.parametrize(
    "written",
    [
        pytest.param(group(ZERO, 3, 3, 4), id="3-3-4 check digit 0"),
        pytest.param(ZERO, id="plain check digit 0"),
        pytest.param(group(PLAIN, 3, 3, 4, sep="-"), id="dashes"),
        pytest.param(group(PLAIN, 5, 5), id="5-5"),
        pytest.param(group(PLAIN, 4, 6), id="4-6"),
        pytest.param(group(PLAIN, 3, 7), id="3-7"),
        pytest.param(group(PLAIN, 7, 3), id="7-3"),
        pytest.param(group(PLAIN, 4, 3, 3), id="4-3-3"),
        pytest.param(group(PLAIN, 3, 4, 3), id="3-4-3"),
        pytest.param(group(PLAIN, 5, 5, sep="-"), id="5-5 dashed"),
        pytest.param(group(PLAIN, 3, 3, 4, sep="  "), id="double spaces"),
        pytest.param(group(PLAIN, 3, 3, 4, sep=" - "), id="spaced dashes"),
        pytest.param(group(PLAIN, 3, 3, 4, sep="\n"), id="split over lines"),
        pytest.param(group(PLAIN, 5, 5, sep="\n"), id="5-5 split over lines"),
        pytest.param(group(PLAIN, 5, 5, sep="\r\n"), id="5-5 split over CRLF"),
        pytest.param(group(PLAIN, 4, 6, sep="\n> "), id="4-6 split in a quote"),
        pytest.param(group(PLAIN, 3, 3, 4, sep="\n> > "), id="3-3-4 split in a quote of a quote"),
        pytest.param(group(PLAIN, 3, 3, 4, sep=" \t\n"), id="3-3-4 white space before the break"),
        pytest.param(group(PLAIN, 6, 4, sep=" - "), id="6-4 spaced dash"),
    ],
)
def test_every_grouping_is_found(detector: Any, written: str) -> None:
    """Whatever the grouping or check digit, a labelled valid NHS number is one finding for its checksum and label."""
    (f,) = nhs_findings(detector, f"NHS no {written} seen on the ward today.")
    assert (f.type, f.where, f.details["reasons"]) == ("NHS_NUMBER", "body", ["checksum", "keyword"])


def test_485_0000_002_is_found(detector: Any) -> None:
    """The number written '485 0000 002' (3-4-3) is found as an NHS number."""
    assert mod11_ok("4850000002")
    (f,) = nhs_findings(detector, "Her NHS number is 485 0000 002, please book the scan.")
    assert f.details["reasons"] == ["checksum", "keyword"]


@pytest.mark.parametrize(
    "body",
    [
        f"Order number {OTHER}, and the NHS no is {PLAIN}.",
        f"Account {OTHER}. Patient NHS {PLAIN} on the ward.",
        f"Tel {group(OTHER, 5, 5)} or NHS {group(PLAIN, 3, 3, 4)} on the ward.",
    ],
)
def test_a_non_patient_label_does_not_stop_the_scan(detector: Any, body: str) -> None:
    """A valid number behind "order number" or "account" is skipped, and the NHS number after it is still found."""
    (f,) = nhs_findings(detector, body)
    assert f.details["reasons"] == ["checksum", "keyword"]
    assert "count" not in f.details


def test_a_number_handed_to_another_recognizer_does_not_stop_the_scan(detector: Any) -> None:
    """An H&C number before an NHS number is left to its recognizer, and the NHS number after it is still found."""
    hc_number = with_check("355", 5)
    body = f"H&C number {group(hc_number, 3, 3, 4)} and NHS number {PLAIN} both on the form."
    assert {f.type for f in pf.found(detector, pf.inspection(body))} >= {"NHS_NUMBER", "HC_NUMBER"}


def test_clinical_message_counts_even_far_from_the_number(detector: Any) -> None:
    """A bare number outside the allocated ranges counts in a clinical message, even when the clinical words are paragraphs away."""
    body = (
        f"The number is {UNALLOCATED}.\n\nUnrelated paragraph one about the weather and the match.\n\n"
        "Second paragraph about the garden and the car park.\n\n"
        "Later: the patient was started on warfarin in clinic after the ward round."
    )
    (f,) = nhs_findings(detector, body)
    assert f.details["reasons"] == ["checksum", "clinical context"]


def test_several_numbers_are_counted(detector: Any) -> None:
    """Two NHS numbers in one part are one finding that says how many there were."""
    (f,) = nhs_findings(detector, f"NHS {PLAIN} and NHS {group(ZERO, 3, 3, 4)} both need bloods.")
    assert f.details["count"] == 2


TABLE = (
    "Bed\tNHS number\tPlan\n1\tside room\tdischarge planning meeting with family later\n"
    f"3\t{UNALLOCATED}\trepeat troponin"
)


@pytest.mark.parametrize(
    ("body", "reasons"),
    [
        (f"NHS no {UNALLOCATED}", ["checksum", "keyword"]),
        (TABLE, ["checksum", "table column"]),
        (
            f"Started on warfarin in clinic after the ward round, {UNALLOCATED}.",
            ["checksum", "clinical context"],
        ),
        (f"The number is {PLAIN}.", ["checksum"]),
    ],
)
def test_evidence_beyond_the_checksum_is_named(detector: Any, body: str, reasons: list[str]) -> None:
    """The finding says what made a number count: a keyword, an NHS table column, a clinical passage, or an allocated range."""
    (f,) = nhs_findings(detector, body)
    assert f.details["reasons"] == reasons


def test_evidence_ranks_keyword_table_clinical(detector: Any) -> None:
    """Outside England's ranges a keyword beats a table column, which beats a clinical passage; a bare number is not reported."""
    keyword = nhs_findings(detector, f"NHS no {UNALLOCATED}")[0].score
    table = nhs_findings(detector, TABLE)[0].score
    clinical = nhs_findings(detector, f"Started on warfarin in clinic after the ward round, {UNALLOCATED}.")[
        0
    ].score
    allocated = nhs_findings(detector, f"NHS no {PLAIN}")[0].score
    assert allocated > keyword > table > clinical >= 0.5
    bare = nhs_findings(detector, f"The number is {PLAIN}.")[0].score
    assert allocated > bare >= 0.5
    assert nhs_findings(detector, f"The number is {UNALLOCATED}.") == []


def test_bare_allocated_number_outscores_bare_unallocated_one(detector: Any) -> None:
    """With no label, only a number in an allocated range (4xx, 6xx, 7xx) is reported."""
    assert [
        f.details["reasons"] for f in nhs_findings(detector, f"The number is {pf.nhs_number('712', '')}.")
    ] == [["checksum"]]
    assert nhs_findings(detector, f"The number is {pf.nhs_number('212', '')}.") == []


def hc(start: str) -> str:
    return with_check(start, 5)


@pytest.mark.parametrize(
    ("number", "types"),
    [
        (hc("319"), {"NHS_NUMBER"}),
        (hc("320"), {"HC_NUMBER"}),
        (hc("355"), {"HC_NUMBER"}),
        (hc("399"), {"HC_NUMBER"}),
        (hc("400"), {"NHS_NUMBER"}),
    ],
)
def test_hc_range_is_handed_to_its_recognizer(detector: Any, number: str, types: set[str]) -> None:
    """320 000 0000 to 399 999 9999 is a Northern Irish H&C number, not an NHS number; 319 and 400 stay NHS."""
    found = pf.types(detector, pf.inspection(f"H&C / NHS number {group(number, 3, 3, 4)} for the clinic."))
    assert found & {"NHS_NUMBER", "HC_NUMBER", "CHI_NUMBER"} == types


@pytest.mark.parametrize(
    ("written", "types"),
    [
        (pf.chi_number("140372"), {"CHI_NUMBER"}),
        (group(pf.chi_number("140372"), 6, 4), {"CHI_NUMBER"}),
        (group(pf.chi_number("140372"), 3, 3, 4), {"CHI_NUMBER"}),
        # not a date of birth, so not a CHI number; a valid NHS number however it is grouped (recall first)
        (group(PLAIN, 6, 4), {"NHS_NUMBER"}),
    ],
)
def test_chi_numbers_are_handed_to_their_recognizer(detector: Any, written: str, types: set[str]) -> None:
    """A date-of-birth-shaped number with the CHI label is a CHI number, never also NHS; other valid numbers are NHS."""
    found = pf.types(detector, pf.inspection(f"CHI {written} seen in clinic today."))
    assert found & {"NHS_NUMBER", "HC_NUMBER", "CHI_NUMBER"} == types


@pytest.mark.parametrize(
    "body",
    [
        f"Call 0{PLAIN[1:]} now",
        f"Reading {PLAIN}.5 on the meter",
        f"Ref 1{PLAIN} is long",
        f"Ref {PLAIN}1 is long",
        f"Ring +44 {PLAIN} today",
        f"Ring +44{PLAIN} today",
        f"Value 3.{PLAIN} exactly",
        f"NHS {group(PLAIN, 3, 3, 4, sep='.')[:-1]}",
        f"NHS {group(PLAIN, 5, 5, sep='.')}",
        f"Ring +{PLAIN} today",
        f"Order number :-  {PLAIN} arrives",
    ],
)
def test_numbers_inside_other_numbers_are_not_nhs_numbers(detector: Any, body: str) -> None:
    """Digits inside a longer number, a decimal, a +44 phone number, or dotted in an unusual grouping are not NHS numbers."""
    assert [f.details for f in nhs_findings(detector, body) if PLAIN[-4:] in body] == []
