"""The shipped meaning detector loaded once for the folder, a detector over a hand-made model, and a
helper that runs either over a message made of plain segments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from gateway.detect.meaning import MeaningDetector
from gateway.detect.meaning.model import ABUSE, OUTPUTS, PATIENT, MeaningModel
from gateway.model import Envelope, Finding, Inspection, Segment

INTERNAL = ("uni.ac.uk",)
SECURE = ("nhs.net",)
OUTSIDE = ("friend@gmail.com",)
STAFF = ("tutor@uni.ac.uk",)


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
        "weights": {f: list(w) for f, w in weights.items()},
        "thresholds": {PATIENT: patient, PATIENT + "_alone": alone, ABUSE: abuse},
    }
    return MeaningModel(data)


@dataclass
class Judge:
    """Runs a detector over one message built from plain segments (no MIME needed)."""

    detector: MeaningDetector

    def __call__(
        self,
        body: str,
        *,
        subject: str = "",
        to: Sequence[str] = OUTSIDE,
        quoted: str = "",
        names: Sequence[str] = (),
    ) -> list[Finding]:
        segments = []
        if subject:
            segments.append(Segment(subject, "header:Subject", kind="header"))
        if body:
            segments.append(Segment(body, "body"))
        if quoted:
            segments.append(Segment(quoted, "body", quoted=True))
        inspection = Inspection(
            envelope=Envelope("student@uni.ac.uk", tuple(to)),
            segments=segments,
            correspondents=[(n, f"{n.split()[0].lower()}@uni.ac.uk") for n in names],
        )
        return self.detector.detect(inspection)

    def types(self, body: str, **kw: Any) -> set[str]:
        """Types of the findings on what the sender wrote (not quoted or reported)."""
        return {f.type for f in self(body, **kw) if not f.quoted}


@pytest.fixture(scope="session")
def judge(meaning: MeaningDetector) -> Judge:
    return Judge(meaning)
