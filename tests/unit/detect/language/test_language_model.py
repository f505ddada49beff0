"""alt-profanity-check: loads from its wheel, and our fast scorer gives the library's own numbers."""

from __future__ import annotations

import pytest

from gateway.detect.language.model import ProfanityModel

SENTENCES = [
    "you are a useless waste of space",
    "the tumour killed him within six months",
    "cotton wool balls are in the drawer",
    "thanks for the teaching today",
    "",
]


@pytest.fixture(scope="module")
def model() -> ProfanityModel:
    m = ProfanityModel()
    m.load()
    return m


def test_model_loads_offline_and_scores_between_0_and_1(model: ProfanityModel) -> None:
    """The model ships in the wheel and gives a probability per sentence."""
    assert model.available
    scores = model.scores(SENTENCES)
    assert len(scores) == len(SENTENCES) and all(0.0 <= s <= 1.0 for s in scores)


def test_fast_scorer_matches_the_library(model: ProfanityModel) -> None:
    """The plain-Python arithmetic equals scikit-learn's predict_proba."""
    from profanity_check import predict_prob

    expected = [float(x) for x in predict_prob(SENTENCES)]
    assert model.scores(SENTENCES) == pytest.approx(expected, abs=1e-9)


def test_loading_leaves_scikit_learn_out_of_the_process() -> None:
    """The parameters are read by a child process: the loading process never imports scikit-learn or SciPy."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from gateway.detect.language.model import ProfanityModel\n"
        "m = ProfanityModel(); m.load()\n"
        "assert m.available and m.scores(['you are a useless waste of space'])[0] > 0.5\n"
        "print(sorted(n for n in ('sklearn', 'scipy', 'profanity_check', 'joblib') if n in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "child",
    [
        pytest.param(None, id="child-failed"),
        pytest.param({"probes": [0.5] * 5}, id="parameters-missing"),
    ],
)
def test_without_the_childs_parameters_the_library_is_loaded_here(
    monkeypatch: pytest.MonkeyPatch, child: dict[str, object] | None
) -> None:
    """When the child cannot give usable parameters, the process loads the library and scores as it does."""
    from gateway.detect.language import model as model_module

    monkeypatch.setattr(model_module, "_parameters_from_child", lambda: child)
    m = ProfanityModel()
    m.load()
    from profanity_check import predict_prob

    assert m.available and m._fast is not None
    assert m.scores(SENTENCES) == pytest.approx([float(x) for x in predict_prob(SENTENCES)], abs=1e-9)


def test_probe_scores_that_disagree_send_the_process_to_the_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parameters whose arithmetic misses the library's probe scores are not used."""
    from gateway.detect.language import model as model_module

    real = model_module._parameters_from_child()
    assert real is not None
    real["probes"] = [p + 0.01 for p in real["probes"]]
    monkeypatch.setattr(model_module, "_parameters_from_child", lambda: real)
    loaded: list[bool] = []
    monkeypatch.setattr(ProfanityModel, "_load_library", lambda self: loaded.append(True))
    m = ProfanityModel()
    m.load()
    assert loaded == [True] and m._fast is None
