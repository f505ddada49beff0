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
