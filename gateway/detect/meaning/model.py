"""The meaning classifier's fitted weights and their arithmetic, in plain Python.

Two logistic regressions over the same binary features (features.py):
`patient_disclosure` (the text identifies a patient, or a person's health)
and `abuse` (a threat, harassment, discriminatory abuse or defamation of an
identifiable person). scikit-learn fits them in scripts/train_meaning.py;
the fitted vocabulary, weights, intercepts and thresholds are written to
`gateway/detect/data/meaning/model.json`, which is all the gateway needs:
the score of a feature set F is

    sigmoid(intercept + sum(weight[f] for f in F if f is known) / sqrt(len(F)))

The weights are stored packed, exactly (`pack`, `unpack`: packing.py).

`load()` recomputes the scores of the probe texts stored beside the weights
(scored by scikit-learn when the file was written) and refuses a file whose
arithmetic disagrees, so the plain-Python scorer cannot drift from the
fitted model.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from gateway.detect.meaning import packing
from gateway.detect.meaning.features import Featurizer
from gateway.detect.meaning.packing import Weights
from gateway.detect.meaning.relations import WordClasses
from gateway.detect.meaning.windows import sentences
from gateway.detect.patient.lexicon import read_list

DATA_PACKAGE = "gateway.detect.data.meaning"
MODEL_FILE = "model.json"
PATIENT = "patient_disclosure"
ABUSE = "abuse"
OUTPUTS = (PATIENT, ABUSE)
#: a probe's score must match the stored one this closely
_TOLERANCE = 1e-6


def pack(weights: Weights) -> dict[str, Any]:
    """The weights as the model file stores them (packing.py)."""
    return packing.pack(weights, OUTPUTS)


def unpack(packed: dict[str, Any]) -> Weights:
    """Feature -> (patient, abuse) weights, from the model file's packed layout (packing.py)."""
    return packing.unpack(packed, OUTPUTS)


def featurizer() -> Featurizer:
    """The normaliser the model was trained with: names from the patient detector's lists."""
    return Featurizer(read_list("given_names"), read_list("first_names"), WordClasses.load())


def text_features(feat: Featurizer, text: str) -> frozenset[str]:
    """The features of a whole text: the union of its sentences' features."""
    out: set[str] = set()
    for s, e in sentences(text):
        out |= feat.features(text[s:e])
    return frozenset(out)


@dataclass(frozen=True)
class Thresholds:
    """Scores from which a window is reported (chosen on cross-validation; see the model file)."""

    patient: float  # with a person mention or an identifier in the window
    patient_alone: float  # with neither: only a very high score
    abuse: float


class MeaningModel:
    """Scores feature sets for both outputs."""

    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("outputs") != list(OUTPUTS):
            raise ValueError("meaning model: unexpected outputs")
        self.data = data
        self.intercepts: tuple[float, float] = (float(data["intercepts"][0]), float(data["intercepts"][1]))
        self.weights: Weights = unpack(data["weights"])
        t = data["thresholds"]
        self.thresholds = Thresholds(
            patient=float(t[PATIENT]), patient_alone=float(t[PATIENT + "_alone"]), abuse=float(t[ABUSE])
        )

    @classmethod
    def load(cls, feat: Featurizer | None = None) -> MeaningModel:
        """The shipped model, its arithmetic checked on the probes stored with it."""
        raw = resources.files(DATA_PACKAGE).joinpath(MODEL_FILE).read_text(encoding="utf-8")
        model = cls(json.loads(raw))
        model.check(feat or featurizer())
        return model

    def check(self, feat: Featurizer) -> None:
        """Raise if a stored probe does not score here as it did in scikit-learn."""
        for probe in self.data.get("probes", ()):
            got = self.scores(text_features(feat, probe["text"]))
            want = probe["scores"]
            if any(abs(g - w) > _TOLERANCE for g, w in zip(got, want, strict=True)):
                raise ValueError("meaning model: plain-Python scores disagree with the fitted model")

    def scores(self, features: Iterable[str]) -> tuple[float, float]:
        """(patient_disclosure, abuse) probabilities of one feature set."""
        fs = features if isinstance(features, frozenset | set) else set(features)
        if not fs:
            return (_sigmoid(self.intercepts[0]), _sigmoid(self.intercepts[1]))
        zp = za = 0.0
        w = self.weights
        for f in fs:
            pair = w.get(f)
            if pair is not None:
                zp += pair[0]
                za += pair[1]
        scale = 1.0 / math.sqrt(len(fs))
        return (_sigmoid(self.intercepts[0] + zp * scale), _sigmoid(self.intercepts[1] + za * scale))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)
