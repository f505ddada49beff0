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
the sixth with `--corpus tests/corpus/heldout6`, the seventh with `--corpus tests/corpus/heldout7`,
the eighth with `--corpus tests/corpus/heldout8`, the ninth with `--corpus tests/corpus/heldout9`.
Recorded scores (aggregate figures only) are in benchmarks/quality/RESULTS.md.

The scorer: `--scorer PATH`; else the file the environment variable
GATEWAY_SCORER names; else corpus/score.py in the folder `shared` beside the
checkout, and, when the checkout is a git worktree (its .git is a file), beside
the main checkout too, whichever is found first. When none is a file the
script exits 2 and lists every path it tried.

The gateway: `--gateway PATH`; else .venv/bin/gateway in the checkout, or,
when the checkout has no .venv (a worktree sharing the main checkout's
environment), the `gateway` beside the Python running this script. Either way
the checkout's own code is the one scored (it leads PYTHONPATH).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: names the scorer when --scorer is not given
SCORER_ENV = "GATEWAY_SCORER"
#: where the scorer is, relative to the folder that holds a checkout
SCORER_BESIDE = Path("shared") / "corpus" / "score.py"


def main_checkout(root: Path) -> Path | None:
    """The main checkout of the repository when `root` is a git worktree of it, else None.

    A worktree's .git is a file, "gitdir: <main>/.git/worktrees/<name>", and
    that folder's `commondir` names the main .git (relative to it).
    """
    dot_git = root / ".git"
    if not dot_git.is_file():
        return None
    first = dot_git.read_text(encoding="utf-8", errors="replace").strip()
    if not first.startswith("gitdir:"):
        return None
    gitdir = root / first.removeprefix("gitdir:").strip()  # an absolute gitdir replaces root
    common = gitdir / "commondir"
    common_dir = (
        gitdir / common.read_text(encoding="utf-8").strip() if common.is_file() else gitdir.parent.parent
    )
    main = common_dir.resolve().parent
    return main if main != root.resolve() else None


def scorer_candidates(root: Path, env: Mapping[str, str]) -> list[Path]:
    """Where the scorer is looked for, in order, when --scorer is not given."""
    named = env.get(SCORER_ENV, "").strip()
    if named:
        return [Path(named).expanduser()]
    holders = [root, *filter(None, [main_checkout(root)])]
    return [holder.resolve().parent / SCORER_BESIDE for holder in holders]


def find_scorer(given: Path | None, root: Path, env: Mapping[str, str]) -> tuple[Path | None, list[Path]]:
    """(the scorer, or None when there is none) and every path tried for it."""
    tried = [given] if given is not None else scorer_candidates(root, env)
    return next((p for p in tried if p.is_file()), None), tried


def no_scorer(tried: list[Path]) -> str:
    """The error when no scorer was found: each path tried, and how to name another."""
    lines = "\n".join(f"  {p}" for p in tried)
    return (
        f"run.py: no scorer found; tried:\n{lines}\n"
        f"pass --scorer PATH or set {SCORER_ENV} to the corpus's score.py"
    )


def default_gateway(root: Path, python: Path) -> Path:
    """The checkout's .venv/bin/gateway, else the `gateway` beside the running Python."""
    own = root / ".venv" / "bin" / "gateway"
    return own if own.exists() else python.parent / "gateway"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / "tests" / "corpus" / "heldout")
    ap.add_argument(
        "--scorer", type=Path, help=f"score.py (default: ${SCORER_ENV}, then ../shared/corpus/score.py)"
    )
    ap.add_argument("--gateway", default=str(default_gateway(ROOT, Path(sys.executable))))
    ap.add_argument("--json-out", type=Path, help="per-message results, passed to score.py")
    a = ap.parse_args()
    scorer, tried = find_scorer(a.scorer, ROOT, os.environ)
    if scorer is None:
        print(no_scorer(tried), file=sys.stderr)
        return 2
    cmd = [sys.executable, str(scorer), "--corpus", str(a.corpus)]
    if a.json_out:
        cmd += ["--json-out", str(a.json_out)]
    cmd += ["--", a.gateway]
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    return subprocess.call(cmd, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
