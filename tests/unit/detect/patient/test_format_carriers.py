"""Identifiers in every shape and every place a message can carry them, through the real MIME walker,
extractors and detectors (the inspector `gateway scan` builds), and look-alikes that stay clean."""

from __future__ import annotations

import dataclasses
from functools import cache

import pytest

from gateway.config import DomainSettings, Settings
from gateway.inspector import Inspector, build_inspector
from gateway.model import Envelope, Outcome, Verdict
from tests.unit.detect.patient import carriers as c
from tests.unit.detect.patient.format_rows import (
    DOB_ITEMS,
    HOLD_ITEMS,
    HOSPITAL_ITEMS,
    NHS_ITEMS,
    PHONE_ITEMS,
    TRAPS,
)
from tests.unit.detect.patient.format_rows_more import (
    ADDRESS_ITEMS,
    CHI_ITEMS,
    HC_ITEMS,
)
from tests.unit.detect.patient.format_rows_more import DOB_ITEMS as MORE_DOB
from tests.unit.detect.patient.format_rows_more import HOLD_ITEMS as MORE_ITEMS
from tests.unit.detect.patient.format_rows_more import HOSPITAL_ITEMS as MORE_HOSPITAL
from tests.unit.detect.patient.format_rows_more import NHS_ITEMS as MORE_NHS
from tests.unit.detect.patient.format_rows_more import PHONE_ITEMS as MORE_PHONE
from tests.unit.detect.patient.format_rows_more import TRAPS as MORE_TRAPS

ENV = Envelope("robin.ashcombe@student.northam.ac.uk", ("kit.marlowe99@gmail.com",))
SETTINGS = dataclasses.replace(
    Settings(),
    domains=DomainSettings(internal=("northam.ac.uk",)),
    detect=dataclasses.replace(Settings().detect, ner=False),
)
#: the finding type each family of items must produce (the rules', not only the meaning model's)
TYPE_OF = {
    **{i.name: "NHS_NUMBER" for i in NHS_ITEMS},
    **{i.name: "HOSPITAL_NUMBER" for i in HOSPITAL_ITEMS},
    **{i.name: "DATE_OF_BIRTH" for i in DOB_ITEMS},
    **{i.name: "PATIENT_PHONE" for i in PHONE_ITEMS},
    **{i.name: "NHS_NUMBER" for i in MORE_NHS},
    **{i.name: "CHI_NUMBER" for i in CHI_ITEMS},
    **{i.name: "HC_NUMBER" for i in HC_ITEMS},
    **{i.name: "HOSPITAL_NUMBER" for i in MORE_HOSPITAL},
    **{i.name: "DATE_OF_BIRTH" for i in MORE_DOB},
    **{i.name: "PATIENT_PHONE" for i in MORE_PHONE},
    **{i.name: "PATIENT_ADDRESS" for i in ADDRESS_ITEMS},
}
#: where an item is not expected to be found, and why
NOT_EXPECTED = {
    # a relative's number with no health word beside it: a file name, a table of numbers
    ("phone daughter call-back", "file name"),
    ("phone daughter call-back", "csv"),
    ("phone daughter call-back", "xlsx"),
    ("phone daughter call-back", "html table"),
    *(
        (name, table)
        for name in (
            "phone London number, husband",
            "phone son's number unseparated",
            "phone call back request",
        )
        for table in ("csv", "xlsx", "html table")
    ),
    # an address, or a year alone, in a one-row table with no health word: nothing says whose it is
    *(
        (name, table)
        for name in ("address with postcode", "age with year of birth")
        for table in ("csv", "xlsx", "html table")
    ),
    # a file name whose last word is the health fact ("...colonoscopy.pdf"): the word lists read "colonoscopy.pdf"
    # as one word (see the report of round 7; the tokeniser is not the recognisers')
    ("phone +44 landline", "file name"),
    ("phone landline dashes", "file name"),
    ("phone son's number unseparated", "file name"),
    ("phone London number, husband", "file name"),
}
#: PDF text is written in a Latin-1 font here: the typographic spaces and full-width digits cannot be
NO_PDF = {
    "nhs thin spaces",
    "nhs narrow no-break spaces",
    "nhs full-width digits",
    "nhs en dashes",
    "nhs figure spaces",
}


ITEMS = {i.name: i for i in HOLD_ITEMS + MORE_ITEMS}


@cache
def inspector() -> Inspector:
    built = build_inspector(SETTINGS, detectors=("patient", "patient_image"))
    built.load()
    return built


def inspect(raw: bytes) -> Outcome:
    return inspector().inspect(ENV, raw)


def _cases() -> list[tuple[str, str]]:
    """Every item in the body; every carrier for one item of each kind and for the items whose place
    mattered (table cells, file names, subjects)."""
    cases = {(i.name, "body") for i in ITEMS.values()}
    everywhere = [
        "nhs slashes",
        "nhs thin spaces",
        "nhs split over two lines",
        "hosp letters-dashes",
        "hosp letters-spaces",
        "hosp letters/7 digits",
        "hosp unit no",
        "hosp unlabelled slash",
        "dob month words 2-digit year",
        "dob month first",
        "dob apostrophe year",
        "born in words",
        "phone daughter call-back",
        "phone patient's mobile",
        "phone ring her",
    ]
    everywhere += [i.name for i in MORE_ITEMS]
    cases |= {(name, carrier) for name in everywhere for carrier in c.CARRIERS}
    cases -= NOT_EXPECTED
    cases -= {(name, "pdf") for name in NO_PDF}
    return sorted(cases)


@pytest.mark.parametrize(("name", "carrier"), _cases(), ids=[f"{n} in {c}" for n, c in _cases()])
def test_identifier_is_found_wherever_it_is_carried(name: str, carrier: str) -> None:
    """The identifier is held, and reported by its own recognizer, in the body, the subject, a file name,
    a CSV, XLSX, DOCX, PDF, an HTML table, a quoted reply or a forwarded message."""
    out = inspect(c.CARRIERS[carrier](ITEMS[name]))
    assert out.verdict is Verdict.HOLD
    assert TYPE_OF[name] in {f.type for f in out.findings}


@pytest.mark.parametrize("carrier", ["body", "subject", "quoted reply", "docx"])
@pytest.mark.parametrize(("name", "sentence"), TRAPS + MORE_TRAPS, ids=[n for n, _ in TRAPS + MORE_TRAPS])
def test_look_alikes_stay_clean(name: str, sentence: str, carrier: str) -> None:
    """Order, ticket, tracking and ISBN numbers, codes, postcodes, registrations, queue ids, ordinary
    dates and the writer's or a service's phone number are delivered, wherever they stand."""
    item = c.Item(name, sentence, sentence.splitlines()[0][:70], "x", "x")
    out = inspect(c.CARRIERS[carrier](item))
    assert out.verdict is Verdict.PASS, [(f.type, f.evidence) for f in out.findings]
