"""The inspection worker pool: sized workers, a deadline that kills, a memory cap, crashed workers replaced."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Iterator

import pytest

from gateway.config import PipelineSettings, Settings
from gateway.errors import DetectionError, PipelineTimeout
from gateway.model import Envelope, Verdict
from gateway.pipeline import Pipeline
from tests.unit.pipeline_doubles import UnkillableForAWhile, misbehaving

ENV = Envelope("a@example.ac.uk", ("b@example.org",))
CLEAN = b"Subject: hello\r\n\r\nsee you\r\n"


def start(workers: int) -> Pipeline:
    settings = dataclasses.replace(
        Settings(),
        pipeline=PipelineSettings(workers=workers, deadline_seconds=2.0, max_worker_memory_mb=1024),
    )
    p = Pipeline(settings, factory=misbehaving)
    p.start()
    return p


@pytest.fixture(scope="module")
def pipeline() -> Iterator[Pipeline]:
    """One pool for the module (spawning workers takes a second or two); each test leaves it whole."""
    p = start(2)
    yield p
    p.close()


def pids(p: Pipeline) -> set[int]:
    assert p.pool is not None
    return {w.pid for w in p.pool.workers if w.pid is not None}


async def replaced(p: Pipeline, before: set[int]) -> set[int]:
    """The worker pids once one of `before` has been replaced (same pool size)."""
    for _ in range(1200):
        now = pids(p)
        if len(now) == len(before) and now != before:
            return now
        await asyncio.sleep(0.05)
    raise AssertionError("worker not replaced")


def test_pool_has_the_configured_workers(pipeline: Pipeline) -> None:
    """pipeline.workers processes are started (and loaded) before the first message."""
    assert len(pids(pipeline)) == 2
    assert Pipeline(Settings()).workers == (os.cpu_count() or 1)  # 0 means one per CPU


def test_clean_message_is_inspected_in_a_worker(pipeline: Pipeline) -> None:
    """A message goes through a worker process and its outcome comes back."""
    outcome = asyncio.run(pipeline.process(ENV, CLEAN))
    assert outcome.verdict is Verdict.PASS and outcome.size == len(CLEAN)


def test_worker_past_the_deadline_is_killed_and_replaced(pipeline: Pipeline) -> None:
    """A hung inspection raises PipelineTimeout; its process is killed, a new one takes its place."""

    async def run() -> None:
        before = pids(pipeline)
        with pytest.raises(PipelineTimeout):
            await pipeline.process(ENV, b"Subject: x\r\n\r\nSLEEP\r\n")
        after = await replaced(pipeline, before)
        assert len(before - after) == 1
        gone = (before - after).pop()
        with pytest.raises(ProcessLookupError):
            os.kill(gone, 0)
        assert (await pipeline.process(ENV, CLEAN)).verdict is Verdict.PASS

    asyncio.run(run())


def test_memory_bomb_costs_the_message_not_the_machine(pipeline: Pipeline) -> None:
    """An allocation past max_worker_memory_mb is a DetectionError (451), and the pool carries on."""

    async def run() -> None:
        before = pids(pipeline)
        with pytest.raises(DetectionError, match="memory"):
            await pipeline.process(ENV, b"Subject: x\r\n\r\nBOMB\r\n")
        await replaced(pipeline, before)
        assert (await pipeline.process(ENV, CLEAN)).verdict is Verdict.PASS

    asyncio.run(run())


def test_crashed_worker_is_an_error_and_is_replaced(pipeline: Pipeline) -> None:
    """A worker that dies mid-message gives DetectionError; a fresh worker replaces it."""

    async def run() -> None:
        before = pids(pipeline)
        with pytest.raises(DetectionError):
            await pipeline.process(ENV, b"Subject: x\r\n\r\nDIE\r\n")
        await replaced(pipeline, before)
        results = await asyncio.gather(*(pipeline.process(ENV, CLEAN) for _ in range(4)))
        assert all(r.verdict is Verdict.PASS for r in results)

    asyncio.run(run())


def test_worker_dying_while_idle_is_replaced(pipeline: Pipeline) -> None:
    """A worker killed from outside while it waits for work is noticed and replaced; messages keep flowing."""
    import signal

    async def run() -> None:
        assert (await pipeline.process(ENV, CLEAN)).verdict is Verdict.PASS  # both pipes now watched
        assert (await pipeline.process(ENV, CLEAN)).verdict is Verdict.PASS
        before = pids(pipeline)
        os.kill(min(before), signal.SIGKILL)
        await replaced(pipeline, before)
        results = await asyncio.gather(*(pipeline.process(ENV, CLEAN) for _ in range(4)))
        assert all(r.verdict is Verdict.PASS for r in results)

    asyncio.run(run())


def test_close_stops_every_worker() -> None:
    """close() leaves no worker process behind."""
    pipeline = start(1)
    running = pids(pipeline)
    pipeline.close()
    for pid in running:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_killing_a_stuck_worker_never_blocks_the_event_loop(pipeline: Pipeline) -> None:
    """A worker killed past its deadline but slow to die is waited for off the loop: the loop runs meanwhile."""
    assert pipeline.pool is not None
    stuck = {w.pid: UnkillableForAWhile(w.process) for w in pipeline.pool.workers}
    for w in pipeline.pool.workers:
        w.process = stuck[w.pid]  # type: ignore[assignment]

    async def run() -> None:
        before = pids(pipeline)
        with pytest.raises(PipelineTimeout):
            await pipeline.process(ENV, b"Subject: x\r\n\r\nSLEEP\r\n")
        # the loop gets here while the kill is still waiting for the process to end
        for _ in range(3000):
            joining = [p for p in stuck.values() if p.joining.is_set()]
            if joining:
                break
            await asyncio.sleep(0.01)
        assert joining, "the killed worker was never joined"
        for p in joining:
            p.released.set()
        await replaced(pipeline, before)

    try:
        asyncio.run(run())
    finally:
        for p in stuck.values():
            p.released.set()
    joined = [p for p in stuck.values() if p.joins_released]
    assert joined and all(all(p.joins_released) for p in joined)
