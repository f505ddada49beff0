"""The accepted learned entries as the inspection workers see them: loaded by the parent, handed over.

The same pattern as the document index (`gateway.index_feed`): workers
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
import threading
from collections.abc import Callable
from dataclasses import dataclass

from gateway.errors import StoreError
from gateway.model.learned import LearnedEntries

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LearnedSnapshot:
    """One version of the accepted entries, as sent to the workers."""

    version: int  # the feed's own count: moves each time different entries were loaded
    entries: LearnedEntries


class LearnedFeed:
    """The parent's current snapshot of the accepted entries, refreshed on a thread of its own."""

    def __init__(self, load: Callable[[], LearnedEntries], *, interval: float = 5.0) -> None:
        self._load = load
        self._interval = max(interval, 0.1)
        self._snapshot: LearnedSnapshot | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._unreadable_logged = False

    def current(self) -> LearnedSnapshot | None:
        """The latest snapshot (None until one was loaded); never blocks on the store."""
        return self._snapshot

    def refresh(self) -> LearnedSnapshot | None:
        """Load the entries once (blocking); keep the last snapshot when the store cannot be read."""
        with self._lock:
            try:
                entries = self._load()
            except StoreError as exc:
                if not self._unreadable_logged:  # once per outage, not every few seconds
                    self._unreadable_logged = True
                    log.error(
                        "learned entries unreadable; workers keep what they have",
                        extra={"error": type(exc).__name__},
                    )
                return self._snapshot
            except Exception as exc:  # a thread boundary: the last snapshot keeps serving
                log.error("learned entries could not be loaded", extra={"error": type(exc).__name__})
                return self._snapshot
            self._unreadable_logged = False
            last = self._snapshot
            if last is not None and last.entries == entries:
                return last
            self._snapshot = LearnedSnapshot(last.version + 1 if last is not None else 1, entries)
            # counts only: the values are patient-adjacent and never logged
            log.info("learned entries ready for the workers", extra={"count": entries.size})
            return self._snapshot

    def start(self) -> None:
        """Load the first snapshot (blocking), then keep it fresh on a daemon thread."""
        self.refresh()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="gateway-learned-feed", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.refresh()

    def close(self) -> None:
        self._stop.set()
