#!/usr/bin/env python3
"""Whole-gateway error analysis on the blind training text, the meaning model cross-validated.

Every entry of the training files (scripts/meaning_data.py) becomes one
email from a student (student@example.ac.uk) to an outside address
(friend@gmail.com, or --to), subject "Note", the entry's text as the body, and is
inspected as `gateway scan` would: every detector, the shipped policy.
The meaning detector's model is swapped, entry by entry, for the fold
model of scripts/train_meaning.py that was fitted without that entry and
its twins, at the thresholds cross-validation chose: no entry is judged
by a model that learned it. (The rules were written by people who read
some of these files, so their figures are a development signal, not an
estimate of unseen mail.)

Prints, per training file and over all: flagged entries held (recall),
clean entries held (false holds), the finding types that held the clean
ones, and the kinds of the missed flagged ones.

Entries of files given with --extra (blind files the model was never fitted on, such
as tests/corpus/train/emails_f.yaml and short_g.yaml) are read as the training files
are and judged by the shipped model: no fold model is needed for text none of them saw.

Usage:
    PYTHONPATH=. .venv/bin/python scripts/meaning_errors.py [--out results.jsonl] [--limit N]
        [--extra tests/corpus/train/emails_f.yaml --extra tests/corpus/train/short_g.yaml]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from meaning_data import TRAINING_FILES, Entry, labels, load_entries  # noqa: E402
from train_meaning import choose_thresholds, featurise, fold_models, rounded, window_scores  # noqa: E402

from gateway.config import Settings  # noqa: E402
from gateway.config.sections import DomainSettings, NotifySettings  # noqa: E402
from gateway.detect.meaning import MeaningDetector  # noqa: E402
from gateway.detect.meaning.gate import Gate  # noqa: E402
from gateway.detect.meaning.model import OUTPUTS, MeaningModel, featurizer, pack  # noqa: E402
from gateway.detect.patient.lexicon import Lexicon  # noqa: E402
from gateway.inspector import build_inspector  # noqa: E402
from gateway.model import Envelope  # noqa: E402
from gateway.model.finding import PATIENT_IDENTIFIER  # noqa: E402

SENDER = "student@example.ac.uk"
RECIPIENT = "friend@gmail.com"
#: blind files that arrived after the model was fitted: --with-new reads them too (shipped model);
#: a file that has since joined the training list is read once, as training text, cross-validated.
#: train_n and train_p (round 7) were read by nobody and are kept out of training as a blind
#: measure for the next round; train_o (round 7, threats) was the threat rules' development text
#: and is kept out of training because the model fitted with it held fewer of train_n + train_p
#: (round 8: cross-validation with it found 5.7 points fewer patient entries, so it stays out).
#: train_s (round 8, mixed) was read by nobody and is kept out of training beside train_n and
#: train_p as the blind measure of round 8's end.
NEW_FILES = tuple(
    f
    for f in (
        "tests/corpus/train/emails_f.yaml",
        "tests/corpus/train/short_g.yaml",
        "tests/corpus/train/train_n.yaml",
        "tests/corpus/train/train_o.yaml",
        "tests/corpus/train/train_p.yaml",
        "tests/corpus/train/train_s.yaml",
    )
    if f not in TRAINING_FILES
)
#: what the policy holds
HOLDS = frozenset({"hold", "reject"})


def message(text: str, to: str = RECIPIENT) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"A Student <{SENDER}>"
    msg["To"] = to
    msg["Subject"] = "Note"
    msg.set_content(text)
    return bytes(msg)


def new_entries() -> list[Entry]:
    """The entries of the blind files kept out of the model's training (NEW_FILES)."""
    out: list[Entry] = []
    for rel in NEW_FILES:
        for item in yaml.safe_load((ROOT / rel).read_bytes()) or []:
            if isinstance(item, dict) and str(item.get("text", "")).strip():
                out.append(labels(item, rel))
    return out


def extra_entries(rel: str) -> list[Entry]:
    """A labelled file outside the training list, read as the training files are (labels by file and kind)."""
    items = yaml.safe_load((ROOT / rel).read_text(encoding="utf-8")) or []
    return [
        labels(item, rel) for item in items if isinstance(item, dict) and str(item.get("text", "")).strip()
    ]


def cross_validated(entries: list[Entry]) -> dict[int, MeaningModel]:
    """Each training entry's fold model: fitted without it and its twins, at the thresholds CV chose."""
    feats = featurise(entries, featurizer(), Gate(Lexicon.load()))
    folds = fold_models(entries, feats)
    oof: list[Any] = [None] * len(entries)
    for test_idx, vocab, models in folds:
        for i in test_idx:
            oof[i] = window_scores(vocab, models, feats[i])
    thresholds = choose_thresholds(entries, feats, oof)
    fold_of: dict[int, MeaningModel] = {}
    for test_idx, vocab, models in folds:
        weights, intercepts = rounded(vocab, models)
        m = MeaningModel(
            {
                "outputs": list(OUTPUTS),
                "weights": pack(weights),
                "intercepts": intercepts,
                "thresholds": thresholds,
            }
        )
        for i in test_idx:
            fold_of[i] = m
    print("cross-validated thresholds:", json.dumps({k: round(v, 4) for k, v in thresholds.items()}))
    return fold_of


def held_why(findings: Any) -> list[str]:
    """Which detector and which rule of it made each finding that held: "detector/TYPE: reasons"."""
    out = []
    for f in findings:
        why = f.details.get("reasons") or f.details.get("rules") or f.details.get("why") or f.evidence
        if isinstance(why, (list, tuple)):
            why = "; ".join(str(w) for w in why)
        out.append(f"{f.detector or '?'}/{f.type}: {str(why)[:160]}")
    return sorted(set(out))


def family(kind: str) -> str:
    return kind.split("-", 1)[0] if kind else "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", help="write one JSON line per entry here")
    ap.add_argument("--limit", type=int, default=0, help="only the first N entries (a quick look)")
    ap.add_argument(
        "--to", default=RECIPIENT, help=f"the recipient (default {RECIPIENT}; try tutor@example.ac.uk)"
    )
    ap.add_argument(
        "--shipped", action="store_true", help="score with the shipped model (not cross-validated)"
    )
    ap.add_argument(
        "--only", help="only entries of training files whose name contains one of these (comma-separated)"
    )
    ap.add_argument(
        "--with-new",
        action="store_true",
        help=f"also read the blind files the model was never fitted on ({', '.join(NEW_FILES)}); "
        "they are scored with the shipped model",
    )
    ap.add_argument(
        "--extra",
        action="append",
        default=[],
        help="a further labelled file (repository path), judged by the shipped model; repeatable",
    )
    ap.add_argument(
        "--report", help="print the report of a JSON-lines file written by --out, scanning nothing"
    )
    a = ap.parse_args()
    if a.report:
        with open(a.report, encoding="utf-8") as fh:
            report([json.loads(line) for line in fh if line.strip()])
        return 0

    entries, _ = load_entries()
    fitted = len(entries)
    if a.with_new:
        entries += new_entries()
    fold_of: dict[int, MeaningModel] = {}
    if not a.shipped:
        fold_of = cross_validated(entries[:fitted])

    settings = Settings(
        domains=DomainSettings(internal=("example.ac.uk",), secure=("nhs.net",)),
        notify=replace(NotifySettings(), enabled=False),
    )
    inspector = build_inspector(settings)
    inspector.load()
    meaning = next(d for d in inspector.detectors if isinstance(d, MeaningDetector))
    shipped = meaning.model
    env = Envelope(SENDER, (a.to,))
    entries.extend(e for rel in a.extra for e in extra_entries(rel))
    rows = []
    order = range(len(entries)) if not a.limit else range(min(a.limit, len(entries)))
    for i in order:
        e = entries[i]
        if a.only and not any(o in e.source for o in a.only.split(",")):
            continue
        meaning.model = fold_of.get(i, shipped)  # an entry of no fold was never fitted on
        out = inspector.inspect(env, message(e.text, a.to))
        verdict = out.decision.verdict.value
        held = verdict in HOLDS
        types = sorted({f.type for f in out.decision.findings}) if held else []
        patient_types = sorted(
            {f.type for f in out.decision.findings if f.category == PATIENT_IDENTIFIER} if held else ()
        )
        rows.append(
            {
                "i": i,
                "source": Path(e.source).name,
                "kind": e.kind,
                "expect": "clean" if e.clean else "flag",
                "patient": e.patient,
                "abuse": e.abuse,
                "verdict": verdict,
                "rule": out.decision.rule,
                "held_by": types,
                "held_by_patient": patient_types,
                "held_why": held_why(out.decision.findings) if held else [],
                "found": sorted({f.type for f in out.findings}),
                "language": sorted({f.type for f in out.findings if f.detector == "language"}),
            }
        )
    if a.out:
        with open(a.out, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r) + "\n")
    report(rows)
    return 0


def report(rows: list[dict[str, Any]]) -> None:
    by_file: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_file.setdefault(r["source"], []).append(r)
    print(f"{'file':28} {'flag':>5} {'held':>5} {'recall':>7} {'clean':>6} {'held':>5} {'false':>6}")
    for name, rs in [*sorted(by_file.items()), ("ALL", rows)]:
        flag = [r for r in rs if r["expect"] == "flag"]
        clean = [r for r in rs if r["expect"] == "clean"]
        fh = sum(r["verdict"] in HOLDS for r in flag)
        ch = sum(r["verdict"] in HOLDS for r in clean)
        print(
            f"{name:28} {len(flag):5} {fh:5} {fh / max(1, len(flag)):7.3f} "
            f"{len(clean):6} {ch:5} {ch / max(1, len(clean)):6.3f}"
        )
    for label, want in (("patient", "patient"), ("abuse", "abuse")):
        pos = [r for r in rows if r[want]]
        hit = sum(r["verdict"] in HOLDS for r in pos)
        print(f"recall {label}: {hit}/{len(pos)} = {hit / max(1, len(pos)):.3f}")
    held_clean = [r for r in rows if r["expect"] == "clean" and r["verdict"] in HOLDS]
    print("\nclean entries held, by finding type (an entry counts once per type):")
    for t, n in Counter(t for r in held_clean for t in r["held_by"]).most_common():
        print(f"  {n:4}  {t}")
    print("clean entries held, by kind family:")
    for k, n in Counter(family(r["kind"]) for r in held_clean).most_common(20):
        print(f"  {n:4}  {k}")
    print("clean entries held by a language finding, by type and kind family:")
    for (t, k), n in Counter(
        (t, family(r["kind"])) for r in held_clean for t in r.get("language", []) if t in r["held_by"]
    ).most_common(30):
        print(f"  {n:4}  {t:16} {k}")
    missed = [r for r in rows if r["expect"] == "flag" and r["verdict"] not in HOLDS]
    print("\nabuse entries missed, by kind (file):")
    for (k, src), n in Counter((r["kind"], r["source"]) for r in missed if r["abuse"]).most_common(60):
        print(f"  {n:4}  {k} ({src})")
    print("\nflagged entries missed, by kind family (output):")
    for k, n in Counter(
        (family(r["kind"]), "patient" if r["patient"] else "abuse") for r in missed
    ).most_common(30):
        print(f"  {n:4}  {k[0]} ({k[1]})")
    patient_table(rows)
    why_table(rows)


def why_table(rows: list[dict[str, Any]]) -> None:
    """Which detector and rule held each entry, clean and flagged, per file: what a clearing rule would cost."""
    for expect in ("clean", "flag"):
        held = [r for r in rows if r["expect"] == expect and r["verdict"] in HOLDS]
        print(f"\n{expect} entries held ({len(held)}), by detector/type and the finding's first reason:")
        counts = Counter(
            (w.split(": ", 1)[0], w.split(": ", 1)[-1].split(";")[0][:60])
            for r in held
            for w in r.get("held_why", [])
        )
        for (dt, why), n in counts.most_common(40 if expect == "clean" else 25):
            print(f"  {n:4}  {dt:44} {why}")
        if expect == "clean":
            print("clean entries held, one a line (file, kind, what held it):")
            for r in held:
                print(f"  {r['source']:22} {r['kind'][:34]:34} {' | '.join(r.get('held_why', []))[:200]}")


def patient_table(rows: list[dict[str, Any]]) -> None:
    """The patient output's development signal: its misses by kind, the clean entries its types held."""
    missed = [r for r in rows if r["patient"] and r["verdict"] not in HOLDS]
    print(f"\npatient entries missed ({len(missed)}), by kind:")
    for k, n in Counter(r["kind"] or "?" for r in missed).most_common(40):
        print(f"  {n:4}  {k}")
    held = [r for r in rows if r["expect"] == "clean" and r.get("held_by_patient")]
    print(f"clean entries held by a patient finding ({len(held)}), by type and kind family:")
    for (t, k), n in Counter((t, family(r["kind"])) for r in held for t in r["held_by_patient"]).most_common(
        40
    ):
        print(f"  {n:4}  {t:28} {k}")


if __name__ == "__main__":
    sys.exit(main())
