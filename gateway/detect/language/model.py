"""The alt-profanity-check model: its only home in the project.

A linear SVM over TF-IDF word features with sigmoid calibration, trained on
general web comments and shipped inside the wheel (nothing is downloaded).
It scores how profane a sentence reads, 0..1. On medical text it is noisy:
in our measurements "anal fissures are usually posterior midline" scores
0.74, "the tumour killed him" 0.64, "bloody diarrhoea" 0.85 and "cotton wool
balls" 0.96, while "I know where you park" scores 0.07. So it never decides
anything here: it only adds confidence to the score of a finding the rules
already made, and it reads sentence views in which allow-listed clinical
phrases are already blanked.

Calling the library costs about 20 ms per call (scikit-learn's input
checks around five calibrated estimators), four times the whole budget of
the detector. `load()` therefore reads the fitted parameters (vocabulary,
idf weights, SVM coefficients, sigmoid parameters) and `scores()` computes
the same arithmetic in plain Python; `load()` checks the result against the
library on probe sentences and keeps calling the library if they ever
disagree (a future scikit-learn or model change).
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

log = logging.getLogger(__name__)

_PROBES = (
    "you are a useless waste of space",
    "the exam was absolutely shit",
    "anal fissures are usually posterior midline",
    "I know where you park",
    "thanks for the teaching today",
)


class ProfanityModel:
    """Sentence scores from alt-profanity-check; 0.0 for every sentence when the model cannot load."""

    def __init__(self) -> None:
        self._predict: Callable[[list[str]], Any] | None = None
        self._fast: _LinearScorer | None = None
        self.available = False

    def load(self) -> None:
        try:
            import profanity_check.profanity_check as pc  # loads the pickled model from the wheel
        except Exception:  # a broken or incompatible wheel must not stop the gateway: the rules still work
            log.warning("alt-profanity-check could not be loaded; language scores use rules only")
            return
        self._predict = pc.predict_prob
        self.available = True
        try:
            fast = _LinearScorer(pc.vectorizer, pc.model)
            expected = [float(x) for x in pc.predict_prob(list(_PROBES))]
            if all(abs(a - b) < 1e-6 for a, b in zip(fast.scores(_PROBES), expected, strict=True)):
                self._fast = fast
            else:
                log.warning("alt-profanity-check: fast scorer disagrees with the library; using the library")
        except Exception:  # unexpected model internals: the library call still works, only slower
            log.warning("alt-profanity-check: model internals not as expected; using the library")

    def scores(self, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        if self._fast is not None:
            return self._fast.scores(texts)
        if self._predict is None:
            return [0.0] * len(texts)
        return [float(x) for x in self._predict(list(texts))]


class _LinearScorer:
    """TF-IDF (l2-normalised) -> linear SVMs -> sigmoid calibration, averaged: the model's own arithmetic."""

    def __init__(self, vectorizer: Any, model: Any) -> None:
        params = vectorizer.get_params()
        if (
            params.get("norm") != "l2"
            or not params.get("use_idf")
            or params.get("sublinear_tf")
            or params.get("binary")
            or params.get("ngram_range") != (1, 1)
            or getattr(model, "method", "") != "sigmoid"
        ):
            raise ValueError("unsupported model configuration")
        self._analyze = vectorizer.build_analyzer()
        vocabulary: dict[str, int] = vectorizer.vocabulary_
        idf = vectorizer.idf_
        parts = []
        for cc in model.calibrated_classifiers_:
            coef = cc.estimator.coef_[0]
            cal = cc.calibrators[0]
            parts.append((float(cc.estimator.intercept_[0]), float(cal.a_), float(cal.b_), coef))
        self._parts = [(b, a, c) for b, a, c, _ in parts]
        # per word: its idf and its weight in each estimator (only words the model knows)
        self._terms: dict[str, tuple[float, tuple[float, ...]]] = {
            word: (float(idf[i]), tuple(float(p[3][i]) for p in parts)) for word, i in vocabulary.items()
        }

    def scores(self, texts: Sequence[str]) -> list[float]:
        return [self._score(t) for t in texts]

    def _score(self, text: str) -> float:
        counts = Counter(w for w in self._analyze(text) if w in self._terms)
        weights = {w: n * self._terms[w][0] for w, n in counts.items()}
        norm = math.sqrt(sum(x * x for x in weights.values())) or 1.0
        total = 0.0
        for j, (intercept, a, b) in enumerate(self._parts):
            f = intercept + sum(x / norm * self._terms[w][1][j] for w, x in weights.items())
            total += 1.0 / (1.0 + math.exp(a * f + b))
        return total / len(self._parts)
