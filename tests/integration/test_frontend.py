"""`gateway serve` with two front-end processes: both accept on the one SMTP port, SIGTERM stops all."""

from __future__ import annotations

import os
import re
import signal
import smtplib
import urllib.request
from pathlib import Path

import pytest

from tests.integration.servers import GatewayProcess, free_port, wait_until, write_config

pytestmark = pytest.mark.integration


def listening_inodes(port: int) -> set[str]:
    """Socket inodes listening on 127.0.0.1:`port` (one per front end with SO_REUSEPORT)."""
    out = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        f = line.split()
        if f[1] == f"0100007F:{port:04X}" and f[3] == "0A":
            out.add(f[9])
    return out


def connection_inode(port: int, client_port: int) -> str:
    """The gateway's end of the connection from `client_port` to `port`."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        f = line.split()
        if f[1].endswith(f":{port:04X}") and f[2].endswith(f":{client_port:04X}"):
            return f[9]
    raise AssertionError("connection not found")


def owner(inode: str, pids: list[int]) -> int:
    """Which of `pids` holds the socket `inode` open."""
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if fd.readlink().name == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    raise AssertionError("no front end holds the connection")


def frontends(parent: int, port: int) -> list[int]:
    """The parent's children that hold a socket listening on `port`."""
    inodes = listening_inodes(port)
    kids = [int(p) for p in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]
    out = []
    for pid in kids:
        try:
            links = {fd.readlink().name for fd in Path(f"/proc/{pid}/fd").iterdir()}
        except OSError:
            continue
        if any(f"socket:[{i}]" in links for i in inodes):
            out.append(pid)
    return out


def start_two(tmp_path: Path, metrics: str = "") -> tuple[GatewayProcess, int]:
    """`gateway serve` with frontend.processes = 2, an empty policy and a Maildir next hop."""
    port = free_port()
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "empty.yaml").write_text("rules: []\n")
    config = write_config(
        tmp_path / "gateway.toml",
        {
            "state_dir": "state",
            "policies": ["policies"],
            "smtp": {"listen": f"127.0.0.1:{port}", "next_hop": "maildir:mail"},
            "metrics": {"listen": metrics},
            "web": {"listen": ""},
            "pipeline": {"workers": 2},
            "frontend": {"processes": 2},
        },
    )
    return GatewayProcess(config, port=port, log_path=tmp_path / "gateway.log").start(), port


def test_two_frontends_share_the_port_and_relay(tmp_path: Path) -> None:
    """Two processes listen on the same port; each relays a message into the Maildir; SIGTERM to the
    parent stops both and it exits 0."""
    gw, port = start_two(tmp_path)
    try:
        assert gw.proc is not None
        parent = gw.proc.pid
        pids = wait_until(lambda: len(frontends(parent, port)) == 2 and frontends(parent, port), 180, 0.2)
        assert len(listening_inodes(port)) == 2  # two sockets, one per process, on one port
        relayed: dict[int, int] = {}
        for n in range(64):  # the kernel spreads connections by a hash of the addresses
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
                client_port = client.sock.getsockname()[1]
                pid = owner(connection_inode(port, client_port), pids)
                client.sendmail("a@example.ac.uk", ["b@example.org"], f"Subject: n{n}\r\n\r\nhello {n}\r\n")
            relayed[pid] = relayed.get(pid, 0) + 1
            if len(relayed) == 2:
                break
        assert sorted(relayed) == sorted(pids)
        delivered = list((tmp_path / "mail" / "new").iterdir())
        assert len(delivered) == sum(relayed.values())
        gw.kill(signal.SIGTERM)  # the parent only: it passes the signal on
        assert gw.wait(120) == 0
        assert not any(Path(f"/proc/{p}").exists() and _alive(p) for p in pids)
        assert '"msg": "stopped"' in gw.log()
    finally:
        gw.stop()


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_frontend_that_dies_is_started_again(tmp_path: Path) -> None:
    """kill -9 of one front end: a new one takes its place on the port, and mail still flows."""
    gw, port = start_two(tmp_path)
    try:
        assert gw.proc is not None
        parent = gw.proc.pid
        first = wait_until(lambda: len(frontends(parent, port)) == 2 and frontends(parent, port), 180, 0.2)
        os.kill(first[0], signal.SIGKILL)
        again = wait_until(
            lambda: (f := frontends(parent, port)) and len(f) == 2 and first[0] not in f and f, 180, 0.2
        )
        assert first[1] in again
        for n in range(4):
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
                client.sendmail("a@example.ac.uk", ["b@example.org"], f"Subject: n{n}\r\n\r\nhi\r\n")
        assert len(list((tmp_path / "mail" / "new").iterdir())) == 4
        assert "front end died; starting it again" in gw.log()
    finally:
        gw.stop()


def scraped(metrics_port: int, sample: str) -> float:
    """One sample's value from the gateway's /metrics page (0 when absent)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=30) as page:
        text = page.read().decode()
    m = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    return float(m.group(1)) if m else 0.0


def test_metrics_count_the_messages_of_every_frontend(tmp_path: Path) -> None:
    """/metrics (served by the first front end) counts the messages both front ends relayed, and keeps
    a killed front end's count after it is started again."""
    metrics_port = free_port()
    gw, port = start_two(tmp_path, metrics=f"127.0.0.1:{metrics_port}")
    passed = 'gateway_messages_total{verdict="pass"}'
    try:
        assert gw.proc is not None
        parent = gw.proc.pid
        pids = wait_until(lambda: len(frontends(parent, port)) == 2 and frontends(parent, port), 180, 0.2)
        relayed: dict[int, int] = {}
        for n in range(64):
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
                pid = owner(connection_inode(port, client.sock.getsockname()[1]), pids)
                client.sendmail("a@example.ac.uk", ["b@example.org"], f"Subject: n{n}\r\n\r\nhello\r\n")
            relayed[pid] = relayed.get(pid, 0) + 1
            if len(relayed) == 2 and n >= 5:
                break
        assert len(relayed) == 2
        sent = sum(relayed.values())
        wait_until(lambda: scraped(metrics_port, passed) == sent, 60, 0.2)
        assert scraped(metrics_port, passed) == sent
        assert scraped(metrics_port, "gateway_message_seconds_count") == sent
        (metrics_socket,) = listening_inodes(metrics_port)
        serving = owner(metrics_socket, pids)
        (second,) = [p for p in pids if p != serving]
        os.kill(second, signal.SIGKILL)  # the front end without the metrics port dies with its counts
        wait_until(lambda: (f := frontends(parent, port)) and len(f) == 2 and second not in f, 180, 0.2)
        assert scraped(metrics_port, passed) == sent
        assert serving in frontends(parent, port)
    finally:
        gw.stop()
