"""The one place that wires concrete parts together: pipeline, store, front ends."""

from __future__ import annotations

from gateway.config import Settings
from gateway.inspector import Inspector, build_inspector


def build_scanner(settings: Settings) -> Inspector:
    """An in-process inspector for `gateway scan` (models load once for all files)."""
    inspector = build_inspector(settings)
    inspector.load()
    return inspector


def run_server(settings: Settings) -> int:
    """Run every listener the configuration names until SIGTERM/SIGINT (in `frontend.processes` processes)."""
    import asyncio

    if settings.frontend.processes > 1:
        from gateway.frontend import run_frontends

        return run_frontends(settings)

    from gateway.server import serve

    return asyncio.run(serve(settings))
