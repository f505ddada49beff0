"""The document index as the inspection workers see it: loaded by the parent, handed over as a snapshot.

Workers parse hostile mail, so they never open the store (they hold no
database URL, and cannot import `gateway.store`). The parent process loads
the registry's fingerprint index (`gateway.store.documents.IndexLoader`),
at start and then every `documents.reload_seconds` on a thread of its own,
and keeps it as an `IndexSnapshot`: the index pickled once, with its
version. `WorkerPool` sends a worker the snapshot with its next message
whenever the worker's copy is older, so a document staff register on any
node reaches every worker without a restart.

When the store cannot be read the last snapshot keeps serving; when none
was ever loaded the workers compare against an empty registry, and the
parent says so in its log once, until the store answers. Clean mail is
inspected either way: a store outage never turns into 451s for mail the
quarantine is not needed for.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from gateway.detect.fingerprint import DocumentIndex
from gateway.errors import StoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexSnapshot:
    """One version of the document index, pickled once for every worker it is sent to."""

    version: int  # the feed's own count: moves each time a different index was loaded
    data: bytes
    documents: int

    def index(self) -> DocumentIndex:
        loaded = pickle.loads(self.data)
        assert isinstance(loaded, DocumentIndex)
        return loaded


class IndexFeed:
    """The parent's current snapshot of the document index, refreshed on a thread of its own.

    `load` returns the current index (it may reuse the last one when nothing
    changed, and raises StoreError when the store cannot be read).
    """

    def __init__(self, load: Callable[[], DocumentIndex], *, interval: float = 5.0) -> None:
        self._load = load
        self._interval = max(interval, 0.1)
        self._index: DocumentIndex | None = None
        self._snapshot: IndexSnapshot | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._unreadable_logged = False

    def current(self) -> IndexSnapshot | None:
        """The latest snapshot (None until one was loaded); never blocks on the store."""
        return self._snapshot

    def refresh(self) -> IndexSnapshot | None:
        """Load the index once (blocking: call it off the event loop); keep the last one on failure."""
        with self._lock:
            try:
                index = self._load()
            except StoreError as exc:
                self._unreadable(exc)
                return self._snapshot
            except Exception as exc:  # a thread boundary: the last snapshot keeps serving
                log.error("document index could not be loaded", extra={"error": type(exc).__name__})
                return self._snapshot
            self._unreadable_logged = False
            if index is self._index:
                return self._snapshot
            started = time.perf_counter()
            data = pickle.dumps(index, pickle.HIGHEST_PROTOCOL)
            version = self._snapshot.version + 1 if self._snapshot is not None else 1
            self._index = index
            self._snapshot = IndexSnapshot(version, data, index.size)
            log.info(
                "document index ready for the workers",
                extra={
                    "documents": index.size,
                    "size": len(data),  # of the pickled snapshot sent to each worker
                    "seconds": round(time.perf_counter() - started, 3),
                },
            )
            return self._snapshot

    def _unreadable(self, exc: StoreError) -> None:
        if self._snapshot is not None:
            log.warning("document registry unreadable; workers keep the index they have")
            return
        if not self._unreadable_logged:  # once per outage, not every few seconds
            self._unreadable_logged = True
            log.error(
                "document registry unreadable and no index loaded yet: university documents are"
                " compared with an empty registry until the store answers",
                extra={"error": type(exc).__name__},
            )

    def start(self) -> None:
        """Load the first snapshot (blocking), then keep it fresh on a daemon thread."""
        self.refresh()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="gateway-index-feed", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.refresh()

    def close(self) -> None:
        self._stop.set()
