"""What the front ends (relay, milter) need from the notifier: the one contract they code to."""

from __future__ import annotations

from typing import Any, Protocol

from gateway.model import Envelope


class Notifies(Protocol):
    """Implemented by `gateway.notify.notifier.Notifier` (and the test doubles)."""

    async def message_decided(
        self, envelope: Envelope, raw: bytes, outcome: Any, quarantine_id: str | None = None, *, ref: str = ""
    ) -> None: ...

    async def answer_check(
        self, envelope: Envelope, raw: bytes, outcome: Any, *, ref: str = ""
    ) -> str | None: ...
