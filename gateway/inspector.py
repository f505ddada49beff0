"""parse -> extract -> detect -> decide, for one message, synchronously (in a worker process).

`Inspector.inspect(envelope, raw)` is the whole inspection of one message:
the MIME walker and the extractors, every detector (a failing detector is
recorded and the policy fails closed or open for its categories), and the
policy's decision, with the X-Compliance-* header fields an annotated
message may carry. `build_inspector` makes the one the worker processes run
(gateway.workers); its answer is a `gateway.model.Outcome`.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

from gateway.config import Settings
from gateway.detect.base import Detector
from gateway.detect.fingerprint import EMPTY_INDEX, DocumentIndex
from gateway.detect.learned import without_allowed
from gateway.detect.registry import Resources, build_detectors
from gateway.errors import DetectionError
from gateway.extract import extract_all, preload
from gateway.mime import parse_message
from gateway.model import Decision, Envelope, Finding, Inspection, NoticeDraft, Verdict
from gateway.model.learned import NO_ENTRIES, LearnedEntries
from gateway.model.outcome import Header, Outcome
from gateway.notify.drafting import Drafter, for_inspector
from gateway.policy import Policy, RecipientView, evaluate, load_policy

log = logging.getLogger(__name__)


class DocumentSnapshot:
    """The document index this process inspects with, as last handed over (never read from the store).

    Callable, as the documents detector expects (`Resources.document_index`);
    the worker loop replaces the index when the parent sends a newer one.
    """

    def __init__(self, index: DocumentIndex = EMPTY_INDEX) -> None:
        self.index = index

    def __call__(self) -> DocumentIndex:
        return self.index

    def update(self, index: DocumentIndex) -> None:
        self.index = index


class LearnedCopy:
    """The learned entries this process inspects with, as last handed over (never read from the store).

    Callable, as the detectors expect (`Resources.learned`); the worker loop
    replaces the entries when the parent sends newer ones.
    """

    def __init__(self, entries: LearnedEntries = NO_ENTRIES) -> None:
        self.entries = entries

    def __call__(self) -> LearnedEntries:
        return self.entries

    def update(self, entries: LearnedEntries) -> None:
        self.entries = entries


class Inspector:
    """Synchronous inspection of one message; one per worker process."""

    def __init__(
        self,
        settings: Settings,
        detectors: list[Detector],
        policy: Policy,
        documents: DocumentSnapshot | None = None,
        drafter: Drafter | None = None,
        learned: LearnedCopy | None = None,
    ) -> None:
        self.settings = settings
        self.detectors = detectors
        self.policy = policy
        self.documents = documents or DocumentSnapshot()
        self.learned = learned or LearnedCopy()  # what administrators accepted from reviewers' marks
        self.drafter = drafter  # the notice's de-identified view of the message, when one is owed
        self._loaded = False

    def load(self) -> None:
        if not self._loaded:
            for d in self.detectors:
                d.load()
            preload()  # the common attachment readers: no message waits for their import
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
        findings = without_allowed(findings, inspection, self.learned())
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
        notice = self._draft(envelope, raw, inspection, decision, findings)
        t5 = time.perf_counter()
        return Outcome(
            decision=decision,
            findings=findings,
            timings_ms={
                "parse": (t1 - t0) * 1e3,
                "extract": (t2 - t1) * 1e3,
                "detect": (t3 - t2) * 1e3,
                "decide": (t4 - t3) * 1e3,
                **({"draft": (t5 - t4) * 1e3} if notice is not None else {}),
            },
            size=len(raw),
            message_id=inspection.header("Message-ID") or "",
            headers=annotation_headers(decision) if headers_shown(self.settings, view) else (),
            failed_detectors=tuple(failed),
            notice=notice,
        )

    def deidentify(self, texts: list[str]) -> list[str]:
        """Texts with the patient identifiers masked (for notices about messages inspected earlier)."""
        if self.drafter is None:
            raise DetectionError("no de-identifier: notifications are off")
        return self.drafter.deidentify(texts)

    def _draft(
        self,
        envelope: Envelope,
        raw: bytes,
        inspection: Inspection,
        decision: Decision,
        findings: list[Finding],
    ) -> NoticeDraft | None:
        """The notice's view of the message (gateway.notify.drafting); a failure costs the notice, never the verdict."""
        if self.drafter is None:
            return None
        try:
            return self.drafter.draft(envelope, raw, inspection, decision, findings)
        except Exception as exc:  # a boundary: the decision stands, the notice is not sent (the log says so)
            log.error("notice draft failed", extra={"error": type(exc).__name__})
            return None


#: `annotation_headers` setting -> the recipient condition under which the headers are added
_HEADERS_TO = {
    "all": "any",
    "internal_or_secure": "all_internal_or_secure",
    "internal": "all_internal",
}


def headers_shown(settings: Settings, view: RecipientView) -> bool:
    """Whether the X-Compliance-* headers may go with this message.

    They tell the reader what the school's gateway looked for and found, so by
    default only mail whose every recipient is internal or on a secure domain
    carries them; the headers are per message, so one outside recipient is
    enough to leave them off (the log line still records the verdict).
    """
    condition = _HEADERS_TO.get(settings.annotation_headers)
    return condition is not None and view.matches(condition)


def annotation_headers(decision: Decision) -> tuple[Header, ...]:
    """Header fields to add for annotate (and for every verdict in monitor mode), as (name, value).

    Categories and types only: never evidence. The relay renders them as
    lines before the scanned bytes (`header_block`), so the message itself is
    never re-serialised; the milter hands them to the MTA.
    """
    show = decision.verdict is Verdict.ANNOTATE or (decision.monitor and decision.findings)
    if not show:
        return ()
    verdict = decision.would_be.value if decision.monitor and decision.would_be else decision.verdict.value
    findings = ", ".join(f"{c}" for c in _category_types(decision.findings)) or "none"
    value = verdict + (" (monitor)" if decision.monitor else "")
    if decision.rule:
        value += f"; rule={decision.rule}"
    return (
        ("X-Compliance-Verdict", _header_safe(value)),
        ("X-Compliance-Findings", _header_safe(findings)),
    )


def _category_types(findings: tuple[Finding, ...] | list[Finding]) -> list[str]:
    pairs = sorted({(f.category, f.type) for f in findings})
    return [f"{c}/{t}" for c, t in pairs]


def _header_safe(text: str) -> str:
    return "".join(ch if 32 <= ord(ch) < 127 else " " for ch in text)[:900]


# --- worker process plumbing -------------------------------------------------------------------

InspectorFactory = Callable[[Settings], Inspector]


def build_inspector(
    settings: Settings, resources: Resources | None = None, *, detectors: tuple[str, ...] | None = None
) -> Inspector:
    """The inspector a worker runs; `detectors` limits which registered detectors are built.

    The documents detector reads the inspector's `DocumentSnapshot` (empty
    until the parent hands one over) unless `resources` names another index;
    the patient detector reads its `LearnedCopy` likewise.
    """
    policy = load_policy(settings.policy_paths, domains=settings.domains)
    snapshot = DocumentSnapshot()
    learned = LearnedCopy()
    if resources is None:
        resources = Resources(document_index=snapshot, learned=learned)
    elif resources.learned is None:
        resources = dataclasses.replace(resources, learned=learned)
    built = build_detectors(settings, resources, names=detectors)
    drafter = for_inspector(settings, policy, built)
    return Inspector(settings, built, policy, snapshot, drafter=drafter, learned=learned)
