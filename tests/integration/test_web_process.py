"""`gateway web`: the review UI in a process of its own, against the same store, loading no model."""

from __future__ import annotations

import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.integration.servers import free_port, port_open, wait_until
from tests.quarantine_fixtures import KEY_A

pytestmark = pytest.mark.integration


def test_web_runs_alone_and_stops_on_sigterm(tmp_path: Path) -> None:
    """The UI answers its login page, parses no mail (no spaCy in the process), and exits 0 on SIGTERM."""
    port = free_port()
    cfg = tmp_path / "gateway.toml"
    cfg.write_text(
        f'state_dir = "{tmp_path / "state"}"\n[smtp]\nlisten = ""\nnext_hop = "maildir:{tmp_path / "mail"}"\n'
        f'[quarantine]\nkey = "{KEY_A}"\n[web]\nlisten = "127.0.0.1:{port}"\n[metrics]\nlisten = ""\n',
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "--config", str(cfg), "web"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: port_open("127.0.0.1", port) or proc.poll() is not None, timeout=60)
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10) as page:
            assert page.status == 200 and b"password" in page.read().lower()
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
        assert "spacy" not in maps and "presidio" not in maps
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
