"""Review actions, as the web UI and the CLI call them: release, reject and delete, each audited.

Release delivers through a `deliver(envelope, raw)` callable the wiring
injects (the relay's next-hop client), so nothing here imports a front
end; if the next hop refuses, the message stays held and the error is kept.
A decision is told (to the sender, through `on_decision`) only once it is
committed.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from dataclasses import dataclass

from gateway.store.audit import AuditEvent
from gateway.store.held import ActionRefused, Deliver, HeldMessage, OnDecision, ReviewDecision
from gateway.store.quarantine import QuarantineStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActionResult:
    ok: bool
    message: HeldMessage
    error: str = ""


class ReviewActions:
    """Release, reject and delete, each audited; release delivers through the injected callable."""

    def __init__(
        self, store: QuarantineStore, deliver: Deliver | None, on_decision: OnDecision | None = None
    ) -> None:
        self.store = store
        self.deliver = deliver
        self.on_decision = on_decision

    async def release(self, qid: str, *, actor: str, source: str, comment: str = "") -> ActionResult:
        """Deliver to the original recipients; if the next hop refuses, the message stays held."""
        if self.deliver is None:
            raise ActionRefused("release is not available: no next hop is configured for this process")
        ev = AuditEvent(actor, "release", "started", qid, source, _detail(comment=comment))
        msg = await asyncio.to_thread(self.store.claim_release, qid, ev)
        try:
            raw = await asyncio.to_thread(self.store.raw, qid)
            await self.deliver(msg.envelope, raw)
        except Exception as exc:  # the delivery boundary: any failure keeps the message held
            error = _delivery_error(exc)
            log.warning("release failed", extra={"message_id": qid, "error": error})
            ev = AuditEvent(actor, "release", "failed", qid, source, error)
            msg = await asyncio.to_thread(
                self.store.finish_release,
                qid,
                delivered=False,
                error=error,
                actor=actor,
                comment=comment,
                event=ev,
            )
            return ActionResult(False, msg, error)
        ev = AuditEvent(actor, "release", "ok", qid, source, _detail(comment=comment))
        msg = await asyncio.to_thread(
            self.store.finish_release, qid, delivered=True, error="", actor=actor, comment=comment, event=ev
        )
        await self._tell(ReviewDecision("released", msg, actor, "", comment))
        return ActionResult(True, msg)

    async def reject(
        self, qid: str, *, actor: str, source: str, reason: str, comment: str = ""
    ) -> ActionResult:
        if not reason.strip():
            raise ActionRefused("a rejection needs a reason for the sender")
        ev = AuditEvent(actor, "reject", "ok", qid, source, _detail(comment=comment, reason=reason))
        msg = await asyncio.to_thread(
            self.store.reject, qid, actor=actor, reason=reason.strip(), comment=comment.strip(), event=ev
        )
        await self._tell(ReviewDecision("rejected", msg, actor, reason.strip(), comment.strip()))
        return ActionResult(True, msg)

    async def delete(self, qid: str, *, actor: str, source: str, comment: str = "") -> ActionResult:
        before = await asyncio.to_thread(self.store.get, qid)
        ev = AuditEvent(actor, "delete", "ok", qid, source, _detail(comment=comment))
        msg = await asyncio.to_thread(self.store.delete, qid, actor=actor, comment=comment.strip(), event=ev)
        await self._tell(ReviewDecision("deleted", before or msg, actor, "", comment.strip()))
        return ActionResult(True, msg)

    async def _tell(self, decision: ReviewDecision) -> None:
        if self.on_decision is None:
            return
        try:
            result = self.on_decision(decision)
            if inspect.isawaitable(result):
                await result
        except Exception:  # a notification failure must not undo a decision that is committed
            log.exception("on_decision hook failed", extra={"message_id": decision.message.id})


def _detail(*, comment: str = "", reason: str = "") -> str:
    # lengths only: comments and reasons may quote the message, and the audit log holds no content
    parts = []
    if comment:
        parts.append(f"comment={len(comment)} chars")
    if reason:
        parts.append(f"reason={len(reason)} chars")
    return " ".join(parts)


def _delivery_error(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    first = " ".join(str(text).split())[:300]
    if isinstance(code, int):
        return f"{code} {first}"
    return f"{type(exc).__name__}: {first}" if first != type(exc).__name__ else first
