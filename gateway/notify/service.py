"""Notifications as a service of `gateway serve`: the outbox, the notifier and the worker, started together.

    notifications = open_notifications(settings, deliver)   # None when [notify] enabled = false
    await notifications.start()                             # the worker task; models warm up in the background
    relay/milter: await notifications.notifier.message_decided(...)
    web:          on_decision=notifications.notifier.on_decision
    await notifications.close()

`deliver(envelope, raw)` is the wiring's next-hop callable (the same one
the review UI releases through); this module never imports a front end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from gateway.config import Settings
from gateway.model import Envelope
from gateway.notify.notifier import Deidentifies, Notifier
from gateway.notify.worker import OutboxWorker
from gateway.store.outbox import Outbox, open_outbox

log = logging.getLogger(__name__)

Deliver = Callable[[Envelope, bytes], Awaitable[object]]


def _now() -> datetime:
    return datetime.now(UTC)


class Notifications:
    def __init__(self, outbox: Outbox, notifier: Notifier, worker: OutboxWorker) -> None:
        self.outbox, self.notifier, self.worker = outbox, notifier, worker
        self._tasks: list[asyncio.Task[Any]] = []

    async def start(self, *, warm_up: bool = True) -> None:
        """Start the outbox worker (and, unless told not to, load the de-identifier's models)."""
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self.worker.run(), name="notify-outbox"))
        if warm_up:
            self._tasks.append(loop.create_task(self._warm_up(), name="notify-warm-up"))

    async def _warm_up(self) -> None:
        try:
            await self.notifier.warm_up()
        except Exception as exc:  # the first notice loads them again, and logs if it fails
            log.error("could not load the de-identifier", extra={"error": type(exc).__name__})

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        self.outbox.close()


def open_notifications(
    settings: Settings,
    deliver: Deliver,
    *,
    clock: Callable[[], datetime] = _now,
    deidentifier: Deidentifies | None = None,
    **worker_options: Any,
) -> Notifications | None:
    """The configured notifications (ConfigError/StoreError on a bad set-up), None when disabled.

    `deidentifier` is for tests and tools that already hold a loaded one.
    """
    if not settings.notify.enabled:
        return None
    outbox = open_outbox(settings, clock=clock)
    try:
        worker = OutboxWorker(outbox, deliver, clock=clock, **worker_options)
        notifier = Notifier(settings, outbox, clock, deidentifier=deidentifier, on_enqueue=worker.wake)
        worker.housekeeping = notifier.flush_digest
    except Exception:
        outbox.close()
        raise
    return Notifications(outbox, notifier, worker)


def review_notices(settings: Settings) -> Callable[[Any], Awaitable[None]] | None:
    """For review decisions made outside `serve` (`gateway quarantine reject`, `gateway web`): the sender's notice,
    committed to the outbox, where the running gateway's worker picks it up."""
    if not settings.notify.enabled:
        return None

    async def on_decision(review: Any) -> None:
        outbox = await asyncio.to_thread(open_outbox, settings)
        try:
            await Notifier(settings, outbox).on_decision(review)
        finally:
            outbox.close()

    return on_decision
