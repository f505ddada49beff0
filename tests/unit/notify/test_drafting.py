"""The worker's side of a notice: whether one is owed, and what it may show, de-identified."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.detect.patient import PatientDetector, PatientDetectorOptions
from gateway.mime import parse_message
from gateway.model import Decision, Verdict
from gateway.notify.drafting import Drafter, for_inspector
from gateway.policy import load_policy
from tests.unit.notify.doubles import (
    PATIENT,
    SENDER,
    FakeDeidentifier,
    decision,
    envelope,
    insult_finding,
    message,
    nhs_finding,
    settings,
)

KIND_TABLE = [
    # recipients, decision, kind of draft ("" = none owed)
    (("pal@gmail.com",), decision(Verdict.HOLD, nhs_finding()), "sender"),
    (("pal@gmail.com",), decision(Verdict.REJECT, insult_finding()), "sender"),
    (("pal@gmail.com",), decision(Verdict.PASS), ""),
    (("check@example.ac.uk",), decision(Verdict.PASS), "check"),
    (("check@example.ac.uk",), decision(Verdict.HOLD, nhs_finding()), "check"),
    (("pal@gmail.com",), Decision(Verdict.ANNOTATE, rule="r", monitor=True), ""),
]


@pytest.mark.parametrize(("rcpts", "d", "kind"), KIND_TABLE)
def test_a_draft_is_made_only_when_a_notice_is_owed(
    tmp_path: Path, rcpts: tuple[str, ...], d: Decision, kind: str
) -> None:
    """Sender notices for the configured verdicts (not in monitor mode), check answers for the check address."""
    s = settings(tmp_path)
    drafter = Drafter(s, load_policy(s.policy_paths, domains=s.domains), FakeDeidentifier)
    env, raw = envelope(SENDER, *rcpts), message()
    draft = drafter.draft(env, raw, parse_message(raw, env, s.limits), d, list(d.findings))
    assert (draft.kind if draft is not None else "") == kind


def test_no_notice_for_list_mail_is_decided_in_the_worker(tmp_path: Path) -> None:
    """List mail is owed no notice: the draft says why, and nothing is de-identified for it."""
    s = settings(tmp_path)
    deid = FakeDeidentifier()
    drafter = Drafter(s, None, lambda: deid)
    env, raw = envelope(), message(headers=[("List-Id", "<ward.lists.example.ac.uk>")])
    d = decision(Verdict.HOLD, nhs_finding())
    draft = drafter.draft(env, raw, parse_message(raw, env, s.limits), d, list(d.findings))
    assert draft is not None and draft.suppressed == "list" and (draft.subject, draft.text) == ("", "")
    assert deid.calls == []


def test_the_draft_carries_only_de_identified_text(tmp_path: Path) -> None:
    """Subject, draft and places come back masked: the patient's name is in none of what a notice shows."""
    s = settings(tmp_path)
    drafter = Drafter(s, None, FakeDeidentifier)
    env, raw = envelope(), message(subject=f"About {PATIENT}")
    d = decision(Verdict.HOLD, nhs_finding(f"attachment:{PATIENT}.docx"))
    draft = drafter.draft(env, raw, parse_message(raw, env, s.limits), d, list(d.findings))
    assert draft is not None
    shown = [draft.subject, draft.text, *(draft.place(p) for p, _ in draft.places)]
    assert not any(PATIENT in x for x in shown) and all("[the patient]" in x for x in shown)


def test_the_worker_reuses_the_patient_detector_it_inspects_with(tmp_path: Path) -> None:
    """In a worker the drafts use the inspector's own patient detector: no second copy of the models."""
    s = settings(tmp_path)
    patient = PatientDetector(PatientDetectorOptions.from_settings(s))
    drafter = for_inspector(s, load_policy(s.policy_paths, domains=s.domains), [patient])
    assert drafter is not None
    assert drafter.deidentifier.detector is patient  # type: ignore[attr-defined]
