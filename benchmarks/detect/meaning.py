"""Speed of the meaning detector (the trained classifier), alone, in one process.

    PYTHONPATH=. .venv/bin/python benchmarks/detect/meaning.py [--corpus DIR] [--size 25000] [--repeat 20]

It prints the load time and CPU milliseconds per message (median, p95, p99) on:

- the training examples shipped in the repository (tests/corpus/devset and
  tests/corpus/train: short emails, the typical message), each as one body;
- every message of the corpus (default: ../shared/corpus/dev next to the
  project, or $GATEWAY_BENCH_CORPUS), parsed and extracted before the clock starts;
- a generated clinical email of --size bytes (`clinical_email.py`), --repeat times;
- hostile text (`hostile_text.py`) of a quarter, a half and a whole megabyte:
  the time per megabyte should stay flat.

Numbers, not assertions: run it on the machine you want to know about.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from clinical_email import clinical_email  # noqa: E402
from hostile_text import hostile_text  # noqa: E402

from gateway.detect.meaning import MeaningDetector  # noqa: E402
from gateway.model import Envelope, Inspection, Segment  # noqa: E402

ENVELOPE = Envelope("student@uni.ac.uk", ("friend@example.org",))


def _cpu_ms(fn: Callable[[Any], Any], item: Any) -> float:
    c = time.process_time()
    fn(item)
    return (time.process_time() - c) * 1e3


def _stats(xs: list[float]) -> str:
    s = sorted(xs)

    def q(p: float) -> float:
        return s[min(len(s) - 1, round(p * (len(s) - 1)))]

    return (
        f"n={len(s)} median={statistics.median(s):.3f} p95={q(0.95):.3f} p99={q(0.99):.3f} max={s[-1]:.3f} ms"
    )


def _examples() -> list[Inspection]:
    out = []
    for folder in ("tests/corpus/devset", "tests/corpus/train"):
        for path in sorted((ROOT / folder).glob("*.yaml")):
            for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
                if isinstance(item, dict) and item.get("text"):
                    out.append(Inspection(envelope=ENVELOPE, segments=[Segment(str(item["text"]), "body")]))
    return out


def _prepared(raw: bytes) -> Inspection:
    from gateway.config import Settings
    from gateway.extract import extract_all
    from gateway.mime import parse_message
    from gateway.scan import envelope_from_headers

    settings = Settings()
    insp = parse_message(raw, envelope_from_headers(raw), settings.limits)
    extract_all(insp, settings.limits, ocr=False)
    return insp


def main() -> int:
    default_corpus = os.environ.get("GATEWAY_BENCH_CORPUS") or str(ROOT.parent / "shared" / "corpus" / "dev")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=default_corpus if Path(default_corpus).is_dir() else "")
    ap.add_argument("--size", type=int, default=25_000)
    ap.add_argument("--repeat", type=int, default=20)
    a = ap.parse_args()
    from gateway.mime import normalise_line_endings

    examples = _examples()
    corpus = (
        [_prepared(normalise_line_endings(p.read_bytes())) for p in sorted(Path(a.corpus).glob("*.eml"))]
        if a.corpus
        else []
    )
    big = _prepared(normalise_line_endings(clinical_email(a.size)))

    detector = MeaningDetector(internal=("uni.ac.uk",))
    t0 = time.perf_counter()
    detector.load()
    print(f"load: {(time.perf_counter() - t0) * 1e3:.0f} ms (model, word lists, probe check)")
    detector.detect(big)  # warm-up
    print("training examples (short emails):", _stats([_cpu_ms(detector.detect, i) for i in examples]))
    if corpus:
        print(f"corpus {a.corpus}:", _stats([_cpu_ms(detector.detect, i) for i in corpus]))
    print(
        f"generated clinical email ({a.size} bytes):",
        _stats([_cpu_ms(detector.detect, big) for _ in range(a.repeat)]),
    )
    for size in (250_000, 500_000, 1_000_000):
        insp = Inspection(envelope=ENVELOPE, segments=[Segment(hostile_text(size), "body")])
        ms = _cpu_ms(detector.detect, insp)
        print(f"hostile text {size} chars: {ms:.0f} ms ({ms * 1_000_000 / size:.0f} ms per MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
