"""The `gateway` command line: scan output contract, policy check, configuration errors."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from gateway.cli import main

MSG = (
    b"From: A Student <a.student@uni.ac.uk>\r\nTo: Friend <pal@gmail.com>\r\nSubject: lunch\r\n\r\n"
    b"Shall we meet at noon by the library?\r\n"
)


@pytest.fixture()
def cfg(tmp_path: Path) -> Path:
    p = tmp_path / "gw.toml"
    p.write_text(
        f'state_dir = "{tmp_path / "state"}"\n[domains]\ninternal = ["uni.ac.uk"]\nsecure = ["nhs.net"]\n'
    )
    return p


def test_scan_json_prints_one_object_per_file(
    cfg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`scan --json` prints one JSON object per message with the scoring fields."""
    files = []
    for i in range(2):
        f = tmp_path / f"m{i}.eml"
        f.write_bytes(MSG)
        files.append(str(f))
    assert main(["--config", str(cfg), "scan", "--json", *files]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["file"] for x in lines] == files
    for obj in lines:
        assert obj["verdict"] == "pass" and obj["findings"] == [] and obj["elapsed_ms"] >= 0 and "rule" in obj


def test_scan_reads_stdin_and_reports_unreadable_files(
    cfg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`-` reads standard input; a missing file is reported and the others are still scanned."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MSG)))
    code = main(["--config", str(cfg), "scan", "--json", str(tmp_path / "missing.eml"), "-"])
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert "error" in out[0] and out[1]["file"] == "-" and out[1]["verdict"] == "pass"


def test_scan_human_output(cfg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json the verdict is printed for a person to read."""
    f = tmp_path / "m.eml"
    f.write_bytes(MSG)
    assert main(["--config", str(cfg), "scan", str(f)]) == 0
    out = capsys.readouterr().out
    assert f"{f}: PASS" in out and "no findings" in out


def test_policy_check_accepts_shipped_policy(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`policy check` validates the configured policies and lists the rules."""
    assert main(["--config", str(cfg), "policy", "check"]) == 0
    assert "patient-identifier -> hold" in capsys.readouterr().out


def test_policy_check_reports_errors(cfg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A broken policy file exits 2 with the file, rule and key named."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - name: r1\n    when: {category: nope}\n    action: hold\n")
    assert main(["--config", str(cfg), "policy", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "rule 'r1'.when.category" in err


def test_configuration_error_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad configuration stops every command with exit 2 and names the key."""
    p = tmp_path / "gw.toml"
    p.write_text("[smtp]\nmax_sessions = -1\n")
    assert main(["--config", str(p), "policy", "check"]) == 2
    assert "smtp.max_sessions" in capsys.readouterr().err
