"""The review page masks what the detectors located (their spans), named by type, before any pattern."""

from __future__ import annotations

import re

import pytest

from gateway.mime import parse_message
from gateway.model import Decision, Finding, Verdict
from tests.quarantine_fixtures import envelope, message
from tests.unit.web.conftest import Ui, csrf_of

BODY = (
    "Patient Philippa Quennell lives at 12 Acacia Avenue, eh16 4sa, date of birth 3rd of April 1961, "
    "admitted to ward 7"
)
#: (finding type, value): what the detectors would locate in BODY
VALUES = [
    ("PATIENT_NAME", "Philippa Quennell"),
    ("PATIENT_ADDRESS", "12 Acacia Avenue"),
    ("PATIENT_ADDRESS", "eh16 4sa"),
    ("DATE_OF_BIRTH", "3rd of April 1961"),
]
FILE = "Quennell Philippa notes.txt"
SUBJECT = "header:Subject"
SECRETS = ("Philippa", "Quennell", "Acacia", "eh16", "4sa", "April", "1961")


def _span(text: str, value: str) -> list[int]:
    at = text.index(value)
    return [at, at + len(value)]


def _finding(type_: str, where: str, text: str, value: str) -> Finding:
    return Finding(
        category="patient_identifier",
        type=type_,
        where=where,
        score=0.9,
        evidence=f"[{type_}]",
        detector="test",
        details={"spans": [_span(text, value)]},
    )


def _hold(ui: Ui, subject: str = "Ward round notes") -> str:
    findings = [_finding(t, "body", BODY, v) for t, v in VALUES]
    findings.append(_finding("PATIENT_NAME", f"attachment:{FILE}#filename", FILE, "Quennell Philippa"))
    if "Philippa" in subject:
        findings.append(_finding("PATIENT_NAME", "header:Subject", subject, "Philippa"))
    dec = Decision(
        verdict=Verdict.HOLD,
        rule="patient-identifier",
        rules=("patient-identifier",),
        reason="held",
        findings=tuple(findings),
    )
    raw = message(subject=subject, body=BODY + "\r\n", attachment=(FILE, b"\x00binary"))
    return ui.store.hold(envelope(), raw, dec)


def test_located_spans_hide_what_no_pattern_would(ui: Ui) -> None:
    """Name, street, lower-case postcode, written date and the file name are masked, by their type."""
    qid = _hold(ui)
    c = ui.login("rita")
    page = c.get(f"/messages/{qid}").text
    for secret in SECRETS:
        assert secret not in page, secret
    assert "admitted to ward 7" in page
    kinds = re.findall(r'name="span" value="\d+"[^>]*>\[([a-z ]+) ·', page)
    assert {"patient name", "patient address", "date of birth"} <= set(kinds)
    assert f"/messages/{qid}/attachments/0" in page  # still offered as a download


def test_revealing_one_span_shows_only_it_and_names_its_type_and_place(ui: Ui) -> None:
    """One reveal is one audit row naming the span's type and place; the page then shows that value only."""
    qid = _hold(ui)
    c = ui.login("rita")
    page = c.get(f"/messages/{qid}").text
    spans = re.findall(r'name="span" value="(\d+)"[^>]*>\[([a-z ]+) ·', page)
    street = next(n for n, kind in spans if kind == "patient address")
    before = len(ui.audit(action="reveal"))
    c.post(f"/messages/{qid}/reveal", data={"csrf": csrf_of(page), "span": street})
    rows = ui.audit(action="reveal")
    assert len(rows) == before + 1
    assert rows[-1].detail == f"identifier {street} (patient address in body)"
    page = c.get(f"/messages/{qid}").text
    assert "12 Acacia Avenue" in page
    for secret in ("Philippa", "Quennell", "eh16", "April"):
        assert secret not in page, secret


def test_a_file_name_is_masked_in_the_place_an_audit_row_names(ui: Ui) -> None:
    """Revealing part of a file name is audited with the file name itself masked in the place."""
    qid = _hold(ui)
    c = ui.login("rita")
    page = c.get(f"/messages/{qid}").text
    spans = re.findall(r'name="span" value="(\d+)"[^>]*>\[([a-z ]+) ·', page)
    last = spans[-1][0]  # the attachments come last
    c.post(f"/messages/{qid}/reveal", data={"csrf": csrf_of(page), "span": last})
    detail = ui.audit(action="reveal")[-1].detail
    assert detail.startswith(f"identifier {last} (patient name in attachment:[patient name")
    assert "Quennell" not in detail and "Philippa" not in detail
    assert "Quennell Philippa" in c.get(f"/messages/{qid}").text


@pytest.mark.parametrize("path", ["/messages", "/messages/{qid}"])
def test_subject_spans_are_masked_in_the_list_and_the_page(ui: Ui, path: str) -> None:
    """A name located in the subject is masked wherever the subject is shown."""
    qid = _hold(ui, subject="Re: Philippa and the notes")
    page = ui.login("rita").get(path.format(qid=qid)).text
    assert "Philippa" not in page and "and the notes" in page


@pytest.mark.parametrize(
    "subject",
    ["Re:   Philippa  Quennell,\tnotes", "=?utf-8?q?Re=3A_?=  =?utf-8?b?UGhpbGlwcGEgUXVlbm5lbGw=?=  notes"],
)
def test_subject_spans_stay_on_the_value_whatever_the_spacing(ui: Ui, subject: str) -> None:
    """The stored subject is the text the detectors read, so spans in it mask the name in the list too."""
    raw = message(subject=subject, body="See the notes.\r\n")
    (read,) = [
        s.text for s in parse_message(raw, envelope(), ui.settings.limits).segments if s.where == SUBJECT
    ]
    finding = _finding(
        "PATIENT_NAME", SUBJECT, read, "Philippa  Quennell" if "  Q" in read else "Philippa Quennell"
    )
    dec = Decision(verdict=Verdict.HOLD, rule="r", rules=("r",), reason="held", findings=(finding,))
    qid = ui.store.hold(envelope(), raw, dec)
    c = ui.login("rita")
    for page in (c.get("/messages").text, c.get(f"/messages/{qid}").text):
        text = re.sub(r"<[^>]+>", "", page)
        assert "Philippa" not in text and "Quennell" not in text
        assert re.search(r"Re:\s+\[patient name ·•+\][,\s]+notes", text), "the placeholder is off the name"


def test_reveal_all_with_nothing_masked_is_refused(ui: Ui) -> None:
    """Asking to reveal "all" of a message with nothing masked writes no "all 0" reveal: it is not found."""
    qid = ui.store.hold(
        envelope(),
        message(subject="Hello", body="See you at the lecture.\r\n"),
        Decision(verdict=Verdict.HOLD, rule="r", rules=("r",), reason="held", findings=()),
    )
    c = ui.login("rita")
    page = c.get(f"/messages/{qid}").text
    r = c.post(f"/messages/{qid}/reveal", data={"csrf": csrf_of(page), "span": "all"})
    assert r.status_code == 404
    assert [(row.outcome, row.detail) for row in ui.audit(action="reveal")] == [
        ("not_found", "no such identifier")
    ]
