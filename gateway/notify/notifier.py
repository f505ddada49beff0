"""The notifier: decides who is told what about a message, builds the notice, and commits it to the outbox.

    notify_sender(envelope, raw, outcome, quarantine_id)   after hold / reject / annotate
    alert_reviewers(envelope, decision, quarantine_id)      after a hold (immediate, or a digest line)
    message_decided(...)                                   both of the above, for the front ends
    answer_check(envelope, raw, outcome)                    mail to notify.check_address
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
- a de-identified draft of the sender's own text (`gateway.detect.deidentify`)
  when the guidance offers one and no finding forbids it;
- who to contact and, for a hold, what happens next.

The subject shown (in the body and in the notice's own Subject) is the
de-identified subject, or none at all when a non-patient finding (abuse)
sits in the subject line. Logs carry the kind, the verdict, the reference
and the reason a notice was not sent: never addresses, subjects or text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.config import Settings
from gateway.errors import ConfigError, GatewayError
from gateway.mime import parse_message
from gateway.model import Decision, Envelope, Finding, Inspection, RecipientClass, Verdict
from gateway.model.envelope import classify
from gateway.notify.describe import Item, describe, group
from gateway.notify.guidance import Guidance
from gateway.notify.message import AddressError, address, build_message
from gateway.notify.render import Templates
from gateway.notify.safety import suppression
from gateway.policy import Policy, RecipientView, evaluate, load_policy
from gateway.policy.engine import rule_matches
from gateway.store.outbox import AlertLine, NewMail, Outbox

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
VERDICTS = ("hold", "reject", "annotate")
REVIEW_ACTIONS = ("released", "rejected")
#: the draft shows at most this much of the sender's own text
DRAFT_MAX_CHARS = 6000


class Deidentifies(Protocol):
    """What the notifier needs from `gateway.detect.deidentify.Deidentifier`."""

    def load(self) -> None: ...

    def deidentify_many(
        self,
        texts: Sequence[str],
        context: Inspection | None = None,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> list[str]: ...


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
        deidentifier: Deidentifies | None = None,
        guidance: Guidance | None = None,
        templates: Templates | None = None,
        policy: Policy | None = None,
        on_enqueue: Callable[[], None] | None = None,
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
        self._deidentifier = deidentifier
        self._validate()
        self.sender = address(self.cfg.from_address, self.cfg.from_name)
        try:
            self.zone: Any = ZoneInfo(self.cfg.timezone) if self.cfg.timezone else UTC
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"unknown time zone {self.cfg.timezone!r}", key="notify.timezone") from None

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

    # -- the de-identifier: loaded on first use, or by warm_up() ---------------------------------

    @property
    def deidentifier(self) -> Deidentifies:
        if self._deidentifier is None:
            from gateway.detect.deidentify import Deidentifier

            self._deidentifier = Deidentifier.from_settings(self.settings)
        return self._deidentifier

    async def warm_up(self) -> None:
        """Load the de-identifier's models now (serve calls this at start, off the event loop)."""
        await asyncio.to_thread(self.deidentifier.load)

    # -- the front ends' calls -------------------------------------------------------------------

    async def message_decided(
        self, envelope: Envelope, raw: bytes, outcome: Any, quarantine_id: str | None = None, *, ref: str = ""
    ) -> None:
        """After a verdict is carried out: the sender's notice, and the reviewers' alert for a hold."""
        decision = _decision(outcome)
        await self.notify_sender(envelope, raw, decision, quarantine_id, ref=ref)
        if decision.verdict is Verdict.HOLD and quarantine_id and not decision.monitor:
            await self.alert_reviewers(envelope, decision, quarantine_id)

    async def notify_sender(
        self,
        envelope: Envelope,
        raw: bytes,
        outcome_or_decision: Any,
        quarantine_id: str | None = None,
        *,
        ref: str = "",
    ) -> str | None:
        """Commit the sender's notice for a hold, reject or annotate; its outbox id, or None.

        Never raises: a notice that cannot be built or committed is logged.
        """
        decision = _decision(outcome_or_decision)
        verdict = decision.verdict.value
        ref = quarantine_id or ref
        if not self.cfg.enabled or decision.monitor or verdict not in self.cfg.on:
            return None
        reason = suppression(envelope, raw, own_addresses=self._own_addresses())
        if reason:
            log.info("no sender notice", extra={"reason": reason, "verdict": verdict, "ref": ref})
            return None
        try:
            notice = await asyncio.to_thread(self._sender_notice, envelope, raw, decision, verdict, ref)
            return await self._commit(notice, rate_limited=True)
        except Exception as exc:  # a worker boundary: the message is safe, only the notice is lost
            log.error(
                "sender notice failed", extra={"verdict": verdict, "ref": ref, "error": type(exc).__name__}
            )
            return None

    async def answer_check(
        self, envelope: Envelope, raw: bytes, outcome: Any, *, ref: str = ""
    ) -> str | None:
        """Commit the answer to a message sent to the check address; its outbox id, or None when
        no answer is due (a bounce, automatic mail, over the rate limit). Raises on failure."""
        reason = suppression(envelope, raw, own_addresses=self._own_addresses())
        if reason:
            log.info("no check answer", extra={"reason": reason, "ref": ref})
            return None
        notice = await asyncio.to_thread(self._check_notice, envelope, raw, outcome, ref)
        return await self._commit(notice, rate_limited=True)

    async def alert_reviewers(self, envelope: Envelope, decision: Decision, quarantine_id: str) -> str | None:
        """Tell the reviewers a message is held: an alert now, or a line in the next digest."""
        if not self.cfg.enabled or not self.cfg.reviewer_address:
            return None
        try:
            summary = self._alert_summary(envelope, decision, quarantine_id)
            if self.cfg.reviewer_digest_minutes > 0:
                await asyncio.to_thread(self.outbox.add_alert, quarantine_id, summary)
                return None
            notice = await asyncio.to_thread(self._alert_notice, summary)
            return await self._commit(notice, rate_limited=False)
        except Exception as exc:  # a worker boundary: the hold is committed, only the alert is lost
            log.error("reviewer alert failed", extra={"ref": quarantine_id, "error": type(exc).__name__})
            return None

    async def on_decision(self, review: Any) -> str | None:
        """The review UI's hook (`ReviewDecision`): tell the sender a held message was released or rejected."""
        action = str(getattr(review, "action", ""))
        held = getattr(review, "message", None)
        if not self.cfg.enabled or action not in self.cfg.on_review or held is None:
            return None
        envelope = held.envelope
        sender = envelope.mail_from.strip().lower()
        if not sender or sender in self._own_addresses():
            log.info("no review notice", extra={"reason": "bounce" if not sender else "own", "ref": held.id})
            return None
        try:
            notice = await asyncio.to_thread(self._review_notice, review)
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

    def _sender_notice(
        self, envelope: Envelope, raw: bytes, decision: Decision, verdict: str, ref: str
    ) -> Notice:
        insp = parse_message(raw, envelope, self.settings.limits)
        shown = self._findings_shown(envelope, decision)
        items = describe(shown, self.guidance)
        context = self._base_context(envelope, insp, decision.findings, items, ref)
        context.update(kind=verdict, failed_checks=_failed_checks(decision))
        return self._notice("sender", envelope.mail_from, context, ref, in_reply_to=insp.header("Message-ID"))

    def _check_notice(self, envelope: Envelope, raw: bytes, outcome: Any, ref: str) -> Notice:
        insp = parse_message(raw, envelope, self.settings.limits)
        findings = tuple(getattr(outcome, "findings", None) or _decision(outcome).findings)
        outside = self._would_be(envelope, findings, RecipientClass.EXTERNAL)
        inside = self._would_be(envelope, findings, RecipientClass.INTERNAL)
        shown = (
            [f for f in findings if self._acted_on(envelope, f)]
            if self.policy is not None
            else list(findings)
        )
        items = describe(shown, self.guidance)
        context = self._base_context(envelope, insp, findings, items, ref)
        context.update(
            kind="check",
            outside=outside,
            inside=inside,
            failed_checks=bool(getattr(outcome, "failed_detectors", ())),
        )
        return self._notice("check", envelope.mail_from, context, ref, in_reply_to=insp.header("Message-ID"))

    def _review_notice(self, review: Any) -> Notice:
        held = review.message
        envelope = held.envelope
        items = describe(list(held.findings), self.guidance)
        subject = self._subjects([held.subject], held.findings)[0] if held.subject else ""
        context = self._context(
            subject=subject,
            received=_parse_time(held.received) or self.clock(),
            recipients=list(held.recipients),
            items=items,
            draft="",
            ref=held.id,
        )
        context.update(kind=str(review.action), reason=str(getattr(review, "reason", "") or ""))
        return self._notice("review", envelope.mail_from, context, held.id, in_reply_to=held.message_id)

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

    def _base_context(
        self,
        envelope: Envelope,
        insp: Inspection,
        findings: Iterable[Finding],
        items: list[Item],
        ref: str,
    ) -> dict[str, Any]:
        """Subject, draft and places de-identified together, in one pass of the patient detector."""
        findings = tuple(findings)
        offer = any(it.advice.draft == "offer" for it in items) and not any(
            it.advice.draft == "never" for it in items
        )
        body = _own_text(insp) if offer else ""
        places = sorted({p for it in items for p in it.places})
        texts = [insp.subject, body, *places]
        clean = self._deidentify(texts, insp)
        subject, draft, place_map = clean[0], clean[1], dict(zip(places, clean[2:], strict=True))
        if _subject_has_other_findings(findings):
            subject = ""
        for it in items:
            it.places = [place_map.get(p, p) for p in it.places]
        return self._context(
            subject=subject,
            received=self.clock(),
            recipients=list(envelope.rcpt_tos),
            items=items,
            draft=_trim(draft) if draft.strip() else "",
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
            "received": _format_time(received, self.zone),
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

    def _subjects(self, subjects: list[str], findings: Iterable[Finding]) -> list[str]:
        if _subject_has_other_findings(tuple(findings)):
            return ["" for _ in subjects]
        return self._deidentify(subjects, None)

    def _deidentify(self, texts: list[str], context: Inspection | None) -> list[str]:
        if not any(t.strip() for t in texts):
            return texts
        labels = _Placeholders(self.guidance)
        return self.deidentifier.deidentify_many(texts, context, labels=labels)

    # -- which findings a notice explains --------------------------------------------------------

    def _findings_shown(self, envelope: Envelope, decision: Decision) -> list[Finding]:
        """The findings that made the fired rules act; all of them when that cannot be told."""
        findings = list(decision.findings)
        if self.policy is None or not decision.rules:
            return findings
        view = RecipientView.of(envelope, self.settings.domains)
        acted: set[int] = set()
        names = set(decision.rules)
        for rule in self.policy.rules:
            if rule.name in names and rule.action is not Verdict.PASS:
                for f in rule_matches(rule, view, findings) or ():
                    acted.add(id(f))
        shown = [f for f in findings if id(f) in acted]
        return shown or findings

    def _acted_on(self, envelope: Envelope, finding: Finding) -> bool:
        """Whether some non-pass rule would act on this finding, for a recipient inside or outside."""
        assert self.policy is not None
        for cls in (RecipientClass.EXTERNAL, RecipientClass.INTERNAL, RecipientClass.SECURE):
            view = RecipientView(envelope.mail_from, (cls,))
            for rule in self.policy.rules:
                if rule.action is not Verdict.PASS and rule_matches(rule, view, [finding]):
                    return True
        return False

    def _would_be(self, envelope: Envelope, findings: tuple[Finding, ...], cls: RecipientClass) -> str:
        if self.policy is None:
            return ""
        view = RecipientView(envelope.mail_from, (cls,))
        return evaluate(self.policy, view, findings).verdict.value

    # -- reviewer alerts -------------------------------------------------------------------------

    def _alert_summary(self, envelope: Envelope, decision: Decision, quarantine_id: str) -> dict[str, Any]:
        """What a reviewer alert may say: ids, rule, kinds of finding, counts. No content, no subject."""
        internal = tuple(d.lower() for d in self.settings.domains.internal)
        secure = tuple(d.lower() for d in self.settings.domains.secure)
        classes = [classify(r, internal, secure) for r in envelope.rcpt_tos]
        return {
            "id": quarantine_id,
            "received": self.clock().astimezone(UTC).isoformat(timespec="seconds"),
            "rule": decision.rule,
            "categories": sorted({f.category for f in decision.findings}),
            "types": sorted({f.type for f in decision.findings}),
            "sender": envelope.mail_from,
            "recipients": len(envelope.rcpt_tos),
            "external": sum(1 for c in classes if c is RecipientClass.EXTERNAL),
        }

    def _alert_line(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        received = _parse_time(str(summary.get("received", ""))) or self.clock()
        return {
            **summary,
            "received": _format_time(received, self.zone),
            "link": self.link(str(summary["id"])),
        }

    def _alert_notice(self, summary: dict[str, Any]) -> Notice:
        context = {
            "alert": self._alert_line(summary),
            "reviewer_role": self.cfg.reviewer_role,
            "organisation": self.settings.documents.organisation,
        }
        return self._notice("alert", self.cfg.reviewer_address, context, str(summary["id"]))

    def _digest_mail(self, lines: Sequence[AlertLine]) -> NewMail | None:
        if not lines:
            return None
        context = {
            "alerts": [self._alert_line(x.summary) for x in lines],
            "reviewer_role": self.cfg.reviewer_role,
            "organisation": self.settings.documents.organisation,
            "minutes": self.cfg.reviewer_digest_minutes,
        }
        notice = self._notice("digest", self.cfg.reviewer_address, context, "")
        return NewMail("digest", self.cfg.envelope_sender, notice.rcpt, notice.content)

    def link(self, quarantine_id: str) -> str:
        """The review UI's page of a held message ("" when there is no UI to link to)."""
        web = self.settings.web
        base = str(web.public_url or "").rstrip("/")
        if not base and web.listen:
            base = f"http://{web.listen}"
        return f"{base}/messages/{quarantine_id}" if base else ""


# -- helpers ---------------------------------------------------------------------------------------


class _Placeholders(Mapping[str, str]):
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


def _decision(outcome_or_decision: Any) -> Decision:
    if isinstance(outcome_or_decision, Decision):
        return outcome_or_decision
    decision = getattr(outcome_or_decision, "decision", None)
    if isinstance(decision, Decision):
        return decision
    raise GatewayError(f"expected an Outcome or a Decision, got {type(outcome_or_decision).__name__}")


def _failed_checks(decision: Decision) -> bool:
    return decision.rule.startswith("detector-failure:") or any("failed" in n for n in decision.notes)


def _subject_has_other_findings(findings: tuple[Finding, ...]) -> bool:
    """A finding other than a patient identifier in the subject line: do not show the subject at all."""
    return any(
        f.where.lower().endswith("header:subject") and f.category != "patient_identifier" for f in findings
    )


def _own_text(insp: Inspection) -> str:
    """What the sender wrote: the plain-text body, or the HTML body's text when there is none."""
    for where in ("body", "html"):
        parts = [s.text for s in insp.segments if s.where == where and not s.quoted and s.kind == "body"]
        if parts:
            return "\n\n".join(parts).strip()
    return ""


def _trim(text: str) -> str:
    if len(text) <= DRAFT_MAX_CHARS:
        return text
    cut = text.rfind("\n", 0, DRAFT_MAX_CHARS)
    return text[: cut if cut > DRAFT_MAX_CHARS // 2 else DRAFT_MAX_CHARS].rstrip() + "\n[…]"


def _format_time(dt: datetime, zone: Any) -> str:
    local = dt.astimezone(zone)
    return f"{local.day} {local:%B %Y, %H:%M} {local.tzname() or ''}".strip()


def _parse_time(text: str) -> datetime | None:
    try:
        dt = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _load_policy(settings: Settings) -> Policy | None:
    try:
        return load_policy(settings.policy_paths, domains=settings.domains)
    except ConfigError:
        log.warning("notifications: policy not loaded; every finding is explained")
        return None
