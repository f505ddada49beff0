"""Sender notices committed in the background, so a front end's answer never waits for them.

The relay and the milter both start a notice after a verdict is carried
out and must wait for the ones still being committed when they shut down;
this is that bookkeeping, once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class BackgroundNotices:
    """Tasks committing notices; failures are logged by type, never raised into the front end."""

    def __init__(self, label: str = "notification") -> None:
        self._label = label
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:  # the notifier logs its own failures
            log.error(f"{self._label} failed", extra={"error": type(task.exception()).__name__})

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for notices still being committed (shutdown)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    def __len__(self) -> int:
        return len(self._tasks)
