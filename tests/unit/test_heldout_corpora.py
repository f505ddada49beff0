"""The project's held-out corpora are what their case files build: nobody edits a built message by hand."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CORPORA = Path(__file__).resolve().parents[1] / "corpus"


def _pairs() -> list[tuple[str, str]]:
    out = []
    for folder in sorted(p for p in CORPORA.glob("heldout*") if p.is_dir()):
        cases = CORPORA / f"{folder.name}_cases.yaml"
        out.append((folder.name, cases.name if cases.exists() else "heldout_cases.yaml"))
    return out


def test_every_heldout_folder_has_its_case_file() -> None:
    """Each built held-out corpus has a case file beside it (nine corpora today)."""
    pairs = _pairs()
    assert len(pairs) >= 9
    assert all((CORPORA / cases).exists() for _, cases in pairs)


@pytest.mark.parametrize(("folder", "cases"), _pairs())
def test_heldout_corpus_rebuilds_byte_for_byte(folder: str, cases: str) -> None:
    """Rebuilding a held-out corpus from its case file gives exactly the committed messages and labels."""
    done = subprocess.run(
        [
            sys.executable,
            str(CORPORA / "make_heldout.py"),
            "--cases",
            str(CORPORA / cases),
            "--out",
            str(CORPORA / folder),
            "--check",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproducible" in done.stdout
