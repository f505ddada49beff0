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
}
#: where an item is not expected to be found, and why
NOT_EXPECTED = {
    # a relative's number with no health word beside it: a file name, a table of numbers
    ("phone daughter call-back", "file name"),
    ("phone daughter call-back", "csv"),
    ("phone daughter call-back", "xlsx"),
    ("phone daughter call-back", "html table"),
}
#: PDF text is written in a Latin-1 font here: the typographic spaces and full-width digits cannot be
NO_PDF = {"nhs thin spaces", "nhs narrow no-break spaces", "nhs full-width digits"}


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
    cases = {(i.name, "body") for i in HOLD_ITEMS}
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
    cases |= {(name, carrier) for name in everywhere for carrier in c.CARRIERS}
    cases -= NOT_EXPECTED
    cases -= {(name, "pdf") for name in NO_PDF}
    return sorted(cases)


ITEMS = {i.name: i for i in HOLD_ITEMS}


@pytest.mark.parametrize(("name", "carrier"), _cases(), ids=[f"{n} in {c}" for n, c in _cases()])
def test_identifier_is_found_wherever_it_is_carried(name: str, carrier: str) -> None:
    """The identifier is held, and reported by its own recognizer, in the body, the subject, a file name,
    a CSV, XLSX, DOCX, PDF, an HTML table, a quoted reply or a forwarded message."""
    out = inspect(c.CARRIERS[carrier](ITEMS[name]))
    assert out.verdict is Verdict.HOLD
    assert TYPE_OF[name] in {f.type for f in out.findings}


@pytest.mark.parametrize("carrier", ["body", "subject", "quoted reply", "docx"])
@pytest.mark.parametrize(("name", "sentence"), TRAPS, ids=[n for n, _ in TRAPS])
def test_look_alikes_stay_clean(name: str, sentence: str, carrier: str) -> None:
    """Order, ticket, tracking and ISBN numbers, codes, postcodes, registrations, queue ids, ordinary
    dates and the writer's or a service's phone number are delivered, wherever they stand."""
    item = c.Item(name, sentence, sentence.splitlines()[0][:70], "x", "x")
    out = inspect(c.CARRIERS[carrier](item))
    assert out.verdict is Verdict.PASS, [(f.type, f.evidence) for f in out.findings]
