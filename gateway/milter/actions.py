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

Errors are not caught here: the connection turns any exception into TEMPFAIL.
Logs carry the queue id, verdict, rule, categories and sizes, never content.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

from gateway.config import MilterSettings
from gateway.milter import codec
from gateway.milter.banner import insert_banner
from gateway.milter.session import TEMPFAIL, Collected, Final, Negotiated, Result
from gateway.model import Envelope, Verdict
from gateway.model.mime import normalise_line_endings
from gateway.pipeline import Outcome
from gateway.store.base import Quarantine

log = logging.getLogger(__name__)

TOO_BIG = (552, "5.3.4 Message too big for the compliance gateway")
_ANNOTATION_PREFIX = "x-compliance-"


class Inspects(Protocol):
    """The pipeline seam (`gateway.pipeline.Pipeline`)."""

    async def process(self, envelope: Envelope, raw: bytes) -> Outcome: ...


class MessageActions:
    """Turns one collected message into the end-of-message `Result`."""

    def __init__(self, settings: MilterSettings, pipeline: Inspects, quarantine: Quarantine | None) -> None:
        self.settings = settings
        self.pipeline = pipeline
        self.quarantine = quarantine

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
        outcome = await self.pipeline.process(envelope, normalise_line_endings(message.raw))
        decision = outcome.decision
        result, action = await self._act(message, outcome, negotiated)
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

    async def _act(self, message: Collected, outcome: Outcome, n: Negotiated) -> tuple[Result, str]:
        decision = outcome.decision
        verdict = decision.verdict
        if verdict is Verdict.REJECT:
            return Result(Final.REPLYCODE, reply=(decision.reject_code, decision.reject_text)), "replycode"
        headers = annotation_fields(outcome.add_headers)
        if headers and not n.can(codec.SMFIF_ADDHDRS):
            log.warning("milter: the MTA does not allow adding headers; annotation dropped")
        if verdict is Verdict.HOLD:
            return await self._hold(message, outcome, n, headers)
        new_body = None
        if verdict is Verdict.ANNOTATE and decision.banner and self.settings.banner:
            new_body = self._banner(message, decision.banner, n)
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
        self, message: Collected, outcome: Outcome, n: Negotiated, headers: tuple[tuple[str, str], ...]
    ) -> tuple[Result, str]:
        decision = outcome.decision
        queue_id = message.envelope.queue_id
        if self.settings.hold_action == "postfix-hold":
            if not n.can(codec.SMFIF_QUARANTINE):
                log.error("milter: the MTA does not offer QUARANTINE; hold answered with tempfail")
                return TEMPFAIL, "tempfail (no quarantine action)"
            reason = f"compliance gateway hold: rule {decision.rule or 'none'}"
            return Result(
                Final.ACCEPT, add_headers=headers, quarantine_reason=reason
            ), "quarantine (mta hold)"
        if self.quarantine is None:
            log.error(
                "milter: hold verdict but no quarantine is available; tempfail", extra={"queue_id": queue_id}
            )
            return TEMPFAIL, "tempfail (no quarantine)"
        try:
            held_id = await asyncio.to_thread(self.quarantine.hold, message.envelope, message.raw, decision)
        except Exception as exc:  # the store's failure: the MTA keeps the message and retries
            log.error(
                "milter: quarantine commit failed; tempfail",
                extra={"queue_id": queue_id, "error": type(exc).__name__},
            )
            return TEMPFAIL, "tempfail (quarantine failed)"
        return Result(Final.DISCARD), f"discard (quarantined {held_id})"


def annotation_fields(block: bytes) -> tuple[tuple[str, str], ...]:
    """The X-Compliance-* fields of a block of header lines, unfolded as (name, value).

    Folded lines are joined with LF, the milter's separator for multi-line
    header values. Other fields are ignored: the milter only adds its own.
    """
    fields: list[tuple[str, str]] = []
    for line in block.decode("ascii", "replace").split("\r\n"):
        if not line:
            continue
        if line[0] in " \t" and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + "\n" + line)
            continue
        name, sep, value = line.partition(":")
        if sep and name.strip() == name and name:
            fields.append((name, value[1:] if value.startswith(" ") else value))
    return tuple((k, v) for k, v in fields if k.lower().startswith(_ANNOTATION_PREFIX))
