"""The shipped meaning detector loaded once for the folder, a detector over a hand-made model, and a
helper that runs either over a message made of plain segments."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.detect.meaning import MeaningDetector
from gateway.detect.meaning.model import ABUSE, OUTPUTS, PATIENT, MeaningModel, pack
from tests.unit.detect.judging import INTERNAL, OUTSIDE, SECURE, STAFF, Judge

__all__ = ["INTERNAL", "OUTSIDE", "SECURE", "STAFF", "Judge"]


@pytest.fixture(scope="session")
def meaning() -> MeaningDetector:
    detector = MeaningDetector(internal=INTERNAL, secure=SECURE)
    detector.load()
    return detector


def toy_model(
    weights: dict[str, tuple[float, float]], *, patient: float = 0.6, alone: float = 0.95, abuse: float = 0.6
) -> MeaningModel:
    """A model with the given weights (features as features.py writes them) and thresholds."""
    data: dict[str, Any] = {
        "outputs": list(OUTPUTS),
        "intercepts": [-2.0, -2.0],
        "weights": pack(weights),
        "thresholds": {PATIENT: patient, PATIENT + "_alone": alone, ABUSE: abuse},
    }
    return MeaningModel(data)


@pytest.fixture(scope="session")
def judge(meaning: MeaningDetector) -> Judge:
    return Judge(meaning)
