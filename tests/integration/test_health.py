"""`gateway health` against a running `gateway serve`, and against each part broken in turn."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.cli import main
from gateway.commands.health import run_checks
from gateway.config import load_settings
from gateway.metrics import Metrics, start_metrics_server
from gateway.server import health_probe
from tests.integration.servers import GatewayProcess, free_port, wait_until, write_config

pytestmark = pytest.mark.integration


def _config(tmp_path: Path, **sections: dict[str, Any]) -> Path:
    policy = tmp_path / "policies" / "empty.yaml"
    policy.parent.mkdir(exist_ok=True)
    policy.write_text("rules: []\n")
    base: dict[str, Any] = {
        "state_dir": str(tmp_path / "state"),
        "policies": [str(policy.parent)],
        "smtp": {"listen": f"127.0.0.1:{free_port()}", "next_hop": "maildir:mail"},
        "milter": {"listen": f"127.0.0.1:{free_port()}"},
        "web": {"listen": f"127.0.0.1:{free_port()}"},
        "metrics": {"listen": f"127.0.0.1:{free_port()}"},
        "pipeline": {"workers": 1},
    }
    for name, body in sections.items():
        base[name] = {**base.get(name, {}), **body}
    return write_config(tmp_path / "gateway.toml", base)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    """One `gateway serve` with every listener on (loading the models takes a while)."""
    tmp = tmp_path_factory.mktemp("health")
    config = _config(tmp)
    settings = load_settings(config, env={})
    port = int(settings.smtp.listen.rsplit(":", 1)[1])
    gw = GatewayProcess(config, port=port, log_path=tmp / "gateway.log").start()
    for listen in (settings.web.listen, settings.metrics.listen, settings.milter.listen):
        host, p = listen.rsplit(":", 1)
        wait_until(lambda h=host, q=int(p): _port_open(h, q), 60, 0.1, what=listen)
    yield gw
    gw.stop()


def _port_open(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def test_a_healthy_gateway_passes_every_check(
    served: GatewayProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    """With store, workers, SMTP, milter and web UI all up, `gateway health` prints ok for each and exits 0."""
    assert main(["--config", str(served.config), "health"]) == 0
    out = capsys.readouterr().out
    for part in ("store", "workers", "smtp", "milter", "web"):
        assert any(line.startswith(f"ok   {part}") for line in out.splitlines()), out
    assert "1 of 1 inspection workers alive" in out


def _with(served: GatewayProcess, tmp_path: Path, **sections: dict[str, Any]) -> Path:
    """The served gateway's configuration with some settings changed (as a broken node would have)."""
    settings = load_settings(served.config, env={})
    listeners = {
        "state_dir": settings.state_dir,
        "policies": list(settings.policies),
        "smtp": {"listen": settings.smtp.listen, "next_hop": "maildir:mail"},
        "milter": {"listen": settings.milter.listen},
        "web": {"listen": settings.web.listen},
        "metrics": {"listen": settings.metrics.listen},
    }
    for name, body in sections.items():
        listeners[name] = {**listeners.get(name, {}), **body}
    return write_config(tmp_path / "broken.toml", listeners)


def _dead() -> str:
    return f"127.0.0.1:{free_port()}"


@pytest.mark.parametrize(
    ("part", "change"),
    [
        ("store", {"database": {"url": "postgresql://gw@127.0.0.1:1/gateway"}}),
        ("workers", {"metrics": {"listen": _dead()}}),
        ("smtp", {"smtp": {"listen": _dead()}}),
        ("milter", {"milter": {"listen": _dead()}}),
        ("web", {"web": {"listen": _dead()}}),
    ],
)
def test_each_unhealthy_part_is_named_and_fails_the_command(
    served: GatewayProcess,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    part: str,
    change: dict[str, dict[str, Any]],
) -> None:
    """A part that does not answer makes `gateway health` exit 1 naming that part, and only that part."""
    config = _with(served, tmp_path, **change)
    assert main(["--config", str(config), "health", "--timeout", "3"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == f"unhealthy: {part}"
    assert any(line.startswith(f"FAIL {part}") for line in out.splitlines())


def test_smtp_refusing_the_loopback_address_is_unhealthy(tmp_path: Path) -> None:
    """A relay that greets with 554 (client not allowed) is reported unhealthy, not alive."""
    server = _FakeServer(b"554 5.7.1 client not allowed\r\n")
    config = _config(tmp_path, smtp={"listen": f"127.0.0.1:{server.port}"})
    [check] = [c for c in run_checks(load_settings(config, env={}), timeout=3) if c.part == "smtp"]
    server.close()
    assert not check.healthy and "554" in check.detail and "allowed_clients" in check.detail


def test_milter_port_that_closes_at_once_is_unhealthy(tmp_path: Path) -> None:
    """A port that accepts and hangs up without negotiating is not a milter."""
    server = _FakeServer(b"")
    config = _config(tmp_path, milter={"listen": f"127.0.0.1:{server.port}"})
    [check] = [c for c in run_checks(load_settings(config, env={}), timeout=3) if c.part == "milter"]
    server.close()
    assert not check.healthy and "without negotiating" in check.detail


def test_switched_off_listeners_are_skipped(tmp_path: Path) -> None:
    """An empty listen setting (a milter-only node, no UI) is skipped, not failed."""
    config = _config(tmp_path, smtp={"listen": ""}, web={"listen": ""}, milter={"listen": ""})
    checks = {c.part: c for c in run_checks(load_settings(config, env={}), skip={"store", "workers"})}
    assert all(checks[p].skipped and checks[p].healthy for p in ("smtp", "web", "milter"))


class _FakePool:
    def __init__(self, alive: list[bool]) -> None:
        self.size = len(alive)
        self.workers = [type("W", (), {"alive": a})() for a in alive]


class _FakePipeline:
    workers = 2

    def __init__(self, alive: list[bool]) -> None:
        self.pool = _FakePool(alive)


@pytest.mark.parametrize(
    ("alive", "healthy"),
    [([True, True], True), ([False, True], True), ([False, False], False), ([], False)],
)
def test_workers_unhealthy_when_none_is_alive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], alive: list[bool], healthy: bool
) -> None:
    """/healthz answers 503 when no inspection worker is alive, and `gateway health` names the workers."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    port = free_port()
    server = start_metrics_server(
        f"127.0.0.1:{port}", Metrics(), health=health_probe(_FakePipeline(alive), loop)
    )  # type: ignore[arg-type]
    assert server is not None
    try:
        config = _config(tmp_path, metrics={"listen": f"127.0.0.1:{port}"})
        [check] = [c for c in run_checks(load_settings(config, env={}), timeout=5) if c.part == "workers"]
    finally:
        server.close()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
    assert check.healthy is healthy
    assert ("no inspection worker alive" in check.detail) is not healthy


def test_an_event_loop_that_does_not_answer_is_unhealthy() -> None:
    """A gateway whose event loop is stuck answers /healthz with 503 (it serves no mail either)."""
    stuck = asyncio.new_event_loop()  # never run: nothing it is asked to do gets done
    healthy, details = health_probe(_FakePipeline([True]), stuck)()  # type: ignore[arg-type]
    stuck.run_until_complete(asyncio.sleep(0))  # let the abandoned question be cancelled cleanly
    stuck.close()
    assert not healthy and "event loop" in details["problem"]


def test_busy_metrics_port_is_a_clean_configuration_error() -> None:
    """A metrics port already in use is a ConfigError naming metrics.listen, not a traceback."""
    from gateway.errors import ConfigError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match="cannot listen") as refused:
            start_metrics_server(f"127.0.0.1:{port}", Metrics())
    assert "metrics.listen" in str(refused.value)


class _FakeServer:
    """Accepts one connection at a time, says `greeting` (maybe nothing), reads a little and hangs up."""

    def __init__(self, greeting: bytes) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.greeting = greeting
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.sendall(self.greeting)
                conn.settimeout(2)
                with contextlib.suppress(OSError):
                    conn.recv(1024)  # what the client says first, then hang up

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the serving thread
        self.sock.close()
        self._thread.join(5)


def test_milter_only_node_serves_without_the_relay_listener(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`smtp.listen = ""` starts `serve` without the relay (milter-only); health skips smtp and passes."""
    config = _config(tmp_path, smtp={"listen": ""}, web={"listen": ""})
    settings = load_settings(config, env={})
    milter_port = int(settings.milter.listen.rsplit(":", 1)[1])
    gw = GatewayProcess(config, port=milter_port, log_path=tmp_path / "gateway.log").start()
    try:
        metrics_port = int(settings.metrics.listen.rsplit(":", 1)[1])
        wait_until(lambda: _port_open("127.0.0.1", metrics_port), 60, 0.1, what="metrics")
        assert main(["--config", str(config), "health"]) == 0
    finally:
        gw.stop()
    out = capsys.readouterr().out
    assert "skip smtp     switched off" in out and "ok   milter" in out
    assert "relay listening" not in gw.log()
