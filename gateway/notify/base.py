"""What the front ends (relay, milter) need from the notifier: the one contract they code to."""

from __future__ import annotations

from typing import Protocol

from gateway.model import Envelope, Outcome


class Notifies(Protocol):
    """Implemented by `gateway.notify.notifier.Notifier` (and the test doubles)."""

    async def message_decided(
        self, envelope: Envelope, outcome: Outcome, quarantine_id: str | None = None, *, ref: str = ""
    ) -> None: ...

    async def answer_check(self, envelope: Envelope, outcome: Outcome, *, ref: str = "") -> str | None: ...
