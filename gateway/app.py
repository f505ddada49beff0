"""The one place that wires concrete parts together: pipeline, store, front ends."""

from __future__ import annotations

from gateway.config import Settings
from gateway.detect.registry import Resources
from gateway.inspector import Inspector, build_inspector
from gateway.store.documents import index_loader
from gateway.store.learned import open_learned


def build_scanner(settings: Settings) -> Inspector:
    """An in-process inspector for `gateway scan` (models load once for all files).

    Unlike the workers, `scan` reads the document index from the store itself
    (a tool run by staff, on files they chose): a store it cannot read fails
    the documents check, and the policy's on_detector_failure applies.
    """
    inspector = build_inspector(settings, Resources(document_index=index_loader(settings)))
    store = open_learned(settings)
    if store is not None:  # what administrators accepted from reviewers' marks, as the workers have it
        inspector.learned.update(store.load())
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
