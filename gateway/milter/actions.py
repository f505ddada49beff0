"""What the milter does with a whole message: the disposition turned into a `Result`.

Deciding is the pipeline's and the policy's job, acting on it the
disposition service's (`gateway.act`, shared with the relay); this module
maps its answer onto the milter's, within what the MTA negotiated:

- pass -> ACCEPT (with the X-Compliance-* headers monitor mode asks for);
- annotate -> ADDHEADER for each X-Compliance-* header, and the policy's banner
  by body replacement when `[milter] banner` is on;
- hold -> the gateway's quarantine (committed before DISCARD, exactly the
  bytes inspected; TEMPFAIL when the commit fails or there is no quarantine), or with `hold_action = "postfix-hold"`
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

from gateway.act.disposition import Act, Disposition, Dispositions, Inspected, Inspects
from gateway.act.holding import Holder
from gateway.config import MilterSettings
from gateway.milter import codec
from gateway.milter.banner import insert_banner
from gateway.milter.session import TEMPFAIL, Collected, Final, Negotiated, Result
from gateway.mime import normalise_line_endings
from gateway.model import Envelope, Verdict
from gateway.model.passmark import Check, PassMark
from gateway.notify.base import Notifies
from gateway.store.base import Quarantine

log = logging.getLogger(__name__)

TOO_BIG = (552, "5.3.4 Message too big for the compliance gateway")
CHECK_NOT_ALONE = (550, "5.7.1 Send mail for the check address on its own, without other recipients")


class MessageActions:
    """Turns one collected message into the end-of-message `Result`, through the disposition service."""

    def __init__(
        self,
        settings: MilterSettings,
        pipeline: Inspects,
        quarantine: Quarantine | None,
        notifier: Notifies | None = None,
        *,
        check_address: str = "",
        pass_mark: PassMark | None = None,
        deadline: float = 240.0,
    ) -> None:
        self.settings = settings
        self.pass_mark = pass_mark
        self.deadline = deadline  # the connection's: `[milter] deadline_seconds`
        self.acts = Dispositions(
            pipeline,
            quarantine,
            notifier,
            check_address=check_address,
            deadline=deadline,
            label="milter: notification",
        )

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
        rest, checked = self.acts.split(envelope)
        if checked and rest.rcpt_tos and not negotiated.can(codec.SMFIF_DELRCPT):
            log.error(
                "milter: the MTA does not allow DELRCPT; check address with other recipients refused",
                extra={**fields, "action": "replycode 550"},
            )
            return Result(Final.REPLYCODE, reply=CHECK_NOT_ALONE)
        alone = bool(checked) and not rest.rcpt_tos  # for the check address only: answered, never delivered
        # the bytes scanned are the bytes a hold keeps
        inspected = await self.acts.inspect(envelope if alone else rest, raw)
        decision = inspected.outcome.decision
        if alone:
            result, action = _checked(await self.acts.check(inspected, envelope.queue_id))
        else:
            result, action = await self._act(message, inspected, negotiated, started)
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
        self, message: Collected, inspected: Inspected, n: Negotiated, started: float
    ) -> tuple[Result, str]:
        queue_id = message.envelope.queue_id
        verdict = inspected.outcome.decision.verdict
        in_mta = self.settings.hold_action == "postfix-hold"
        if verdict is Verdict.HOLD and in_mta and not n.can(codec.SMFIF_QUARANTINE):
            log.error("milter: the MTA does not offer QUARANTINE; hold answered with tempfail")
            return TEMPFAIL, "tempfail (no quarantine action)"
        # a hold's commit must end (committed or rolled back) before the connection's deadline answers TEMPFAIL
        left = self.deadline - (time.perf_counter() - started) - Holder.HOLD_GRACE - 1.0
        d = await self.acts.carry_out(inspected, queue_id, time_left=left, hold_in_mta=in_mta)
        if d.headers and not n.can(codec.SMFIF_ADDHDRS):
            log.warning("milter: the MTA does not allow adding headers; annotation dropped")
        if d.act is Act.REJECT:
            return Result(Final.REPLYCODE, reply=d.reject), "replycode"
        if d.act is Act.MTA_HOLD:
            return Result(
                Final.ACCEPT, add_headers=d.headers, quarantine_reason=d.reason
            ), "quarantine (mta hold)"
        if d.act is Act.HELD:
            return Result(Final.DISCARD), f"discard (quarantined {d.held_id})"
        if d.act is Act.TEMPFAIL:
            return TEMPFAIL, f"tempfail ({d.reason})"
        new_body = None
        if d.banner and self.settings.banner:
            new_body = self._banner(message, d.banner, n)
        self.acts.delivered(inspected, queue_id)  # the MTA delivers what ACCEPT lets through
        action = "accept" + (" +headers" if d.headers else "") + (" +banner" if new_body is not None else "")
        return Result(Final.ACCEPT, add_headers=d.headers, new_body=new_body), action

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

    async def drain_notices(self, timeout: float = 10.0) -> None:
        """Wait for notices still being committed (shutdown)."""
        await self.acts.drain_notices(timeout)


def _checked(d: Disposition) -> tuple[Result, str]:
    """Mail for the check address alone: DISCARD once answered; TEMPFAIL (the MTA retries) if not."""
    if d.act is Act.CHECKED:
        return Result(Final.DISCARD), "discard (check answered)"
    return TEMPFAIL, "tempfail (check answer failed)"
