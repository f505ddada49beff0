"""Inspector factories for the worker-pool tests; a module of its own so spawned workers can import them.

Each factory builds the real inspector (no detectors, the shipped policy) and
misbehaves on a marker in the message: "SLEEP" hangs, "BOMB" allocates 3 GiB,
"DIE" kills the worker process outright.
"""

from __future__ import annotations

import os
import time

from gateway.config import Settings
from gateway.model import Envelope
from gateway.pipeline import Inspector, Outcome, build_inspector


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
    return MisbehavingInspector(settings, base.detectors, base.policy)
