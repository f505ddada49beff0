"""The one place that wires concrete parts together: pipeline, store, front ends."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from gateway.config import Settings
from gateway.inspector import Inspector, build_inspector


def build_scanner(settings: Settings) -> Inspector:
    """An in-process inspector for `gateway scan` (models load once for all files)."""
    inspector = build_inspector(settings)
    inspector.load()
    return inspector


def build_on_decision(settings: Settings) -> Callable[[Any], Awaitable[None]] | None:
    """For review decisions made outside `serve` (`gateway quarantine reject`): the sender's notice,
    committed to the outbox, where the running gateway's worker picks it up."""
    if not settings.notify.enabled:
        return None

    async def on_decision(review: Any) -> None:
        import asyncio

        from gateway.notify import Notifier
        from gateway.store.outbox import open_outbox

        outbox = await asyncio.to_thread(open_outbox, settings)
        try:
            await Notifier(settings, outbox).on_decision(review)
        finally:
            outbox.close()

    return on_decision


def run_server(settings: Settings) -> int:
    """Run every listener the configuration names until SIGTERM/SIGINT."""
    import asyncio

    from gateway.server import serve

    return asyncio.run(serve(settings))
