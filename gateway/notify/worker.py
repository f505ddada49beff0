"""The outbox worker: hands queued notifications to the next hop, retrying with backoff.

`deliver(envelope, raw)` is injected by the wiring (the relay's next-hop
client, as for releases from the quarantine): notify never imports a
front end. Each due row is tried once per round:

    the next hop answers 2xx                     -> sent
    4xx, no connection, a timeout, any other error -> retried after a backoff
                                                    (1 min, 2, 4 ... capped at 1 h)
    5xx                                           -> failed: given up, logged
    still not delivered after `max_age`           -> failed: given up, logged

`run()` loops until cancelled: a round, the digest check, then a sleep
until the next row is due, at most `poll_seconds`, cut short by `wake()`
(the notifier calls it after each enqueue). `run_once()` is one round,
for tests and tools. Logs carry the row id, the kind, the attempt and the
next hop's reply code: never the addresses or the content.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gateway.errors import DeliveryError, PermanentDeliveryError
from gateway.model import Envelope
from gateway.store.outbox import Outbox, OutboxMail

log = logging.getLogger(__name__)

Deliver = Callable[[Envelope, bytes], Awaitable[object]]
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Backoff:
    """Delay before attempt n+1 after n failed attempts: first * 2**(n-1), at most `cap`."""

    first: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=1)

    def after(self, attempts: int) -> timedelta:
        delay = self.first * (2 ** max(attempts - 1, 0))
        return min(delay, self.cap)


@dataclass(frozen=True)
class RoundResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def tried(self) -> int:
        return self.sent + self.retried + self.failed


class OutboxWorker:
    def __init__(
        self,
        outbox: Outbox,
        deliver: Deliver,
        *,
        clock: Clock = _now,
        backoff: Backoff | None = None,
        max_age: timedelta = timedelta(days=5),
        poll_seconds: float = 30.0,
        batch: int = 20,
        housekeeping: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.outbox = outbox
        self.deliver = deliver
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.max_age = max_age
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.housekeeping = housekeeping  # e.g. Notifier.flush_digest, run before each round
        self._wake = asyncio.Event()
        self._last_prune: datetime | None = None

    def wake(self) -> None:
        """Something was queued: start the next round now."""
        self._wake.set()

    async def run_once(self) -> RoundResult:
        """Try every row that is due now, once each."""
        if self.housekeeping is not None:
            try:
                await self.housekeeping()
            except Exception as exc:  # the worker boundary: the digest is retried next round
                log.error("outbox housekeeping failed", extra={"error": type(exc).__name__})
        sent = retried = failed = 0
        while True:
            mails = await asyncio.to_thread(self.outbox.claim_due, limit=self.batch)
            for mail in mails:
                outcome = await self._try(mail)
                sent += outcome == "sent"
                retried += outcome == "retry"
                failed += outcome == "failed"
            if len(mails) < self.batch:
                break
        await self._prune()
        return RoundResult(sent, retried, failed)

    async def _try(self, mail: OutboxMail) -> str:
        envelope = Envelope(mail_from=mail.mail_from, rcpt_tos=(mail.rcpt,))
        fields = {"outbox_id": mail.id, "kind": mail.kind, "attempt": mail.attempts}
        try:
            await self.deliver(envelope, mail.content)
        except PermanentDeliveryError as exc:
            await asyncio.to_thread(self.outbox.mark_failed, mail.id, _reply(exc))
            log.warning("notification refused by the next hop: given up", extra={**fields, "code": exc.code})
            return "failed"
        except Exception as exc:  # 4xx, no connection, anything unexpected: keep it and try again
            error = _reply(exc)
            if self.clock() - mail.created_at >= self.max_age:
                await asyncio.to_thread(self.outbox.mark_failed, mail.id, f"expired: {error}")
                log.warning("notification undelivered too long: given up", extra={**fields, **_code(exc)})
                return "failed"
            at = self.clock() + self.backoff.after(mail.attempts)
            await asyncio.to_thread(self.outbox.mark_retry, mail.id, error, at)
            level = logging.INFO if isinstance(exc, DeliveryError | OSError | TimeoutError) else logging.ERROR
            log.log(
                level, "notification deferred", extra={**fields, **_code(exc), "retry_at": at.isoformat()}
            )
            return "retry"
        await asyncio.to_thread(self.outbox.mark_sent, mail.id)
        log.info("notification sent", extra=fields)
        return "sent"

    async def _prune(self) -> None:
        now = self.clock()
        if self._last_prune is not None and now - self._last_prune < timedelta(hours=1):
            return
        self._last_prune = now
        try:
            await asyncio.to_thread(self.outbox.prune)
        except Exception as exc:  # housekeeping only
            log.warning("outbox prune failed", extra={"error": type(exc).__name__})

    async def run(self) -> None:
        """Rounds until cancelled; a failing round (database down) is logged and retried."""
        while True:
            try:
                await self.run_once()
                due = await asyncio.to_thread(self.outbox.next_due)
            except Exception as exc:  # the worker boundary: the database may come back
                log.error("outbox round failed", extra={"error": type(exc).__name__})
                due = None
            wait = self.poll_seconds
            if due is not None:
                wait = min(wait, max((due - self.clock()).total_seconds(), 0.0))
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=max(wait, 0.05))
            except TimeoutError:
                pass


def _code(exc: BaseException) -> dict[str, object]:
    """For logs: the next hop's reply code, or the error's type (never its text: it may name an address)."""
    code = getattr(exc, "code", None)
    return {"code": code} if isinstance(code, int) else {"error": type(exc).__name__}


def _reply(exc: BaseException) -> str:
    """The next hop's code and first line, or the error's type: what the row keeps as last_error."""
    code = getattr(exc, "code", None)
    text = getattr(exc, "message", None)
    if isinstance(code, int) and text:
        return f"{code} {' '.join(str(text).split())}"[:300]
    return type(exc).__name__
