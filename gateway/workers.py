"""The inspection worker processes: one message at a time each, a deadline, a memory cap.

`WorkerPool` is sized to the machine (`pipeline.workers`, 0 = one per CPU)
and gives each worker one message at a time, so a worker that overruns
`pipeline.deadline_seconds` can be killed on its own (a stuck regular
expression or PDF cannot be interrupted any other way) and replaced while
the others carry on. Each worker caps its address space at
`pipeline.max_worker_memory_mb` (RLIMIT_AS): a memory bomb costs that
message a MemoryError and a 451, never the machine. Workers are started
with "spawn": no locks or threads inherited from the event loop process.
Killing never blocks the event loop: SIGKILL is sent and the process is
reaped on its own thread.

Workers hold the least they can: settings without secrets or the database
URL, and no way to the store at all (gateway.worker_main runs in them).
The document index reaches them from the parent
(`gateway.index_feed`): a worker whose copy is older than the parent's
snapshot gets the new one with its next message; so do the entries
administrators accepted from reviewers' marks (`gateway.learned_feed`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import pickle
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from gateway.config import Settings
from gateway.errors import DetectionError, PipelineTimeout
from gateway.index_feed import IndexSnapshot
from gateway.inspector import InspectorFactory
from gateway.learned_feed import LearnedSnapshot
from gateway.model import Envelope, Outcome
from gateway.worker_main import for_workers, single_threaded_children, worker_main

log = logging.getLogger(__name__)


class _Expired(Exception):
    """The inspection deadline passed (the worker has been killed)."""


def iter_queue(queue: asyncio.Queue[_Worker]) -> list[_Worker]:
    """Empty the queue, returning what was in it."""
    out = []
    while not queue.empty():
        out.append(queue.get_nowait())
    return out


class _Worker:
    """The parent's handle on one worker process."""

    def __init__(self, settings: Settings, factory: InspectorFactory, memory_mb: int) -> None:
        self.job: asyncio.Future[tuple[str, Any]] | None = None  # the message it is working on
        self.index_version = 0  # the version of the document index snapshot it was last sent
        self.learned_version = 0  # the version of the learned entries snapshot it was last sent
        self.loop: asyncio.AbstractEventLoop | None = None  # the event loop watching its pipe
        ctx = multiprocessing.get_context("spawn")
        single_threaded_children()  # before the child starts: it imports numpy before worker_main runs
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=worker_main,
            args=(child, for_workers(settings), factory, memory_mb),
            name="gateway-inspect",
            daemon=True,
        )
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise DetectionError(f"an inspection worker did not load within {timeout:.0f}s")
        try:
            status, detail = self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise DetectionError("an inspection worker died while loading") from None
        if status == "missing":
            self.kill()
            raise ModuleNotFoundError(f"No module named {detail!r}", name=str(detail))
        if status != "ready":
            self.kill()
            raise DetectionError(f"an inspection worker failed to load: {detail}")

    def send(self, payload: bytes) -> None:
        """Hand the worker one pickled (envelope, raw, snapshot); it waits in recv, so this returns promptly."""
        self.conn.send_bytes(payload)

    def fileno(self) -> int:
        return self.conn.fileno()

    def receive(self) -> tuple[str, Any]:
        result: tuple[str, Any] = self.conn.recv()
        return result

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL and forget: never waits, so the event loop may call it.

        A process in uninterruptible sleep (a frozen file system, a stalled
        disk) dies only when the kernel lets it, which may take seconds or
        never; a thread of its own reaps it (join), never the event loop.
        """
        with contextlib.suppress(OSError, ValueError):
            if self.process.is_alive():
                self.process.kill()
        self.conn.close()
        threading.Thread(target=self.reap, name="gateway-reap", daemon=True).start()

    def reap(self, timeout: float = 60.0) -> None:
        """Wait for the killed process to end (off the event loop), so it leaves no zombie."""
        with contextlib.suppress(OSError, ValueError, AssertionError):
            self.process.join(timeout)

    def stop(self) -> None:
        """Ask the worker to finish, wait a little for it (shutdown, off the event loop), then kill."""
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout=2)
        self.kill()


class WorkerPool:
    """Inspection processes, one message each at a time, each killable on its own."""

    LOAD_TIMEOUT = 300.0  # loading models on a slow, busy machine
    RESPAWN_DELAY = 5.0
    INLINE_SEND = 256 * 1024  # larger messages are written to the worker from a thread

    def __init__(
        self,
        settings: Settings,
        size: int,
        factory: InspectorFactory,
        documents: Callable[[], IndexSnapshot | None] = lambda: None,
        learned: Callable[[], LearnedSnapshot | None] = lambda: None,
    ) -> None:
        self.settings, self.size, self.factory = settings, size, factory
        self.documents = documents  # the parent's current document index snapshot (never blocks)
        self.learned = learned  # the parent's current learned entries snapshot (never blocks)
        self.memory_mb = settings.pipeline.max_worker_memory_mb
        self.workers: list[_Worker] = []  # every live worker, busy or idle
        self._ready: list[_Worker] = []  # started before the event loop took over
        self._idle: asyncio.Queue[_Worker] | None = None
        self._idle_loop: asyncio.AbstractEventLoop | None = None
        self._starting: list[_Worker] = []  # replacements loading their models
        self._threads = ThreadPoolExecutor(max_workers=size + 2, thread_name_prefix="gateway-inspect")
        self._closed = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start every worker and wait until each has loaded its models (blocking)."""
        started = [self._new_worker_nowait() for _ in range(self.size)]
        try:
            for w in started:
                w.wait_ready(self.LOAD_TIMEOUT)
        except (DetectionError, ModuleNotFoundError):
            for w in started:
                w.kill()
            raise
        with self._lock:
            self.workers.extend(started)
            self._ready.extend(started)

    def _new_worker_nowait(self) -> _Worker:
        return _Worker(self.settings, self.factory, self.memory_mb)

    def _queue(self) -> asyncio.Queue[_Worker]:
        """The idle workers, as a queue of the running event loop (a pool can outlive a loop: tests)."""
        loop = asyncio.get_running_loop()
        if self._idle is None or self._idle_loop is not loop:
            waiting = iter_queue(self._idle) if self._idle is not None else []
            self._idle, self._idle_loop = asyncio.Queue(), loop
            for w in waiting:
                self._idle.put_nowait(w)
        with self._lock:
            ready, self._ready = self._ready, []
        for w in ready:
            self._watch(w, loop)
            self._idle.put_nowait(w)
        return self._idle

    def _watch(self, worker: _Worker, loop: asyncio.AbstractEventLoop) -> None:
        """Have the event loop watch the worker's pipe: for answers, and for its death even while idle."""
        if worker.loop is not loop:
            loop.add_reader(worker.fileno(), self._answer, worker)
            worker.loop = loop

    async def run(self, envelope: Envelope, raw: bytes, deadline: float) -> Outcome:
        """Inspect one message in a worker (with the document index and the learned entries, when the
        worker's copy is older)."""

        def job(worker: _Worker) -> tuple[Any, ...]:
            snapshot = self.documents()
            update = None
            if snapshot is not None and snapshot.version != worker.index_version:
                update, worker.index_version = snapshot.data, snapshot.version
            learned = self.learned()
            taught = None
            if learned is not None and learned.version != worker.learned_version:
                taught, worker.learned_version = learned.entries, learned.version
            return ("inspect", envelope, raw, update, taught)

        outcome: Outcome = await self._run(job, deadline)
        return outcome

    async def deidentify(self, texts: list[str], deadline: float) -> list[str]:
        """Texts with the patient identifiers masked, by a worker's patient detector."""
        clean: list[str] = await self._run(lambda _: ("deidentify", texts), deadline)
        return clean

    async def _run(self, make_job: Callable[[_Worker], tuple[Any, ...]], deadline: float) -> Any:
        loop = asyncio.get_running_loop()
        end = loop.time() + deadline
        worker = await self._idle_worker(deadline)
        job: asyncio.Future[tuple[str, Any]] = loop.create_future()
        job.add_done_callback(lambda f: self._finished(worker, f))
        worker.job = job
        expiry = loop.call_at(end, self._expire, worker, job)
        try:
            payload = pickle.dumps(make_job(worker), pickle.HIGHEST_PROTOCOL)
            await self._send(loop, worker, job, payload)
            # shielded: a client that hangs up must not cost the worker (it finishes and returns to the pool)
            status, value = await asyncio.shield(job)
        except _Expired:
            raise PipelineTimeout(f"inspection took longer than {deadline:.0f}s") from None
        except (EOFError, OSError) as exc:
            raise DetectionError("an inspection worker died") from exc
        finally:
            expiry.cancel()
        if status == "ok":
            return value
        if status == "memory":
            raise DetectionError("inspection ran out of memory (pipeline.max_worker_memory_mb)")
        raise DetectionError(f"inspection failed: {value}")

    async def _idle_worker(self, deadline: float) -> _Worker:
        idle = self._queue()
        if not idle.empty():
            return idle.get_nowait()
        try:
            async with asyncio.timeout(deadline):
                return await idle.get()
        except TimeoutError:
            raise PipelineTimeout(f"no inspection worker free within {deadline:.0f}s") from None

    async def _send(
        self,
        loop: asyncio.AbstractEventLoop,
        worker: _Worker,
        job: asyncio.Future[tuple[str, Any]],
        payload: bytes,
    ) -> None:
        """Hand the message over; the answer arrives through the worker's reader on the event loop."""
        self._watch(worker, loop)
        try:
            if len(payload) <= self.INLINE_SEND:
                worker.send(payload)  # the worker waits in recv: this returns at once
            else:  # a big message would hold the event loop while the worker reads it
                await loop.run_in_executor(self._threads, worker.send, payload)
        except (OSError, ValueError) as exc:
            if not job.done():
                job.set_exception(EOFError(str(exc)))

    def _answer(self, worker: _Worker) -> None:
        """The worker's pipe is readable: its answer, or EOF when it died (even while idle)."""
        job, worker.job = worker.job, None
        try:
            result = worker.receive()
        except (EOFError, OSError) as exc:
            self._unlisten(worker)
            if job is not None and not job.done():
                job.set_exception(EOFError(str(exc)))
            elif job is None:
                self._retire(worker)  # died while idle
            return
        if job is not None and not job.done():
            job.set_result(result)

    def _expire(self, worker: _Worker, job: asyncio.Future[tuple[str, Any]]) -> None:
        """Past the deadline: kill the process (the only way to stop a stuck parser); _finished replaces it."""
        if job.done():
            return
        log.warning("inspection past its deadline: worker killed", extra={"pid": worker.pid})
        self._unlisten(worker)
        worker.kill()
        job.set_exception(_Expired())

    def _unlisten(self, worker: _Worker) -> None:
        loop, worker.loop = worker.loop, None
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                loop.remove_reader(worker.fileno())

    def _finished(self, worker: _Worker, job: asyncio.Future[tuple[str, Any]]) -> None:
        """Back to the idle queue, or replaced when it died, was killed or ran out of memory."""
        broken = job.cancelled() or job.exception() is not None or job.result()[0] == "memory"
        if not broken and worker.alive and not self._closed:
            assert self._idle is not None
            self._idle.put_nowait(worker)
            return
        self._retire(worker)

    def _retire(self, worker: _Worker) -> None:
        """Kill, forget and replace a worker."""
        self._unlisten(worker)
        worker.kill()
        with self._lock:
            if worker not in self.workers:
                return
            self.workers.remove(worker)
        if self._idle is not None:  # it may be waiting in the idle queue (died while idle)
            others = [w for w in iter_queue(self._idle) if w is not worker]
            for w in others:
                self._idle.put_nowait(w)
        if not self._closed:
            log.warning("inspection worker gone, starting a new one", extra={"pid": worker.pid})
            self._replace()

    def _replace(self) -> None:
        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(self._threads, self._spawn_ready)
        fut.add_done_callback(self._replaced)

    def _spawn_ready(self) -> _Worker:
        worker = self._new_worker_nowait()
        with self._lock:
            self._starting.append(worker)
        try:
            worker.wait_ready(self.LOAD_TIMEOUT)  # close() kills it to cut this short
        finally:
            with self._lock:
                self._starting.remove(worker)
        return worker

    def _replaced(self, fut: asyncio.Future[_Worker]) -> None:
        if fut.cancelled() or self._closed:
            if not fut.cancelled() and fut.exception() is None:
                fut.result().stop()
            return
        exc = fut.exception()
        if exc is not None:
            log.error("could not start an inspection worker, retrying", extra={"error": type(exc).__name__})
            asyncio.get_running_loop().call_later(self.RESPAWN_DELAY, self._replace)
            return
        worker = fut.result()
        with self._lock:
            self.workers.append(worker)
        self._watch(worker, asyncio.get_running_loop())
        self._queue().put_nowait(worker)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers, self.workers = list(self.workers), []
            starting = list(self._starting)
        for w in starting:  # replacements still loading: no point waiting for them
            w.kill()
        for w in workers:
            self._unlisten(w)
            w.stop()
        for w in [*starting, *workers]:  # close() may block (shutdown): leave no process behind
            w.reap(5)
        self._threads.shutdown(wait=False, cancel_futures=True)
