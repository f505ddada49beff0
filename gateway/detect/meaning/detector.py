"""The `meaning` detector: the trained classifier's second opinion beside the rules.

For the text the sender's mail client carries (subject, bodies and the
quoted text in them; not attachments, display names or document
properties), each sentence window is scored for both outputs. The model
learned from emails: extracted documents (handouts, teaching questions
written to "you") are outside what it knows, and are left to the rules,
which read them as before. A window becomes a finding when

- `PATIENT_DISCLOSURE_MODEL` (patient_identifier): its patient score
  reaches the threshold and the window holds a person mention that is not
  a correspondent, or an identifier shape (gate.py); or the score reaches
  the much higher `patient_alone` threshold;
- `ABUSE_MODEL` (abusive_language, severe): its abuse score reaches the
  threshold, unless the message raises a concern through the proper
  channel (the language rules' own list) and goes only to internal or
  secure recipients.

The routing is the rules': a finding in quoted or forwarded text is
`quoted` (the default policy delivers a victim's report to university
staff and holds it outside). An abuse window whose score falls under the
threshold once reported speech (words in quotation marks, "he called me
...") is taken out is not reported at all: the model reads the writer's
own words, and what they cite (guidance, titles, someone else's insult)
is left to the rules, which judge quoted words against their own lists.
One finding per type, place and quotedness: the best window, whose
offsets are in `details["spans"]`. Evidence is a label, never the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway.config import Settings
from gateway.detect.base import Resources
from gateway.detect.language.lexicon import compile_regexes, load_macros, load_pattern_file
from gateway.detect.language.sentences import clean
from gateway.detect.language.text import reported_spans
from gateway.detect.meaning.features import Featurizer
from gateway.detect.meaning.gate import Gate, correspondent_tokens
from gateway.detect.meaning.model import MeaningModel, featurizer, text_features
from gateway.detect.meaning.windows import Window, sentences, windows
from gateway.detect.patient.context import staff_names
from gateway.detect.patient.lexicon import Lexicon
from gateway.model import Finding, Inspection, Segment
from gateway.model.envelope import RecipientClass, classify
from gateway.model.finding import ABUSIVE_LANGUAGE, PATIENT_IDENTIFIER
from gateway.model.learned import NO_ENTRIES, LearnedEntries

PATIENT_TYPE = "PATIENT_DISCLOSURE_MODEL"
ABUSE_TYPE = "ABUSE_MODEL"
EVIDENCE = {
    PATIENT_TYPE: "a person's health or care, as the meaning model reads it",
    ABUSE_TYPE: "threat, harassment, abuse or an allegation about a person, as the meaning model reads it",
}
#: display names and document properties are not prose; attachments are not email (see above)
_SKIP_KINDS = frozenset({"name", "metadata", "attachment"})
#: a segment longer than this is read up to here (the rules still read all of it)
MAX_SEGMENT_CHARS = 2_000_000


@dataclass
class _Hit:
    type: str
    segment: Segment
    quoted: bool
    score: float
    threshold: float
    window: Window
    reasons: list[str]


class MeaningDetector:
    """Reports what the meaning model calls a patient disclosure or abuse, with the rules' routing."""

    name = "meaning"
    categories: tuple[str, ...] = (PATIENT_IDENTIFIER, ABUSIVE_LANGUAGE)

    def __init__(
        self,
        *,
        internal: tuple[str, ...] = (),
        secure: tuple[str, ...] = (),
        model: MeaningModel | None = None,
        learned: Callable[[], LearnedEntries] = lambda: NO_ENTRIES,
    ) -> None:
        self.internal = internal
        self.secure = secure
        self.model = model  # None: the shipped model, read in load()
        self.learned = learned  # staff names and public figures accepted from reviewers' marks
        self._learned_version = -1
        self._learned_names: list[frozenset[str]] = []
        self._feat: Featurizer | None = None
        self._gate: Gate | None = None
        self._reports: list[re.Pattern[str]] = []

    def load(self) -> None:
        if self._feat is not None:
            return
        feat = featurizer()
        if self.model is None:
            self.model = MeaningModel.load(feat)
        self._feat = feat
        self._gate = Gate(Lexicon.load())
        # the language rules' list of concerns raised through the proper channel
        macros = load_macros()
        raw = load_pattern_file("defamation.yaml", macros)
        self._reports = compile_regexes(raw.get("reports", []), macros, "defamation.yaml")

    def detect(self, inspection: Inspection) -> list[Finding]:
        self.load()
        known = correspondent_tokens(inspection.correspondents)
        entries = self.learned()
        if entries.version != self._learned_version:
            assert self._gate is not None
            names = staff_names(entries.staff_names + entries.public_figures, self._gate.lexicon)
            self._learned_names = [frozenset(tokens) for tokens in names]
            self._learned_version = entries.version
        report = self._privileged(inspection) and self._raises_concern(inspection)
        best: dict[tuple[str, str, bool], _Hit] = {}
        for seg in inspection.segments:
            if seg.kind in _SKIP_KINDS or not seg.text.strip():
                continue
            for hit in self.scan(seg, known, self._learned_names):
                if hit.type == ABUSE_TYPE and report:
                    continue
                key = (hit.type, seg.where, hit.quoted)
                if key not in best or hit.score > best[key].score:
                    best[key] = hit
        return [self._finding(h) for h in best.values()]

    def scan(
        self,
        seg: Segment,
        correspondents: set[str] | frozenset[str] = frozenset(),
        learned: list[frozenset[str]] | None = None,
    ) -> list[_Hit]:
        """Every window of one segment that reaches a threshold (before one-per-place)."""
        assert self.model is not None and self._feat is not None and self._gate is not None
        text = seg.text[:MAX_SEGMENT_CHARS]
        spans = sentences(text)
        feats = [self._feat.features(text[s:e]) for s, e in spans]
        t = self.model.thresholds
        out: list[_Hit] = []
        for w in windows(spans):
            fs = feats[w.first] if w.first == w.last else frozenset().union(*feats[w.first : w.last + 1])
            sp, sa = self.model.scores(fs)
            if sp >= t.patient:
                reasons = self._gate.reasons(text, w.start, w.end, correspondents, learned or ())
                if reasons or sp >= t.patient_alone:
                    why = reasons or ["very high score, no person mention or identifier"]
                    out.append(_Hit(PATIENT_TYPE, seg, seg.quoted, sp, t.patient, w, why))
            if sa >= t.abuse and (seg.quoted or not self._in_reported_speech(text[w.start : w.end])):
                out.append(_Hit(ABUSE_TYPE, seg, seg.quoted, sa, t.abuse, w, []))
        return out

    def _in_reported_speech(self, window: str) -> bool:
        """Is the abuse someone else's words: without them, would the window stay under the threshold?"""
        assert self.model is not None and self._feat is not None
        rest = without_reported(window)
        if rest is None:
            return False
        feats = text_features(self._feat, rest)
        return self.model.scores(feats)[1] < self.model.thresholds.abuse

    def _finding(self, hit: _Hit) -> Finding:
        patient = hit.type == PATIENT_TYPE
        details: dict[str, Any] = {
            "spans": [[hit.window.start, hit.window.end]],
            "model_score": round(hit.score, 3),
            "threshold": round(hit.threshold, 3),
            "reasons": ["meaning model", *hit.reasons],
        }
        return Finding(
            category=PATIENT_IDENTIFIER if patient else ABUSIVE_LANGUAGE,
            type=hit.type,
            where=hit.segment.where,
            score=round(min(0.99, hit.score), 3),
            evidence=EVIDENCE[hit.type],
            quoted=hit.quoted,
            detector=self.name,
            severity="" if patient else "severe",
            details=details,
        )

    def _privileged(self, inspection: Inspection) -> bool:
        rcpts = inspection.envelope.rcpt_tos
        return bool(rcpts) and all(
            classify(r, self.internal, self.secure) is not RecipientClass.EXTERNAL for r in rcpts
        )

    def _raises_concern(self, inspection: Inspection) -> bool:
        for seg in inspection.segments:
            if seg.kind in _SKIP_KINDS or seg.quoted:
                continue
            view = clean(seg.text[:MAX_SEGMENT_CHARS]).lower()
            if any(r.search(view) for r in self._reports):
                return True
        return False


def without_reported(text: str) -> str | None:
    """The text with words in quotation marks and reported insults blanked (None: there are none)."""
    cleaned = clean(text)
    view = cleaned.lower()
    spans = reported_spans(view)
    if not spans:
        return None
    base = cleaned if len(view) == len(cleaned) else view  # lower() kept the offsets: keep the case
    chars = list(base)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def build(settings: Settings | None, resources: Resources | None = None) -> MeaningDetector:
    """Registry factory: recipients' domains from settings; the model loads in `load()`."""
    domains = (settings or Settings()).domains
    detector = MeaningDetector(internal=tuple(domains.internal), secure=tuple(domains.secure))
    if resources is not None and resources.learned is not None:
        detector.learned = resources.learned
    return detector
