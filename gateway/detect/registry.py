"""Which detectors the pipeline runs, and how each is built.

One line per detector: (name, module, factory). The factory takes
(settings, resources) and returns a `Detector`; it must not load models
(that is `Detector.load`). Resources carries what the pipeline loads for
detectors from outside the pure world (the document fingerprint index).
"""

from __future__ import annotations

import importlib

from gateway.config import Settings
from gateway.detect.base import Detector, Resources

#: (name, module, factory attribute), in the order they run
DETECTORS: tuple[tuple[str, str, str], ...] = (
    ("documents", "gateway.detect.documents", "build"),
    ("patient", "gateway.detect.patient", "build"),
    ("patient_image", "gateway.detect.images", "build"),
    ("language", "gateway.detect.language", "build"),
    ("meaning", "gateway.detect.meaning", "build"),
    ("etiquette", "gateway.detect.etiquette", "build"),
)


def build_detectors(
    settings: Settings | None, resources: Resources | None = None, names: tuple[str, ...] | None = None
) -> list[Detector]:
    resources = resources or Resources()
    out: list[Detector] = []
    for name, module, attr in DETECTORS:
        if names is not None and name not in names:
            continue
        factory = getattr(importlib.import_module(module), attr)
        out.append(factory(settings, resources))
    return out
