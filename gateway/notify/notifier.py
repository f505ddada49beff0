"""The notifier: decides who is told what about a message, builds the notice, and commits it to the outbox.

    notify_sender(envelope, outcome, quarantine_id)        after hold / reject / annotate
    alert_reviewers(envelope, decision, quarantine_id)      after a hold (immediate, or a digest line)
    message_decided(...)                                   both of the above, for the front ends
    answer_check(envelope, outcome)                         mail to notify.check_address
    on_decision(review_decision)                            the review UI's hook: released / rejected
    flush_digest()                                          a due reviewer digest -> the outbox

Nothing here sends mail: every notice is committed to the outbox
(`gateway.store.outbox`) and `OutboxWorker` delivers it, so a notice never
delays the SMTP answer of the message it is about. `notify_sender`,
`alert_reviewers` and `on_decision` never raise (a failure is logged: the
message itself is already safe); `answer_check` raises StoreError when
the answer could not be committed, so the relay answers 451 and the
sender's server tries again.

What a sender notice holds, and what it never holds:

- what happened (held for review by `reviewer_role`, not sent, or sent
  with a reminder), the subject, time and recipients;
- each finding in plain words and where it was, with the detector's masked
  excerpt when the guidance allows (never for abusive language);
- why it matters and what to do, from config/guidance;
- a de-identified draft of the sender's own text when the guidance offers
  one and no finding forbids it;
- who to contact and, for a hold, what happens next.

The subject shown (in the body and in the notice's own Subject) is the
de-identified subject, or none at all when a non-patient finding (abuse)
sits in the subject line. Subject, draft and places come de-identified
with the `Outcome` (its `NoticeDraft`, made in the inspection worker by
gateway.notify.drafting): the notifier never parses the message nor runs
a model. A review notice's subject is de-identified by `subjects` (the
inspection workers, in `serve`); without it the notice names no subject. Logs carry the kind, the verdict, the reference
and the reason a notice was not sent: never addresses, subjects or text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway.config import Settings
from gateway.errors import ConfigError, GatewayError
from gateway.model import Decision, Envelope, Finding, NoticeDraft, Outcome, RecipientClass, Verdict
from gateway.notify.alerts import ReviewerAlerts
from gateway.notify.describe import Item, describe, group
from gateway.notify.drafting import VERDICTS
from gateway.notify.explain import check_findings, findings_shown, subject_has_other_findings, would_be
from gateway.notify.guidance import Guidance
from gateway.notify.message import AddressError, address, build_message
from gateway.notify.render import Templates
from gateway.notify.timefmt import format_time, parse_time, zone
from gateway.policy import Policy, load_policy
from gateway.store.held import ReviewDecision
from gateway.store.outbox import AlertLine, NewMail, Outbox

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
#: de-identifies short texts (a held message's subject) away from this process: the inspection workers
Subjects = Callable[[list[str]], Awaitable[list[str]]]
REVIEW_ACTIONS = ("released", "rejected")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Notice:
    """One built notification, ready for the outbox."""

    kind: str
    rcpt: str
    content: bytes
    ref: str


class Notifier:
    """Builds notices from verdicts and review decisions and commits them to the outbox."""

    def __init__(
        self,
        settings: Settings,
        outbox: Outbox,
        clock: Clock = _now,
        *,
        guidance: Guidance | None = None,
        templates: Templates | None = None,
        policy: Policy | None = None,
        on_enqueue: Callable[[], None] | None = None,
        subjects: Subjects | None = None,
    ) -> None:
        self.settings = settings
        self.cfg = settings.notify
        self.outbox = outbox
        self.clock = clock
        self.guidance = guidance or Guidance.load(self.cfg.guidance_dir)
        self.templates = templates or Templates(self.cfg.templates_dir)
        self.templates.check()
        self.policy = policy if policy is not None else _load_policy(settings)
        self.on_enqueue = on_enqueue
        self.subjects = subjects
        self._validate()
        self.sender = address(self.cfg.from_address, self.cfg.from_name)
        self.zone: Any = zone(self.cfg.timezone)
        self.alerts = ReviewerAlerts(settings, clock, self.zone)

    def _validate(self) -> None:
        for key, values, allowed in (
            ("notify.on", self.cfg.on, VERDICTS),
            ("notify.on_review", self.cfg.on_review, REVIEW_ACTIONS),
        ):
            wrong = [v for v in values if v not in allowed]
            if wrong:
                raise ConfigError(f"unknown {', '.join(wrong)} (known: {', '.join(allowed)})", key=key)
        for key, value in (("notify.from_address", self.cfg.from_address),) + (
            (("notify.reviewer_address", self.cfg.reviewer_address),) if self.cfg.reviewer_address else ()
        ):
            try:
                address(value)
            except AddressError:
                raise ConfigError(f"not a plain address: {value!r}", key=key) from None

    # -- the front ends' calls -------------------------------------------------------------------

    async def message_decided(
        self, envelope: Envelope, outcome: Outcome, quarantine_id: str | None = None, *, ref: str = ""
    ) -> None:
        """After a verdict is carried out: the sender's notice, and the reviewers' alert for a hold."""
        await self.notify_sender(envelope, outcome, quarantine_id, ref=ref)
        decision = outcome.decision
        if decision.verdict is Verdict.HOLD and quarantine_id and not decision.monitor:
            await self.alert_reviewers(envelope, decision, quarantine_id)

    async def notify_sender(
        self, envelope: Envelope, outcome: Outcome, quarantine_id: str | None = None, *, ref: str = ""
    ) -> str | None:
        """Commit the sender's notice for a hold, reject or annotate; its outbox id, or None.

        Never raises: a notice that cannot be built or committed is logged.
        """
        decision = outcome.decision
        verdict = decision.verdict.value
        ref = quarantine_id or ref
        if not self.cfg.enabled or decision.monitor or verdict not in self.cfg.on:
            return None
        draft = outcome.notice
        reason = "no draft" if draft is None else draft.suppressed
        if draft is None or reason:
            log.info("no sender notice", extra={"reason": reason, "verdict": verdict, "ref": ref})
            return None
        try:
            notice = await asyncio.to_thread(self._sender_notice, envelope, outcome, draft, ref)
            return await self._commit(notice, rate_limited=True)
        except Exception as exc:  # a worker boundary: the message is safe, only the notice is lost
            log.error(
                "sender notice failed", extra={"verdict": verdict, "ref": ref, "error": type(exc).__name__}
            )
            return None

    async def answer_check(self, envelope: Envelope, outcome: Outcome, *, ref: str = "") -> str | None:
        """Commit the answer to a message sent to the check address; its outbox id, or None when
        no answer is due (a bounce, automatic mail, over the rate limit). Raises on failure."""
        draft = outcome.notice
        if draft is None or draft.kind != "check":  # the worker could not draft it: the sender retries
            raise GatewayError("no check answer drafted for this message")
        if draft.suppressed:
            log.info("no check answer", extra={"reason": draft.suppressed, "ref": ref})
            return None
        notice = await asyncio.to_thread(self._check_notice, envelope, outcome, draft, ref)
        return await self._commit(notice, rate_limited=True)

    async def alert_reviewers(self, envelope: Envelope, decision: Decision, quarantine_id: str) -> str | None:
        """Tell the reviewers a message is held: an alert now, or a line in the next digest."""
        if not self.cfg.enabled or not self.cfg.reviewer_address:
            return None
        try:
            summary = self.alerts.summary(envelope, decision, quarantine_id)
            if self.cfg.reviewer_digest_minutes > 0:
                await asyncio.to_thread(self.outbox.add_alert, quarantine_id, summary)
                return None
            context = self.alerts.alert_context(summary)
            notice = await asyncio.to_thread(
                self._notice, "alert", self.cfg.reviewer_address, context, quarantine_id
            )
            return await self._commit(notice, rate_limited=False)
        except Exception as exc:  # a worker boundary: the hold is committed, only the alert is lost
            log.error("reviewer alert failed", extra={"ref": quarantine_id, "error": type(exc).__name__})
            return None

    async def on_decision(self, review: ReviewDecision) -> str | None:
        """The review UI's hook: tell the sender a held message was released or rejected."""
        held = review.message
        if not self.cfg.enabled or review.action not in self.cfg.on_review:
            return None
        sender = held.envelope.mail_from.strip().lower()
        if not sender or sender in self._own_addresses():
            log.info("no review notice", extra={"reason": "bounce" if not sender else "own", "ref": held.id})
            return None
        try:
            subject = await self._review_subject(held.subject, held.findings)
            notice = await asyncio.to_thread(self._review_notice, review, subject)
            return await self._commit(notice, rate_limited=False)
        except Exception as exc:  # the decision is committed; only the notice is lost
            log.error("review notice failed", extra={"ref": held.id, "error": type(exc).__name__})
            return None

    async def flush_digest(self) -> str | None:
        """Enqueue the reviewer digest when its oldest line has waited reviewer_digest_minutes."""
        minutes = self.cfg.reviewer_digest_minutes
        if minutes <= 0 or not self.cfg.reviewer_address:
            return None
        oldest = await asyncio.to_thread(self.outbox.oldest_alert)
        if oldest is None or (self.clock() - oldest).total_seconds() < minutes * 60:
            return None
        oid = await asyncio.to_thread(self.outbox.take_alerts, self._digest_mail)
        if oid is not None:
            log.info("reviewer digest queued", extra={"outbox_id": oid})
            self._wake()
        return oid

    def link(self, quarantine_id: str) -> str:
        """The review UI's page of a held message ("" when there is no UI to link to)."""
        return self.alerts.link(quarantine_id)

    # -- committing ------------------------------------------------------------------------------

    async def _commit(self, notice: Notice, *, rate_limited: bool) -> str | None:
        limit = self.cfg.rate_limit_per_hour if rate_limited and self.cfg.rate_limit_per_hour > 0 else None
        oid = await asyncio.to_thread(
            self.outbox.enqueue,
            notice.kind,
            self.cfg.envelope_sender,
            notice.rcpt,
            notice.content,
            ref=notice.ref,
            rate_key=notice.rcpt.lower() if limit is not None else "",
            rate_limit=limit,
        )
        if oid is None:
            log.warning(
                "notice over the rate limit",
                extra={"kind": notice.kind, "ref": notice.ref},
            )
            return None
        log.info("notice queued", extra={"kind": notice.kind, "ref": notice.ref, "outbox_id": oid})
        self._wake()
        return oid

    def _wake(self) -> None:
        if self.on_enqueue is not None:
            self.on_enqueue()

    def _own_addresses(self) -> tuple[str, ...]:
        return tuple(
            a.strip().lower()
            for a in (self.cfg.from_address, self.cfg.envelope_sender, self.cfg.check_address)
            if a.strip()
        )

    # -- building (blocking: run in a thread) ----------------------------------------------------

    def _sender_notice(self, envelope: Envelope, outcome: Outcome, draft: NoticeDraft, ref: str) -> Notice:
        decision = outcome.decision
        shown = findings_shown(self.policy, self.settings, envelope, decision)
        context = self._draft_context(envelope, draft, describe(shown, self.guidance), ref)
        context.update(kind=decision.verdict.value, failed_checks=bool(outcome.failed_detectors))
        return self._notice("sender", envelope.mail_from, context, ref, in_reply_to=outcome.message_id)

    def _check_notice(self, envelope: Envelope, outcome: Outcome, draft: NoticeDraft, ref: str) -> Notice:
        findings = tuple(outcome.findings)
        shown = check_findings(self.policy, envelope, findings)
        context = self._draft_context(envelope, draft, describe(shown, self.guidance), ref)
        context.update(
            kind="check",
            outside=would_be(self.policy, envelope, findings, RecipientClass.EXTERNAL),
            inside=would_be(self.policy, envelope, findings, RecipientClass.INTERNAL),
            failed_checks=bool(outcome.failed_detectors),
        )
        return self._notice("check", envelope.mail_from, context, ref, in_reply_to=outcome.message_id)

    def _review_notice(self, review: ReviewDecision, subject: str) -> Notice:
        held = review.message
        context = self._context(
            subject=subject,
            received=parse_time(held.received) or self.clock(),
            recipients=list(held.recipients),
            items=describe(list(held.findings), self.guidance),
            draft="",
            ref=held.id,
        )
        context.update(kind=review.action, reason=review.reason or "")
        return self._notice("review", held.envelope.mail_from, context, held.id, in_reply_to=held.message_id)

    async def _review_subject(self, subject: str, findings: Iterable[Finding]) -> str:
        """A held message's subject de-identified by the workers; none when that cannot be done."""
        if not subject or subject_has_other_findings(findings):
            return ""
        if self.subjects is None:
            return ""
        return (await self.subjects([subject]))[0]

    def _notice(
        self, notice: str, rcpt: str, context: dict[str, Any], ref: str, *, in_reply_to: str | None = ""
    ) -> Notice:
        rendered = self.templates.render(notice, context)
        to = address(rcpt)
        content = build_message(
            sender=self.sender,
            to=to,
            rendered=rendered,
            kind=notice,
            date=self.clock(),
            in_reply_to=in_reply_to or "",
        )
        return Notice(notice, f"{to.username}@{to.domain}", content, ref)

    def _draft_context(
        self, envelope: Envelope, draft: NoticeDraft, items: list[Item], ref: str
    ) -> dict[str, Any]:
        """The worker's de-identified subject, draft and places, in the template's context."""
        for it in items:
            it.places = [draft.place(p) for p in it.places]
        return self._context(
            subject=draft.subject,
            received=self.clock(),
            recipients=list(envelope.rcpt_tos),
            items=items,
            draft=draft.text,
            ref=ref,
        )

    def _context(
        self,
        *,
        subject: str,
        received: datetime,
        recipients: list[str],
        items: list[Item],
        draft: str,
        ref: str,
    ) -> dict[str, Any]:
        return {
            "subject": subject,
            "received": format_time(received, self.zone),
            "recipients": recipients,
            "items": items,
            "groups": group(items),
            "draft": draft,
            "ref": ref,
            "contact": self.cfg.contact,
            "reviewer_role": self.cfg.reviewer_role,
            "check_address": self.cfg.check_address,
            "organisation": self.settings.documents.organisation,
            "retention_days": self.settings.quarantine.retention_days,
            "reason": "",
            "failed_checks": False,
            "outside": "",
            "inside": "",
        }

    def _digest_mail(self, lines: Sequence[AlertLine]) -> NewMail | None:
        if not lines:
            return None
        context = self.alerts.digest_context([x.summary for x in lines])
        notice = self._notice("digest", self.cfg.reviewer_address, context, "")
        return NewMail("digest", self.cfg.envelope_sender, notice.rcpt, notice.content)


def _load_policy(settings: Settings) -> Policy | None:
    try:
        return load_policy(settings.policy_paths, domains=settings.domains)
    except ConfigError:
        log.warning("notifications: policy not loaded; every finding is explained")
        return None
