"""The contracts the front ends use to hand a message to the quarantine.

Front ends (relay, milter) call `Quarantine.hold` from a thread
(`asyncio.to_thread`): when it returns, the message is committed durably
and the front end may answer 250 / DISCARD. If it raises `StoreError`,
the front end answers a temporary failure (451 / TEMPFAIL).
"""

from __future__ import annotations

from typing import Protocol

from gateway.model import Decision, Envelope


class Quarantine(Protocol):
    def hold(
        self, envelope: Envelope, raw: bytes, decision: Decision, *, deadline: float | None = None
    ) -> str:
        """Commit the message (encrypted), its envelope, findings and rule; return its id.

        With `deadline` (a `time.monotonic()` value) the write is rolled back and
        StoreError raised when it is not committed by then, and no single wait
        for the database outlasts it: a front end that waits for the outcome
        never answers 451 for a message that is committed after all.
        """
