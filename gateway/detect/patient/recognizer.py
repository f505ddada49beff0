"""The interface of a patient recognizer, and the candidates it returns.

A recognizer declares its Presidio patterns as data (`specs()`) and judges
what they found in one segment (`find()`): each candidate gets a score
from its evidence (checksum, keyword, clinical context, table column) and
the reasons that made it. The detector reports candidates scoring at
least `REPORT_AT`; the rest are dropped, never reported as low-score
findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from gateway.detect.patient.context import MessageContext
from gateway.detect.patient.text import SegmentView
from gateway.detect.presidio_engine import Hit, RecognizerSpec

#: a candidate scoring below this is not reported at all
REPORT_AT = 0.5


@dataclass(frozen=True)
class Candidate:
    """Something that may identify a patient, with where it is in the segment and why."""

    type: str  # the Finding type: NHS_NUMBER, PATIENT_NAME, ...
    start: int
    end: int
    score: float
    reasons: tuple[str, ...] = ()

    @property
    def reported(self) -> bool:
        return self.score >= REPORT_AT


@dataclass
class SegmentScan:
    """One segment's view, its pattern hits, and what recognizers have found in it so far."""

    view: SegmentView
    hits: list[Hit]
    found: list[Candidate] = field(default_factory=list)

    def hits_of(self, *entities: str) -> list[Hit]:
        return [h for h in self.hits if h.entity in entities]

    def found_near(
        self, start: int, end: int, chars: int, types: Iterable[str] | None = None
    ) -> list[Candidate]:
        """Reported candidates within `chars` of [start, end)."""
        wanted = set(types) if types is not None else None
        return [
            c
            for c in self.found
            if c.reported
            and (wanted is None or c.type in wanted)
            and c.end >= start - chars
            and c.start <= end + chars
            and not (c.start == start and c.end == end)
        ]


class Recognizer(Protocol):
    name: str

    def specs(self) -> list[RecognizerSpec]:
        """The Presidio patterns this recognizer needs (may be empty)."""

    def find(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        """Candidates in one segment, scored."""


def clamp(score: float) -> float:
    return max(0.0, min(score, 0.99))
