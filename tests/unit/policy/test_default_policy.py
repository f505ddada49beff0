"""The shipped default policy implements the table in the project's policy reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import DomainSettings
from gateway.model import Envelope, Finding, Verdict
from gateway.policy import RecipientView, evaluate, load_policy

POLICY = load_policy([Path(__file__).parents[3] / "policies" / "default.yaml"])
DOMAINS = DomainSettings(internal=("uni.ac.uk",), secure=("nhs.net",))
INTERNAL = ("tutor@uni.ac.uk",)
SECURE = ("supervisor@nhs.net",)
EXTERNAL = ("friend@gmail.com",)
MIXED = ("tutor@uni.ac.uk", "friend@gmail.com")


def f(category: str, type_: str = "X", score: float = 0.9, **kw: object) -> Finding:
    return Finding(category=category, type=type_, where="body", score=score, **kw)  # type: ignore[arg-type]


def decide(findings: list[Finding], rcpts: tuple[str, ...]) -> Verdict:
    view = RecipientView.of(Envelope("student@uni.ac.uk", rcpts), DOMAINS)
    return evaluate(POLICY, view, findings).verdict


@pytest.mark.parametrize(
    ("findings", "rcpts", "expected"),
    [
        ([f("patient_identifier", "NHS_NUMBER")], INTERNAL, Verdict.HOLD),
        ([f("patient_identifier", "NHS_NUMBER")], SECURE, Verdict.HOLD),
        ([f("patient_identifier", "NHS_NUMBER")], EXTERNAL, Verdict.HOLD),
        ([f("patient_identifier", "PERSON", score=0.3)], EXTERNAL, Verdict.PASS),
        ([f("patient_image", "DICOM")], INTERNAL, Verdict.HOLD),
        ([f("abusive_language", "THREAT", severity="severe")], INTERNAL, Verdict.HOLD),
        ([f("abusive_language", "DEFAMATION", severity="severe")], EXTERNAL, Verdict.HOLD),
        ([f("abusive_language", "PROFANITY", severity="mild")], EXTERNAL, Verdict.ANNOTATE),
        ([f("abusive_language", "INSULT", severity="severe", quoted=True)], INTERNAL, Verdict.ANNOTATE),
        ([f("abusive_language", "INSULT", severity="severe", quoted=True)], EXTERNAL, Verdict.HOLD),
        ([f("university_document", "REGISTERED_DOCUMENT")], INTERNAL, Verdict.PASS),
        ([f("university_document", "REGISTERED_DOCUMENT")], SECURE, Verdict.PASS),
        ([f("university_document", "REGISTERED_DOCUMENT")], EXTERNAL, Verdict.HOLD),
        ([f("university_document", "REGISTERED_DOCUMENT")], MIXED, Verdict.HOLD),
        ([f("uninspectable", "ENCRYPTED_ARCHIVE", score=1.0)], INTERNAL, Verdict.ANNOTATE),
        ([f("uninspectable", "ENCRYPTED_ARCHIVE", score=1.0)], EXTERNAL, Verdict.HOLD),
        ([f("etiquette", "ALL_CAPS")], EXTERNAL, Verdict.ANNOTATE),
        ([], EXTERNAL, Verdict.PASS),
        (
            [f("university_document", "REGISTERED_DOCUMENT"), f("patient_identifier", "NHS_NUMBER")],
            INTERNAL,
            Verdict.HOLD,
        ),
    ],
)
def test_default_policy_table(findings: list[Finding], rcpts: tuple[str, ...], expected: Verdict) -> None:
    """Each row of the default policy: finding x recipient class -> verdict."""
    assert decide(findings, rcpts) is expected


def test_detector_failure_fails_closed_for_patients_and_open_for_tone() -> None:
    """A failed patient detector holds the message; a failed tone detector only annotates."""
    view = RecipientView.of(Envelope("s@uni.ac.uk", EXTERNAL), DOMAINS)
    held = evaluate(POLICY, view, [], failed_categories=["patient_identifier"])
    assert held.verdict is Verdict.HOLD and held.rule == "detector-failure:patient_identifier"
    assert evaluate(POLICY, view, [], failed_categories=["abusive_language"]).verdict is Verdict.ANNOTATE
