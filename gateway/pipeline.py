"""What the front ends await: `Pipeline.process(envelope, raw)`, under a deadline.

It runs the inspector (gateway.inspector) in the pool of worker processes
(gateway.workers) and turns every failure into `PipelineTimeout` or
`DetectionError`, which the front ends answer with a temporary failure (451
/ tempfail). Nothing here builds wire replies. The pool's workers get the
document index and the learned entries from this process
(`gateway.index_feed`, `gateway.learned_feed`), which reads them from the
store: they never open the store themselves.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import os
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool

from gateway.config import Settings
from gateway.detect.fingerprint import EMPTY_INDEX, DocumentIndex
from gateway.errors import DetectionError, PipelineTimeout
from gateway.index_feed import IndexFeed
from gateway.inspector import Inspector, InspectorFactory, build_inspector
from gateway.learned_feed import LearnedFeed
from gateway.model import Envelope, Outcome
from gateway.model.learned import LearnedEntries
from gateway.store.documents import index_loader
from gateway.store.learned import learned_loader, open_learned
from gateway.workers import WorkerPool


class Pipeline:
    """The seam the front ends call: `await pipeline.process(envelope, raw)`.

    With `inspector`, inspection runs in-process on a thread (tests, tools);
    otherwise on a `WorkerPool` built with `factory` (default
    `build_inspector`), started by `start()` or on first use. `documents`
    loads the document index for the pool's workers (default: the configured
    store's registry, `gateway.store.documents.index_loader`).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        inspector: Inspector | None = None,
        factory: InspectorFactory | None = None,
        documents: Callable[[], DocumentIndex] | None = None,
        learned: Callable[[], LearnedEntries] | None = None,
    ) -> None:
        self.settings = settings
        self._inspector = inspector  # in-process (tests, scan); else a process pool
        self._factory = factory or build_inspector
        self._documents = documents
        self._learned = learned
        self._pool: WorkerPool | None = None
        self.feed: IndexFeed | None = None
        self.learned_feed: LearnedFeed | None = None

    @property
    def workers(self) -> int:
        return self.settings.pipeline.workers or os.cpu_count() or 1

    @property
    def pool(self) -> WorkerPool | None:
        return self._pool

    def start(self) -> None:
        """Start the worker processes and load their models (blocking; call it off the event loop)."""
        if self._inspector is None and self._pool is None:
            if self.feed is None:
                load = self._documents or index_loader(self.settings)
                self.feed = IndexFeed(load, interval=self.settings.documents.reload_seconds)
                self.feed.start()
            if self.learned_feed is None:
                taught = self._learned or learned_loader(functools.partial(open_learned, self.settings))
                self.learned_feed = LearnedFeed(taught, interval=self.settings.documents.reload_seconds)
                self.learned_feed.start()
            pool = WorkerPool(
                self.settings,
                self.workers,
                self._factory,
                documents=self.feed.current,
                learned=self.learned_feed.current,
            )
            pool.start()
            self._pool = pool

    async def process(self, envelope: Envelope, raw: bytes) -> Outcome:
        deadline = self.settings.pipeline.deadline_seconds
        if self._inspector is None:
            if self._pool is None:
                await asyncio.to_thread(self.start)
            assert self._pool is not None
            return await self._pool.run(envelope, raw, deadline)
        loop = asyncio.get_running_loop()
        try:
            fut = loop.run_in_executor(None, self._inspector.inspect, envelope, raw)
            return await asyncio.wait_for(fut, timeout=deadline)
        except TimeoutError:
            raise PipelineTimeout(f"inspection took longer than {deadline:.0f}s") from None
        except BrokenProcessPool as exc:
            raise DetectionError("an inspection worker died") from exc
        except MemoryError as exc:
            raise DetectionError("inspection ran out of memory") from exc

    async def deidentify(self, texts: list[str]) -> list[str]:
        """Texts with the patient identifiers masked, by an inspection worker (this process loads no model)."""
        deadline = self.settings.pipeline.deadline_seconds
        if self._inspector is None:
            if self._pool is None:
                await asyncio.to_thread(self.start)
            assert self._pool is not None
            return await self._pool.deidentify(texts, deadline)
        try:
            return await asyncio.wait_for(asyncio.to_thread(self._inspector.deidentify, texts), deadline)
        except TimeoutError:
            raise PipelineTimeout(f"de-identification took longer than {deadline:.0f}s") from None

    def close(self) -> None:
        if self.feed is not None:
            self.feed.close()
            self.feed = None
        if self.learned_feed is not None:
            self.learned_feed.close()
            self.learned_feed = None
        if self._pool is not None:
            self._pool.close()
            self._pool = None


class OneShotDeidentifier:
    """De-identifies texts in a worker process started for the purpose, then stopped.

    For the parts that run no inspection workers (`gateway web`, the
    `quarantine` commands) but owe a review notice a de-identified subject:
    the patient models load in that short-lived worker, under the pipeline's
    deadline and memory cap, never in the calling process.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = dataclasses.replace(
            settings, pipeline=dataclasses.replace(settings.pipeline, workers=1)
        )
        self._lock = asyncio.Lock()  # one such process at a time

    async def __call__(self, texts: list[str]) -> list[str]:
        async with self._lock:
            pipeline = Pipeline(
                self.settings, factory=_patient_only, documents=_no_documents, learned=LearnedEntries
            )
            try:
                return await pipeline.deidentify(texts)
            finally:
                await asyncio.to_thread(pipeline.close)


_patient_only = functools.partial(build_inspector, detectors=("patient",))


def _no_documents() -> DocumentIndex:
    return EMPTY_INDEX
