"""Identifiers are found whatever their separators and wherever they stand; reference strings are not identifiers."""

from __future__ import annotations

import pytest

from gateway.model import Segment
from tests.unit.detect import patientfixtures as pf

NHS_SEPARATORS = [
    ("slashes", "/"),
    ("commas", ","),
    ("no-break spaces", "\u00a0"),
    ("thin spaces", "\u2009"),
    ("narrow no-break spaces", "\u202f"),
    ("spaced slashes", " / "),
]


@pytest.mark.parametrize("sep", [s for _, s in NHS_SEPARATORS], ids=[n for n, _ in NHS_SEPARATORS])
def test_nhs_number_separators(detector, sep: str) -> None:
    """An NHS number grouped 3-3-4 with slashes, commas or typographic spaces is still an NHS number."""
    body = f"His NHS number is {pf.nhs_number('485', sep)} if you need it for the referral."
    (f,) = pf.found(detector, pf.inspection(body), "NHS_NUMBER")
    assert f.score >= 0.9 and "[NHS_NUMBER]" in f.evidence


def test_nhs_number_split_over_lines(detector) -> None:
    """Ten digits broken by a line wrap in the middle are one NHS number."""
    n = pf.nhs_number("485", "")
    body = f"pt details: NHS {n[:6]}\n{n[6:]} please chase the bloods"
    assert pf.found(detector, pf.inspection(body), "NHS_NUMBER")


HOSPITAL_NUMBERS = [
    ("dashes after a label", "Hosp no WGH-552-0193, please chase her bloods today."),
    ("spaces, unlabelled", "He is NRI 552 0193 on the system, can you check his bloods from this morning?"),
    ("slashes after MRN", "MRN RXH/447/2210 was admitted overnight with sepsis."),
    ("in brackets after its label", "I kept the hospital number (T5520193) so we can find the notes again."),
]


@pytest.mark.parametrize("body", [b for _, b in HOSPITAL_NUMBERS], ids=[n for n, _ in HOSPITAL_NUMBERS])
def test_grouped_hospital_numbers(detector, body: str) -> None:
    """Letters and grouped digits after a label or in a sentence about a patient's care are a hospital number."""
    (f,) = pf.found(detector, pf.inspection(body), "HOSPITAL_NUMBER")
    assert f.score >= 0.5 and "552" not in f.evidence and "447" not in f.evidence


REFERENCE_STRINGS = [
    (
        "postfix queue id",
        "Delivery status: queued as 4F3A21C0B9 (250 2.0.0 Ok) - the patient results letter.",
    ),
    (
        "postfix queue id, digits in a run",
        "Postfix queue id A1B2C34567 for the admitted patient notes mailout.",
    ),
    ("ticket", "IT ticket GHX-552-0193: the ward printer prints blank results pages."),
    ("booking", "Booking ref ABC-552-0193 for the clinical skills room, bloods practical."),
    ("module code", "Module MED 552 0193 exam results are out on Friday."),
    ("room code", "Room CSB 201 101 for the tutorial on blood results."),
    (
        "an NHS label before a number that fails the check",
        f"The training record for the admitted patient uses NHS {pf.failing_number('612')} on purpose.",
    ),
]


@pytest.mark.parametrize("body", [b for _, b in REFERENCE_STRINGS], ids=[n for n, _ in REFERENCE_STRINGS])
def test_reference_strings(detector, body: str) -> None:
    """Mail queue ids, tickets, bookings, module and room codes are not hospital numbers."""
    assert not pf.found(detector, pf.inspection(body), "HOSPITAL_NUMBER")


DATES_OF_BIRTH = [
    ("two-digit year, month in words", "Mr Halloran dob 9 Nov 47 needs a repeat ECG before he goes home."),
    ("two-digit year, numeric", "Lady in bay 3, DOB 09/11/47, admitted with a UTI."),
    ("day in words", "She was born on the twenty-first of May 1958 and came in with chest pain."),
    ("ordinal in words, no 'of'", "Patient born the third March 1961, seen in clinic today."),
    ("apostrophe year", "Mr Halloran DOB 9th Nov '47 for the repeat ECG on the ward."),
    (
        "a full name, nothing clinical",
        "Could you look up Beryl Stansfield, DOB 3.4.1947, on the system for me?",
    ),
]


@pytest.mark.parametrize("body", [b for _, b in DATES_OF_BIRTH], ids=[n for n, _ in DATES_OF_BIRTH])
def test_dates_of_birth(detector, body: str) -> None:
    """A labelled date of birth with a two-digit year or a day in words is found and masked."""
    (f,) = pf.found(detector, pf.inspection(body), "DATE_OF_BIRTH")
    assert f.score >= 0.5 and "[DATE_OF_BIRTH]" in f.evidence
    assert "47" not in f.evidence and "1958" not in f.evidence and "1961" not in f.evidence


def test_writers_own_birthday_in_words(detector) -> None:
    """The writer's own birth date in words is not a patient's."""
    body = "I was born on the twenty-first of May 2004, so I can't do the clinic that day - it's my birthday."
    assert not pf.found(detector, pf.inspection(body), "DATE_OF_BIRTH")


def test_call_back_number(detector) -> None:
    """A patient's call-back number next to their results is found, even when nothing else makes the message clinical."""
    body = "Tom Ridley rang about his kidney function results, call him back on 07700 900123."
    (f,) = pf.found(detector, pf.inspection(body), "PATIENT_PHONE")
    assert "900123" not in f.evidence


def test_own_call_back_number(detector) -> None:
    """The writer's own number ("call me back on") is never a patient's."""
    body = "Missed your call about the kidney function results tutorial - call me back on 07700 900123."
    assert not pf.found(detector, pf.inspection(body), "PATIENT_PHONE")


def test_identifier_only_in_the_subject(detector) -> None:
    """An NHS number that appears only in the subject line is found there."""
    insp = pf.inspection("see attached", subject=f"referral NHS {pf.nhs_number('612', '/')}")
    (f,) = pf.found(detector, insp, "NHS_NUMBER")
    assert f.where == "header:Subject"


def test_identifier_only_in_a_file_name(detector) -> None:
    """An NHS number that appears only in an attachment's file name (a text segment) is found there."""
    name = f"discharge letter NHS {pf.nhs_number('485', '-')}.pdf"
    seg = Segment(name, f"attachment:{name}", kind="filename")
    (f,) = pf.found(detector, pf.inspection("as discussed", segments=[seg]), "NHS_NUMBER")
    assert f.where.startswith("attachment:")


def test_csv_with_numbers_and_no_names(detector) -> None:
    """A CSV of NHS numbers and results, with no names at all, is still patient identifiers."""
    rows = "\n".join(f"{n},{v}" for n, v in zip(pf.nhs_numbers(4), ("5.1", "6.3", "4.8", "7.0"), strict=True))
    seg = Segment("nhs_number,hba1c\n" + rows, "attachment:audit.csv", kind="attachment")
    (f,) = pf.found(detector, pf.inspection("audit data", segments=[seg]), "NHS_NUMBER")
    assert f.details.get("count") == 4


def test_subject_reaches_the_detector_through_the_mime_walker(detector) -> None:
    """A raw message whose only identifier is in an encoded Subject header is found there, end to end."""
    from email.header import Header

    from gateway.config import Settings
    from gateway.mime import parse_message
    from gateway.model import Envelope

    subject = Header(f"NHS {pf.nhs_number('485', '\u00a0')} – référé", "utf-8").encode()
    raw = (
        "From: Robin Ashcombe <robin.ashcombe@student.northam.ac.uk>\r\n"
        "To: kit.marlowe99@gmail.com\r\n"
        f"Subject: {subject}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "see you later\r\n"
    ).encode()
    env = Envelope("robin.ashcombe@student.northam.ac.uk", ("kit.marlowe99@gmail.com",))
    insp = parse_message(raw, env, Settings().limits)
    (f,) = pf.found(detector, insp, "NHS_NUMBER")
    assert f.where == "header:Subject"


def test_people_and_facts_without_the_model(detector_without_ner) -> None:
    """Without spaCy, a listed given name and surname tied to a health fact is still found."""
    body = "Karen Mbatha's cervical screening came back abnormal and she is really worried."
    assert pf.found(detector_without_ner, pf.inspection(body), "PATIENT_NAME")


@pytest.mark.parametrize(
    ("body", "held"),
    [
        ("MRN 552 0193 - chase her bloods before the ward round.", True),
        ("hospital number: 552-0193-22, on ward 4 since Tuesday.", True),
        ("call 0161 552 0193 about the bloods", False),
        ("The results were 552 0193 and 400 on the spreadsheet.", False),
    ],
)
def test_grouped_digits_need_their_label(detector, body: str, held: bool) -> None:
    """Grouped digits with no letters are a hospital number only straight after a hospital-number label."""
    assert bool(pf.found(detector, pf.inspection(body), "HOSPITAL_NUMBER")) is held


def test_hc_number_sent_alone(detector) -> None:
    """A valid H&C number that is the whole message is reported: nothing else explains it."""
    nine = next(n for n in (str(n) for n in range(342_000_000, 342_100_000)) if pf.check_digit(n) is not None)
    number = nine + str(pf.check_digit(nine))
    (f,) = pf.found(detector, pf.inspection(number), "HC_NUMBER")
    assert f.score >= 0.5 and number not in f.evidence
