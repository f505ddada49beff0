"""A hold's commit has threads of its own: blocking work in asyncio's shared pool never delays the answer."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from gateway.act.holding import Holder
from gateway.model import Decision, Envelope, Verdict


class RecordingQuarantine:
    def __init__(self) -> None:
        self.held: list[bytes] = []

    def hold(
        self, envelope: Envelope, raw: bytes, decision: Decision, *, deadline: float | None = None
    ) -> str:
        self.held.append(raw)
        return f"q{len(self.held)}"


async def test_holds_commit_while_the_shared_pool_is_busy() -> None:
    """With every default-pool thread blocked (say, notices being drafted), a hold still commits and answers 250."""
    release = threading.Event()
    loop = asyncio.get_running_loop()
    busy = [
        loop.run_in_executor(None, release.wait) for _ in range(64)
    ]  # more than the default pool's threads
    quarantine = RecordingQuarantine()
    writer = Holder(quarantine, deadline=30.0)
    try:
        done = await asyncio.wait_for(
            writer.commit(
                Envelope("s@uni.ac.uk", ("f@example.org",)),
                b"Subject: x\r\n\r\nbody\r\n",
                Decision(Verdict.HOLD),
                time_left=30.0,
                ref="m1",
            ),
            timeout=10,
        )
        assert (done.held_id, done.error, quarantine.held) == ("q1", "", [b"Subject: x\r\n\r\nbody\r\n"])
        assert not release.is_set()  # the shared pool was still blocked the whole time
    finally:
        release.set()
        await asyncio.gather(*busy)
        writer.threads.close()


class DeadlineQuarantine:
    """Records how many seconds the commit was given (its `deadline` less the clock at the call)."""

    def __init__(self) -> None:
        self.given: list[float] = []

    def hold(
        self, envelope: Envelope, raw: bytes, decision: Decision, *, deadline: float | None = None
    ) -> str:
        assert deadline is not None
        self.given.append(deadline - time.monotonic())
        return "q1"


@pytest.mark.parametrize(
    ("time_left", "low", "high"),
    [
        (None, 29.0, 30.0),  # no message deadline: the holder's own
        (12.0, 11.0, 12.0),  # what is left of the message's deadline
        (0.5, Holder.HOLD_MIN - 1.0, Holder.HOLD_MIN),  # never less than HOLD_MIN, even when late
        (-3.0, Holder.HOLD_MIN - 1.0, Holder.HOLD_MIN),
    ],
)
async def test_the_commit_gets_what_is_left_of_the_deadline(
    time_left: float | None, low: float, high: float
) -> None:
    """The quarantine is told to roll back when the message's time is up (at least HOLD_MIN seconds away)."""
    quarantine = DeadlineQuarantine()
    holder = Holder(quarantine, deadline=30.0)
    try:
        done = await holder.commit(
            Envelope("s@uni.ac.uk", ("f@example.org",)),
            b"x\r\n",
            Decision(Verdict.HOLD),
            time_left=time_left,
            ref="m1",
        )
    finally:
        holder.close()
    assert done.held_id == "q1"
    (given,) = quarantine.given
    assert low <= given <= high
