"""The notice's view of a message, made where the message was inspected: in the worker.

`Drafter.draft` runs right after the policy decided, in the inspection
worker (under its deadline and memory cap), and returns the `NoticeDraft`
the `Outcome` carries back to the main process: whether a notice is due at
all (bounces, automatic and list mail, the gateway's own mail never get
one), the subject de-identified (or none when a finding other than a
patient's sits in it), the sender's own text de-identified when the
guidance offers a draft, and each place a finding was seen, de-identified
(an attachment may be named after a patient). The main process only
renders these: it never parses the message again nor runs a model.

The de-identification starts from what the inspection already found
(`gateway.notify.deidentified`: the patient findings' spans, the display's
pattern net, a patient's name wherever it recurs); the patient detector
runs again only over the subject, judged on its own with the message as
context, as it was before (a subject holds a name the body's findings may
not place). Short texts of messages inspected earlier (`deidentify`) still
go through the detector's own recognition (`gateway.detect.deidentify`);
in a worker it reuses the patient detector the inspector already loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Protocol

from gateway.config import Settings
from gateway.detect.base import Detector
from gateway.model import Decision, Envelope, Finding, Inspection, NoticeDraft
from gateway.notify.deidentified import deidentified
from gateway.notify.describe import describe
from gateway.notify.explain import check_findings, findings_shown, subject_has_other_findings
from gateway.notify.guidance import Guidance
from gateway.notify.safety import suppression
from gateway.policy import Policy

log = logging.getLogger(__name__)

#: the draft shows at most this much of the sender's own text
DRAFT_MAX_CHARS = 6000
#: the verdicts a sender may be told about (notify.on)
VERDICTS = ("hold", "reject", "annotate")


class Deidentifies(Protocol):
    """What drafting needs from `gateway.detect.deidentify.Deidentifier`."""

    def load(self) -> None: ...

    def spans(
        self, texts: Sequence[str], context: Inspection | None = None
    ) -> list[list[tuple[int, int, str]]]: ...

    def deidentify_many(
        self,
        texts: Sequence[str],
        context: Inspection | None = None,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> list[str]: ...


class Drafter:
    """Makes the `NoticeDraft` for an inspected message (None when no notice is owed)."""

    def __init__(
        self,
        settings: Settings,
        policy: Policy | None,
        deidentifier: Callable[[], Deidentifies],
        guidance: Guidance | None = None,
    ) -> None:
        self.settings = settings
        self.cfg = settings.notify
        self.policy = policy
        self.guidance = guidance or Guidance.load(self.cfg.guidance_dir)
        self._make_deidentifier = deidentifier
        self._deidentifier: Deidentifies | None = None
        self.own_addresses = tuple(
            a.strip().lower()
            for a in (self.cfg.from_address, self.cfg.envelope_sender, self.cfg.check_address)
            if a.strip()
        )

    @property
    def deidentifier(self) -> Deidentifies:
        if self._deidentifier is None:
            self._deidentifier = self._make_deidentifier()
        return self._deidentifier

    def kind(self, envelope: Envelope, decision: Decision) -> str:
        """ "check" for mail to the check address alone, "sender" for a verdict that notifies, else ""."""
        check = self.cfg.check_address.strip().strip("<>").lower()
        rcpts = [r.strip().strip("<>").lower() for r in envelope.rcpt_tos]
        if check and rcpts and all(r == check for r in rcpts):
            return "check"
        if decision.monitor or decision.verdict.value not in self.cfg.on:
            return ""
        return "sender"

    def draft(
        self,
        envelope: Envelope,
        raw: bytes,
        inspection: Inspection,
        decision: Decision,
        findings: Sequence[Finding],
    ) -> NoticeDraft | None:
        if not self.cfg.enabled:
            return None
        kind = self.kind(envelope, decision)
        if not kind:
            return None
        reason = suppression(envelope, raw, own_addresses=self.own_addresses)
        if reason:
            return NoticeDraft(kind, suppressed=reason)
        if kind == "check":
            shown, about = check_findings(self.policy, envelope, findings), tuple(findings)
        else:
            shown, about = findings_shown(self.policy, self.settings, envelope, decision), decision.findings
        items = describe(shown, self.guidance)
        offer = any(it.advice.draft == "offer" for it in items) and not any(
            it.advice.draft == "never" for it in items
        )
        places = sorted({p for it in items for p in it.places})
        hidden = subject_has_other_findings(about)  # no subject is shown at all
        alone = (
            self.deidentifier.spans([inspection.subject], inspection)[0]
            if inspection.subject.strip() and not hidden
            else []
        )
        subject, text, masked_places = deidentified(
            inspection, findings, places, Placeholders(self.guidance), body=offer, subject=alone
        )
        return NoticeDraft(
            kind,
            subject="" if hidden else subject,
            text=trim(text) if text.strip() else "",
            places=tuple(zip(places, masked_places, strict=True)),
        )

    def deidentify(self, texts: Sequence[str]) -> list[str]:
        """Short texts on their own (a held message's subject) with the patient identifiers masked."""
        return self._deidentify(list(texts), None)

    def _deidentify(self, texts: list[str], context: Inspection | None) -> list[str]:
        if not any(t.strip() for t in texts):
            return texts
        return self.deidentifier.deidentify_many(texts, context, labels=Placeholders(self.guidance))


def for_inspector(settings: Settings, policy: Policy, detectors: Sequence[Detector]) -> Drafter | None:
    """The worker's drafter (None with notifications off), reusing the inspector's patient detector."""
    if not settings.notify.enabled:
        return None

    def deidentifier() -> Deidentifies:
        from gateway.detect.deidentify import Deidentifier  # the patient models: in the worker only
        from gateway.detect.patient import PatientDetector

        patient = next((d for d in detectors if isinstance(d, PatientDetector)), None)
        return Deidentifier(patient) if patient is not None else Deidentifier.from_settings(settings)

    return Drafter(settings, policy, deidentifier)


class Placeholders(Mapping[str, str]):
    """Finding type -> the words that replace it in a draft, from the patient guidance."""

    def __init__(self, guidance: Guidance) -> None:
        self.guidance = guidance

    def __getitem__(self, key: str) -> str:
        text = self.guidance.advice("patient_identifier", key).placeholder
        if not text:
            raise KeyError(key)
        return text

    def __iter__(self) -> Iterator[str]:
        return iter(self.guidance.known_types("patient_identifier"))

    def __len__(self) -> int:
        return len(self.guidance.known_types("patient_identifier"))


def trim(text: str) -> str:
    if len(text) <= DRAFT_MAX_CHARS:
        return text
    cut = text.rfind("\n", 0, DRAFT_MAX_CHARS)
    return text[: cut if cut > DRAFT_MAX_CHARS // 2 else DRAFT_MAX_CHARS].rstrip() + "\n[…]"
