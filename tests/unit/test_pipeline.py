"""The pipeline: every detector runs, failures become policy decisions, annotate headers carry no content."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gateway.config import DomainSettings, Settings
from gateway.detect.fake import FakeDetector
from gateway.inspector import Inspector
from gateway.model import Envelope, Finding, Verdict, header_block
from gateway.policy import load_policy

POLICY = load_policy([Path(__file__).parents[2] / "policies" / "default.yaml"])
SETTINGS = dataclasses.replace(
    Settings(), domains=DomainSettings(internal=("uni.ac.uk",), secure=("nhs.net",))
)
RAW = (
    b"From: Student <s@uni.ac.uk>\r\nTo: friend@gmail.com\r\nSubject: hello\r\n"
    b"Message-ID: <m1@uni.ac.uk>\r\n\r\nSee you at the lecture.\r\n"
)
ENV = Envelope("s@uni.ac.uk", ("friend@gmail.com",))
INSIDE = Envelope("s@uni.ac.uk", ("tutor@uni.ac.uk", "fy1@nhs.net"))


def inspector(*detectors: FakeDetector, settings: Settings = SETTINGS) -> Inspector:
    return Inspector(settings, list(detectors), POLICY)


def test_clean_message_passes_and_all_detectors_ran() -> None:
    """A message with no findings passes, and every detector saw it once."""
    a, b = FakeDetector(findings=[]), FakeDetector(findings=[], name="other")
    out = inspector(a, b).inspect(ENV, RAW)
    assert out.verdict is Verdict.PASS and (a.calls, b.calls) == (1, 1) and a.loaded
    assert out.message_id == "<m1@uni.ac.uk>" and out.headers == ()
    assert set(out.timings_ms) == {"parse", "extract", "detect", "decide"}


def test_finding_reaches_the_policy() -> None:
    """A detector's finding drives the verdict and the rule is named."""
    finding = Finding("patient_identifier", "NHS_NUMBER", "body", 0.99, evidence="NHS [NHS_NUMBER]")
    out = inspector(FakeDetector(findings=[finding])).inspect(ENV, RAW)
    assert (out.verdict, out.decision.rule) == (Verdict.HOLD, "patient-identifier")
    assert out.findings == [finding]


def test_failed_patient_detector_holds_instead_of_passing() -> None:
    """A crashing patient detector must not let the message through (fail closed)."""
    broken = FakeDetector(error=RuntimeError("model missing"), categories=("patient_identifier",))
    out = inspector(broken).inspect(ENV, RAW)
    assert out.verdict is Verdict.HOLD and out.failed_detectors == ("fake",)


def test_failed_tone_detector_annotates() -> None:
    """A crashing language detector fails open: delivered, marked."""
    broken = FakeDetector(error=RuntimeError("x"), categories=("abusive_language",), name="language")
    assert inspector(broken).inspect(ENV, RAW).verdict is Verdict.ANNOTATE


def test_annotate_headers_name_categories_not_evidence() -> None:
    """X-Compliance-* headers carry category and type only, never the matched text."""
    finding = Finding(
        "abusive_language", "PROFANITY", "body", 0.9, evidence="s*** (profanity)", severity="mild"
    )
    out = inspector(FakeDetector(findings=[finding])).inspect(INSIDE, RAW)
    assert out.verdict is Verdict.ANNOTATE
    headers = header_block(out.headers).decode()
    assert headers.startswith("X-Compliance-Verdict: annotate; rule=profanity\r\n")
    assert "X-Compliance-Findings: abusive_language/PROFANITY\r\n" in headers
    assert "s***" not in headers and headers.endswith("\r\n")


def test_monitor_mode_delivers_with_would_be_verdict() -> None:
    """Monitor mode turns a hold into a delivery whose headers say it would have been held."""
    monitor = Inspector(
        dataclasses.replace(SETTINGS, mode="monitor"),
        [FakeDetector(findings=[Finding("patient_identifier", "NHS_NUMBER", "body", 0.99)])],
        POLICY,
    )
    out = monitor.inspect(INSIDE, RAW)
    assert out.verdict is Verdict.ANNOTATE
    assert header_block(out.headers).decode().startswith("X-Compliance-Verdict: hold (monitor)")


PROFANITY = Finding(
    "abusive_language", "PROFANITY", "body", 0.9, evidence="s*** (profanity)", severity="mild"
)
HEADER_TABLE = [
    # setting, recipients, headers added
    ("internal_or_secure", ("tutor@uni.ac.uk", "fy1@nhs.net"), True),
    ("internal_or_secure", ("tutor@uni.ac.uk", "friend@gmail.com"), False),
    ("internal_or_secure", ("friend@gmail.com",), False),
    ("internal", ("tutor@uni.ac.uk",), True),
    ("internal", ("tutor@uni.ac.uk", "fy1@nhs.net"), False),
    ("all", ("friend@gmail.com",), True),
    ("none", ("tutor@uni.ac.uk",), False),
]


@pytest.mark.parametrize(("setting", "rcpts", "shown"), HEADER_TABLE)
def test_annotation_headers_go_only_to_the_recipients_configured(
    setting: str, rcpts: tuple[str, ...], shown: bool
) -> None:
    """X-Compliance-* headers tell the reader what was found: by default outside recipients never get them."""
    settings = dataclasses.replace(SETTINGS, annotation_headers=setting)
    out = inspector(FakeDetector(findings=[PROFANITY]), settings=settings).inspect(
        Envelope("s@uni.ac.uk", rcpts), RAW
    )
    assert out.verdict is Verdict.ANNOTATE
    assert header_block(out.headers).startswith(b"X-Compliance-Verdict: annotate") is shown
    assert (out.headers == ()) is not shown


def test_headers_stay_inside_by_default() -> None:
    """The shipped default keeps the headers to internal and secure recipients."""
    assert Settings().annotation_headers == "internal_or_secure"
