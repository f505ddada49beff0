"""Where inspection time goes: per stage, per detector, and inside the patient detector, on a corpus.

    .venv/bin/python benchmarks/scan/stages.py CORPUS_DIR [CORPUS_DIR ...] [--repeat 2]

Runs the shipped Inspector in this process (one worker's view), with the corpus's
university documents registered in a temporary store, over every *.eml of each corpus
(after one warm-up pass), and prints for each stage (parse, extract, detect, decide) and
each detector the total, median and p95 milliseconds and its share of the whole; for the
patient detector also the time in spaCy NER (`PresidioEngine.persons`) and in the pattern
pass (`PresidioEngine.analyze`), and how many messages reached NER at all. Numbers only:
no message text, subject or finding value is printed. Timing lives here, never in tests.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gateway.config import load_settings  # noqa: E402
from gateway.detect.presidio_engine import PresidioEngine  # noqa: E402
from gateway.inspector import build_inspector  # noqa: E402
from gateway.scan import envelope_from_headers  # noqa: E402


class Clock:
    """Accumulates milliseconds per label for the message being inspected."""

    def __init__(self) -> None:
        self.now: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def wrap(self, obj: Any, attr: str, label: str) -> None:
        inner = getattr(obj, attr)

        def timed(*a: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return inner(*a, **kw)
            finally:
                self.now[label] += (time.perf_counter() - t0) * 1e3
                self.calls[label] += bool(a and a[0])  # a call with nothing to read is not a call

        setattr(obj, attr, timed)


def write_config(corpus: Path, tmp: Path) -> Path:
    domains = tomllib.loads((corpus / "config.toml").read_text()).get("domains", {})
    cfg = tmp / "gateway.toml"
    cfg.write_text(
        f'state_dir = "{tmp / "state"}"\npolicies = ["{ROOT / "policies"}"]\n'
        f"[domains]\ninternal = {list(domains.get('internal', []))!r}\n"
        f"secure = {list(domains.get('secure', []))!r}\n".replace("'", '"')
    )
    docs = sorted(str(p) for p in (corpus / "unidocs").glob("*") if p.is_file())
    if docs:
        cmd = [sys.executable, "-m", "gateway.cli", "--config", str(cfg), "docs", "add", *docs]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return cfg


def profile(corpus: Path, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="profile-") as tmp:
        settings = load_settings(write_config(corpus, Path(tmp)))
        inspector = build_inspector(settings)
        inspector.load()
        clock = Clock()
        for det in inspector.detectors:
            clock.wrap(det, "detect", f"detector {det.name}")
            engine = getattr(det, "engine", None)
            if isinstance(engine, PresidioEngine):
                clock.wrap(engine, "persons", f"  {det.name}: spaCy NER")
                clock.wrap(engine, "analyze", f"  {det.name}: pattern pass")
        messages = [
            p.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            for p in sorted(corpus.glob("*.eml"))
        ]
        for raw in messages:  # warm-up: caches, lazy imports
            inspector.inspect(envelope_from_headers(raw), raw)
        per: dict[str, list[float]] = defaultdict(list)
        ner_messages = 0
        for _ in range(repeat):
            for raw in messages:
                clock.now.clear()
                clock.calls.clear()
                t0 = time.perf_counter()
                out = inspector.inspect(envelope_from_headers(raw), raw)
                per["total"].append((time.perf_counter() - t0) * 1e3)
                for stage, ms in out.timings_ms.items():
                    per[f"stage {stage}"].append(ms)
                for label in [f"detector {d.name}" for d in inspector.detectors] + [
                    k for k in clock.now if k.startswith("  ")
                ]:
                    per[label].append(clock.now.get(label, 0.0))
                ner_messages += any("NER" in k and v for k, v in clock.calls.items())
        total = sum(per["total"])
        n = len(per["total"])
        print(
            f"{corpus.name}: {len(messages)} messages x {repeat}, {n / total * 1e3:.1f} msg/s in one process"
        )
        print(f"  {'part':32} {'total ms':>9} {'median':>8} {'p95':>8} {'share':>6}")
        for label, values in per.items():
            s = sorted(values)
            p95 = s[min(len(s) - 1, int(len(s) * 0.95))]
            print(f"  {label:32} {sum(s):9.0f} {statistics.median(s):8.2f} {p95:8.2f} {sum(s) / total:6.0%}")
        print(f"  messages that reached spaCy NER: {ner_messages}/{n}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpus", type=Path, nargs="+")
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args()
    for corpus in args.corpus:
        profile(corpus, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
