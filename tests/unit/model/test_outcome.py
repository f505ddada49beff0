"""The Outcome's header fields: structured data, rendered to header lines only at the relay's edge."""

from __future__ import annotations

import pytest

from gateway.model import Decision, NoticeDraft, Outcome, Verdict, header_block

TABLE = [
    # fields, lines
    ((), b""),
    ((("X-Compliance-Verdict", "annotate; rule=r"),), b"X-Compliance-Verdict: annotate; rule=r\r\n"),
    (
        (("X-Compliance-Verdict", "hold (monitor)"), ("X-Compliance-Findings", "a/B, c/D")),
        b"X-Compliance-Verdict: hold (monitor)\r\nX-Compliance-Findings: a/B, c/D\r\n",
    ),
]


@pytest.mark.parametrize(("fields", "lines"), TABLE)
def test_header_block_renders_each_field_as_one_crlf_line(
    fields: tuple[tuple[str, str], ...], lines: bytes
) -> None:
    """Each (name, value) becomes "Name: value" and CRLF, in order; no fields, no bytes."""
    assert header_block(fields) == lines


def test_a_notice_draft_shows_a_place_de_identified_or_as_it_was() -> None:
    """A place the worker de-identified is shown as such; any other place as it is."""
    draft = NoticeDraft(
        "sender", places=(("in the attachment Smith.docx", "in the attachment [the patient].docx"),)
    )
    assert draft.place("in the attachment Smith.docx") == "in the attachment [the patient].docx"
    assert draft.place("in the message text") == "in the message text"


def test_the_outcome_verdict_is_the_decisions() -> None:
    """Outcome.verdict reads the decision's verdict."""
    assert Outcome(Decision(Verdict.HOLD), []).verdict is Verdict.HOLD
