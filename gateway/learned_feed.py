"""The accepted learned entries as the inspection workers see them: loaded by the parent, handed over.

The same mechanism as the document index (`gateway.feed`): workers
never open the store, so the parent loads the accepted entries
(`gateway.store.learned.learned_loader`) at start and then every
`documents.reload_seconds` on a thread of its own, and `WorkerPool` sends
a worker the current `LearnedSnapshot` with its next message whenever the
worker's copy is older. An entry an administrator accepts (or withdraws)
on any node reaches every worker of every node without a restart.

When the store cannot be read the last snapshot keeps serving; with none
loaded yet the workers inspect with no learned entries (what the detectors
did before anyone taught them), and the parent says so once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from gateway.errors import StoreError
from gateway.feed import Feed
from gateway.model.learned import LearnedEntries

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LearnedSnapshot:
    """One version of the accepted entries, as sent to the workers."""

    version: int  # the feed's own count: moves each time different entries were loaded
    entries: LearnedEntries


class LearnedFeed(Feed[LearnedSnapshot]):
    """The parent's current snapshot of the accepted entries, refreshed on a thread of its own."""

    thread_name = "gateway-learned-feed"

    def __init__(self, load: Callable[[], LearnedEntries], *, interval: float = 5.0) -> None:
        super().__init__(interval=interval)
        self._load = load
        self._unreadable_logged = False

    def _next(self, last: LearnedSnapshot | None) -> LearnedSnapshot | None:
        try:
            entries = self._load()
        except StoreError as exc:
            if not self._unreadable_logged:  # once per outage, not every few seconds
                self._unreadable_logged = True
                log.error(
                    "learned entries unreadable; workers keep what they have",
                    extra={"error": type(exc).__name__},
                )
            return last
        except Exception as exc:  # a thread boundary: the last snapshot keeps serving
            log.error("learned entries could not be loaded", extra={"error": type(exc).__name__})
            return last
        self._unreadable_logged = False
        if last is not None and last.entries == entries:
            return last
        # counts only: the values are patient-adjacent and never logged
        log.info("learned entries ready for the workers", extra={"count": entries.size})
        return LearnedSnapshot(last.version + 1 if last is not None else 1, entries)
