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
import time
from collections.abc import Callable
from dataclasses import dataclass

from gateway.detect.fingerprint import DocumentIndex
from gateway.errors import StoreError
from gateway.feed import Feed

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


class IndexFeed(Feed[IndexSnapshot]):
    """The parent's current snapshot of the document index, refreshed on a thread of its own.

    `load` returns the current index (it may reuse the last one when nothing
    changed, and raises StoreError when the store cannot be read).
    """

    thread_name = "gateway-index-feed"

    def __init__(self, load: Callable[[], DocumentIndex], *, interval: float = 5.0) -> None:
        super().__init__(interval=interval)
        self._load = load
        self._index: DocumentIndex | None = None
        self._unreadable_logged = False

    def _next(self, last: IndexSnapshot | None) -> IndexSnapshot | None:
        try:
            index = self._load()
        except StoreError as exc:
            self._unreadable(exc, last)
            return last
        except Exception as exc:  # a thread boundary: the last snapshot keeps serving
            log.error("document index could not be loaded", extra={"error": type(exc).__name__})
            return last
        self._unreadable_logged = False
        if index is self._index:
            return last
        started = time.perf_counter()
        data = pickle.dumps(index, pickle.HIGHEST_PROTOCOL)
        self._index = index
        snapshot = IndexSnapshot(last.version + 1 if last is not None else 1, data, index.size)
        log.info(
            "document index ready for the workers",
            extra={
                "documents": index.size,
                "size": len(data),  # of the pickled snapshot sent to each worker
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
        return snapshot

    def _unreadable(self, exc: StoreError, last: IndexSnapshot | None) -> None:
        if last is not None:
            log.warning("document registry unreadable; workers keep the index they have")
            return
        if not self._unreadable_logged:  # once per outage, not every few seconds
            self._unreadable_logged = True
            log.error(
                "document registry unreadable and no index loaded yet: university documents are"
                " compared with an empty registry until the store answers",
                extra={"error": type(exc).__name__},
            )
