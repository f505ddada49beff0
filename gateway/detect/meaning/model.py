"""The meaning classifier's fitted weights and their arithmetic, in plain Python.

Two logistic regressions over the same binary features (features.py):
`patient_disclosure` (the text identifies a patient, or a person's health)
and `abuse` (a threat, harassment, discriminatory abuse or defamation of an
identifiable person). scikit-learn fits them in scripts/train_meaning.py;
the fitted vocabulary, weights, intercepts and thresholds are written to
`gateway/detect/data/meaning/model.json`, which is all the gateway needs:
the score of a feature set F is

    sigmoid(intercept + sum(weight[f] for f in F if f is known) / sqrt(len(F)))

The weights are stored packed (`pack`, `unpack`): per kind of feature (the
prefix before the colon: `w`, `b`, `s`, `p`, ...), the sorted feature names
without their prefix and two parallel lists of integers, each weight times
SCALE. The training script rounds every weight to five decimals first, so
the integers are exact and unpacking gives back the very floats that were
fitted; the packed file is about two thirds of one name-and-pair per line.

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

from gateway.detect.meaning.features import Featurizer
from gateway.detect.meaning.windows import sentences
from gateway.detect.patient.lexicon import read_list

DATA_PACKAGE = "gateway.detect.data.meaning"
MODEL_FILE = "model.json"
PATIENT = "patient_disclosure"
ABUSE = "abuse"
OUTPUTS = (PATIENT, ABUSE)
#: a probe's score must match the stored one this closely
_TOLERANCE = 1e-6
#: weights are stored as integers: the weight times this (the training script rounds to five decimals)
SCALE = 100_000

Weights = dict[str, tuple[float, float]]


def pack(weights: Weights) -> dict[str, Any]:
    """The weights as the model file stores them: per feature kind, names and two parallel integer lists."""
    kinds: dict[str, dict[str, list[Any]]] = {}
    for f in sorted(weights):
        kind, sep, name = f.partition(":")
        if not sep:
            raise ValueError(f"meaning model: a feature without a kind: {f!r}")
        cols = kinds.setdefault(kind, {"names": [], PATIENT: [], ABUSE: []})
        cols["names"].append(name)
        for out, w in zip(OUTPUTS, weights[f], strict=True):
            n = round(w * SCALE)
            if abs(n - w * SCALE) > 1e-6:
                raise ValueError(f"meaning model: weight {w!r} is not a multiple of 1/{SCALE}")
            cols[out].append(n)
    return {"scale": SCALE, "kinds": kinds}


def unpack(packed: dict[str, Any]) -> Weights:
    """Feature -> (patient, abuse) weights, from the model file's packed layout."""
    scale = int(packed["scale"])
    out: Weights = {}
    for kind, cols in packed["kinds"].items():
        names, wp, wa = cols["names"], cols[PATIENT], cols[ABUSE]
        if not len(names) == len(wp) == len(wa):
            raise ValueError("meaning model: the weight lists of a kind differ in length")
        for name, p, a in zip(names, wp, wa, strict=True):
            out[kind + ":" + name] = (int(p) / scale, int(a) / scale)
    return out


def featurizer() -> Featurizer:
    """The normaliser the model was trained with: names from the patient detector's lists."""
    return Featurizer(read_list("given_names"), read_list("first_names"))


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
