"""The one home of Presidio and spaCy: pattern recognizers, context enhancement, NER, masking.

Detectors declare their recognizers as plain data (`RecognizerSpec`: an
entity, regular expressions with base scores, context words, a checksum)
and never import Presidio or spaCy themselves. `PresidioEngine` turns the
specs into Presidio `PatternRecognizer`s behind one `AnalyzerEngine`, and
offers three operations:

- `analyze(text)`: every pattern hit with its score after Presidio's
  context enhancement (a context word among the few words before a hit
  raises its score);
- `persons(windows)`: spaCy's PERSON entities in a handful of short
  windows, batched (the caller decides which windows deserve the model);
- `mask(text, spans)`: presidio-anonymizer replaces each span by its
  entity name, for evidence that never shows the value.

Stock Presidio runs the full spaCy pipeline over the whole text before it
looks at a single pattern; most of its time goes there. Here the analyzer
gets pre-computed NLP artifacts built by a regular-expression tokenizer
(context words need tokens, not a parser), the context enhancer finds a
hit's token by bisection instead of a linear scan, and spaCy runs with
only its NER component, on the windows the caller asks about. Models load
in `load()`, never in the constructor.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

#: tokens for context words: words (with inner apostrophes, dots, dashes, hashes) and single symbols
_TOKEN = re.compile(r"[\w'.#&-]*\w|[^\w\s]")


def anycase(word: str) -> str:
    """A literal as a case-blind pattern: "mrn" -> "[mM][rR][nN]".

    Presidio matches with the `regex` module, where a scoped (?i:...) group
    or the IGNORECASE flag defeats its fast first-character scan; letter
    classes keep it.
    """
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word.lower())


@dataclass(frozen=True)
class PatternSpec:
    """One regular expression of a recognizer, with the score a bare match gets."""

    name: str
    regex: str
    score: float


@dataclass(frozen=True)
class RecognizerSpec:
    """A recognizer as data: what it finds, how, and which words nearby make it likelier.

    `validate` (for checksums) returns False to drop a match. `context`
    holds single lower-case words; one of them among the `context_window`
    words before a hit raises its score. Patterns are case-insensitive
    unless `case_sensitive`.
    """

    entity: str
    patterns: tuple[PatternSpec, ...]
    context: tuple[str, ...] = ()
    validate: Callable[[str], bool] | None = None
    case_sensitive: bool = False


@dataclass(frozen=True)
class Hit:
    """A pattern match in the analysed text."""

    entity: str
    start: int
    end: int
    score: float
    pattern: str  # the PatternSpec name that matched
    context_word: str = ""  # the context word that raised the score, if any


class PresidioEngine:
    """Presidio pattern recognizers plus optional spaCy NER, loaded once per worker."""

    #: how much a context word adds, and how many words before / after a hit are looked at
    CONTEXT_BOOST = 0.35
    CONTEXT_BEFORE = 4
    CONTEXT_AFTER = 1
    #: characters around a hit given to the context enhancer (enough for CONTEXT_BEFORE words)
    WINDOW_BEFORE = 60
    WINDOW_AFTER = 20

    def __init__(self, specs: Sequence[RecognizerSpec], *, ner_model: str | None = None) -> None:
        self.specs = tuple(specs)
        self.ner_model = ner_model
        self._analyzer: Any = None
        self._anonymizer: Any = None
        self._nlp: Any = None
        self._artifacts_cls: Any = None
        self._operator_cls: Any = None
        self._result_cls: Any = None
        self._explanation_cls: Any = None
        self._analyzer_result_cls: Any = None
        self._enhancer: Any = None
        self._by_id: dict[str, Any] = {}
        self._empty: Any = None

    @property
    def loaded(self) -> bool:
        return self._analyzer is not None

    @property
    def has_ner(self) -> bool:
        return self._nlp is not None

    def load(self) -> None:
        """Build the analyzer and anonymizer, and load the NER model if one is named."""
        from presidio_analyzer import (
            AnalysisExplanation,
            AnalyzerEngine,
            Pattern,
            PatternRecognizer,
            RecognizerRegistry,
        )
        from presidio_analyzer import RecognizerResult as AnalyzerResult
        from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
        from presidio_analyzer.nlp_engine import NlpArtifacts
        from presidio_analyzer.nlp_engine.no_op_nlp_engine import NoOpNlpEngine
        from presidio_anonymizer import AnonymizerEngine
        from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

        class _SpecRecognizer(PatternRecognizer):  # type: ignore[misc]
            """A PatternRecognizer whose checksum drops a match but never raises its score."""

            def __init__(self, spec: RecognizerSpec) -> None:
                flags = re.DOTALL | re.MULTILINE | (0 if spec.case_sensitive else re.IGNORECASE)
                super().__init__(
                    supported_entity=spec.entity,
                    name=f"{spec.entity}_recognizer",
                    patterns=[Pattern(p.name, p.regex, p.score) for p in spec.patterns],
                    context=list(spec.context),
                    supported_language="en",
                    global_regex_flags=flags,
                )
                self._check = spec.validate

            def validate_result(self, pattern_text: str) -> bool | None:
                return None

            def invalidate_result(self, pattern_text: str) -> bool | None:
                return None if self._check is None else not self._check(pattern_text)

        class _NoEnhancer(LemmaContextAwareEnhancer):  # type: ignore[misc]
            """The analyzer's own pass: hits are enhanced afterwards, each on its own small window."""

            def enhance_using_context(self, text: str, raw_results: Any, *args: Any, **kwargs: Any) -> Any:
                return raw_results

        class _BisectEnhancer(LemmaContextAwareEnhancer):  # type: ignore[misc]
            """Presidio's lemma context enhancer, finding a hit's token by bisection (O(log n))."""

            @staticmethod
            def _find_index_of_match_token(
                word: str, start: int, tokens: Any, tokens_indices: list[int]
            ) -> int:
                i = bisect.bisect_right(tokens_indices, start) - 1
                return max(i, 0)

        registry = RecognizerRegistry(supported_languages=["en"])
        for spec in self.specs:
            if spec.patterns:
                rec = _SpecRecognizer(spec)
                registry.add_recognizer(rec)
                self._by_id[rec.id] = rec
        self._enhancer = _BisectEnhancer(
            context_similarity_factor=self.CONTEXT_BOOST,
            min_score_with_context_similarity=0.0,
            context_prefix_count=self.CONTEXT_BEFORE,
            context_suffix_count=self.CONTEXT_AFTER,
            context_matching_mode="whole_word",
        )
        nlp_engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
        nlp_engine.load()
        import warnings

        with warnings.catch_warnings():  # it warns that a no-op engine gives no context; we bring our own
            warnings.simplefilter("ignore")
            self._analyzer = AnalyzerEngine(
                registry=registry,
                nlp_engine=nlp_engine,
                supported_languages=["en"],
                context_aware_enhancer=_NoEnhancer(),
            )
        self._artifacts_cls = NlpArtifacts
        self._explanation_cls = AnalysisExplanation
        self._analyzer_result_cls = AnalyzerResult
        # no tokens: the analyzer does not need any, the windows get their own
        no_tokens: Any = []  # Presidio types tokens as a spaCy Doc; it only needs len() and indexing
        self._empty = NlpArtifacts(
            entities=[], tokens=no_tokens, tokens_indices=[], lemmas=[], nlp_engine=None, language="en"
        )
        self._anonymizer = AnonymizerEngine()
        self._operator_cls = OperatorConfig
        self._result_cls = RecognizerResult
        if self.ner_model:
            import spacy

            # NER only: the tagger, parser and lemmatizer are what make stock Presidio slow
            self._nlp = spacy.load(
                self.ner_model,
                exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"],
            )
        self._warm_up()

    def _warm_up(self) -> None:
        """One pass over an invented line at load: each pattern is compiled (Presidio compiles on
        first use) and the model runs once, so the first message a worker takes does not pay for it."""
        line = "Mr Alfred Example, NHS no 000 000 0000, seen on Ward 1 on 1 Jan 2000 with chest pain."
        self.analyze(line)
        self.persons([line])

    def _artifacts(self, text: str) -> Any:
        tokens: list[str] = []
        starts: list[int] = []
        for m in _TOKEN.finditer(text):
            tokens.append(m.group())
            starts.append(m.start())
        lemmas = [t.lower() for t in tokens]
        art = self._artifacts_cls(
            entities=[], tokens=tokens, tokens_indices=starts, lemmas=lemmas, nlp_engine=None, language="en"
        )
        # context words are counted among words only, and looked up in a set
        art.keywords = {lem for lem in lemmas if lem[0].isalnum()}
        return art

    def analyze(self, text: str, entities: Sequence[str] | None = None) -> list[Hit]:
        """Every pattern hit in `text`, scored by pattern and context words."""
        if self._analyzer is None:
            raise RuntimeError("PresidioEngine.load() was not called")
        if not text.strip():
            return []
        # patterns over the whole text with empty NLP artifacts (no tokenising the whole text) ...
        results = self._analyzer.analyze(
            text=text,
            language="en",
            entities=list(entities) if entities else None,
            nlp_artifacts=self._empty,
            score_threshold=0.0,
            return_decision_process=True,  # keeps each hit's explanation: its pattern name
        )
        # ... then Presidio's context enhancement on a small window around each hit that has context words
        hits = [self._enhanced(text, r) for r in results]
        hits.sort(key=lambda h: (h.start, -h.end))
        return hits

    def _enhanced(self, text: str, r: Any) -> Hit:
        expl = r.analysis_explanation
        recognizer = self._by_id.get((r.recognition_metadata or {}).get("recognizer_identifier", ""))
        pattern = getattr(expl, "pattern_name", "") or ""
        if recognizer is None or not recognizer.context:
            return Hit(r.entity_type, r.start, r.end, float(r.score), pattern)
        lo = max(0, r.start - self.WINDOW_BEFORE)
        hi = min(len(text), r.end + self.WINDOW_AFTER)
        window = text[lo:hi]
        # a light copy in window offsets: the enhancer deep-copies what it is given
        light = self._analyzer_result_cls(
            entity_type=r.entity_type,
            start=r.start - lo,
            end=r.end - lo,
            score=r.score,
            analysis_explanation=self._explanation_cls(recognizer=recognizer.name, original_score=r.score),
            recognition_metadata={"recognizer_identifier": recognizer.id},
        )
        (e,) = self._enhancer.enhance_using_context(window, [light], self._artifacts(window), [recognizer])
        word = e.analysis_explanation.supportive_context_word or ""
        return Hit(r.entity_type, r.start, r.end, float(e.score), pattern, word)

    def persons(self, windows: Sequence[str]) -> list[list[tuple[int, int]]]:
        """Character spans of PERSON entities in each window (empty lists without a model)."""
        if self._nlp is None or not windows:
            return [[] for _ in windows]
        out: list[list[tuple[int, int]]] = []
        for doc in self._nlp.pipe(windows, batch_size=32):
            out.append([(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"])
        return out

    def mask(self, text: str, spans: Sequence[tuple[int, int, str]]) -> str:
        """`text` with each (start, end, entity) span replaced by "[ENTITY]"."""
        if not spans:
            return text
        if self._anonymizer is None:
            raise RuntimeError("PresidioEngine.load() was not called")
        results = []
        operators = {}
        for start, end, entity in spans:
            results.append(self._result_cls(entity_type=entity, start=start, end=end, score=1.0))
            operators[entity] = self._operator_cls("replace", {"new_value": f"[{entity}]"})
        return str(self._anonymizer.anonymize(text=text, analyzer_results=results, operators=operators).text)
