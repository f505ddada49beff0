"""The one home of Presidio and spaCy: pattern recognizers, context enhancement, NER, masking.

Detectors declare their recognizers as plain data (`RecognizerSpec`: an
entity, regular expressions with base scores, context words, a checksum)
and never import Presidio or spaCy themselves. `PresidioEngine` offers
three operations:

- `analyze(text)`: every pattern hit with its score after Presidio's
  context enhancement (a context word among the few words before a hit
  raises its score);
- `persons(windows)`: spaCy's PERSON entities in a handful of short
  windows, batched (the caller decides which windows deserve the model);
- `mask(text, spans)`: presidio-anonymizer replaces each span by its
  entity name, for evidence that never shows the value.

`analyze` answers what Presidio's `AnalyzerEngine` with one
`PatternRecognizer` per spec answered (the same `regex` module, flags and
timeout, the same de-duplication and context rule), computed directly:
the engine's own bookkeeping (an explanation object, a clock reading and
a log call per match, a deep copy per context check) cost more than the
regular expressions. Context words need tokens, not a parser: a hit's
window is tokenised by a regular expression and its token found by
bisection. Stock Presidio runs the full spaCy pipeline over the whole
text first; here spaCy runs with only its NER component, on the windows
the caller asks about. Models load in `load()`, never in the constructor.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

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


def _flags(spec: RecognizerSpec) -> int:
    """The flags Presidio's PatternRecognizer compiled these patterns with."""
    return re.DOTALL | re.MULTILINE | (0 if spec.case_sensitive else re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Raw:
    """A match before context: what Presidio's RecognizerResult held that the gateway reads."""

    spec: RecognizerSpec
    start: int
    end: int
    score: float
    pattern: str


class _Pass:
    """One recognizer: its compiled patterns run in order over a text, as Presidio's PatternRecognizer does."""

    def __init__(self, spec: RecognizerSpec, patterns: list[tuple[str, float, Any]]) -> None:
        self.spec = spec
        self.patterns = patterns

    def matches(self, text: str, timeout: float) -> list[_Raw]:
        out: list[_Raw] = []
        check = self.spec.validate
        for name, score, rx in self.patterns:
            try:
                for m in rx.finditer(text, timeout=timeout):
                    start, end = m.span()
                    if start == end or score <= 0:
                        continue
                    if check is not None and not check(text[start:end]):
                        continue  # a failing checksum drops the match (Presidio: score 0, left out)
                    out.append(_Raw(self.spec, start, end, score, name))
            except TimeoutError:  # Presidio's rule: the pattern's remaining matches are skipped
                log.warning("pattern timed out", extra={"kind": f"{self.spec.entity}/{name}"})
        return out


def _deduplicated(results: list[_Raw]) -> list[_Raw]:
    """Presidio's `EntityRecognizer.remove_duplicates`, step for step.

    Equal results (type, span, score) count once (the first is kept); a result inside
    another of its type with an equal or higher score is dropped; the rest come back by
    score (highest first), then start, then longest, ties in the order of the type names.
    """
    first: dict[tuple[str, int, int, float], _Raw] = {}
    for r in results:
        first.setdefault((r.spec.entity, r.start, r.end, r.score), r)
    ordered = sorted(first.values(), key=lambda x: (x.spec.entity, x.start, -(x.end - x.start), -x.score))
    kept: list[_Raw] = []
    active: list[_Raw] = []
    entity = None
    for r in ordered:
        if r.spec.entity != entity:
            entity, active = r.spec.entity, []
        active = [a for a in active if a.end >= r.start]
        if any(a.start <= r.start and r.end <= a.end and r.score <= a.score for a in active):
            continue
        kept.append(r)
        active.append(r)
    return sorted(kept, key=lambda x: (-x.score, x.start, -(x.end - x.start)))


def _context_word(window: str, at: int, context: tuple[str, ...], before: int, after: int) -> str:
    """The first of `context` among the words around the token at `at` in `window`, or "".

    Presidio's lemma context enhancer with our tokens: words are the tokens that start with
    a letter or digit, lower-cased; the token holding `at` and the `before` words before it
    (`after` after it) are looked at.
    """
    starts: list[int] = []
    lemmas: list[str] = []
    for m in _TOKEN.finditer(window):
        starts.append(m.start())
        lemmas.append(m.group().lower())
    if not lemmas:
        return ""
    keywords = {lem for lem in lemmas if lem[0].isalnum()}
    i = max(bisect.bisect_right(starts, at) - 1, 0)
    near: set[str] = set()
    for step, count in ((-1, before + 1), (1, after + 1)):
        j = i
        while 0 <= j < len(lemmas) and count > 0:
            if lemmas[j] in keywords:
                near.add(lemmas[j])
                count -= 1
            j += step
    return next((w for w in context if w.lower() in near), "")


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
        self._passes: list[_Pass] | None = None
        self._timeout = 0
        self._anonymizer: Any = None
        self._nlp: Any = None
        self._operator_cls: Any = None
        self._result_cls: Any = None

    @property
    def loaded(self) -> bool:
        return self._passes is not None

    @property
    def has_ner(self) -> bool:
        return self._nlp is not None

    def load(self) -> None:
        """Compile the patterns, build the anonymizer, and load the NER model if one is named."""
        import regex
        from presidio_analyzer.pattern_recognizer import REGEX_TIMEOUT_SECONDS
        from presidio_anonymizer import AnonymizerEngine
        from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

        self._timeout = REGEX_TIMEOUT_SECONDS
        self._passes = [
            _Pass(
                spec,
                [(p.name, p.score, regex.compile(p.regex, flags=_flags(spec))) for p in spec.patterns],
            )
            for spec in self.specs
            if spec.patterns
        ]
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
            from thinc.api import NumpyOps

            # thinc multiplies with BLIS by default, which repacks each weight matrix on every
            # call: for the few short windows a message asks about, that repacking was most of
            # the model's time. numpy's BLAS (one thread in a worker) needs no packing.
            ops = NumpyOps(use_blis=False)
            for node in self._nlp.get_pipe("ner").model.walk():
                node.ops = ops
        self._warm_up()

    def _warm_up(self) -> None:
        """One pass over an invented line at load: the model runs once, so the first message
        a worker takes does not pay for it."""
        line = "Mr Alfred Example, NHS no 000 000 0000, seen on Ward 1 on 1 Jan 2000 with chest pain."
        self.analyze(line)
        self.persons([line])

    def analyze(self, text: str, entities: Sequence[str] | None = None) -> list[Hit]:
        """Every pattern hit in `text`, scored by pattern and context words.

        What Presidio's `AnalyzerEngine.analyze` answered for these recognizers, computed
        directly: each recognizer's matches (a failing check drops one), Presidio's
        de-duplication within each recognizer and then over all of them, and its context
        rule applied afterwards to a small window around each hit.
        """
        if self._passes is None:
            raise RuntimeError("PresidioEngine.load() was not called")
        if not text.strip():
            return []
        found: list[_Raw] = []
        for rec in self._passes:
            if entities and rec.spec.entity not in entities:
                continue
            found.extend(_deduplicated(rec.matches(text, self._timeout)))
        hits = [self._enhanced(text, r) for r in _deduplicated(found)]
        hits.sort(key=lambda h: (h.start, -h.end))
        return hits

    def _enhanced(self, text: str, r: _Raw) -> Hit:
        """Presidio's context rule on a window around the hit: a context word among the
        CONTEXT_BEFORE words before it (or CONTEXT_AFTER after) adds CONTEXT_BOOST."""
        spec = r.spec
        if not spec.context:
            return Hit(spec.entity, r.start, r.end, r.score, r.pattern)
        lo = max(0, r.start - self.WINDOW_BEFORE)
        hi = min(len(text), r.end + self.WINDOW_AFTER)
        word = _context_word(text[lo:hi], r.start - lo, spec.context, self.CONTEXT_BEFORE, self.CONTEXT_AFTER)
        if not word:
            return Hit(spec.entity, r.start, r.end, r.score, r.pattern)
        score = min(max(r.score + self.CONTEXT_BOOST, 0.0), 1.0)
        return Hit(spec.entity, r.start, r.end, score, r.pattern, word)

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
