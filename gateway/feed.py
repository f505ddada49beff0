"""What the parent process keeps fresh for its inspection workers: a snapshot, reloaded on a thread.

Workers never open the store, so the parent loads what they need from it
(the document index, `gateway.index_feed`; the entries administrators
accepted, `gateway.learned_feed`) at start and then every few seconds on a
daemon thread of its own, and `WorkerPool` sends a worker the current
snapshot with its next message whenever the worker's copy is older.

`Feed` is that mechanism; a subclass says in `_next` how one reload turns
the last snapshot into the next (the same one when nothing changed or the
store could not be read, so the last snapshot keeps serving).
"""

from __future__ import annotations

import threading


class Feed[S]:
    """The parent's current snapshot, refreshed every `interval` seconds on a daemon thread."""

    thread_name = "gateway-feed"

    def __init__(self, *, interval: float = 5.0) -> None:
        self._interval = max(interval, 0.1)
        self._snapshot: S | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _next(self, last: S | None) -> S | None:
        """Load once (blocking) and return the snapshot to serve from now on."""
        raise NotImplementedError

    def current(self) -> S | None:
        """The latest snapshot (None until one was loaded); never blocks on the store."""
        return self._snapshot

    def refresh(self) -> S | None:
        """Load once (blocking: call it off the event loop); the last snapshot stays on failure."""
        with self._lock:
            self._snapshot = self._next(self._snapshot)
            return self._snapshot

    def start(self) -> None:
        """Load the first snapshot (blocking), then keep it fresh on a daemon thread."""
        self.refresh()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.refresh()

    def close(self) -> None:
        self._stop.set()
