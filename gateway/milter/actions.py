"""What the milter does with a whole message: the pipeline's verdict turned into a `Result`.

Deciding is the pipeline's and the policy's job; this module only acts:

- pass -> ACCEPT (with the X-Compliance-* headers monitor mode asks for);
- annotate -> ADDHEADER for each X-Compliance-* header, and the policy's banner
  by body replacement when `[milter] banner` is on;
- hold -> the gateway's quarantine (committed before DISCARD; TEMPFAIL when the
  commit fails or there is no quarantine), or with `hold_action = "postfix-hold"`
  QUARANTINE into Postfix's hold queue, then ACCEPT;
- reject -> REPLYCODE with the policy's code and text;
- a message over `smtp.max_message_size` -> REPLYCODE 552, as the relay answers.

With a notifier (`[notify]`), as in the relay: once a hold is committed
(or handed to Postfix's hold queue), a reject is chosen or an annotated
message accepted, the sender's notice is started in the background. It
only commits to the outbox, never delays or changes the answer, and its
failures are logged. `notify.check_address` is never delivered to:

- a message for the check address alone is inspected, the answer to the
  sender committed to the outbox, then DISCARD (TEMPFAIL when the answer
  cannot be committed, so the MTA keeps the message and retries);
- among other recipients it is taken off with DELRCPT (asked for at
  negotiation) and the message judged and handled for the others; an MTA
  that did not allow DELRCPT gets a 550 asking for the check on its own.

Errors other than the quarantine's and the outbox's commits are not caught
here: the connection turns any exception into TEMPFAIL.
Logs carry the queue id, verdict, rule, categories and sizes, never content.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Protocol

from gateway.config import MilterSettings
from gateway.milter import codec
from gateway.milter.banner import insert_banner
from gateway.milter.session import TEMPFAIL, Collected, Final, Negotiated, Result
from gateway.mime import normalise_line_endings
from gateway.model import Envelope, Outcome, Verdict
from gateway.model.passmark import Check, PassMark
from gateway.notify.background import BackgroundNotices
from gateway.notify.base import Notifies
from gateway.store.base import HoldThreads, Quarantine

log = logging.getLogger(__name__)

TOO_BIG = (552, "5.3.4 Message too big for the compliance gateway")
CHECK_NOT_ALONE = (550, "5.7.1 Send mail for the check address on its own, without other recipients")


class Inspects(Protocol):
    """The pipeline seam (`gateway.pipeline.Pipeline`)."""

    async def process(self, envelope: Envelope, raw: bytes) -> Outcome: ...


class MessageActions:
    """Turns one collected message into the end-of-message `Result`."""

    def __init__(
        self,
        settings: MilterSettings,
        pipeline: Inspects,
        quarantine: Quarantine | None,
        notifier: Notifies | None = None,
        *,
        check_address: str = "",
        pass_mark: PassMark | None = None,
    ) -> None:
        self.settings = settings
        self.pass_mark = pass_mark
        self.pipeline = pipeline
        self.quarantine = quarantine
        self.notifier = notifier
        # without a notifier nobody could answer: the check address is then an ordinary recipient
        self.check_address = _bare(check_address) if notifier is not None else ""
        self._notices = BackgroundNotices("milter: notification")
        self._holds = HoldThreads()

    async def __call__(self, message: Collected, negotiated: Negotiated) -> Result:
        started = time.perf_counter()
        envelope = message.envelope
        fields = {
            "queue_id": envelope.queue_id,
            "size": message.size,
            "recipients": len(envelope.rcpt_tos),
            "authenticated": bool(message.auth_user),
        }
        if message.oversized:
            log.warning("milter: message over the size limit", extra={**fields, "action": "replycode 552"})
            return Result(Final.REPLYCODE, reply=TOO_BIG)
        raw = normalise_line_endings(message.raw)
        if self.pass_mark is not None and self._own_mail(envelope, raw, fields):
            log.info(
                "milter verdict", extra={**fields, "verdict": "pass", "rule": "own-mail", "action": "accept"}
            )
            return Result(Final.ACCEPT)
        checked = tuple(dict.fromkeys(r for r in envelope.rcpt_tos if self._is_check_address(r)))
        others = any(not self._is_check_address(r) for r in envelope.rcpt_tos)
        if checked and others:
            if not negotiated.can(codec.SMFIF_DELRCPT):
                log.error(
                    "milter: the MTA does not allow DELRCPT; check address with other recipients refused",
                    extra={**fields, "action": "replycode 550"},
                )
                return Result(Final.REPLYCODE, reply=CHECK_NOT_ALONE)
            message = dataclasses.replace(message, envelope=_without(envelope, self._is_check_address))
        outcome = await self.pipeline.process(message.envelope, raw)
        decision = outcome.decision
        if checked and not others:
            result, action = await self._check(message.envelope, raw, outcome)
        else:
            result, action = await self._act(message, raw, outcome, negotiated)
            if checked and result.final is Final.ACCEPT:  # the others get it; the check address never
                result = dataclasses.replace(result, del_rcpts=tuple(f"<{r}>" for r in checked))
                action += " -check address"
        log.info(
            "milter verdict",
            extra={
                **fields,
                "verdict": decision.verdict.value,
                "rule": decision.rule,
                "categories": decision.categories,
                "monitor": decision.monitor,
                "action": action,
                "elapsed_ms": round((time.perf_counter() - started) * 1e3, 1),
            },
        )
        return result

    def _own_mail(self, envelope: Envelope, raw: bytes, fields: dict[str, object]) -> bool:
        """A release or notice this fleet signed (gateway.model.passmark); anything else is inspected."""
        assert self.pass_mark is not None
        check = self.pass_mark.check(envelope, raw)
        if check not in (Check.VALID, Check.ABSENT):
            log.warning(
                "milter: pass mark not accepted, inspecting", extra={**fields, "pass_mark": check.value}
            )
        return check is Check.VALID

    async def _act(
        self, message: Collected, raw: bytes, outcome: Outcome, n: Negotiated
    ) -> tuple[Result, str]:
        decision = outcome.decision
        verdict = decision.verdict
        if verdict is Verdict.REJECT:
            self._notify_later(message.envelope, outcome, None)
            return Result(Final.REPLYCODE, reply=(decision.reject_code, decision.reject_text)), "replycode"
        headers = outcome.headers
        if headers and not n.can(codec.SMFIF_ADDHDRS):
            log.warning("milter: the MTA does not allow adding headers; annotation dropped")
        if verdict is Verdict.HOLD:
            return await self._hold(message, raw, outcome, n, headers)
        new_body = None
        if verdict is Verdict.ANNOTATE and decision.banner and self.settings.banner:
            new_body = self._banner(message, decision.banner, n)
        if verdict is Verdict.ANNOTATE:
            self._notify_later(message.envelope, outcome, None)
        action = "accept" + (" +headers" if headers else "") + (" +banner" if new_body is not None else "")
        return Result(Final.ACCEPT, add_headers=headers, new_body=new_body), action

    def _banner(self, message: Collected, banner: str, n: Negotiated) -> bytes | None:
        if not n.can(codec.SMFIF_CHGBODY):
            log.warning("milter: the MTA does not allow body replacement; banner dropped")
            return None
        try:
            body = insert_banner(message.headers, message.body, banner)
        except Exception:  # a message we cannot follow still gets delivered, without the banner
            log.exception("milter: banner insertion failed", extra={"queue_id": message.envelope.queue_id})
            return None
        if body is None:
            log.info("milter: no text part for the banner", extra={"queue_id": message.envelope.queue_id})
        return body

    async def _hold(
        self,
        message: Collected,
        raw: bytes,
        outcome: Outcome,
        n: Negotiated,
        headers: tuple[tuple[str, str], ...],
    ) -> tuple[Result, str]:
        decision = outcome.decision
        queue_id = message.envelope.queue_id
        if self.settings.hold_action == "postfix-hold":
            if not n.can(codec.SMFIF_QUARANTINE):
                log.error("milter: the MTA does not offer QUARANTINE; hold answered with tempfail")
                return TEMPFAIL, "tempfail (no quarantine action)"
            reason = f"compliance gateway hold: rule {decision.rule or 'none'}"
            self._notify_later(message.envelope, outcome, None)  # no quarantine entry to link to
            return Result(
                Final.ACCEPT, add_headers=headers, quarantine_reason=reason
            ), "quarantine (mta hold)"
        if self.quarantine is None:
            log.error(
                "milter: hold verdict but no quarantine is available; tempfail", extra={"queue_id": queue_id}
            )
            return TEMPFAIL, "tempfail (no quarantine)"
        try:
            held_id = await self._holds.run(self.quarantine.hold, message.envelope, message.raw, decision)
        except Exception as exc:  # the store's failure: the MTA keeps the message and retries
            log.error(
                "milter: quarantine commit failed; tempfail",
                extra={"queue_id": queue_id, "error": type(exc).__name__},
            )
            return TEMPFAIL, "tempfail (quarantine failed)"
        self._notify_later(message.envelope, outcome, held_id)
        return Result(Final.DISCARD), f"discard (quarantined {held_id})"

    # --- the check address and notifications -------------------------------------------------------

    def _is_check_address(self, address: str) -> bool:
        return bool(self.check_address) and _bare(address) == self.check_address

    async def _check(self, envelope: Envelope, raw: bytes, outcome: Outcome) -> tuple[Result, str]:
        """Mail for the check address alone: answered, then discarded; TEMPFAIL if the answer is not committed."""
        assert self.notifier is not None
        try:
            await self.notifier.answer_check(envelope, outcome, ref=envelope.queue_id)
        except Exception as exc:  # the outbox's failure: the MTA keeps the message and retries
            log.error(
                "milter: check answer not committed; tempfail",
                extra={"queue_id": envelope.queue_id, "error": type(exc).__name__},
            )
            return TEMPFAIL, "tempfail (check answer failed)"
        return Result(Final.DISCARD), "discard (check answered)"

    def _notify_later(self, envelope: Envelope, outcome: Outcome, quarantine_id: str | None) -> None:
        """Tell the sender (and reviewers) in the background: it never delays or changes the answer."""
        if self.notifier is None:
            return
        self._notices.start(
            self.notifier.message_decided(envelope, outcome, quarantine_id, ref=envelope.queue_id)
        )

    async def drain_notices(self, timeout: float = 10.0) -> None:
        """Wait for notices still being committed (shutdown)."""
        await self._notices.drain(timeout)


def _bare(address: str) -> str:
    return address.strip().strip("<>").lower()


def _without(envelope: Envelope, drop: Callable[[str], bool]) -> Envelope:
    """The envelope without the recipients `drop` picks (their ESMTP options with them)."""
    keep = [i for i, r in enumerate(envelope.rcpt_tos) if not drop(r)]
    return dataclasses.replace(
        envelope,
        rcpt_tos=tuple(envelope.rcpt_tos[i] for i in keep),
        rcpt_options=tuple(envelope.rcpt_options[i] for i in keep if i < len(envelope.rcpt_options)),
    )
