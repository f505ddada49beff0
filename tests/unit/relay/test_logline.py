"""The per-message log record: where the queue id comes from, and what never gets in."""

from __future__ import annotations

import json

from gateway.model import Decision, Finding, Outcome, Verdict
from gateway.relay.logline import MessageRecord, queue_id_from_received, queue_id_from_reply


def test_queue_id_from_the_topmost_received_header() -> None:
    """The id of the first Received header (folded over lines) is the Postfix queue id; later ones are ignored."""
    raw = (
        b"Received: from pc1.example.ac.uk (pc1 [192.0.2.7])\r\n"
        b"\tby mx.example.ac.uk (Postfix) with ESMTPSA id 4Qm9Zx1AbC\r\n"
        b"\tfor <b@example.org>; Mon, 2 Mar 2026 10:00:00 +0000\r\n"
        b"Received: by older.example with SMTP id OLDER123;\r\n"
        b"Subject: id 99999999\r\n\r\nid ZZZZZZZZ\r\n"
    )
    assert queue_id_from_received(raw) == "4Qm9Zx1AbC"


def test_no_received_header_no_queue_id() -> None:
    """Without a Received header nothing is guessed, even if the body says "id ..."."""
    assert queue_id_from_received(b"Subject: x\r\n\r\nReceived: by x with SMTP id ABCDEF123\r\n") == ""


def test_queue_id_from_a_postfix_reply() -> None:
    """Before-queue the queue id is made downstream and read from its '250 ... queued as ID'."""
    assert queue_id_from_reply("2.0.0 Ok: queued as 4Qm9Zx1AbC") == "4Qm9Zx1AbC"
    assert queue_id_from_reply("2.0.0 Ok") == ""


def test_record_holds_categories_and_types_never_evidence() -> None:
    """From an outcome the record takes verdict, rule, categories, types and timings; not evidence or where."""
    found = Finding(
        "patient_identifier", "NHS_NUMBER", "attachment:ward list.xlsx", 0.99, evidence="NHS 943 [..]"
    )
    outcome = Outcome(
        decision=Decision(Verdict.HOLD, rule="patient-identifier", findings=(found,)),
        findings=[found],
        timings_ms={"parse": 1.234567},
    )
    record = MessageRecord(id="abc", client="192.0.2.7", size=10)
    record.add_outcome(outcome)
    fields = record.fields()
    assert fields["verdict"] == "hold" and fields["rule"] == "patient-identifier"
    assert fields["categories"] == ["patient_identifier"] and fields["types"] == ["NHS_NUMBER"]
    assert fields["timings_ms"] == {"parse": 1.23}
    text = json.dumps(fields)
    assert "943" not in text and "ward list" not in text
    assert "queue_id" not in fields  # empty fields are left out
