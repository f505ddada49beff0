"""The direct pattern pass answers exactly what Presidio's AnalyzerEngine answered for the patient recognizers."""

from __future__ import annotations

import bisect
import re
import warnings
from typing import Any

import pytest

from gateway.detect.patient import PatientDetector
from gateway.detect.presidio_engine import _TOKEN, Hit, PresidioEngine, RecognizerSpec
from tests.unit.detect import patientfixtures as pf

NHS = pf.nhs_number()
TEXTS = [
    f"Mr Jones, NHS number {NHS}, seen on ward 7 today.",
    f"patient {NHS} born 12/03/1961, lives at 14 Elm Road, AB1 2CD, phone 07700 900123",
    "Re: MRN 4455667 and hospital no. RX123456 for Mrs Ada Smith (DOB 1 Feb 1950)",
    "call me on 0131 496 0000 or 07700900456 after 5pm; my flat is 3/2 Park Street",
    f"nhs no {NHS.replace(' ', '')} ... {NHS.replace(' ', '-')} and {pf.failing_number()}",
    "the meeting is at 10:30 on 12.03.2026 in room 4.12, ref 000123",
    "Ms A. Patel and Dr B Khan; CHI 0101011234; H&C 123 456 7890; pt. 1234567",
    "date of birth: 3rd March 1944, address: Flat 2, 9 Mill Lane, Leeds LS1 4AB",
    "x" * 70 + f" NHS {NHS} " + "y" * 70 + " postcode EH1 1AA . . . . . . . . . . . . tel",
    "Patient ID: 998877; Bed 4, Miss Jones; telephone (0161) 496 0999 ext 12",
]


def reference(specs: tuple[RecognizerSpec, ...], text: str) -> list[Hit]:
    """Presidio's own engine over the same specs, context checked on the same window of each hit."""
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
    from presidio_analyzer.nlp_engine import NlpArtifacts
    from presidio_analyzer.nlp_engine.no_op_nlp_engine import NoOpNlpEngine

    class Spec(PatternRecognizer):  # type: ignore[misc]
        def __init__(self, spec: RecognizerSpec) -> None:
            flags = re.DOTALL | re.MULTILINE | (0 if spec.case_sensitive else re.IGNORECASE)
            patterns = [Pattern(p.name, p.regex, p.score) for p in spec.patterns]
            super().__init__(
                supported_entity=spec.entity,
                patterns=patterns,
                context=list(spec.context),
                global_regex_flags=flags,
            )
            self.check = spec.validate

        def invalidate_result(self, pattern_text: str) -> bool | None:
            return None if self.check is None else not self.check(pattern_text)

    class Bisect(LemmaContextAwareEnhancer):  # type: ignore[misc]
        @staticmethod
        def _find_index_of_match_token(word: str, start: int, tokens: Any, indices: list[int]) -> int:
            return max(bisect.bisect_right(indices, start) - 1, 0)

    registry = RecognizerRegistry(supported_languages=["en"])
    recs = [Spec(s) for s in specs if s.patterns]
    for r in recs:
        registry.add_recognizer(r)
    by_id = {r.id: r for r in recs}
    nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    nlp.load()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        engine = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])
    enhancer = Bisect(
        context_similarity_factor=PresidioEngine.CONTEXT_BOOST,
        min_score_with_context_similarity=0.0,
        context_prefix_count=PresidioEngine.CONTEXT_BEFORE,
        context_suffix_count=PresidioEngine.CONTEXT_AFTER,
        context_matching_mode="whole_word",
    )
    empty = NlpArtifacts(entities=[], tokens=[], tokens_indices=[], lemmas=[], nlp_engine=None, language="en")
    out = []
    for r in engine.analyze(
        text=text, language="en", nlp_artifacts=empty, score_threshold=0.0, return_decision_process=True
    ):
        rec = by_id[r.recognition_metadata["recognizer_identifier"]]
        name = r.analysis_explanation.pattern_name
        if not rec.context:
            out.append(Hit(r.entity_type, r.start, r.end, r.score, name))
            continue
        lo, hi = (
            max(0, r.start - PresidioEngine.WINDOW_BEFORE),
            min(len(text), r.end + PresidioEngine.WINDOW_AFTER),
        )
        window = text[lo:hi]
        tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(window)]
        art = NlpArtifacts(
            entities=[],
            tokens=[t for t, _ in tokens],
            tokens_indices=[s for _, s in tokens],
            lemmas=[t.lower() for t, _ in tokens],
            nlp_engine=None,
            language="en",
        )
        art.keywords = {t.lower() for t, _ in tokens if t[0].isalnum()}
        r.start, r.end = r.start - lo, r.end - lo
        (e,) = enhancer.enhance_using_context(window, [r], art, [rec])
        word = e.analysis_explanation.supportive_context_word or ""
        out.append(Hit(r.entity_type, r.start + lo, r.end + lo, e.score, name, word))
    out.sort(key=lambda h: (h.start, -h.end))
    return out


@pytest.mark.parametrize("text", TEXTS)
def test_same_hits_as_presidio(detector: PatientDetector, text: str) -> None:
    """Every hit (entity, span, score, pattern, context word) and their order are Presidio's."""
    assert detector.engine is not None
    expected = reference(detector.engine.specs, text)
    assert expected, "each row holds something Presidio finds"
    assert detector.engine.analyze(text) == expected
