"""De-identified drafts: a sender's own text with the patient identifiers masked.

The spans come from the patient detector's own recognition
(`PatientDetector.scan`: the same patterns, context rules and NER that
decide a hold), never from a second set of patterns, and are masked with
presidio-anonymizer through `PresidioEngine.mask`. Masked are every
candidate the detector would report, plus every candidate of a number type
(NHS, CHI, H&C, hospital numbers) whatever its score: in a draft meant for
reuse, masking a harmless number costs nothing, and leaving a real one in
would defeat the point.

A `Deidentifier` loads the patient detector once (spaCy and Presidio: a
few seconds); `deidentify(text, settings)` keeps one per configuration.
Texts are judged together with the message they came from (its envelope,
headers and correspondents), so a recipient's name in "Dear Sam" is not
taken for a patient's. Pure: no sockets, no database.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Mapping, Sequence

from gateway.config import Settings
from gateway.detect.patient import PatientDetector, PatientDetectorOptions
from gateway.detect.patient.merging import disjoint
from gateway.model import Envelope, Inspection, Segment

#: types masked in a draft whatever their score
ALWAYS_MASKED = frozenset({"NHS_NUMBER", "CHI_NUMBER", "HC_NUMBER", "HOSPITAL_NUMBER"})
#: a patient's name found in one text is masked wherever it appears in the others
NAME_TYPE = "PATIENT_NAME"
_NAME_WORD = re.compile(r"[A-Z][A-Za-z'\u2019-]{2,}")
#: words of a name that say nothing on their own (titles)
_TITLES = frozenset({"Mr", "Mrs", "Miss", "Ms", "Mx", "Dr", "Prof", "Sir", "Dame", "Lady", "Lord"})


class Deidentifier:
    """Masks patient identifiers in free text with the patient detector's recognition."""

    def __init__(self, detector: PatientDetector) -> None:
        self.detector = detector
        self._lock = threading.Lock()  # the detector keeps per-call state in its recognizers
        self._loaded = False

    @classmethod
    def from_settings(cls, settings: Settings | None) -> Deidentifier:
        return cls(PatientDetector(PatientDetectorOptions.from_settings(settings)))

    def load(self) -> None:
        with self._lock:
            if not self._loaded:
                if self.detector.engine is None:  # a worker's detector is loaded already: never twice
                    self.detector.load()
                self._loaded = True

    def spans(
        self, texts: Sequence[str], context: Inspection | None = None
    ) -> list[list[tuple[int, int, str]]]:
        """(start, end, type) of the identifiers in each text, disjoint and in order."""
        self.load()
        base = context or Inspection(envelope=Envelope("", ()))
        segments = [Segment(t, "body", kind="body") for t in texts]
        probe = Inspection(
            envelope=base.envelope,
            headers=list(base.headers),
            segments=segments,
            correspondents=list(base.correspondents),
            subject=base.subject,
        )
        with self._lock:
            scans = self.detector.scan(probe)
        by_segment: dict[int, list[tuple[int, int, str]]] = {}
        for scan in scans:
            index = next((i for i, s in enumerate(segments) if s is scan.view.segment), None)
            if index is None:
                continue
            by_segment[index] = disjoint(
                [(c.start, c.end, c.type) for c in scan.found if c.reported or c.type in ALWAYS_MASKED]
            )
        found = [by_segment.get(i, []) for i in range(len(texts))]
        return _names_everywhere(texts, found)

    def deidentify_many(
        self,
        texts: Sequence[str],
        context: Inspection | None = None,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> list[str]:
        """Each text with its identifiers replaced by "[TYPE]" (or "[label]" from `labels`)."""
        found = self.spans(texts, context)
        engine = self.detector.engine
        out = []
        for text, spans in zip(texts, found, strict=True):
            if not spans:
                out.append(text)
                continue
            assert engine is not None
            named = [(s, e, (labels or {}).get(t, t)) for s, e, t in spans]
            out.append(engine.mask(text, named))
        return out

    def deidentify(
        self, text: str, context: Inspection | None = None, *, labels: Mapping[str, str] | None = None
    ) -> str:
        return self.deidentify_many([text], context, labels=labels)[0]


@functools.lru_cache(maxsize=2)
def _shared(settings: Settings) -> Deidentifier:
    d = Deidentifier.from_settings(settings)
    d.load()
    return d


def deidentify(text: str, settings: Settings) -> str:
    """`text` with the patient identifiers the detector finds masked ("[NHS_NUMBER]")."""
    return _shared(settings).deidentify(text)


def _names_everywhere(
    texts: Sequence[str], found: list[list[tuple[int, int, str]]]
) -> list[list[tuple[int, int, str]]]:
    """Every word of a patient's name found in one text masked in all of them.

    The subject "About Mr Quillfeather" alone has no clinical context, so the
    detector rightly finds no patient in it; judged beside the body that names
    him as a patient, it must not give the name away in the notice.
    """
    words = {
        w
        for text, spans in zip(texts, found, strict=True)
        for s, e, t in spans
        if t == NAME_TYPE
        for w in _NAME_WORD.findall(text[s:e])
        if w not in _TITLES
    }
    if not words:
        return found
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")\b")
    out = []
    for text, spans in zip(texts, found, strict=True):
        extra: list[tuple[int, int, str]] = []
        for m in pattern.finditer(text):
            if extra and not text[extra[-1][1] : m.start()].strip():
                extra[-1] = (extra[-1][0], m.end(), NAME_TYPE)  # "Desmond Quillfeather": one mask
            else:
                extra.append((m.start(), m.end(), NAME_TYPE))
        out.append(disjoint([*spans, *extra]) if extra else spans)
    return out
