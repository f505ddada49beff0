"""parse -> extract -> detect -> decide, for one message; CPU work off the event loop.

`Inspector` does the work synchronously (in a worker process);
`Pipeline.process(envelope, raw)` is what the front ends await: it runs the
inspector in a pool of worker processes under a deadline and turns every
failure into `PipelineTimeout` or `DetectionError`, which the front ends
answer with a temporary failure (451 / tempfail). Nothing here builds wire
replies.

The pool (`WorkerPool`) is sized to the machine (`pipeline.workers`, 0 =
one per CPU) and gives each worker one message at a time, so a worker that
overruns `pipeline.deadline_seconds` can be killed on its own (a stuck
regular expression or PDF cannot be interrupted any other way) and
replaced while the others carry on. Each worker caps its address space at
`pipeline.max_worker_memory_mb` (RLIMIT_AS): a memory bomb costs that
message a MemoryError and a 451, never the machine. Workers are started
with "spawn": no locks or threads inherited from the event loop process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from gateway.config import Settings
from gateway.detect.base import Detector
from gateway.detect.registry import Resources, build_detectors
from gateway.errors import DetectionError, PipelineTimeout
from gateway.extract import extract_all
from gateway.model import Decision, Envelope, Finding, Verdict
from gateway.model.mime import parse_message
from gateway.policy import Policy, RecipientView, evaluate, load_policy

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What the pipeline concluded about one message; safe to log (no content)."""

    decision: Decision
    findings: list[Finding]
    timings_ms: dict[str, float] = field(default_factory=dict)
    size: int = 0
    message_id: str = ""  # the Message-ID header
    add_headers: bytes = b""  # header lines to prepend on delivery (annotate / monitor)
    failed_detectors: tuple[str, ...] = ()

    @property
    def verdict(self) -> Verdict:
        return self.decision.verdict


class Inspector:
    """Synchronous inspection of one message; one per worker process."""

    def __init__(self, settings: Settings, detectors: list[Detector], policy: Policy) -> None:
        self.settings = settings
        self.detectors = detectors
        self.policy = policy
        self._loaded = False

    def load(self) -> None:
        if not self._loaded:
            for d in self.detectors:
                d.load()
            self._loaded = True

    def inspect(self, envelope: Envelope, raw: bytes) -> Outcome:
        self.load()
        t0 = time.perf_counter()
        inspection = parse_message(raw, envelope, self.settings.limits)
        t1 = time.perf_counter()
        extract_all(inspection, self.settings.limits, ocr=self.settings.detect.ocr)
        t2 = time.perf_counter()
        findings: list[Finding] = list(inspection.findings)
        failed: list[str] = []
        failed_categories: set[str] = set()
        for det in self.detectors:
            try:
                findings.extend(det.detect(inspection))
            except Exception:  # a detector boundary: log, and let the policy fail closed or open
                log.exception("detector failed", extra={"detector": det.name})
                failed.append(det.name)
                failed_categories.update(det.categories)
        t3 = time.perf_counter()
        view = RecipientView.of(envelope, self.settings.domains)
        decision = evaluate(
            self.policy,
            view,
            findings,
            failed_categories=failed_categories,
            monitor=self.settings.mode == "monitor",
        )
        t4 = time.perf_counter()
        return Outcome(
            decision=decision,
            findings=findings,
            timings_ms={
                "parse": (t1 - t0) * 1e3,
                "extract": (t2 - t1) * 1e3,
                "detect": (t3 - t2) * 1e3,
                "decide": (t4 - t3) * 1e3,
            },
            size=len(raw),
            message_id=inspection.header("Message-ID") or "",
            add_headers=annotation_headers(decision) if headers_shown(self.settings, view) else b"",
            failed_detectors=tuple(failed),
        )


#: `annotation_headers` setting -> the recipient condition under which the headers are added
_HEADERS_TO = {
    "all": "any",
    "internal_or_secure": "all_internal_or_secure",
    "internal": "all_internal",
}


def headers_shown(settings: Settings, view: RecipientView) -> bool:
    """Whether the X-Compliance-* headers may go with this message.

    They tell the reader what the school's gateway looked for and found, so by
    default only mail whose every recipient is internal or on a secure domain
    carries them; the headers are per message, so one outside recipient is
    enough to leave them off (the log line still records the verdict).
    """
    condition = _HEADERS_TO.get(settings.annotation_headers)
    return condition is not None and view.matches(condition)


def annotation_headers(decision: Decision) -> bytes:
    """Header lines to prepend for annotate (and for every verdict in monitor mode).

    Categories and types only: never evidence. Built as bytes so the
    scanned message is never re-serialised.
    """
    show = decision.verdict is Verdict.ANNOTATE or (decision.monitor and decision.findings)
    if not show:
        return b""
    verdict = decision.would_be.value if decision.monitor and decision.would_be else decision.verdict.value
    findings = ", ".join(f"{c}" for c in _category_types(decision.findings)) or "none"
    lines = [f"X-Compliance-Verdict: {verdict}" + (" (monitor)" if decision.monitor else "")]
    if decision.rule:
        lines[0] += f"; rule={_header_safe(decision.rule)}"
    lines.append(f"X-Compliance-Findings: {findings}")
    return "".join(_header_safe(x) + "\r\n" for x in lines).encode("ascii", "replace")


def _category_types(findings: tuple[Finding, ...] | list[Finding]) -> list[str]:
    pairs = sorted({(f.category, f.type) for f in findings})
    return [f"{c}/{t}" for c, t in pairs]


def _header_safe(text: str) -> str:
    return "".join(ch if 32 <= ord(ch) < 127 else " " for ch in text)[:900]


# --- worker process plumbing -------------------------------------------------------------------

InspectorFactory = Callable[[Settings], Inspector]

_WORKER: Inspector | None = None


def build_inspector(
    settings: Settings, resources: Resources | None = None, *, detectors: tuple[str, ...] | None = None
) -> Inspector:
    """The inspector a worker runs; `detectors` limits which registered detectors are built."""
    policy = load_policy(settings.policy_paths, domains=settings.domains)
    built = build_detectors(settings, resources or default_resources(settings), names=detectors)
    return Inspector(settings, built, policy)


def default_resources(settings: Settings) -> Resources:
    """Resources loaded from the store for the detectors (the document index)."""
    try:
        from gateway.store.documents import index_loader  # the store owns the registry
    except ImportError:  # pragma: no cover - until the document registry exists
        return Resources()
    return Resources(document_index=index_loader(settings))


def _worker_init(settings: Settings) -> None:
    """Initializer for a caller-supplied ProcessPoolExecutor (`Pipeline(executor=...)`)."""
    global _WORKER
    _WORKER = build_inspector(settings)
    _WORKER.load()


def _worker_inspect(envelope: Envelope, raw: bytes) -> Outcome:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.inspect(envelope, raw)


#: one thread per BLAS/OpenMP library: the pool already runs one worker per CPU, and every
#: extra thread reserves address space that counts against the memory cap
_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space (RLIMIT_AS); 0 leaves it alone."""
    if megabytes <= 0:
        return
    import resource

    soft = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _worker_main(conn: Connection, settings: Settings, factory: InspectorFactory, memory_mb: int) -> None:
    """A worker process: load once, then inspect one message per request until told to stop."""
    # Ctrl-C and SIGTERM (systemd and docker signal every process of the service) are for the
    # parent, which finishes the messages in flight and then stops us; we also stop when it dies
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for name in _THREAD_ENV:
        os.environ.setdefault(name, "1")
    limit_memory(memory_mb)
    try:
        inspector = factory(settings)
        inspector.load()
    except BaseException as exc:
        conn.send(("error", f"{type(exc).__name__} while loading"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if job is None:
            return
        envelope, raw = job
        del job
        try:
            result: tuple[str, Any] = ("ok", inspector.inspect(envelope, raw))
        except MemoryError:
            result = ("memory", None)
        except BaseException as exc:  # the worker boundary: report the type, never the message text
            result = ("error", type(exc).__name__)
        del raw
        try:
            conn.send(result)
        except MemoryError:
            conn.send(("memory", None))
        except Exception as exc:  # e.g. an outcome that cannot be pickled
            conn.send(("error", type(exc).__name__))
        if result[0] == "memory":
            return  # start afresh: the heap may be in a bad way


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
        self.loop: asyncio.AbstractEventLoop | None = None  # the event loop watching its pipe
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_worker_main,
            args=(child, settings, factory, memory_mb),
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
        if status != "ready":
            self.kill()
            raise DetectionError(f"an inspection worker failed to load: {detail}")

    def send(self, payload: bytes) -> None:
        """Hand the worker one pickled (envelope, raw); it is waiting in recv, so this returns promptly."""
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

    def __init__(self, settings: Settings, size: int, factory: InspectorFactory) -> None:
        self.settings, self.size, self.factory = settings, size, factory
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
        except DetectionError:
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
        loop = asyncio.get_running_loop()
        end = loop.time() + deadline
        worker = await self._idle_worker(deadline)
        job: asyncio.Future[tuple[str, Any]] = loop.create_future()
        job.add_done_callback(lambda f: self._finished(worker, f))
        worker.job = job
        expiry = loop.call_at(end, self._expire, worker, job)
        try:
            await self._send(loop, worker, job, pickle.dumps((envelope, raw), pickle.HIGHEST_PROTOCOL))
            # shielded: a client that hangs up must not cost the worker (it finishes and returns to the pool)
            status, value = await asyncio.shield(job)
        except _Expired:
            raise PipelineTimeout(f"inspection took longer than {deadline:.0f}s") from None
        except (EOFError, OSError) as exc:
            raise DetectionError("an inspection worker died") from exc
        finally:
            expiry.cancel()
        if status == "ok":
            return value  # type: ignore[no-any-return]
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


class Pipeline:
    """The seam the front ends call: `await pipeline.process(envelope, raw)`.

    With `inspector`, inspection runs in-process on a thread (tests, tools);
    with `executor`, on that executor; otherwise on a `WorkerPool` built with
    `factory` (default `build_inspector`), started by `start()` or on first use.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        executor: Executor | None = None,
        inspector: Inspector | None = None,
        factory: InspectorFactory | None = None,
    ) -> None:
        self.settings = settings
        self._inspector = inspector  # in-process (tests, scan); else a process pool
        self._executor = executor
        self._factory = factory or build_inspector
        self._pool: WorkerPool | None = None

    @property
    def workers(self) -> int:
        return self.settings.pipeline.workers or os.cpu_count() or 1

    @property
    def pool(self) -> WorkerPool | None:
        return self._pool

    def start(self) -> None:
        """Start the worker processes and load their models (blocking; call it off the event loop)."""
        if self._inspector is None and self._executor is None and self._pool is None:
            pool = WorkerPool(self.settings, self.workers, self._factory)
            pool.start()
            self._pool = pool

    async def process(self, envelope: Envelope, raw: bytes) -> Outcome:
        deadline = self.settings.pipeline.deadline_seconds
        if self._inspector is None and self._executor is None:
            if self._pool is None:
                await asyncio.to_thread(self.start)
            assert self._pool is not None
            return await self._pool.run(envelope, raw, deadline)
        loop = asyncio.get_running_loop()
        try:
            if self._inspector is not None:
                fut = loop.run_in_executor(self._executor, self._inspector.inspect, envelope, raw)
            else:
                fut = loop.run_in_executor(self._executor, _worker_inspect, envelope, raw)
            return await asyncio.wait_for(fut, timeout=deadline)
        except TimeoutError:
            raise PipelineTimeout(f"inspection took longer than {deadline:.0f}s") from None
        except BrokenProcessPool as exc:
            raise DetectionError("an inspection worker died") from exc
        except MemoryError as exc:
            raise DetectionError("inspection ran out of memory") from exc

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
