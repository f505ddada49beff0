"""The relay's hold: commit to the quarantine within the message's deadline, and say what happened.

The client's 250 for a held message means the quarantine committed it; a
451 means it did not. Never both: the write gets what is left of the
deadline (at least `HOLD_MIN` seconds), rolls itself back past it, and the
answer waits for its outcome. Only a database that answers nothing at all
for `HOLD_GRACE` more seconds is given up on: 451, logged with the queue id
(its COMMIT, if already sent, is in doubt). The sum stays inside Postfix's
100 s smtpd_proxy_timeout with the default 80 s deadline.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from gateway.model import Decision, Envelope
from gateway.relay.logline import MessageRecord, error_trace
from gateway.relay.reply import NO_QUARANTINE, QUARANTINE_FAILED, Reply
from gateway.store.base import HoldThreads, Quarantine

log = logging.getLogger(__name__)


class HoldWriter:
    HOLD_MIN = 5.0  # seconds a quarantine write gets even when inspection used the whole deadline
    HOLD_GRACE = 5.0  # and then for a database that answers nothing (keep the sum < smtpd_proxy_timeout)

    def __init__(self, quarantine: Quarantine | None, deadline: float) -> None:
        self.quarantine = quarantine
        self.deadline = deadline
        self.threads = HoldThreads()

    async def hold(
        self,
        env: Envelope,
        raw: bytes,
        decision: Decision,
        record: MessageRecord,
        budget: asyncio.Timeout,
        failed: Reply = QUARANTINE_FAILED,
    ) -> tuple[Reply, str | None]:
        """The reply, and the quarantine id when the write committed; `failed` is the 451 when it did not.

        The message's own deadline (`budget`) is lifted so the answer can say
        what happened to the write.
        """
        if self.quarantine is None:
            return NO_QUARANTINE, None
        loop = asyncio.get_running_loop()
        when = budget.when()
        left = max(self.HOLD_MIN, (when - loop.time()) if when is not None else self.deadline)
        budget.reschedule(None)
        t0 = time.perf_counter()
        write = asyncio.ensure_future(
            self.threads.run(self.quarantine.hold, env, raw, decision, deadline=time.monotonic() + left)
        )
        try:
            held_as = await asyncio.wait_for(asyncio.shield(write), timeout=left + self.HOLD_GRACE)
        except TimeoutError:
            record.error = "quarantine_unanswered"
            log.error(
                "quarantine write unanswered: outcome in doubt",
                extra={"id": record.id, "queue_id": env.queue_id, "error": record.error},
            )
            return failed, None
        except Exception as exc:  # the store boundary: the client keeps the message
            record.error = type(exc).__name__
            log.error(
                "quarantine failed", extra={"id": record.id, "error": record.error, "trace": error_trace(exc)}
            )
            return failed, None
        record.timings_ms["hold"] = round((time.perf_counter() - t0) * 1e3, 2)
        return Reply(250, f"2.0.0 Ok: id={record.id}; held for review as {held_as}"), held_as


def failed_checks(outcome: Any) -> Reply:
    """The 451 for a hold that cannot be written, naming the checks that could not run when they caused it.

    With the store down, a check that needs it (the document registry) fails,
    the policy holds the message (fail closed), and the hold fails too: the
    admin must read "the store", not "inspection".
    """
    names = tuple(getattr(outcome, "failed_detectors", ()) or ())
    if not names:
        return QUARANTINE_FAILED
    which = ", ".join(sorted(names))[:200]
    return Reply(
        451,
        f"4.3.0 Could not quarantine the message held because checks could not run ({which}); try again later",
    )
