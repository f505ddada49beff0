"""The shipped model: rebuilt exactly by the training script from the shipped data, small, and refused at load
when its plain-Python arithmetic disagrees with the fitted model."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gateway.detect.meaning.model import DATA_PACKAGE, MODEL_FILE, MeaningModel, featurizer, text_features

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
    """The weights stay well under 2 MB."""
    size = len(resources.files(DATA_PACKAGE).joinpath(MODEL_FILE).read_bytes())
    assert size < 2_000_000


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
        feature = max(probe & data["weights"].keys(), key=lambda f: abs(data["weights"][f][0]))
        data["weights"][feature][0] += 1.0
    else:
        data["intercepts"][1] -= 0.5
    with pytest.raises(ValueError, match="disagree"):
        MeaningModel(data).check(featurizer())


def test_thresholds_were_chosen_on_cross_validation() -> None:
    """The thresholds keep the clean entries flagged by either output on cross-validation to 0.75% at most, and
    by each output to half of that: neither output spends the other's share."""
    model = shipped()
    assert model["cv"]["message"]["clean_flagged"] <= 0.0075
    for output in ("patient_disclosure", "abuse"):
        assert model["cv"][output]["clean_flagged"] <= 0.0075 / 2
        assert 0.5 <= model["thresholds"][output] < 1.0
    assert model["thresholds"]["patient_disclosure_alone"] >= model["thresholds"]["patient_disclosure"]


def test_neither_output_spends_the_whole_budget() -> None:
    """When the patient output could buy many more flagged entries with the whole false-flag budget, the threshold
    choice still leaves the abuse output its half: each output flags at most half the allowed clean entries."""
    import numpy as np

    script = train_script()
    clean_p = np.array([0.90, 0.89, 0.88, 0.87] + [0.1] * 96)
    clean_a = np.array([0.95, 0.94, 0.93, 0.92] + [0.1] * 96)
    flag_p = np.array(
        [0.875] * 50 + [0.1] * 50
    )  # bought only by spending 3 clean entries on the patient output
    flag_a = np.array([0.1] * 50 + [0.935] * 5 + [0.1] * 45)
    tp, ta = script.joint_thresholds(clean_p, clean_a, flag_p, flag_a, 0.04)  # 4 clean entries in all
    assert int((clean_p >= tp).sum()) <= 2
    assert int((clean_a >= ta).sum()) <= 2
    assert (flag_a >= ta).sum() == 5  # the abuse output keeps its share
