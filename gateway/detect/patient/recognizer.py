"""The interface of a patient recognizer, and the candidates it returns.

A recognizer declares its Presidio patterns as data (`specs()`) and judges
what they found in one segment (`find()`): each candidate gets a score
from its evidence (checksum, keyword, clinical context, table column) and
the reasons that made it. The detector reports candidates scoring at
least `REPORT_AT`; the rest are dropped, never reported as low-score
findings.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from gateway.detect.patient.context import MessageContext
from gateway.detect.patient.lexicon import HealthFact, Lexicon
from gateway.detect.patient.text import SegmentView
from gateway.detect.presidio_engine import Hit, RecognizerSpec

#: a candidate scoring below this is not reported at all
REPORT_AT = 0.5
#: the longest span a candidate covers (an address with its postcode, an indirect passage is longer but
#: is never looked up as evidence)
MAX_SPAN = 2000


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
    notes: dict[str, Any] = field(default_factory=dict)  # what one recognizer worked out, for reuse
    _index: tuple[int, list[int], list[Candidate]] = (-1, [], [])
    _by_entity: dict[str, list[Hit]] | None = None

    def health_facts(self, lexicon: Lexicon) -> list[HealthFact]:
        """Every health fact in the segment (worked out once, shared by the recognizers)."""
        facts = self.notes.get("facts")
        if facts is None:
            facts = lexicon.health_facts.find(self.view.text)
            self.notes["facts"] = facts
            self.notes["fact_starts"] = [f.start for f in facts]
        return list(facts)

    def health_facts_in(self, lexicon: Lexicon, start: int, end: int) -> list[HealthFact]:
        """The health facts inside [start, end)."""
        self.health_facts(lexicon)
        facts, starts = self.notes["facts"], self.notes["fact_starts"]
        lo = bisect.bisect_left(starts, start)
        hi = bisect.bisect_left(starts, end)
        return [f for f in facts[lo:hi] if f.end <= end]

    def hits_of(self, *entities: str) -> list[Hit]:
        if self._by_entity is None:
            self._by_entity = {}
            for h in self.hits:
                self._by_entity.setdefault(h.entity, []).append(h)
        if len(entities) == 1:
            return self._by_entity.get(entities[0], [])
        return sorted((h for e in entities for h in self._by_entity.get(e, [])), key=lambda h: h.start)

    def found_near(
        self, start: int, end: int, chars: int, types: Iterable[str] | None = None
    ) -> list[Candidate]:
        """Reported candidates within `chars` of [start, end)."""
        wanted = set(types) if types is not None else None
        starts, reported = self._reported_index()
        # candidates are short: any that reaches [start - chars, ...) starts at most MAX_SPAN before it
        lo = bisect.bisect_left(starts, start - chars - MAX_SPAN)
        hi = bisect.bisect_right(starts, end + chars)
        return [
            c
            for c in reported[lo:hi]
            if (wanted is None or c.type in wanted)
            and c.end >= start - chars
            and c.start <= end + chars
            and not (c.start == start and c.end == end)
        ]

    def _reported_index(self) -> tuple[list[int], list[Candidate]]:
        """Reported candidates sorted by start (rebuilt when recognizers have added some)."""
        if self._index[0] != len(self.found):
            reported = sorted((c for c in self.found if c.reported), key=lambda c: c.start)
            self._index = (len(self.found), [c.start for c in reported], reported)
        return self._index[1], self._index[2]


class Recognizer(Protocol):
    name: str

    def specs(self) -> list[RecognizerSpec]:
        """The Presidio patterns this recognizer needs (may be empty)."""

    def find(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        """Candidates in one segment, scored."""


def clamp(score: float) -> float:
    return max(0.0, min(score, 0.99))
