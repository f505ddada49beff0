"""`python -m gateway` is the installed `gateway` command, for hosts without the script on PATH."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_python_m_gateway_scans_a_message_like_the_script(tmp_path: Path) -> None:
    """`python -m gateway scan --json` reads a message and prints its verdict as JSON."""
    msg = tmp_path / "note.eml"
    msg.write_bytes(
        b"From: A Student <a.student@uni.ac.uk>\r\nTo: Friend <pal@gmail.com>\r\n"
        b"Subject: lunch\r\n\r\nShall we meet at noon by the library?\r\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "scan", "--json", str(msg)],
        capture_output=True,
        cwd=tmp_path,
        env=env,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b'"verdict"' in done.stdout


def test_python_m_gateway_refuses_an_unknown_command() -> None:
    """An unknown subcommand exits 2 with argparse's usage message, as the script does."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "no-such-command"],
        capture_output=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 2
    assert b"usage:" in done.stderr
