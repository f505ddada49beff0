"""benchmarks/quality/run.py: where it finds the scorer and the gateway, from a checkout or a git worktree."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "quality" / "run.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("quality_run", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = _load()


def _layout(tmp: Path, *, gitdir: str, scorers: list[str]) -> Path:
    """A main checkout at tmp/main and a worktree of it at tmp/wt/carry (its .git a file naming
    `gitdir`, "{main}" standing for the main checkout), with score.py in each of `scorers`."""
    main, worktree = tmp / "main", tmp / "wt" / "carry"
    (main / ".git" / "worktrees" / "carry").mkdir(parents=True)
    (main / ".git" / "worktrees" / "carry" / "commondir").write_text("../..\n")
    worktree.mkdir(parents=True)
    (worktree / ".git").write_text(f"gitdir: {gitdir.format(main=main)}\n")
    for folder in scorers:
        (tmp / folder / "corpus").mkdir(parents=True)
        (tmp / folder / "corpus" / "score.py").write_text("")
    return worktree


@pytest.mark.parametrize(
    ("checkout", "gitdir", "scorers", "found"),
    [
        # the main checkout: the shared folder beside it
        ("main", "", ["shared"], "shared"),
        # a worktree: beside the worktree first, then beside the main checkout
        ("wt/carry", "{main}/.git/worktrees/carry", ["shared"], "shared"),
        ("wt/carry", "{main}/.git/worktrees/carry", ["wt/shared", "shared"], "wt/shared"),
        # a worktree whose .git names its folder relative to itself
        ("wt/carry", "../../main/.git/worktrees/carry", ["shared"], "shared"),
        # nothing anywhere
        ("wt/carry", "{main}/.git/worktrees/carry", [], None),
        ("main", "", [], None),
    ],
)
def test_the_default_scorer_is_found_beside_the_checkout_or_its_main_checkout(
    tmp_path: Path, checkout: str, gitdir: str, scorers: list[str], found: str | None
) -> None:
    """Without --scorer or GATEWAY_SCORER the scorer is shared/corpus/score.py beside the checkout or its main one."""
    _layout(tmp_path, gitdir=gitdir or "{main}/.git/worktrees/carry", scorers=scorers)
    scorer, tried = run.find_scorer(None, tmp_path / checkout, {})
    expected = [tmp_path / "wt" / "shared" / "corpus" / "score.py"] if checkout != "main" else []
    assert tried == [*expected, tmp_path / "shared" / "corpus" / "score.py"]
    assert scorer == (tmp_path / found / "corpus" / "score.py" if found else None)


@pytest.mark.parametrize("exists", [True, False])
def test_gateway_scorer_names_the_scorer_and_nothing_else_is_tried(tmp_path: Path, exists: bool) -> None:
    """GATEWAY_SCORER wins over the default; when it names no file, no other scorer is used in its place."""
    worktree = _layout(tmp_path, gitdir="{main}/.git/worktrees/carry", scorers=["shared"])
    named = tmp_path / "elsewhere" / "score.py"
    if exists:
        named.parent.mkdir()
        named.write_text("")
    scorer, tried = run.find_scorer(None, worktree, {"GATEWAY_SCORER": str(named)})
    assert (scorer, tried) == (named if exists else None, [named])


def test_an_explicit_scorer_wins_over_the_environment(tmp_path: Path) -> None:
    """--scorer PATH is the only path tried, whatever GATEWAY_SCORER says."""
    given = tmp_path / "mine.py"
    given.write_text("")
    assert run.find_scorer(given, tmp_path, {"GATEWAY_SCORER": "/elsewhere/score.py"}) == (given, [given])


def test_an_empty_gateway_scorer_is_unset(tmp_path: Path) -> None:
    """GATEWAY_SCORER set to blanks falls back to the default, as if it were not set."""
    worktree = _layout(tmp_path, gitdir="{main}/.git/worktrees/carry", scorers=["shared"])
    assert (
        run.find_scorer(None, worktree, {"GATEWAY_SCORER": "  "})[0]
        == tmp_path / "shared" / "corpus" / "score.py"
    )


def test_the_no_scorer_error_lists_every_path_tried(tmp_path: Path) -> None:
    """Run from a worktree with no scorer anywhere, the script exits 2 naming both paths it looked at."""
    worktree = _layout(tmp_path, gitdir="{main}/.git/worktrees/carry", scorers=[])
    _, tried = run.find_scorer(None, worktree, {})
    message = run.no_scorer(tried)
    assert message.splitlines() == [
        "run.py: no scorer found; tried:",
        f"  {tmp_path / 'wt' / 'shared' / 'corpus' / 'score.py'}",
        f"  {tmp_path / 'shared' / 'corpus' / 'score.py'}",
        "pass --scorer PATH or set GATEWAY_SCORER to the corpus's score.py",
    ]


@pytest.mark.parametrize(
    ("own_venv", "expected"), [(True, "main/.venv/bin/gateway"), (False, "venv/bin/gateway")]
)
def test_the_default_gateway_is_the_checkouts_else_the_one_beside_python(
    tmp_path: Path, own_venv: bool, expected: str
) -> None:
    """A checkout with its own .venv scores with it; a worktree without one uses the running Python's gateway."""
    if own_venv:
        (tmp_path / "main" / ".venv" / "bin").mkdir(parents=True)
        (tmp_path / "main" / ".venv" / "bin" / "gateway").write_text("")
    python = tmp_path / "venv" / "bin" / "python"
    assert run.default_gateway(tmp_path / "main", python) == tmp_path / expected


def test_the_script_runs_the_scorer_gateway_scorer_names(tmp_path: Path) -> None:
    """End to end: the scorer named by GATEWAY_SCORER is run with the corpus, the gateway and this checkout first on the path."""
    record = tmp_path / "called.json"
    scorer = tmp_path / "score.py"
    scorer.write_text(
        "import json, os, sys\n"
        f"open({str(record)!r}, 'w').write(json.dumps([sys.argv[1:], os.environ['PYTHONPATH']]))\n"
    )
    env = {**os.environ, "GATEWAY_SCORER": str(scorer)}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--corpus", "some/corpus", "--gateway", "/opt/gw"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    argv, path = json.loads(record.read_text())
    assert argv == ["--corpus", "some/corpus", "--", "/opt/gw"]
    assert path.split(os.pathsep)[0] == str(run.ROOT)


def test_the_script_exits_2_when_gateway_scorer_names_no_file(tmp_path: Path) -> None:
    """End to end: a GATEWAY_SCORER naming no file exits 2 and says which path it tried."""
    missing = tmp_path / "missing" / "score.py"
    env = {**os.environ, "GATEWAY_SCORER": str(missing)}
    done = subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and f"  {missing}\n" in done.stderr
