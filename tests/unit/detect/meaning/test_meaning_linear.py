"""The meaning detector stays linear on hostile input: a megabyte of adversarial text is read to its end and
the work grows in proportion to the text (the time it takes is measured in benchmarks/detect/meaning.py)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from gateway.detect.meaning import PATIENT_TYPE, MeaningDetector
from gateway.detect.meaning.gate import on_line_before
from gateway.detect.meaning.model import MeaningModel
from gateway.model import Envelope, Inspection, Segment
from tests.unit.detect.meaning.conftest import toy_model

#: pieces that stress each stage: no sentence ends, one huge word, digit runs, names, quotes, biopsies
PIECES = (
    "a" * 5000,
    " ".join(["Karen Mbatha biopsy"] * 300),
    "9" * 4000,
    '"' * 3000,
    "Mr " * 1500,
    ". " * 2000,
    "\n" * 2000,
    "k. " * 1000,
    "'s" * 1500,
    " ".join(["you will regret this biopsy"] * 200),
)


def hostile_text(size: int) -> str:
    out, n, i = [], 0, 0
    while n < size:
        piece = PIECES[i % len(PIECES)]
        out.append(piece)
        n += len(piece)
        i += 1
    return "".join(out)[:size]


class CountingModel(MeaningModel):
    """The toy model, counting the features it is asked to score."""

    def __init__(self, base: MeaningModel) -> None:
        super().__init__(base.data)
        self.work = 0

    def scores(self, features: Iterable[str]) -> tuple[float, float]:
        fs = frozenset(features)
        self.work += len(fs) + 1
        return super().scores(fs)


def run(size: int) -> tuple[int, list]:
    model = CountingModel(
        toy_model({"w:biopsy": (12.0, 0.0), "w:regret": (0.0, 12.0)}, patient=0.5, abuse=0.5)
    )
    detector = MeaningDetector(model=model)
    detector.load()
    text = hostile_text(size)
    findings = detector.detect(
        Inspection(envelope=Envelope("s@uni.ac.uk", ("x@gmail.com",)), segments=[Segment(text, "body")])
    )
    return model.work, findings


@pytest.fixture(scope="module")
def runs() -> dict[int, tuple[int, list]]:
    return {size: run(size) for size in (250_000, 500_000, 1_000_000)}


def test_a_megabyte_is_read_to_its_end(runs: dict[int, tuple[int, list]]) -> None:
    """A megabyte of hostile text is scanned whole, and what it hides is still found."""
    _, findings = runs[1_000_000]
    assert PATIENT_TYPE in {f.type for f in findings}


def test_work_grows_linearly(runs: dict[int, tuple[int, list]]) -> None:
    """Doubling the text at most about doubles the features scored (no quadratic corner)."""
    w1, w2, w4 = (runs[s][0] for s in (250_000, 500_000, 1_000_000))
    assert w2 <= 2.3 * w1
    assert w4 <= 2.3 * w2


@pytest.mark.parametrize(
    ("text", "pos", "lo", "want"),
    [
        ("x" * 100_000 + "ref 1234567", 100_004, 99_980, "x" * 20 + "ref "),  # no line break: from lo only
        ("line one\nref 1234567", 13, 0, "ref "),  # from the line break
        ("ab\ncd\nef 1234567", 9, 4, "ef "),  # the last break in reach
    ],
)
def test_the_gate_looks_back_a_bounded_stretch(text: str, pos: int, lo: int, want: str) -> None:
    """The text before a candidate the gate reads starts at the line or at the reach, never at the text's start."""
    assert on_line_before(text, pos, lo) == want
