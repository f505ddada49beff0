"""Test doubles for the milter tests: a policy written by the test, verdict-forcing pipelines,
an in-memory quarantine.

The real pipeline runs (MIME parsing, policy evaluation); only the detector is
a `FakeDetector` that reports the finding a test needs to force a verdict.
`MemoryQuarantine` stands in for gateway/store/quarantine.py (built by another
engineer) behind the `Quarantine` protocol of gateway/store/base.py.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from gateway.config import DomainSettings, Settings
from gateway.detect.fake import FakeDetector
from gateway.inspector import Inspector
from gateway.model import Decision, Envelope, Finding, Inspection
from gateway.notify.drafting import Drafter
from gateway.pipeline import Pipeline
from gateway.policy import load_policy
from tests.unit.notify.doubles import FakeDeidentifier

BANNER = "Reminder from the compliance gateway: keep it professional."
REJECT_TEXT = "5.7.1 Refused by the test policy: 100% sure"

POLICY = f"""
rules:
  - name: test-hold
    when: {{category: patient_identifier, type: TEST_HOLD}}
    action: hold
  - name: test-annotate
    when: {{category: etiquette, type: TEST_ANNOTATE}}
    action: annotate
    banner: "{BANNER}"
  - name: test-reject
    when: {{category: abusive_language, type: TEST_REJECT}}
    action: reject
    reject_code: 554
    reject_text: "{REJECT_TEXT}"
on_detector_failure:
  patient_identifier: hold
"""

_FINDINGS = {
    "pass": [],
    "hold": [Finding(category="patient_identifier", type="TEST_HOLD", where="body", score=0.9)],
    "annotate": [Finding(category="etiquette", type="TEST_ANNOTATE", where="body", score=0.9)],
    "reject": [Finding(category="abusive_language", type="TEST_REJECT", where="body", score=0.9)],
}


def write_policy(folder: Path) -> Path:
    path = folder / "milter-test-policy.yaml"
    path.write_text(POLICY)
    return path


def milter_settings(folder: Path, **kw: object) -> Settings:
    """Settings for milter tests; the X-Compliance-* headers go to every recipient so the
    tests can see them on mail to outside addresses (the recipient rule is tested in test_pipeline)."""
    kw = {"annotation_headers": "all", **kw}
    return Settings(
        policies=(str(write_policy(folder)),),
        domains=DomainSettings(internal=("example.ac.uk",), secure=("nhs.net",)),
        **kw,  # type: ignore[arg-type]
    )


def verdict_pipeline(
    settings: Settings, verdict: str, *, error: Exception | None = None, drafts: bool = False
) -> Pipeline:
    """The real pipeline in-process, with a detector that makes the policy say `verdict`.

    With `drafts` it also drafts the notices as a worker does (a fake de-identifier masks the text).
    """
    detector = FakeDetector(findings=list(_FINDINGS[verdict]), error=error)
    policy = load_policy(settings.policy_paths)
    drafter = Drafter(settings, policy, FakeDeidentifier) if drafts else None
    inspector = Inspector(settings, [detector], policy, drafter=drafter)
    return Pipeline(settings, inspector=inspector)


@dataclass
class SlowDetector:
    """Takes `seconds` over every message and finds nothing: a long scan."""

    seconds: float
    name: str = "slow"
    categories: tuple[str, ...] = ("etiquette",)

    def load(self) -> None:
        return None

    def detect(self, inspection: Inspection) -> list[Finding]:
        time.sleep(self.seconds)
        return []


def slow_pipeline(settings: Settings, seconds: float) -> Pipeline:
    inspector = Inspector(settings, [SlowDetector(seconds)], load_policy(settings.policy_paths))
    return Pipeline(settings, inspector=inspector)


@dataclass
class Held:
    envelope: Envelope
    raw: bytes
    decision: Decision


@dataclass
class MemoryQuarantine:
    """`Quarantine.hold` in memory; `fail` makes every hold raise (a store that is down)."""

    fail: Exception | None = None
    held: list[Held] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hold(
        self, envelope: Envelope, raw: bytes, decision: Decision, *, deadline: float | None = None
    ) -> str:
        if self.fail is not None:
            raise self.fail
        with self._lock:
            self.held.append(Held(envelope, raw, decision))
            return f"mem-{len(self.held)}"
