"""The disposition service: what happens to an inspected message, the same for the relay and the milter.

    acts = Dispositions(pipeline, quarantine, notifier, check_address=..., deadline=...)
    envelope, checked = acts.split(envelope)        # the check address taken off (checked: what was taken)
    inspected = await acts.inspect(envelope, raw)   # the pipeline, once; the bytes kept with the outcome
    d = await acts.check(inspected, ref)            # mail for the check address alone: answered, never delivered
    d = await acts.carry_out(inspected, ref, time_left=..., hold_in_mta=...)
    acts.delivered(inspected, ref)                  # the front end handed on an annotated message: notify

A `Disposition` says what the front end is to do, as plain data:

    DELIVER   hand the message on, with `headers` (and, annotating, the policy's `banner`)
    HELD      committed to the quarantine as `held_id`: answer success, deliver nothing
    MTA_HOLD  (milter) put it in the MTA's own hold queue with `reason`
    REJECT    refuse it permanently with `reject` (the policy's code and text)
    CHECKED   the check address's answer is committed: answer success, deliver nothing
    TEMPFAIL  try again later; `reason` says why ("no quarantine", "quarantine failed", ...)

The quarantine holds exactly the bytes inspected (`Inspected` carries them
from `inspect` to `carry_out`). Sender notices and reviewer alerts are
started in the background once the verdict is carried out (committed to the
quarantine, refused, handed on): they never delay or change the answer. The
check address's answer is the one exception: it is committed before the
answer, and TEMPFAIL when it cannot be. Pipeline errors are not caught here:
each front end turns them into its own temporary failure.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from gateway.act.holding import Holder
from gateway.model import Envelope, Outcome, Verdict
from gateway.model.outcome import Header
from gateway.notify.background import BackgroundNotices
from gateway.notify.base import Notifies
from gateway.store.base import Quarantine

log = logging.getLogger(__name__)


class Inspects(Protocol):
    """The pipeline seam (`gateway.pipeline.Pipeline`)."""

    async def process(self, envelope: Envelope, raw: bytes) -> Outcome: ...


class Act(StrEnum):
    DELIVER = "deliver"
    HELD = "held"
    MTA_HOLD = "mta-hold"
    REJECT = "reject"
    CHECKED = "checked"
    TEMPFAIL = "tempfail"


@dataclass(frozen=True)
class Inspected:
    """A message and what inspection concluded about it: the bytes a hold commits are these."""

    envelope: Envelope
    raw: bytes
    outcome: Outcome
    ms: float = 0.0  # how long inspection took


@dataclass(frozen=True)
class Disposition:
    """What the front end is to do with one message (see the module docstring)."""

    act: Act
    headers: tuple[Header, ...] = ()  # DELIVER / MTA_HOLD: header fields to add
    banner: str = ""  # DELIVER of an annotated message: the policy's banner
    held_id: str = ""  # HELD
    reject: tuple[int, str] = (0, "")  # REJECT
    reason: str = ""  # MTA_HOLD and TEMPFAIL
    failed_checks: tuple[str, ...] = ()  # TEMPFAIL of a hold: the checks that could not run, if any
    error: str = ""  # TEMPFAIL: the error's type (or "quarantine_unanswered"), for the message's log line
    hold_ms: float | None = None  # HELD: how long the commit took


NO_QUARANTINE = "no quarantine"
QUARANTINE_FAILED = "quarantine failed"
CHECK_FAILED = "check answer failed"


class Dispositions:
    """Holds, rejects, annotates, notifies and answers the check address for one front end."""

    def __init__(
        self,
        pipeline: Inspects,
        quarantine: Quarantine | None,
        notifier: Notifies | None = None,
        *,
        check_address: str = "",
        deadline: float = 80.0,
        label: str = "notification",
    ) -> None:
        self.pipeline = pipeline
        self.quarantine = quarantine
        self.notifier = notifier
        # without a notifier nobody could answer: the check address is then an ordinary recipient
        self.check_address = _bare(check_address) if notifier is not None else ""
        self.holder = Holder(quarantine, deadline) if quarantine is not None else None
        self._notices = BackgroundNotices(label)

    # --- the check address -----------------------------------------------------------------------

    def is_check_address(self, address: str) -> bool:
        return bool(self.check_address) and _bare(address) == self.check_address

    def split(self, envelope: Envelope) -> tuple[Envelope, tuple[str, ...]]:
        """The envelope without the check address (its ESMTP options with it), and the addresses taken off."""
        checked = tuple(dict.fromkeys(r for r in envelope.rcpt_tos if self.is_check_address(r)))
        if not checked:
            return envelope, ()
        keep = [i for i, r in enumerate(envelope.rcpt_tos) if not self.is_check_address(r)]
        rest = dataclasses.replace(
            envelope,
            rcpt_tos=tuple(envelope.rcpt_tos[i] for i in keep),
            rcpt_options=tuple(envelope.rcpt_options[i] for i in keep if i < len(envelope.rcpt_options)),
        )
        return rest, checked

    async def check(self, inspected: Inspected, ref: str) -> Disposition:
        """Mail for the check address alone: CHECKED once the answer is committed, else TEMPFAIL."""
        assert self.notifier is not None
        try:
            await self.notifier.answer_check(inspected.envelope, inspected.outcome, ref=ref)
        except Exception as exc:  # the outbox's failure: the sender's server keeps the message and retries
            log.error("check answer not committed", extra={"ref": ref, "error": type(exc).__name__})
            return Disposition(Act.TEMPFAIL, reason=CHECK_FAILED, error=type(exc).__name__)
        return Disposition(Act.CHECKED)

    # --- the verdict -----------------------------------------------------------------------------

    async def inspect(self, envelope: Envelope, raw: bytes) -> Inspected:
        t0 = time.perf_counter()
        outcome = await self.pipeline.process(envelope, raw)
        return Inspected(envelope, raw, outcome, round((time.perf_counter() - t0) * 1e3, 2))

    async def carry_out(
        self, inspected: Inspected, ref: str, *, time_left: float | None = None, hold_in_mta: bool = False
    ) -> Disposition:
        """The verdict carried out as far as this service goes; notices started where due.

        `time_left`: seconds of the message's deadline left for a hold's commit.
        `hold_in_mta`: a hold goes to the MTA's own hold queue (milter `hold_action`).
        """
        outcome = inspected.outcome
        decision = outcome.decision
        if decision.verdict is Verdict.REJECT:
            self._notify_later(inspected, None, ref)
            return Disposition(Act.REJECT, reject=(decision.reject_code, decision.reject_text))
        if decision.verdict is Verdict.HOLD:
            if hold_in_mta:
                self._notify_later(inspected, None, ref)  # no quarantine entry to link to
                reason = f"compliance gateway hold: rule {decision.rule or 'none'}"
                return Disposition(Act.MTA_HOLD, headers=outcome.headers, reason=reason)
            return await self._hold(inspected, ref, time_left)
        banner = decision.banner if decision.verdict is Verdict.ANNOTATE else ""
        return Disposition(Act.DELIVER, headers=outcome.headers, banner=banner)

    def delivered(self, inspected: Inspected, ref: str) -> None:
        """The front end handed the message on: an annotated message's sender gets the reminder."""
        if inspected.outcome.decision.verdict is Verdict.ANNOTATE:
            self._notify_later(inspected, None, ref)

    async def _hold(self, inspected: Inspected, ref: str, time_left: float | None) -> Disposition:
        failed = tuple(inspected.outcome.failed_detectors)
        if self.holder is None:
            log.error("hold verdict but no quarantine is available", extra={"id": ref})
            return Disposition(Act.TEMPFAIL, reason=NO_QUARANTINE)
        env, decision = inspected.envelope, inspected.outcome.decision
        done = await self.holder.commit(env, inspected.raw, decision, time_left=time_left, ref=ref)
        if done.held_id is None:
            return Disposition(Act.TEMPFAIL, reason=QUARANTINE_FAILED, failed_checks=failed, error=done.error)
        self._notify_later(inspected, done.held_id, ref)
        return Disposition(Act.HELD, held_id=done.held_id, hold_ms=done.ms)

    # --- notices ---------------------------------------------------------------------------------

    def _notify_later(self, inspected: Inspected, quarantine_id: str | None, ref: str) -> None:
        """Tell the sender (and reviewers) in the background: it never delays or changes the answer."""
        if self.notifier is None:
            return
        self._notices.start(
            self.notifier.message_decided(inspected.envelope, inspected.outcome, quarantine_id, ref=ref)
        )

    async def drain_notices(self, timeout: float = 10.0) -> None:
        """Wait for notices still being committed (shutdown)."""
        await self._notices.drain(timeout)

    def close(self) -> None:
        if self.holder is not None:
            self.holder.close()


def _bare(address: str) -> str:
    return address.strip().strip("<>").lower()
