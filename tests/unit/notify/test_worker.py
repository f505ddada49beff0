"""The outbox worker: delivery through the injected next hop, backoff on 4xx, giving up on 5xx or old age."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from gateway.notify.worker import Backoff, OutboxWorker
from gateway.store.crypto import Keyring
from gateway.store.db import Database
from gateway.store.outbox import Outbox
from tests.unit.notify.doubles import FakeNextHop, ManualClock

KEY = base64.b64encode(bytes(range(50, 82))).decode()
MAIL = b"Subject: a notice\r\n\r\nbody\r\n"


@pytest.fixture()
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture()
def outbox(tmp_path: Path, clock: ManualClock) -> Iterator[Outbox]:
    box = Outbox(Database("", state_dir=tmp_path), Keyring([base64.b64decode(KEY)]), clock=clock)
    box.migrate()
    yield box
    box.close()


def test_backoff_doubles_up_to_the_cap() -> None:
    """Retries wait 1, 2, 4 ... minutes, never more than an hour."""
    b = Backoff()
    assert [b.after(n) for n in (1, 2, 3)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert b.after(30) == timedelta(hours=1)


async def test_delivers_what_is_due_with_the_null_sender(outbox: Outbox, clock: ManualClock) -> None:
    """A queued notice goes to the next hop once, with its envelope, and is marked sent."""
    hop = FakeNextHop()
    outbox.enqueue("sender", "", "student@example.ac.uk", MAIL)
    result = await OutboxWorker(outbox, hop, clock=clock).run_once()
    assert (result.sent, result.retried, result.failed) == (1, 0, 0)
    ((env, raw),) = hop.taken
    assert (env.mail_from, env.rcpt_tos, raw) == ("", ("student@example.ac.uk",), MAIL)
    assert outbox.counts() == {"sent": 1}
    assert (await OutboxWorker(outbox, hop, clock=clock).run_once()).tried == 0


@pytest.mark.parametrize("mode", ["4xx", "down"])
async def test_temporary_failures_are_retried_after_the_backoff(
    outbox: Outbox, clock: ManualClock, mode: str
) -> None:
    """A 4xx or a refused connection keeps the notice; it goes out once the next hop is back and it is due."""
    hop = FakeNextHop(mode)
    worker = OutboxWorker(outbox, hop, clock=clock, backoff=Backoff(first=timedelta(minutes=1)))
    oid = outbox.enqueue("sender", "", "student@example.ac.uk", MAIL)
    assert (await worker.run_once()).retried == 1
    (entry,) = outbox.entries()
    assert entry.status == "pending" and entry.attempts == 1
    assert entry.last_error == (
        "451 4.3.0 Try again later (at DATA)" if mode == "4xx" else "ConnectionRefusedError"
    )
    hop.mode = "ok"
    assert (await worker.run_once()).tried == 0  # not due yet
    clock.advance(minutes=1)
    assert (await worker.run_once()).sent == 1
    assert [e.id for e in outbox.entries(status="sent")] == [oid] and len(hop.taken) == 1


async def test_backoff_grows_with_each_attempt(outbox: Outbox, clock: ManualClock) -> None:
    """Each failed attempt pushes the next one further out."""
    hop = FakeNextHop("4xx")
    worker = OutboxWorker(outbox, hop, clock=clock)
    outbox.enqueue("sender", "", "student@example.ac.uk", MAIL)
    waits = []
    for _ in range(4):
        await worker.run_once()
        due = outbox.next_due()
        assert due is not None
        waits.append(due - clock())
        clock.now = due
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8)]


async def test_permanent_refusal_gives_up(
    outbox: Outbox, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A 5xx marks the notice failed with the reply, logs the code, and it is never tried again."""
    hop = FakeNextHop("5xx")
    outbox.enqueue("sender", "", "student@example.ac.uk", MAIL)
    assert (await OutboxWorker(outbox, hop, clock=clock).run_once()).failed == 1
    (entry,) = outbox.entries()
    assert entry.status == "failed" and entry.last_error.startswith("550 5.1.1")
    clock.advance(days=1)
    assert (await OutboxWorker(outbox, hop, clock=clock).run_once()).tried == 0
    assert hop.calls == 1
    assert any(getattr(r, "code", None) == 550 for r in caplog.records)
    assert not any("student@" in r.getMessage() or "student@" in str(r.__dict__) for r in caplog.records)


async def test_gives_up_after_max_age(outbox: Outbox, clock: ManualClock) -> None:
    """A notice the next hop never took is given up after max_age, not retried for ever."""
    hop = FakeNextHop("down")
    worker = OutboxWorker(outbox, hop, clock=clock, max_age=timedelta(hours=2))
    outbox.enqueue("sender", "", "student@example.ac.uk", MAIL)
    for _ in range(20):
        await worker.run_once()
        due = outbox.next_due()
        if due is None:
            break
        clock.now = due
    (entry,) = outbox.entries()
    assert entry.status == "failed" and entry.last_error.startswith("expired")
    assert 3 <= hop.calls <= 10


async def test_many_rows_in_one_round(outbox: Outbox, clock: ManualClock) -> None:
    """A backlog larger than one batch is cleared in one round."""
    hop = FakeNextHop()
    for i in range(45):
        outbox.enqueue("sender", "", f"s{i}@example.ac.uk", MAIL)
    assert (await OutboxWorker(outbox, hop, clock=clock, batch=20).run_once()).sent == 45
    assert len({e.rcpt_tos for e, _ in hop.taken}) == 45


async def test_housekeeping_runs_and_its_failure_does_not_stop_delivery(
    outbox: Outbox, clock: ManualClock
) -> None:
    """The digest hook runs before each round; if it fails, notices are still delivered."""
    calls = []

    async def broken() -> None:
        calls.append(1)
        raise RuntimeError("digest broke")

    hop = FakeNextHop()
    outbox.enqueue("sender", "", "student@example.ac.uk", MAIL)
    assert (await OutboxWorker(outbox, hop, clock=clock, housekeeping=broken).run_once()).sent == 1
    assert calls == [1]


async def test_run_wakes_up_for_new_work(outbox: Outbox) -> None:
    """The running worker delivers a notice queued after it started, as soon as it is woken."""
    hop = FakeNextHop()
    worker = OutboxWorker(outbox, hop, poll_seconds=60)
    task = asyncio.create_task(worker.run())
    try:
        await asyncio.sleep(0)
        outbox.enqueue("sender", "", "student@example.ac.uk", MAIL)
        worker.wake()
        for _ in range(200):
            if hop.taken:
                break
            await asyncio.sleep(0.02)
        assert len(hop.taken) == 1
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
