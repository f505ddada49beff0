"""Notifications as a service of `gateway serve`: the outbox, the notifier and the worker, started together.

    notifications = open_notifications(settings, deliver)   # None when [notify] enabled = false
    await notifications.start()                             # the outbox worker task
    relay/milter: await notifications.notifier.message_decided(...)
    web:          on_decision=notifications.notifier.on_decision
    await notifications.close()

`deliver(envelope, raw)` is the wiring's next-hop callable (the same one
the review UI releases through); this module never imports a front end.
`subjects` de-identifies a held message's subject for review notices: in
`serve` the inspection workers do it (`Pipeline.deidentify`); this process
never loads a model.
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
from gateway.notify.notifier import Notifier, Subjects
from gateway.notify.worker import OutboxWorker
from gateway.store.held import ReviewDecision
from gateway.store.outbox import Outbox, open_outbox

log = logging.getLogger(__name__)

Deliver = Callable[[Envelope, bytes], Awaitable[object]]


def _now() -> datetime:
    return datetime.now(UTC)


class Notifications:
    def __init__(self, outbox: Outbox, notifier: Notifier, worker: OutboxWorker) -> None:
        self.outbox, self.notifier, self.worker = outbox, notifier, worker
        self._tasks: list[asyncio.Task[Any]] = []

    async def start(self) -> None:
        """Start the outbox worker."""
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self.worker.run(), name="notify-outbox"))

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
    subjects: Subjects | None = None,
    **worker_options: Any,
) -> Notifications | None:
    """The configured notifications (ConfigError/StoreError on a bad set-up), None when disabled."""
    if not settings.notify.enabled:
        return None
    outbox = open_outbox(settings, clock=clock)
    try:
        worker = OutboxWorker(outbox, deliver, clock=clock, **worker_options)
        notifier = Notifier(settings, outbox, clock, on_enqueue=worker.wake, subjects=subjects)
        worker.housekeeping = notifier.flush_digest
    except Exception:
        outbox.close()
        raise
    return Notifications(outbox, notifier, worker)


def review_notices(
    settings: Settings, subjects: Subjects | None = None
) -> Callable[[ReviewDecision], Awaitable[None]] | None:
    """For review decisions made outside `serve` (`gateway quarantine reject`, `gateway web`): the sender's notice,
    committed to the outbox, where the running gateway's worker picks it up. `subjects` de-identifies the
    held message's subject (without it the notice names none)."""
    if not settings.notify.enabled:
        return None

    async def on_decision(review: ReviewDecision) -> None:
        outbox = await asyncio.to_thread(open_outbox, settings)
        try:
            await Notifier(settings, outbox, subjects=subjects).on_decision(review)
        finally:
            outbox.close()

    return on_decision
