"""A missing dependency stops `gateway serve` at once with its name (exit 2), not at the first message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("package", ["cryptography", "aiosmtpd", "argon2", "presidio_analyzer"])
def test_serve_without_a_dependency_exits_2_naming_it(tmp_path: Path, package: str) -> None:
    """With one installed package made unimportable, serve exits 2 and names the package; nothing listens."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / f"{package}.py").write_text(
        f"raise ModuleNotFoundError({'No module named ' + package!r}, name={package!r})\n", encoding="utf-8"
    )
    cfg = tmp_path / "gateway.toml"
    cfg.write_text(f'state_dir = "{tmp_path / "state"}"\n[smtp]\nlisten = "127.0.0.1:0"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(shadow), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "--config", str(cfg), "serve"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert f"a required package is missing: {package}" in done.stderr
    assert "Traceback" not in done.stderr
