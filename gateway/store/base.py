"""The contracts the front ends use to hand a message to the quarantine.

Front ends (relay, milter) call `Quarantine.hold` from a thread
(`asyncio.to_thread`): when it returns, the message is committed durably
and the front end may answer 250 / DISCARD. If it raises `StoreError`,
the front end answers a temporary failure (451 / TEMPFAIL).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from gateway.model import Decision, Envelope

T = TypeVar("T")


class Quarantine(Protocol):
    def hold(
        self, envelope: Envelope, raw: bytes, decision: Decision, *, deadline: float | None = None
    ) -> str:
        """Commit the message (encrypted), its envelope, findings and rule; return its id.

        With `deadline` (a `time.monotonic()` value) the write is rolled back and
        StoreError raised when it is not committed by then, and no single wait
        for the database outlasts it: a front end that waits for the outcome
        never answers 451 for a message that is committed after all.
        """


class HoldThreads:
    """A bounded thread pool of its own for quarantine commits.

    The commit is what a front end's 250 waits for, so it never queues behind
    other blocking work that shares asyncio's default pool (sender notices
    being drafted, outbox and audit writes, review-UI queries): a burst of
    slow notices cannot delay a hold's answer.
    """

    def __init__(self, size: int = 8) -> None:
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="quarantine-hold")

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, functools.partial(fn, *args, **kwargs)
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False)
