"""Inspector factories for the worker-pool tests; a module of its own so spawned workers can import them.

Each factory builds the real inspector (no detectors, the shipped policy) and
misbehaves on a marker in the message: "SLEEP" hangs, "BOMB" allocates 3 GiB,
"DIE" kills the worker process outright. `UnkillableForAWhile` wraps a
worker's process handle so that it dies only when released, as one in
uninterruptible sleep does.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time

from gateway.config import Settings
from gateway.inspector import Inspector, build_inspector
from gateway.model import Envelope, Outcome


class MisbehavingInspector(Inspector):
    def inspect(self, envelope: Envelope, raw: bytes) -> Outcome:
        if b"SLEEP" in raw:
            time.sleep(120)
        if b"BOMB" in raw:
            hog = bytearray(3 << 30)  # past the memory cap: MemoryError
            del hog
        if b"DIE" in raw:
            os._exit(3)
        return super().inspect(envelope, raw)


def misbehaving(settings: Settings) -> Inspector:
    base = build_inspector(settings, detectors=())
    return MisbehavingInspector(settings, base.detectors, base.policy, base.documents)


class UnkillableForAWhile:
    """A worker's process as seen in uninterruptible sleep: SIGKILL is sent, the process ends only once released."""

    def __init__(self, process: object) -> None:
        self.process = process
        self.released = threading.Event()
        self.joining = threading.Event()
        self.joins_released: list[bool] = []  # per join: ended by the release (True) or by its own timeout

    def join(self, timeout: float | None = None) -> None:
        self.joining.set()
        self.joins_released.append(self.released.wait(timeout))
        self.process.join(timeout)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.process, name)


class SecretsReporting(Inspector):
    """Reports, as the outcome's message id, which secrets the worker's settings hold."""

    def inspect(self, envelope: Envelope, raw: bytes) -> Outcome:
        out = super().inspect(envelope, raw)
        s = self.settings
        held = [
            name
            for name, value in (
                ("quarantine.key", s.quarantine.key),
                ("quarantine.key_file", s.quarantine.key_file),
                ("smtp.tls_key", s.smtp.tls_key),
                ("web.tls_key", s.web.tls_key),
                ("database.url", s.database.url),
            )
            if value
        ]
        out.message_id = ",".join(held) or "none"
        return out


def secrets_reporting(settings: Settings) -> Inspector:
    base = build_inspector(settings, detectors=())
    return SecretsReporting(settings, base.detectors, base.policy, base.documents)


class StoreProbing(Inspector):
    """Reports, as the outcome's message id, whether the store is loaded in the worker and whether it can be."""

    def inspect(self, envelope: Envelope, raw: bytes) -> Outcome:
        out = super().inspect(envelope, raw)
        loaded = sorted(m for m in sys.modules if m.startswith("gateway.store"))
        try:
            db = importlib.import_module("gateway.store.db")
            db.open_database(self.settings).execute("SELECT 1")
            opened = "opened"
        except ImportError:
            opened = "refused"
        out.message_id = f"loaded={','.join(loaded) or 'none'};store={opened}"
        return out


def store_probing(settings: Settings) -> Inspector:
    base = build_inspector(settings, detectors=())
    return StoreProbing(settings, base.detectors, base.policy, base.documents)


class ThreadsReporting(Inspector):
    """Reports, as the outcome's message id, the thread count of each numerical library loaded in the worker."""

    def inspect(self, envelope: Envelope, raw: bytes) -> Outcome:
        import numpy  # noqa: F401  (loaded already in a worker; here so the report is never empty)
        from threadpoolctl import threadpool_info

        out = super().inspect(envelope, raw)
        out.message_id = ",".join(
            sorted(f"{p['internal_api']}={p['num_threads']}" for p in threadpool_info())
        )
        return out


def threads_reporting(settings: Settings) -> Inspector:
    base = build_inspector(settings, detectors=())
    return ThreadsReporting(settings, base.detectors, base.policy, base.documents)
