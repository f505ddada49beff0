"""Front-end processes: the worker budget divided, the ports only one may hold, port 0 made concrete."""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path
from typing import Any

import pytest

import gateway.app
from gateway.cli import main
from gateway.config import Settings, load_settings
from gateway.errors import ConfigError
from gateway.frontend import child_settings, reserve_ports, worker_shares


@pytest.mark.parametrize(
    ("total", "processes", "shares"),
    [
        (2, 1, [2]),
        (2, 2, [1, 1]),
        (5, 2, [3, 2]),
        (16, 4, [4, 4, 4, 4]),
        (1, 3, [1, 1, 1]),  # at least one each: a front end without a worker answers only 451
    ],
)
def test_worker_shares(total: int, processes: int, shares: list[int]) -> None:
    """The pipeline.workers budget is divided between the front ends, at least one worker each."""
    assert worker_shares(total, processes) == shares


def settings(**sections: dict[str, Any]) -> Settings:
    s = Settings()
    for name, values in sections.items():
        s = dataclasses.replace(s, **{name: dataclasses.replace(getattr(s, name), **values)})
    return s


@pytest.mark.parametrize(
    ("milter", "index", "metrics", "web", "milter_after"),
    [
        ("127.0.0.1:8891", 0, "127.0.0.1:9108", "127.0.0.1:8443", "127.0.0.1:8891"),
        ("127.0.0.1:8891", 1, "", "", "127.0.0.1:8891"),  # a TCP milter port is shared
        ("unix:/run/gateway/milter.sock", 1, "", "", ""),  # a Unix socket is not
    ],
)
def test_child_settings(milter: str, index: int, metrics: str, web: str, milter_after: str) -> None:
    """Only the first front end serves metrics and the review UI; each gets its own worker share."""
    s = settings(
        metrics={"listen": "127.0.0.1:9108"}, web={"listen": "127.0.0.1:8443"}, milter={"listen": milter}
    )
    child = child_settings(s, index, 3)
    assert (child.metrics.listen, child.web.listen, child.milter.listen) == (metrics, web, milter_after)
    assert child.pipeline.workers == 3
    assert child.smtp.listen == s.smtp.listen


def test_port_zero_is_made_concrete_and_shareable() -> None:
    """Port 0 becomes one concrete port every front end can bind with SO_REUSEPORT."""
    s, held = reserve_ports(settings(smtp={"listen": "127.0.0.1:0"}, milter={"listen": "127.0.0.1:0"}))
    try:
        ports = [int(x.rpartition(":")[2]) for x in (s.smtp.listen, s.milter.listen)]
        assert all(ports) and len(held) == 2
        other = socket.socket()
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", ports[0]))  # what a front end does; would raise if not shareable
        other.close()
    finally:
        for sock in held:
            sock.close()


def test_fixed_ports_are_left_alone() -> None:
    """A configured port is used as it is, and nothing is held for it."""
    s, held = reserve_ports(settings(smtp={"listen": "127.0.0.1:10025"}))
    assert s.smtp.listen == "127.0.0.1:10025" and held == []


def test_serve_processes_flag_reaches_run_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`gateway serve --processes 3` runs the server with frontend.processes = 3; 0 is refused."""
    seen: list[Settings] = []
    monkeypatch.setattr(gateway.app, "run_server", lambda s: seen.append(s) or 0)
    cfg = tmp_path / "gw.toml"
    cfg.write_text(f'state_dir = "{tmp_path / "state"}"\n')
    assert main(["--config", str(cfg), "serve", "--processes", "3"]) == 0
    assert seen[-1].frontend.processes == 3
    assert main(["--config", str(cfg), "serve", "--processes", "0"]) == 2
    assert len(seen) == 1


def test_processes_key_must_be_positive(tmp_path: Path) -> None:
    """frontend.processes = 0 in the file is a configuration error naming the key."""
    cfg = tmp_path / "gw.toml"
    cfg.write_text(f'state_dir = "{tmp_path / "state"}"\n[frontend]\nprocesses = 0\n')
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert err.value.key == "frontend.processes"
