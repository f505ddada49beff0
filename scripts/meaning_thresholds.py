"""Thresholds for the meaning model: how a clean-entry budget becomes the two outputs' thresholds.

Pure arithmetic over out-of-fold scores (numpy only), used by
scripts/train_meaning.py: the lowest threshold within a share of clean
entries, the figures printed and stored with the model, and the round-6
split of one message budget between the patient and abuse outputs.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.detect.meaning.model import ABUSE, PATIENT  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from meaning_data import Entry  # noqa: E402

#: the highest clean scores per output tried as thresholds
CANDIDATES = 60


def threshold(clean_scores: np.ndarray, share: float) -> float:
    """The lowest threshold at which at most `share` of the clean entries score at or above it."""
    allowed = math.floor(share * len(clean_scores))
    ranked = np.sort(clean_scores)[::-1]
    if allowed >= len(ranked):
        return 0.5
    return float(max(0.5, math.nextafter(float(ranked[allowed]), 1.0)))


def figures(entries: list[Entry], p: np.ndarray, a: np.ndarray, tp: float, ta: float) -> dict[str, Any]:
    clean = np.array([e.clean for e in entries])
    out: dict[str, Any] = {}
    for name, y, s, t in (
        (PATIENT, np.array([e.patient for e in entries]), p, tp),
        (ABUSE, np.array([e.abuse for e in entries]), a, ta),
    ):
        flagged = s >= t
        hits = int((flagged & (y == 1)).sum())
        out[name] = {
            "threshold": round(t, 4),
            "positives": int(y.sum()),
            "recall": round(hits / max(1, int(y.sum())), 3),
            "precision": round(hits / max(1, int(flagged.sum())), 3),
            "clean_flagged": round(float((flagged & clean).sum() / max(1, clean.sum())), 4),
        }
    either = (p >= tp) | (a >= ta)
    flag = ~clean
    out["message"] = {
        "flag_entries": int(flag.sum()),
        "clean_entries": int(clean.sum()),
        "recall": round(float((either & flag).sum() / max(1, flag.sum())), 3),
        "clean_flagged": round(float((either & clean).sum() / max(1, clean.sum())), 4),
    }
    return out


def split_thresholds(
    clean_p: np.ndarray,
    clean_a: np.ndarray,
    patient_p: np.ndarray,
    abuse_a: np.ndarray,
    share: float,
    floor: float,
) -> tuple[float, float]:
    """The pair of thresholds with the highest patient recall among those that flag at most `share` of the clean
    entries by either output and keep the abuse recall at `floor` or above (ties: the higher abuse recall, then the
    higher thresholds). When no pair reaches the floor, the one with the highest abuse recall. Candidates are just
    above each clean score.

    `patient_p` are the patient scores of the patient entries, `abuse_a` the abuse scores of the abuse entries.
    The criterion was stated before the options were compared (docs/meaning-model.md, round 6): a missed patient
    is the worst failure, and the floor keeps the abuse output from collapsing when the patient output could buy
    more with the whole budget (round 4: abuse recall 0.348 -> 0.283 when two harder files came in)."""
    allowed = math.floor(share * len(clean_p))
    need = math.ceil(floor * len(abuse_a) - 1e-9)
    top = CANDIDATES

    def candidates(scores: np.ndarray) -> list[float]:
        ranked = sorted({float(v) for v in scores if v >= 0.5}, reverse=True)[:top]
        return sorted({max(0.5, math.nextafter(v, 1.0)) for v in ranked} | {1.0})

    best: tuple[bool, int, int, float, float, float] | None = None
    for tp in candidates(clean_p):
        false_p = clean_p >= tp
        held_p = int((patient_p >= tp).sum())
        for ta in candidates(clean_a):
            if int((false_p | (clean_a >= ta)).sum()) > allowed:
                continue
            held_a = int((abuse_a >= ta).sum())
            meets = held_a >= need
            key = (
                (meets, held_p, held_a, tp + ta, tp, ta)
                if meets
                else (meets, held_a, held_p, tp + ta, tp, ta)
            )
            if best is None or key > best:
                best = key
    assert best is not None  # (1.0, 1.0) flags nothing
    return best[4], best[5]
