"""Test doubles for the gateway: a policy whose verdicts tests force, fake pipelines and quarantines.

`TEST_POLICY` + `finding("HOLD_ME" | "REJECT_ME" | "ANNOTATE_ME")` in a FakeDetector
make the real policy engine answer hold, reject or annotate; `MarkerDetector` does
the same per message, from an `X-Test-Verdict: hold|reject|annotate` header, so one
gateway behind one Postfix can be shown every verdict. The fake
pipelines stand in for a broken or slow inspection; `MemoryQuarantine`
keeps held messages in a list (or fails on purpose).
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from pathlib import Path
from typing import Any

from gateway.config import Settings, SmtpSettings
from gateway.detect.fake import FakeDetector
from gateway.errors import StoreError
from gateway.inspector import Inspector
from gateway.model import Decision, Envelope, Finding, Inspection, Outcome
from gateway.pipeline import Pipeline
from gateway.policy import load_policy

#: a policy whose verdicts tests force with FakeDetector findings of these types
TEST_POLICY = """\
rules:
  - name: test-hold
    when: {category: patient_identifier, type: [HOLD_ME]}
    action: hold
  - name: test-reject
    when: {category: patient_identifier, type: [REJECT_ME]}
    action: reject
    reject_code: 554
    reject_text: "5.7.1 Refused by the test policy"
  - name: test-annotate
    when: {category: etiquette, type: [ANNOTATE_ME]}
    action: annotate
"""


def finding(kind: str) -> Finding:
    """A finding that makes TEST_POLICY answer hold (HOLD_ME), reject (REJECT_ME) or annotate (ANNOTATE_ME)."""
    category = "etiquette" if kind == "ANNOTATE_ME" else "patient_identifier"
    return Finding(category, kind, "body", 0.99, evidence="[masked]", detector="fake")


class MarkerDetector:
    """Reports HOLD_ME / REJECT_ME / ANNOTATE_ME when the message has X-Test-Verdict: hold / reject / annotate."""

    name = "marker"
    categories = ("patient_identifier", "etiquette")

    def load(self) -> None:
        return None

    def detect(self, inspection: Inspection) -> list[Finding]:
        verdict = (inspection.header("X-Test-Verdict") or "").strip().lower()
        kinds = {"hold": "HOLD_ME", "reject": "REJECT_ME", "annotate": "ANNOTATE_ME"}
        return [finding(kinds[verdict])] if verdict in kinds else []


def relay_settings(tmp_path: Path, next_hop: str, **smtp: Any) -> Settings:
    """Settings for an in-process relay on a free port in front of `next_hop`."""
    # the X-Compliance-* headers go to every recipient here, so tests see them on mail to outside
    # addresses; tests/unit/test_pipeline.py checks the recipient rule and the default
    base = Settings(state_dir=str(tmp_path / "state"), annotation_headers="all")
    fields = {"listen": "127.0.0.1:0", "next_hop": next_hop, "hostname": "gateway.test", **smtp}
    return dataclasses.replace(base, smtp=dataclasses.replace(SmtpSettings(), **fields))


def inspecting_pipeline(
    settings: Settings, tmp_path: Path, findings: tuple[Finding, ...] = (), policy: str = TEST_POLICY
) -> Pipeline:
    """A pipeline that inspects in-process with a FakeDetector, a MarkerDetector and a policy file written here."""
    policy_file = tmp_path / f"policy-{abs(hash(policy))}.yaml"
    policy_file.write_text(policy)
    detectors = [FakeDetector(findings=list(findings)), MarkerDetector()]
    inspector = Inspector(settings, detectors, load_policy([policy_file], domains=settings.domains))
    return Pipeline(settings, inspector=inspector)


class RaisingPipeline:
    """A pipeline that fails with `error` on every message."""

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.calls = 0

    async def process(self, envelope: Envelope, raw: bytes) -> Outcome:
        self.calls += 1
        raise self.error


class SlowPipeline:
    """A pipeline that takes `seconds` before passing the message on (through `inner`)."""

    def __init__(self, inner: Any, seconds: float) -> None:
        self.inner, self.seconds = inner, seconds

    async def process(self, envelope: Envelope, raw: bytes) -> Outcome:
        await asyncio.sleep(self.seconds)
        return await self.inner.process(envelope, raw)  # type: ignore[no-any-return]


class MemoryQuarantine:
    """Keeps held messages in memory; `fail=True` makes every hold raise StoreError."""

    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
        self.held: list[tuple[Envelope, bytes, Decision]] = []
        self._lock = threading.Lock()

    def hold(
        self, envelope: Envelope, raw: bytes, decision: Decision, *, deadline: float | None = None
    ) -> str:
        if self.fail:
            raise StoreError("database is down")
        with self._lock:
            self.held.append((envelope, raw, decision))
            return f"q{len(self.held)}"
