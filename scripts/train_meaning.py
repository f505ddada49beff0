#!/usr/bin/env python3
"""Train the meaning classifier and write gateway/detect/data/meaning/model.json.

Reads the blind example files shipped in the repository (meaning_data.py:
every entry has text, expect, kind, why), maps each entry's kind to the two
outputs (`patient_disclosure`, `abuse`; a clean entry is negative for both),
cross-validates (5 folds, fixed seed), chooses the thresholds on the
out-of-fold scores, fits on everything and writes the model file. The run is
deterministic: the same files give the same model (a unit test retrains and
compares).

scikit-learn is used here only; the gateway computes the fitted arithmetic
itself (gateway/detect/meaning/model.py).

Usage:
    PYTHONPATH=. .venv/bin/python scripts/train_meaning.py            # cross-validate, fit, write
    PYTHONPATH=. .venv/bin/python scripts/train_meaning.py --no-write # figures only
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.detect.meaning.detector import without_reported  # noqa: E402
from gateway.detect.meaning.features import Featurizer  # noqa: E402
from gateway.detect.meaning.gate import Gate  # noqa: E402
from gateway.detect.meaning.model import (  # noqa: E402
    ABUSE,
    OUTPUTS,
    PATIENT,
    Weights,
    featurizer,
    pack,
    text_features,
)
from gateway.detect.meaning.packing import SCALE  # noqa: E402
from gateway.detect.meaning.windows import sentences, windows  # noqa: E402
from gateway.detect.patient.lexicon import Lexicon  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from meaning_data import Entry, load_entries, twin_groups  # noqa: E402
from meaning_thresholds import figures, split_thresholds, threshold  # noqa: E402

MODEL_PATH = ROOT / "gateway" / "detect" / "data" / "meaning" / "model.json"

SEED = 20261207
#: the splits into folds a change of features or data is judged on (round 6 on): this seed and two more
SPLITS = (SEED, 1, 2)
FOLDS = 5
C = 16.0  # inverse regularisation strength (the --sweep option compares others)
MIN_DF = 3  # a feature seen in fewer training texts is not kept (2 and 3 cross-validate alike; 3 is smaller)
DECIMALS = 5  # weights are stored rounded (as integers times model.SCALE); the probes are scored by the rounded model
assert SCALE == 10**DECIMALS
#: a clean entry held by the model (either output) on cross-validation: at most this share
MESSAGE_TARGET = 0.0075
#: the abuse output's recall may not fall below this (its cross-validated recall when it last shipped with the
#: message budget, round 4); above it, the budget goes where it holds the most patients (round 6)
ABUSE_FLOOR = 0.348
#: a patient disclosure with no person mention or identifier: at most this share of clean entries
ALONE_TARGET = 0.0025

#: probe texts stored with the model: the gateway checks its arithmetic on them at load
PROBES = (
    "Karen Mbatha's cervical screening came back abnormal, she's devastated.",
    "I know which car is yours and where you park it. Think about that before the panel.",
    "Thanks for the teaching on Tuesday, the session on heart failure was brilliant.",
    "A 67-year-old man presented with chest pain radiating to the left arm.",
    "nhs 9960308243 - lady in bay 4 with the PE",
)


@dataclass
class Featurised:
    whole: frozenset[str]  # the entry as one text: what the model is fitted on
    windows: list[tuple[frozenset[str], bool]]  # each window's features, and whether the gate passes
    #: per window, the features of the writer's own words (reported speech blanked); None: it reports none
    own: list[frozenset[str] | None]


def featurise(entries: list[Entry], feat: Featurizer, gate: Gate) -> list[Featurised]:
    out = []
    for e in entries:
        spans = sentences(e.text)
        per = [feat.features(e.text[s:t]) for s, t in spans]
        whole = frozenset().union(*per) if per else frozenset()
        wins, own = [], []
        for w in windows(spans):
            fs = frozenset().union(*per[w.first : w.last + 1])
            wins.append((fs, bool(gate.reasons(e.text, w.start, w.end))))
            rest = without_reported(e.text[w.start : w.end])
            own.append(None if rest is None else text_features(feat, rest))
        out.append(Featurised(whole, wins or [(whole, False)], own or [None]))
    return out


def training_rows(entries: list[Entry], feats: list[Featurised], idx: list[int]) -> tuple[list, list, list]:
    """Rows to fit on: every entry whole, and each window of a clean entry as one more negative."""
    rows, yp, ya = [], [], []
    for i in idx:
        e, f = entries[i], feats[i]
        rows.append(f.whole)
        yp.append(e.patient)
        ya.append(e.abuse)
        if e.clean and len(f.windows) > 1:
            for fs, _ in f.windows:
                rows.append(fs)
                yp.append(0)
                ya.append(0)
    return rows, yp, ya


def vocabulary(rows: list[frozenset[str]]) -> dict[str, int]:
    df: dict[str, int] = {}
    for r in rows:
        for f in r:
            df[f] = df.get(f, 0) + 1
    kept = sorted(f for f, n in df.items() if n >= MIN_DF)
    return {f: i for i, f in enumerate(kept)}


def matrix(rows: list[frozenset[str]], vocab: dict[str, int]) -> csr_matrix:
    data, cols, ptr = [], [], [0]
    for r in rows:
        value = 1.0 / math.sqrt(len(r)) if r else 0.0
        ids = sorted(vocab[f] for f in r if f in vocab)
        cols.extend(ids)
        data.extend([value] * len(ids))
        ptr.append(len(cols))
    return csr_matrix(
        (np.array(data), np.array(cols, dtype=np.int64), np.array(ptr)), shape=(len(rows), len(vocab))
    )


def fit(
    rows: list[frozenset[str]], yp: list[int], ya: list[int], c: float = C
) -> tuple[dict, list[LogisticRegression]]:
    vocab = vocabulary(rows)
    x = matrix(rows, vocab)
    models = []
    for y in (yp, ya):
        lr = LogisticRegression(
            C=c, solver="liblinear", class_weight="balanced", random_state=SEED, max_iter=1000
        )
        lr.fit(x, np.array(y))
        models.append(lr)
    return vocab, models


def rounded(vocab: dict[str, int], models: list[LogisticRegression]) -> tuple[Weights, list[float]]:
    """Weights per feature (both outputs), rounded; the models' own coefficients set to the same values. A
    feature whose weights round to zero in both outputs is left out (it adds nothing to a score)."""
    for lr in models:
        lr.coef_ = np.round(lr.coef_, DECIMALS)
        lr.intercept_ = np.round(lr.intercept_, DECIMALS)
    weights: Weights = {}
    for f, i in vocab.items():
        pair = (float(models[0].coef_[0, i]), float(models[1].coef_[0, i]))
        if pair != (0.0, 0.0):
            weights[f] = pair
    return weights, [float(models[0].intercept_[0]), float(models[1].intercept_[0])]


def predict(
    vocab: dict[str, int], models: list[LogisticRegression], rows: list[frozenset[str]]
) -> np.ndarray:
    x = matrix(rows, vocab)
    return np.stack([m.predict_proba(x)[:, 1] for m in models], axis=1)


def fold_models(
    entries: list[Entry], feats: list[Featurised], c: float = C, seed: int = SEED
) -> list[tuple[list[int], dict[str, int], list[LogisticRegression]]]:
    """Per fold: the entries held out, and the model fitted without them (twins stay in one fold); `seed`
    chooses the split."""
    strata = [0 if e.clean else 1 + e.patient + 2 * e.abuse for e in entries]
    folds = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    groups = twin_groups(entries)
    out = []
    for train_idx, test_idx in folds.split(np.zeros(len(entries)), strata, groups):
        rows, yp, ya = training_rows(entries, feats, list(train_idx))
        vocab, models = fit(rows, yp, ya, c)
        out.append(([int(i) for i in test_idx], vocab, models))
    return out


def out_of_fold(entries: list[Entry], feats: list[Featurised], c: float = C, seed: int = SEED) -> np.ndarray:
    """Per entry and window: (patient, abuse) scores from a model that never saw the entry or its twin."""
    scores: list[np.ndarray | None] = [None] * len(entries)
    for test_idx, vocab, models in fold_models(entries, feats, c, seed):
        for i in test_idx:
            scores[i] = window_scores(vocab, models, feats[i])
    return scores  # type: ignore[return-value]


def window_scores(vocab: dict[str, int], models: list[LogisticRegression], f: Featurised) -> np.ndarray:
    """Per window: (patient, abuse) as the detector counts them. An abuse window counts only as far as
    the writer's own words reach (the detector drops one that is under the threshold without the
    reported speech), so its abuse score is the lower of the two."""
    scores = predict(vocab, models, [fs for fs, _ in f.windows])
    rest = [(k, fs) for k, fs in enumerate(f.own) if fs is not None]
    if rest:
        own = predict(vocab, models, [fs for _, fs in rest])
        for (k, _), (_, sa) in zip(rest, own, strict=True):
            scores[k, 1] = min(scores[k, 1], sa)
    return scores


def entry_scores(
    feats: list[Featurised], oof: list[np.ndarray], t_alone: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each entry's flagged scores: the best window, patient windows needing the gate below t_alone."""
    p, a = [], []
    for f, s in zip(feats, oof, strict=True):
        best_p = 0.0
        for (_, gated), (sp, _) in zip(f.windows, s, strict=True):
            if gated or sp >= t_alone:
                best_p = max(best_p, float(sp))
        p.append(best_p)
        a.append(float(s[:, 1].max()))
    return np.array(p), np.array(a)


def choose_thresholds(
    entries: list[Entry], feats: list[Featurised], oof: list[np.ndarray]
) -> dict[str, float]:
    clean = [i for i, e in enumerate(entries) if e.clean]
    # very sure without any person or identifier: a threshold on every window of the clean entries
    alone = np.array(
        [max((float(s[k, 0]) for k in range(len(s))), default=0.0) for s in (oof[i] for i in clean)]
    )
    t_alone = max(0.9, threshold(alone, ALONE_TARGET))
    p, a = entry_scores(feats, oof, t_alone)
    patient = [i for i, e in enumerate(entries) if e.patient]
    abuse = [i for i, e in enumerate(entries) if e.abuse]
    tp, ta = split_thresholds(p[clean], a[clean], p[patient], a[abuse], MESSAGE_TARGET, ABUSE_FLOOR)
    return {PATIENT: tp, PATIENT + "_alone": t_alone, ABUSE: ta}


def final_model(
    entries: list[Entry], feats: list[Featurised]
) -> tuple[dict[str, Any], dict, list[LogisticRegression]]:
    """The model fitted on every entry: weights (rounded) and intercepts, and scikit-learn's probe scores."""
    rows, yp, ya = training_rows(entries, feats, list(range(len(entries))))
    vocab, models = fit(rows, yp, ya)
    weights, intercepts = rounded(vocab, models)
    return {"weights": pack(weights), "intercepts": intercepts}, vocab, models


def build(root: Path = ROOT, *, cross_validate: bool = True) -> dict[str, Any]:
    """The whole model file's content (cross-validation figures and thresholds when asked).

    The numerical libraries run on one thread here, whatever the environment says: OpenBLAS
    sums in another order with two threads than with one, and the last digit of a weight
    then depends on OPENBLAS_NUM_THREADS (which the gateway sets for its workers) or on
    when SciPy's own copy of the library was first loaded. One thread gives the same file
    on every machine and in every test order.
    """
    with threadpool_limits(limits=1):
        return _build(root, cross_validate=cross_validate)


def _build(root: Path, *, cross_validate: bool) -> dict[str, Any]:
    entries, digests = load_entries(root)
    feat = featurizer()
    gate = Gate(Lexicon.load())
    feats = featurise(entries, feat, gate)
    body, vocab, models = final_model(entries, feats)
    probes = []
    for text in PROBES:
        spans = sentences(text)
        fs = frozenset().union(*(feat.features(text[s:e]) for s, e in spans))
        sp, sa = predict(vocab, models, [fs])[0]
        probes.append({"text": text, "scores": [float(sp), float(sa)]})
    out: dict[str, Any] = {
        "outputs": list(OUTPUTS),
        "about": "meaning classifier: logistic regression over binary word and bigram "
        "features (gateway/detect/meaning/features.py); written by scripts/train_meaning.py",
        "training": {
            "files": digests,
            "entries": len(entries),
            "patient_positive": sum(e.patient for e in entries),
            "abuse_positive": sum(e.abuse for e in entries),
            "clean": sum(e.clean for e in entries),
            "C": C,
            "min_df": MIN_DF,
            "seed": SEED,
        },
        "thresholds": {},
        "cv": {},
        "probes": probes,
        **body,
    }
    if cross_validate:
        oof = out_of_fold(entries, feats)
        t = choose_thresholds(entries, feats, oof)
        p, a = entry_scores(feats, oof, t[PATIENT + "_alone"])
        out["thresholds"] = {k: round(v, 4) for k, v in t.items()}
        out["cv"] = figures(entries, p, a, t[PATIENT], t[ABUSE])
        raw_p = np.array([float(s[:, 0].max()) for s in oof])
        out["cv"]["patient_without_gate"] = figures(entries, raw_p, a, t[PATIENT], t[ABUSE])[PATIENT]
    return out


def dump(model: dict[str, Any]) -> str:
    """The file's text: stable key order, the head indented, the packed weights one string per line (per kind of
    feature: the names, the patient weights, the abuse weights; gateway/detect/meaning/packing.py)."""
    head = {k: v for k, v in model.items() if k != "weights"}
    packed = model["weights"]
    lines = [
        json.dumps(head, indent=1, sort_keys=True)[:-2] + ',\n "weights": {',
        f'  "layout": {int(packed["layout"])},',
        f'  "scale": {int(packed["scale"])},',
        '  "kinds": {',
    ]
    kinds = sorted(packed["kinds"].items())
    for n, (kind, cols) in enumerate(kinds):
        lines.append(f"   {json.dumps(kind)}: {{")
        for m, key in enumerate(("names", *OUTPUTS)):
            text = json.dumps(cols[key], ensure_ascii=False, separators=(",", ":"))
            lines.append(f"    {json.dumps(key)}: {text}{',' if m < len(OUTPUTS) else ''}")
        lines.append("   }" + ("," if n < len(kinds) - 1 else ""))
    lines.append("  }\n }\n}\n")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-write", action="store_true", help="print the figures, write nothing")
    ap.add_argument("--sweep", action="store_true", help="cross-validate several C values first")
    ap.add_argument(
        "--splits",
        action="store_true",
        help=f"cross-validate on the splits {SPLITS} (how features are judged), then stop",
    )
    a = ap.parse_args()
    if a.splits:
        entries, _ = load_entries()
        feats = featurise(entries, featurizer(), Gate(Lexicon.load()))
        for seed in SPLITS:
            oof = out_of_fold(entries, feats, seed=seed)
            t = choose_thresholds(entries, feats, oof)
            p, s = entry_scores(feats, oof, t[PATIENT + "_alone"])
            print(f"seed={seed}", json.dumps(figures(entries, p, s, t[PATIENT], t[ABUSE])))
        return 0
    if a.sweep:
        entries, _ = load_entries()
        feats = featurise(entries, featurizer(), Gate(Lexicon.load()))
        for c in (0.5, 1.0, 2.0, 4.0, 8.0, 16.0):
            oof = out_of_fold(entries, feats, c)
            t = choose_thresholds(entries, feats, oof)
            p, s = entry_scores(feats, oof, t[PATIENT + "_alone"])
            print(f"C={c}", json.dumps(figures(entries, p, s, t[PATIENT], t[ABUSE])))
    model = build()
    print(
        json.dumps(
            {"training": model["training"], "thresholds": model["thresholds"], "cv": model["cv"]}, indent=1
        )
    )
    print(f"features kept: {sum(len(c['names'].split('|')) for c in model['weights']['kinds'].values())}")
    if not a.no_write:
        MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
        MODEL_PATH.write_text(dump(model), encoding="utf-8")
        print(f"wrote {MODEL_PATH.relative_to(ROOT)} ({MODEL_PATH.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
