"""The hold: commit a message to the quarantine within its deadline, and say whether it committed.

A front end's success answer for a held message (250, or the milter's
DISCARD) means the quarantine committed it; a temporary failure means it
did not. Never both: the write gets what is left of the message's deadline
(at least `HOLD_MIN` seconds), rolls itself back past it, and the answer
waits for its outcome. Only a database that answers nothing at all for
`HOLD_GRACE` more seconds is given up on (its COMMIT, if already sent, is
in doubt; the log says so with the queue id). The sum stays inside
Postfix's 100 s smtpd_proxy_timeout with the default 80 s deadline.

The commits run in threads of their own (`HoldThreads`), so they never
queue behind other blocking work in asyncio's shared pool.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from dataclasses import dataclass

from gateway.model import Decision, Envelope
from gateway.store.base import HoldThreads, Quarantine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Committed:
    """A hold's result: the quarantine id, or why there is none ("unanswered" or the error's type)."""

    held_id: str | None
    error: str = ""
    ms: float = 0.0


class Holder:
    HOLD_MIN = 5.0  # seconds a quarantine write gets even when inspection used the whole deadline
    HOLD_GRACE = 5.0  # and then for a database that answers nothing (keep the sum < smtpd_proxy_timeout)

    def __init__(self, quarantine: Quarantine, deadline: float) -> None:
        self.quarantine = quarantine
        self.deadline = deadline
        self.threads = HoldThreads()

    async def commit(
        self, env: Envelope, raw: bytes, decision: Decision, *, time_left: float | None, ref: str
    ) -> Committed:
        """Commit within `time_left` seconds (the whole deadline when None); never raises."""
        left = max(self.HOLD_MIN, time_left if time_left is not None else self.deadline)
        t0 = time.perf_counter()
        write = asyncio.ensure_future(
            self.threads.run(self.quarantine.hold, env, raw, decision, deadline=time.monotonic() + left)
        )
        try:
            held_id = await asyncio.wait_for(asyncio.shield(write), timeout=left + self.HOLD_GRACE)
        except TimeoutError:
            log.error(
                "quarantine write unanswered: outcome in doubt",
                extra={"id": ref, "queue_id": env.queue_id, "error": "quarantine_unanswered"},
            )
            return Committed(None, "quarantine_unanswered")
        except Exception as exc:  # the store boundary: the sender's server keeps the message
            error = type(exc).__name__
            log.error("quarantine failed", extra={"id": ref, "error": error, "trace": _trace(exc)})
            return Committed(None, error)
        return Committed(held_id, ms=round((time.perf_counter() - t0) * 1e3, 2))

    def close(self) -> None:
        self.threads.close()


def _trace(exc: BaseException) -> str:
    """Where it failed, without the exception's message (which may quote message content)."""
    return "".join(traceback.format_tb(exc.__traceback__)[-6:]).rstrip()
