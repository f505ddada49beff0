"""A hold's commit has threads of its own: blocking work in asyncio's shared pool never delays the 250."""

from __future__ import annotations

import asyncio
import threading

from gateway.model import Decision, Envelope, Verdict
from gateway.relay.hold import HoldWriter
from gateway.relay.logline import MessageRecord


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
    writer = HoldWriter(quarantine, deadline=30.0)
    try:
        async with asyncio.timeout(30) as budget:
            reply, held_as = await asyncio.wait_for(
                writer.hold(
                    Envelope("s@uni.ac.uk", ("f@example.org",)),
                    b"Subject: x\r\n\r\nbody\r\n",
                    Decision(Verdict.HOLD),
                    MessageRecord(id="m1"),
                    budget,
                ),
                timeout=10,
            )
        assert (reply.code, held_as, quarantine.held) == (250, "q1", [b"Subject: x\r\n\r\nbody\r\n"])
        assert not release.is_set()  # the shared pool was still blocked the whole time
    finally:
        release.set()
        await asyncio.gather(*busy)
        writer.threads.close()
