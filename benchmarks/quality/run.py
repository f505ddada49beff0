#!/usr/bin/env python3
"""Detection quality on the held-out corpus (tests/corpus/heldout), scored by the shared score.py.

The held-out corpus is written independently of the development corpus, so its
score estimates how well the detectors generalise. This script only runs the
shared scorer with the project's gateway and prints its report; the last line
is the score line.

Usage: .venv/bin/python benchmarks/quality/run.py [--corpus DIR] [--scorer PATH] [--json-out FILE]
Rebuild the corpus first with `.venv/bin/python tests/corpus/make_heldout.py` if you edited
tests/corpus/heldout_cases.yaml. The second held-out corpus is scored with
`--corpus tests/corpus/heldout2`, the third with `--corpus tests/corpus/heldout3`,
the fourth with `--corpus tests/corpus/heldout4`, the fifth with `--corpus tests/corpus/heldout5`,
the sixth with `--corpus tests/corpus/heldout6`, the seventh with `--corpus tests/corpus/heldout7`.
Recorded scores (aggregate figures only) are in benchmarks/quality/RESULTS.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / "tests" / "corpus" / "heldout")
    ap.add_argument("--scorer", type=Path, default=ROOT.parent / "shared" / "corpus" / "score.py")
    ap.add_argument("--gateway", default=str(ROOT / ".venv" / "bin" / "gateway"))
    ap.add_argument("--json-out", type=Path, help="per-message results, passed to score.py")
    a = ap.parse_args()
    if not a.scorer.is_file():
        print(f"run.py: no scorer at {a.scorer}: pass --scorer PATH", file=sys.stderr)
        return 2
    cmd = [sys.executable, str(a.scorer), "--corpus", str(a.corpus)]
    if a.json_out:
        cmd += ["--json-out", str(a.json_out)]
    cmd += ["--", a.gateway]
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
