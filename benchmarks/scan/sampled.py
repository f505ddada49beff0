"""Where a worker's CPU goes, by sampling: the inspector in one process over a corpus.

    .venv/bin/python benchmarks/scan/sampled.py CORPUS_DIR [--passes 6] [--interval-ms 0.5] [--top 60]

Runs the shipped inspector (the corpus's documents registered, one warm-up pass) and, during
`--passes` more passes, samples the Python stack every `--interval-ms` of CPU time (a
profiling timer, so waiting is not counted). Prints, for the functions seen most, the share
of samples in which each was on the stack (inclusive) and at its top (self; time inside C
code such as a regular expression counts to the Python function that called it). Unlike
cProfile it does not slow small Python functions more than others, so the shares can be
compared with each other. One bias to know: Python handles the timer's signal only between
bytecodes, so a sample that falls inside a long C call (a regular expression, a matrix
product) is taken when the next Python function starts, and part of the C time of a loop
shows up on the function the loop calls next. Time a suspect function on its own before
trusting a self share. Function names and numbers only: no message text.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from collections import Counter
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # as in a worker
    os.environ.setdefault(_var, "1")

from stages import write_config  # noqa: E402

from gateway.config import load_settings  # noqa: E402
from gateway.inspector import build_inspector  # noqa: E402
from gateway.scan import envelope_from_headers  # noqa: E402


class Sampler:
    """Counts, per function, the samples with it anywhere on the stack and at its top."""

    def __init__(self) -> None:
        self.inclusive: Counter[str] = Counter()
        self.top: Counter[str] = Counter()
        self.samples = 0

    @staticmethod
    def label(frame: FrameType) -> str:
        path = frame.f_code.co_filename
        for base in (str(ROOT) + "/", "site-packages/"):
            if base in path:
                path = path.split(base, 1)[1]
        return f"{path}:{frame.f_code.co_name}"

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.samples += 1
        seen: set[str] = set()
        first = True
        while frame is not None:
            key = self.label(frame)
            if first:
                self.top[key] += 1
                first = False
            if key not in seen:
                seen.add(key)
                self.inclusive[key] += 1
            frame = frame.f_back


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpus", type=Path)
    p.add_argument("--passes", type=int, default=6)
    p.add_argument("--interval-ms", type=float, default=0.5)
    p.add_argument("--top", type=int, default=60)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="sampled-") as tmp:
        inspector = build_inspector(load_settings(write_config(args.corpus, Path(tmp))))
        inspector.load()
        messages = [
            p.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            for p in sorted(args.corpus.glob("*.eml"))
        ]
        envelopes = [envelope_from_headers(raw) for raw in messages]
        for env, raw in zip(envelopes, messages, strict=True):  # warm-up: caches, lazy imports
            inspector.inspect(env, raw)
        sampler = Sampler()
        signal.signal(signal.SIGPROF, sampler)
        interval = args.interval_ms / 1000
        signal.setitimer(signal.ITIMER_PROF, interval, interval)
        try:
            for _ in range(args.passes):
                for env, raw in zip(envelopes, messages, strict=True):
                    inspector.inspect(env, raw)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0, 0)
    n = max(sampler.samples, 1)
    print(f"{args.corpus.name}: {len(messages)} messages x {args.passes} passes, {sampler.samples} samples")
    for title, counts in (
        ("on the stack (inclusive)", sampler.inclusive),
        ("at the top (self)", sampler.top),
    ):
        print(f"--- {title}")
        for key, count in counts.most_common(args.top):
            if not key.startswith(("benchmarks/", "<frozen")):
                print(f"{100 * count / n:5.1f} %  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
