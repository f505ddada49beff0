"""A hold's commit has threads of its own: blocking work in asyncio's shared pool never delays the answer."""

from __future__ import annotations

import asyncio
import threading

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
