"""parse -> extract -> detect -> decide, for one message; CPU work off the event loop.

`Inspector` does the work synchronously (in a worker process);
`Pipeline.process(envelope, raw)` is what the front ends await: it runs the
inspector in a process pool under a deadline and turns every failure into
`PipelineTimeout` or `DetectionError`, which the front ends answer with a
temporary failure (451 / tempfail). Nothing here builds wire replies.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from gateway.config import Settings
from gateway.detect.base import Detector
from gateway.detect.registry import Resources, build_detectors
from gateway.errors import DetectionError, PipelineTimeout
from gateway.extract import extract_all
from gateway.model import Decision, Envelope, Finding, Verdict
from gateway.model.mime import parse_message
from gateway.policy import Policy, RecipientView, evaluate, load_policy

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What the pipeline concluded about one message; safe to log (no content)."""

    decision: Decision
    findings: list[Finding]
    timings_ms: dict[str, float] = field(default_factory=dict)
    size: int = 0
    message_id: str = ""  # the Message-ID header
    add_headers: bytes = b""  # header lines to prepend on delivery (annotate / monitor)
    failed_detectors: tuple[str, ...] = ()

    @property
    def verdict(self) -> Verdict:
        return self.decision.verdict


class Inspector:
    """Synchronous inspection of one message; one per worker process."""

    def __init__(self, settings: Settings, detectors: list[Detector], policy: Policy) -> None:
        self.settings = settings
        self.detectors = detectors
        self.policy = policy
        self._loaded = False

    def load(self) -> None:
        if not self._loaded:
            for d in self.detectors:
                d.load()
            self._loaded = True

    def inspect(self, envelope: Envelope, raw: bytes) -> Outcome:
        self.load()
        t0 = time.perf_counter()
        inspection = parse_message(raw, envelope, self.settings.limits)
        t1 = time.perf_counter()
        extract_all(inspection, self.settings.limits, ocr=self.settings.detect.ocr)
        t2 = time.perf_counter()
        findings: list[Finding] = list(inspection.findings)
        failed: list[str] = []
        failed_categories: set[str] = set()
        for det in self.detectors:
            try:
                findings.extend(det.detect(inspection))
            except Exception:  # a detector boundary: log, and let the policy fail closed or open
                log.exception("detector failed", extra={"detector": det.name})
                failed.append(det.name)
                failed_categories.update(det.categories)
        t3 = time.perf_counter()
        view = RecipientView.of(envelope, self.settings.domains)
        decision = evaluate(
            self.policy,
            view,
            findings,
            failed_categories=failed_categories,
            monitor=self.settings.mode == "monitor",
        )
        t4 = time.perf_counter()
        return Outcome(
            decision=decision,
            findings=findings,
            timings_ms={
                "parse": (t1 - t0) * 1e3,
                "extract": (t2 - t1) * 1e3,
                "detect": (t3 - t2) * 1e3,
                "decide": (t4 - t3) * 1e3,
            },
            size=len(raw),
            message_id=inspection.header("Message-ID") or "",
            add_headers=annotation_headers(decision),
            failed_detectors=tuple(failed),
        )


def annotation_headers(decision: Decision) -> bytes:
    """Header lines to prepend for annotate (and for every verdict in monitor mode).

    Categories and types only: never evidence. Built as bytes so the
    scanned message is never re-serialised.
    """
    show = decision.verdict is Verdict.ANNOTATE or (decision.monitor and decision.findings)
    if not show:
        return b""
    verdict = decision.would_be.value if decision.monitor and decision.would_be else decision.verdict.value
    findings = ", ".join(f"{c}" for c in _category_types(decision.findings)) or "none"
    lines = [f"X-Compliance-Verdict: {verdict}" + (" (monitor)" if decision.monitor else "")]
    if decision.rule:
        lines[0] += f"; rule={_header_safe(decision.rule)}"
    lines.append(f"X-Compliance-Findings: {findings}")
    return "".join(_header_safe(x) + "\r\n" for x in lines).encode("ascii", "replace")


def _category_types(findings: tuple[Finding, ...] | list[Finding]) -> list[str]:
    pairs = sorted({(f.category, f.type) for f in findings})
    return [f"{c}/{t}" for c, t in pairs]


def _header_safe(text: str) -> str:
    return "".join(ch if 32 <= ord(ch) < 127 else " " for ch in text)[:900]


# --- worker process plumbing -------------------------------------------------------------------

_WORKER: Inspector | None = None


def build_inspector(settings: Settings, resources: Resources | None = None) -> Inspector:
    policy = load_policy(settings.policy_paths, domains=settings.domains)
    detectors = build_detectors(settings, resources or default_resources(settings))
    return Inspector(settings, detectors, policy)


def default_resources(settings: Settings) -> Resources:
    """Resources loaded from the store for the detectors (the document index)."""
    try:
        from gateway.store.documents import index_loader  # the store owns the registry
    except ImportError:  # pragma: no cover - until the document registry exists
        return Resources()
    return Resources(document_index=index_loader(settings))


def _worker_init(settings: Settings) -> None:
    global _WORKER
    _WORKER = build_inspector(settings)
    _WORKER.load()


def _worker_inspect(envelope: Envelope, raw: bytes) -> Outcome:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.inspect(envelope, raw)


class Pipeline:
    """The seam the front ends call: `await pipeline.process(envelope, raw)`."""

    def __init__(
        self, settings: Settings, *, executor: Executor | None = None, inspector: Inspector | None = None
    ) -> None:
        self.settings = settings
        self._inspector = inspector  # in-process (tests, scan); else a process pool
        self._executor = executor
        self._own_executor = False

    def start(self) -> None:
        if self._inspector is None and self._executor is None:
            workers = self.settings.pipeline.workers or os.cpu_count() or 1
            self._executor = ProcessPoolExecutor(
                max_workers=workers, initializer=_worker_init, initargs=(self.settings,)
            )
            self._own_executor = True
            # start every worker now, so models load before the first message
            for f in [self._executor.submit(_noop) for _ in range(workers)]:
                f.result()

    def _restart_pool(self) -> None:
        if self._own_executor and self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
            self.start()

    async def process(self, envelope: Envelope, raw: bytes) -> Outcome:
        deadline = self.settings.pipeline.deadline_seconds
        loop = asyncio.get_running_loop()
        try:
            if self._inspector is not None:
                fut = loop.run_in_executor(self._executor, self._inspector.inspect, envelope, raw)
            else:
                if self._executor is None:
                    self.start()
                fut = loop.run_in_executor(self._executor, _worker_inspect, envelope, raw)
            return await asyncio.wait_for(fut, timeout=deadline)
        except TimeoutError:
            raise PipelineTimeout(f"inspection took longer than {deadline:.0f}s") from None
        except BrokenProcessPool as exc:
            self._restart_pool()
            raise DetectionError("an inspection worker died") from exc

    def close(self) -> None:
        if self._own_executor and self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def _noop() -> None:
    return None
