"""`gateway serve` as an administrator runs it: a Maildir next hop, swaks, metrics, SIGTERM."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.servers import GatewayProcess, free_port, wait_until, write_config

pytestmark = pytest.mark.integration


def start_served(tmp_path: Path) -> GatewayProcess:
    """`gateway serve` with a Maildir next hop and metrics on a free port."""
    metrics_port = free_port()
    port = free_port()
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "empty.yaml").write_text("rules: []\n")
    config = write_config(
        tmp_path / "gateway.toml",
        {
            "state_dir": "state",
            "policies": ["policies"],
            "smtp": {"listen": f"127.0.0.1:{port}", "next_hop": "maildir:mail"},
            "metrics": {"listen": f"127.0.0.1:{metrics_port}"},
            "web": {"listen": ""},
            "pipeline": {"workers": 1},
        },
    )
    gw = GatewayProcess(config, port=port, log_path=tmp_path / "gateway.log")
    gw.start()
    gw.metrics_port = metrics_port  # type: ignore[attr-defined]
    return gw


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    """One `gateway serve` for the tests that only talk to it (loading the models takes a while)."""
    gw = start_served(tmp_path_factory.mktemp("served"))
    yield gw
    gw.stop()


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks is needed (make test installs it)")
def test_serve_accepts_mail_from_swaks_into_the_maildir(served: GatewayProcess) -> None:
    """The swaks test from docs/relay.md: 250 from the gateway, one file in the Maildir's new/ folder."""
    out = subprocess.run(
        [
            "swaks",
            "--server",
            f"127.0.0.1:{served.port}",
            "--from",
            "student@example.ac.uk",
            "--to",
            "friend@example.org",
            "--header",
            "Subject: swaks test",
            "--body",
            "hello from swaks",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "<-  250 2.0.0 Ok: id=" in out.stdout
    maildir = served.config.parent / "mail"
    [delivered] = [p for p in (maildir / "new").iterdir() if b"hello from swaks" in p.read_bytes()]
    content = delivered.read_bytes()
    assert content.startswith(b"Return-Path: <student@example.ac.uk>\r\nDelivered-To: friend@example.org\r\n")
    assert b"hello from swaks" in content
    assert not list((maildir / "tmp").iterdir())


def test_serve_logs_json_and_serves_metrics(served: GatewayProcess) -> None:
    """Each message gives one JSON log line; /metrics counts the messages by verdict."""
    import smtplib

    def message_lines() -> list[dict[str, object]]:
        return [json.loads(x) for x in served.log().splitlines() if '"event": "message"' in x]

    before = len(message_lines())
    with smtplib.SMTP("127.0.0.1", served.port, timeout=30) as c:
        c.sendmail("a@example.ac.uk", ["b@example.org"], b"Subject: metrics\r\n\r\nhi\r\n")
    lines = wait_until(lambda: len(message_lines()) == before + 1 and message_lines(), 10, what="log line")
    assert lines[-1]["verdict"] == "pass" and str(lines[-1]["reply"]).startswith("250")
    port = served.metrics_port  # type: ignore[attr-defined]
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    assert f'gateway_messages_total{{verdict="pass"}} {float(len(lines))}' in body
    assert "gateway_sessions_in_flight" in body and "gateway_message_seconds_bucket" in body


def test_sigterm_stops_cleanly(tmp_path: Path) -> None:
    """SIGTERM to every process of the service: the gateway stops in order, exits 0, leaves no worker behind."""
    served = start_served(tmp_path)
    assert served.proc is not None
    pid = served.proc.pid
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    assert children  # the inspection workers
    served.kill_group(signal.SIGTERM)
    assert served.wait(60) == 0
    log = served.log()
    assert '"msg": "stopped"' in log
    assert "starting a new one" not in log  # the workers waited to be stopped: none was lost and replaced
    # multiprocessing's resource tracker (a child too) ignores SIGTERM and ends when it reads
    # the parent's exit on its pipe, a moment after: give the children that moment, not more
    wait_until(lambda: not any(_running(c) for c in children), timeout=10, what="every child process to end")


def _running(pid: str) -> bool:
    """Alive and not a zombie (an exited child its dead parent did not reap is harmless)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
