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
the detector, and importing it (scikit-learn, SciPy and the pickled model)
costs about 80 MB of memory in every process that does. `load()` therefore
has a short-lived child process read the fitted parameters (the tokenizer's
settings, vocabulary, idf weights, SVM coefficients, sigmoid parameters) and
the library's own scores of probe sentences; `scores()` computes the same
arithmetic in plain Python, and `load()` checks it against those probe scores.
If the child fails or the scores ever disagree (a future scikit-learn or
model change), this process loads the library itself, as before, and calls
it or its parameters directly.
"""

from __future__ import annotations

import json
import logging
import math
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_PROBES = (
    "you are a useless waste of space",
    "the exam was absolutely shit",
    "anal fissures are usually posterior midline",
    "I know where you park",
    "thanks for the teaching today",
)

#: how long the child that reads the model may take (it imports scikit-learn and SciPy)
_CHILD_TIMEOUT = 120.0


class ProfanityModel:
    """Sentence scores from alt-profanity-check; 0.0 for every sentence when the model cannot load."""

    def __init__(self) -> None:
        self._predict: Callable[[list[str]], Any] | None = None
        self._fast: _LinearScorer | None = None
        self.available = False

    def load(self) -> None:
        params = _parameters_from_child()
        if params is not None:
            try:
                fast = _LinearScorer(params)
                if _agrees(fast, params["probes"]):
                    self._fast = fast
                    self.available = True
                    return
            except (KeyError, TypeError, ValueError, re.error):
                pass
            log.warning("alt-profanity-check: the parameters read in a child disagree; loading the library")
        self._load_library()

    def _load_library(self) -> None:
        """The library in this process (about 80 MB): only when the child's parameters cannot be used."""
        try:
            import profanity_check.profanity_check as pc  # loads the pickled model from the wheel
        except Exception:  # a broken or incompatible wheel must not stop the gateway: the rules still work
            log.warning("alt-profanity-check could not be loaded; language scores use rules only")
            return
        self._predict = pc.predict_prob
        self.available = True
        try:
            params = parameters(pc.vectorizer, pc.model)
            fast = _LinearScorer(params)
            if _agrees(fast, [float(x) for x in pc.predict_prob(list(_PROBES))]):
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


def _agrees(fast: _LinearScorer, expected: Sequence[float]) -> bool:
    got = fast.scores(_PROBES)
    return len(expected) == len(got) and all(abs(a - b) < 1e-6 for a, b in zip(got, expected, strict=True))


def parameters(vectorizer: Any, model: Any) -> dict[str, Any]:
    """The fitted model as plain data (str, float, lists): what `_LinearScorer` computes with."""
    params = vectorizer.get_params()
    if (
        params.get("norm") != "l2"
        or not params.get("use_idf")
        or params.get("sublinear_tf")
        or params.get("binary")
        or params.get("ngram_range") != (1, 1)
        or params.get("analyzer") != "word"
        or params.get("preprocessor") is not None
        or params.get("tokenizer") is not None
        or params.get("strip_accents") is not None
        or getattr(model, "method", "") != "sigmoid"
    ):
        raise ValueError("unsupported model configuration")
    vocabulary: dict[str, int] = vectorizer.vocabulary_
    idf = vectorizer.idf_
    parts = []
    coefs = []
    for cc in model.calibrated_classifiers_:
        cal = cc.calibrators[0]
        parts.append([float(cc.estimator.intercept_[0]), float(cal.a_), float(cal.b_)])
        coefs.append(cc.estimator.coef_[0])
    return {
        "lowercase": bool(params.get("lowercase")),
        "token_pattern": str(params["token_pattern"]),
        "stop_words": sorted(vectorizer.get_stop_words() or ()),
        "parts": parts,
        "terms": {word: [float(idf[i]), [float(c[i]) for c in coefs]] for word, i in vocabulary.items()},
    }


def _parameters_from_child() -> dict[str, Any] | None:
    """The model's parameters and the library's probe scores, read by a child process that then exits.

    The child imports scikit-learn, SciPy and the pickled model; this process
    imports none of them. Floats travel as JSON, whose shortest round-trip
    form gives back exactly the same numbers.
    """
    # this file run as a script, isolated (-I): the child imports neither the gateway package
    # nor anything beside this file, only the library
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(Path(__file__).resolve())],
            capture_output=True,
            timeout=_CHILD_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        log.warning("alt-profanity-check: the child that reads the model could not run")
        return None
    if done.returncode != 0:
        log.warning("alt-profanity-check: the child that reads the model failed")
        return None
    try:
        params: dict[str, Any] = json.loads(done.stdout)
    except ValueError:
        return None
    return params


def export() -> None:
    """The child's side: print the parameters and the library's scores of the probes as JSON."""
    import profanity_check.profanity_check as pc

    params = parameters(pc.vectorizer, pc.model)
    params["probes"] = [float(x) for x in pc.predict_prob(list(_PROBES))]
    sys.stdout.write(json.dumps(params))


if __name__ == "__main__":  # the child of `_parameters_from_child`
    export()


class _LinearScorer:
    """TF-IDF (l2-normalised) -> linear SVMs -> sigmoid calibration, averaged: the model's own arithmetic."""

    def __init__(self, params: dict[str, Any]) -> None:
        self._lowercase = bool(params["lowercase"])
        self._tokens = re.compile(params["token_pattern"])
        self._stop = frozenset(params["stop_words"])
        self._parts = [(float(b), float(a), float(c)) for b, a, c in params["parts"]]
        if not self._parts:
            raise ValueError("no estimators")
        # per word: its idf and its weight in each estimator (only words the model knows)
        self._terms: dict[str, tuple[float, tuple[float, ...]]] = {
            word: (float(idf), tuple(float(c) for c in coef)) for word, (idf, coef) in params["terms"].items()
        }

    def _analyze(self, text: str) -> list[str]:
        """scikit-learn's word analyzer for this configuration: lower-case, tokenize, drop stop words."""
        if self._lowercase:
            text = text.lower()
        return [w for w in self._tokens.findall(text) if w not in self._stop]

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
