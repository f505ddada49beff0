"""A private PostgreSQL server for tests: Debian's package, a temp data folder, a free port.

PostgreSQL refuses to run as root, so initdb and pg_ctl run as the
`postgres` user in a folder it owns (see shared/reference/test-servers.md).
One server per test session; each test that asks for `postgres_url` gets a
fresh database in it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL prefix of a running private PostgreSQL server (postgresql://gw@127.0.0.1:PORT)."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.fail("PostgreSQL server binaries not installed: run scripts/install-test-deps")
    base = Path(tempfile.mkdtemp(prefix="gw-pg-"))
    base.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data = base / "data"
    port = _free_port()
    r = _as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "gw", "--no-sync"])
    assert r.returncode == 0, r.stderr
    r = _as_postgres(
        [
            pg_ctl,
            "-D",
            str(data),
            "-w",
            "-l",
            str(base / "log"),
            "-o",
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ]
    )
    assert r.returncode == 0, (
        r.stderr + (base / "log").read_text(errors="replace") if (base / "log").exists() else ""
    )
    try:
        yield f"postgresql://gw@127.0.0.1:{port}"
    finally:
        _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture()
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty database on the private server."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{postgres_server}/{name}"
