"""The shipped model: rebuilt exactly by the training script from the shipped data, small, and refused at load
when its plain-Python arithmetic disagrees with the fitted model."""

from __future__ import annotations

import copy
import importlib.util
import json
import math
import sys
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gateway.detect.meaning.model import (
    DATA_PACKAGE,
    MODEL_FILE,
    PATIENT,
    MeaningModel,
    featurizer,
    pack,
    text_features,
    unpack,
)
from gateway.detect.meaning.packing import SCALE

ROOT = Path(__file__).resolve().parents[4]


def shipped() -> dict[str, Any]:
    return json.loads(resources.files(DATA_PACKAGE).joinpath(MODEL_FILE).read_text(encoding="utf-8"))


def train_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_meaning", ROOT / "scripts" / "train_meaning.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_the_shipped_model_is_what_the_script_builds() -> None:
    """Retraining from the shipped training files (cross-validation and thresholds included) gives the shipped
    model file, weight for weight: nobody ships a model that cannot be rebuilt."""
    script = train_script()
    rebuilt = json.loads(script.dump(script.build(ROOT)))
    model = shipped()
    assert rebuilt["training"]["files"] == model["training"]["files"], "training data changed: retrain"
    assert rebuilt["intercepts"] == model["intercepts"]
    assert rebuilt["weights"].keys() == model["weights"].keys()
    assert rebuilt["weights"] == model["weights"]
    assert rebuilt["thresholds"] == model["thresholds"]
    assert rebuilt == model


def test_every_training_file_is_in_the_repository() -> None:
    """The model records the sha256 of each file it learned from; each one is shipped unchanged."""
    import hashlib

    for rel, digest in shipped()["training"]["files"].items():
        assert hashlib.sha256((ROOT / rel).read_bytes()).hexdigest() == digest, rel


def test_the_model_file_is_small() -> None:
    """The packed model file stays under 1.5 MB."""
    size = len(resources.files(DATA_PACKAGE).joinpath(MODEL_FILE).read_bytes())
    assert size < 1_500_000


def test_packed_weights_unpack_to_the_very_floats_fitted() -> None:
    """Weights rounded to five decimals survive packing bit for bit, grouped by feature kind, names sorted."""
    weights = {
        "w:karen": (0.12345, -1.5),
        "w:abby": (1342.17727, -1342.17728),  # the ends of the stored range
        "b:<s> i": (-0.00001, 0.0),
        "s:know you": (3.0, 2.71828),
        "m:help": (0.0, -0.3),
    }
    packed = pack(weights)
    assert packed["scale"] == SCALE
    assert sorted(packed["kinds"]) == ["b", "m", "s", "w"]
    assert packed["kinds"]["w"]["names"] == "Aabby|Akaren"  # front-coded: nothing shared
    assert len(packed["kinds"]["w"][PATIENT]) == 12  # varints of four and three bytes, in base64
    assert unpack(json.loads(json.dumps(packed))) == weights


def test_the_shipped_weights_are_packed_exactly() -> None:
    """Packing the shipped weights again gives the shipped layout: no weight was truncated by the integer form."""
    data = shipped()
    weights = unpack(data["weights"])
    assert pack(weights) == data["weights"]
    assert len(weights) > 10_000
    assert all(len(f) > 2 and f[1] == ":" for f in weights)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"karen": (0.1, 0.2)}, "cannot be stored"),
        ({"w:": (0.1, 0.2)}, "cannot be stored"),
        ({"w:a|b": (0.1, 0.2)}, "cannot be stored"),
        ({"w:karen": (0.123456, 0.2)}, "not a multiple"),
        ({"w:karen": (0.2, 0.1234500001)}, "not a multiple"),  # a hundred-thousandth of a unit off
        ({"w:karen": (0.1, 1342.17728)}, "out of the stored range"),
        ({"w:karen": (-1342.17729, 0.1)}, "out of the stored range"),
        ({"w:karen": (5000.0, 0.1)}, "out of the stored range"),
    ],
)
def test_weights_that_cannot_be_packed_are_refused(
    weights: dict[str, tuple[float, float]], message: str
) -> None:
    """A feature without its kind or name or with the separator in it, a weight finer than the scale or outside the
    stored range, is refused instead of stored wrongly."""
    with pytest.raises(ValueError, match=message):
        pack(weights)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("names", "Akaren", "differ in length"),
        ("abuse", "gA==", "cut short"),  # a varint byte that says more follow, and none does
        ("abuse", "gICAgAA=", "longer than the layout allows"),  # five bytes for one weight
        ("abuse", "AA==", "differ in length"),
        ("names", "Akaren|Atom|Azoe", "differ in length"),  # more names than weights
        ("abuse", "AAAA", "differ in length"),  # more abuse weights than patient weights
        ("abuse", "AAAA!AAAA", "not base64"),
        ("names", "Akaren|Ktom", "damaged name list"),  # shares ten characters with a five-letter name
        ("names", "Akaren|*tom", "damaged name list"),  # a shared length that is not a base64 digit
        ("names", "Akaren|", "damaged name list"),  # an empty part has no shared length
    ],
)
def test_a_damaged_packed_kind_is_refused(column: str, value: str, message: str) -> None:
    """A packed kind whose names and weights differ in number, whose weight string is cut, too long for a weight
    or not base64, or whose front-coded names do not decode, is refused at load."""
    packed = pack({"w:karen": (0.1, 0.2), "w:tom": (0.3, 0.4)})
    packed["kinds"]["w"][column] = value
    with pytest.raises(ValueError, match=message):
        unpack(packed)


def test_the_shipped_probes_score_as_fitted() -> None:
    """Loading checks the plain-Python scores of the stored probes against scikit-learn's: they agree."""
    model = MeaningModel.load()
    assert len(model.data["probes"]) >= 3


@pytest.mark.parametrize("change", ["weight", "intercept"])
def test_a_model_whose_arithmetic_disagrees_is_refused(change: str) -> None:
    """A model file edited by hand (or read by changed code) fails its probe check at load."""
    data = copy.deepcopy(shipped())
    if change == "weight":
        probe = text_features(featurizer(), data["probes"][0]["text"])
        weights = unpack(data["weights"])
        feature = max(probe & weights.keys(), key=lambda f: abs(weights[f][0]))
        weights[feature] = (weights[feature][0] + 1.0, weights[feature][1])
        data["weights"] = pack(weights)
    else:
        data["intercepts"][1] -= 0.5
    with pytest.raises(ValueError, match="disagree"):
        MeaningModel(data).check(featurizer())


def test_thresholds_were_chosen_on_cross_validation() -> None:
    """The thresholds keep the clean entries flagged by either output on cross-validation to 0.75% at most, and the
    abuse output's cross-validated recall at its round-4 floor (0.348) or above."""
    model = shipped()
    assert model["cv"]["message"]["clean_flagged"] <= 0.0075
    assert model["cv"]["abuse"]["recall"] >= train_script().ABUSE_FLOOR == 0.348
    for output in ("patient_disclosure", "abuse"):
        assert 0.5 <= model["thresholds"][output] < 1.0
    assert model["thresholds"]["patient_disclosure_alone"] >= model["thresholds"]["patient_disclosure"]


@pytest.mark.parametrize(
    ("floor", "patients", "abuses"),
    [
        (0.2, 50, 2),  # abuse meets its floor with no clean entry: the patient output takes 3 of the 4
        (0.5, 0, 7),  # the floor needs 2 clean entries on abuse: the patient output cannot buy its 50
        (0.9, 0, 7),  # no pair reaches the floor: the most abuse recall there is
    ],
)
def test_the_budget_goes_to_patients_above_the_abuse_floor(floor: float, patients: int, abuses: int) -> None:
    """Of the pairs within the message budget, the threshold choice takes the one with the most patient entries held
    among those that keep abuse recall at the floor; the abuse output gets only what its floor needs."""
    import numpy as np

    script = train_script()
    clean_p = np.array([0.90, 0.89, 0.88, 0.87] + [0.1] * 96)
    # other clean entries than the patient's
    clean_a = np.array([0.1] * 4 + [0.95, 0.94, 0.93, 0.92] + [0.1] * 92)
    patient_p = np.array(
        [0.875] * 50 + [0.1] * 50
    )  # bought by spending 3 clean entries on the patient output
    abuse_a = np.array([0.96] * 2 + [0.935] * 5 + [0.1] * 3)  # 2 for free, 5 more for 2 clean entries
    tp, ta = script.split_thresholds(
        clean_p, clean_a, patient_p, abuse_a, 0.04, floor
    )  # 4 clean entries in all
    assert int(((clean_p >= tp) | (clean_a >= ta)).sum()) <= 4
    assert (int((patient_p >= tp).sum()), int((abuse_a >= ta).sum())) == (patients, abuses)


def _model(
    weights: dict[str, tuple[float, float]], intercepts: tuple[float, float] = (-1.0, 0.5)
) -> MeaningModel:
    return MeaningModel(
        {
            "outputs": ["patient_disclosure", "abuse"],
            "intercepts": list(intercepts),
            "weights": pack(weights),
            "thresholds": {"patient_disclosure": 0.6, "patient_disclosure_alone": 0.9, "abuse": 0.6},
        }
    )


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_an_empty_text_scores_each_output_its_own_intercept() -> None:
    """With no features, each output's score is the sigmoid of its own intercept (the two are not swapped)."""
    assert _model({"w:a": (1.0, 1.0)}).scores(frozenset()) == pytest.approx((_sigmoid(-1.0), _sigmoid(0.5)))


def test_a_feature_counts_once_however_often_it_is_given() -> None:
    """Features are binary: a list with a repeated feature scores as the set of its features."""
    model = _model({"w:a": (1.0, -1.0), "w:b": (0.5, 0.25)})
    assert model.scores(["w:a", "w:a", "w:b"]) == model.scores({"w:a", "w:b"})
    assert model.scores({"w:a", "w:b"}) == pytest.approx(
        (_sigmoid(-1.0 + 1.5 / math.sqrt(2)), _sigmoid(0.5 - 0.75 / math.sqrt(2)))
    )


@pytest.mark.parametrize(("weight", "expected"), [(80.0, 1.0), (-80.0, 0.0), (0.0, None)])
def test_extreme_scores_saturate_without_overflow(weight: float, expected: float | None) -> None:
    """A sum far beyond the range of exp() gives 1.0 or 0.0, not an overflow; a zero sum gives one half."""
    model = _model({f"w:x{i}": (weight, -weight) for i in range(400)}, intercepts=(0.0, 0.0))
    got = model.scores({f"w:x{i}" for i in range(400)})
    if expected is None:
        assert got == (0.5, 0.5)
    else:
        assert got == pytest.approx((expected, 1.0 - expected))


@pytest.mark.parametrize("outputs", [["abuse", "patient_disclosure"], ["patient_disclosure"], None])
def test_a_model_of_other_outputs_is_refused(outputs: list[str] | None) -> None:
    """A model file whose outputs are not (patient_disclosure, abuse), in that order, is refused."""
    data: dict[str, Any] = {"intercepts": [0.0, 0.0], "weights": pack({}), "thresholds": {}}
    if outputs is not None:
        data["outputs"] = outputs
    with pytest.raises(ValueError, match="unexpected outputs"):
        MeaningModel(data)


def test_loading_checks_the_probes() -> None:
    """Load runs the probe check: read with a featuriser that knows no names, the shipped probes disagree."""
    from gateway.detect.meaning.features import Featurizer

    with pytest.raises(ValueError, match="disagree"):
        MeaningModel.load(Featurizer((), ()))


def test_thresholds_cannot_be_changed_after_loading() -> None:
    """The loaded thresholds are frozen: no code path can lower them at run time."""
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        MeaningModel.load().thresholds.patient = 0.0  # type: ignore[misc]
