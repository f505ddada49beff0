"""`gateway serve --processes N`: N front-end processes sharing the SMTP and milter ports.

One event loop reads every SMTP session, answers the milter and drafts the
sender notices; on a host with many cores it becomes the bottleneck long
before the inspection workers do. With `frontend.processes = N` (or
`--processes N`) this module starts N copies of `gateway.server.serve`, each
a process of its own with its own event loop and its own share of the
inspection workers, and each listening on the same SMTP (and TCP milter)
address with SO_REUSEPORT, so the kernel spreads new connections across
them.

- Workers: the `pipeline.workers` budget (0 = one per CPU) is divided
  between the processes, at least one each; the total is what the
  configuration says, not N times it.
- Port 0 (tests, tools) is resolved once here to a concrete port, so every
  process listens on the same one.
- Only the first process serves what a port cannot share: the metrics
  endpoint and the review UI, and a milter on a Unix socket. The metrics it
  serves are every front end's, summed: they record into files in a
  folder this process makes for the run (`gateway.metrics`). Every process
  has the quarantine and the notification outbox (its worker claims rows
  with a lease, so a notice goes once).
- SIGTERM or SIGINT to this process is passed to every front end, each of
  which finishes its messages in flight and exits; the exit status is the
  worst of theirs. A front end that dies unexpectedly is started again; one
  that stops on a configuration error (exit 2) stops them all.
- A front end whose parent is gone (kill -9 of this process) stops itself.

SO_REUSEPORT lets any process of the same user bind the port as well, so a
second gateway started by mistake would share the traffic rather than fail;
with `processes = 1` (the default) the socket option is not set.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from multiprocessing.process import BaseProcess
from typing import Any

from gateway.config import Settings
from gateway.config.load import parse_hostport
from gateway.logs import configure_logging

log = logging.getLogger("gateway.frontend")

#: a front end that dies is started again at most this often
RESTART_SECONDS = 1.0
#: exit status of `gateway serve` on a configuration error (gateway.cli)
CONFIG_ERROR = 2
#: how often the processes look after each other (a dead child, a dead parent)
POLL_SECONDS = 0.2


def worker_shares(total: int, processes: int) -> list[int]:
    """Inspection workers per front end: `total` divided as evenly as it goes, at least one each."""
    base, extra = divmod(max(total, processes), processes)
    return [base + (1 if i < extra else 0) for i in range(processes)]


def child_settings(settings: Settings, index: int, workers: int) -> Settings:
    """The settings front end `index` runs with: its workers; ports only the first may hold cleared."""
    pipeline = dataclasses.replace(settings.pipeline, workers=workers)
    out = dataclasses.replace(settings, pipeline=pipeline)
    if index > 0:
        out = dataclasses.replace(
            out,
            metrics=dataclasses.replace(out.metrics, listen=""),
            web=dataclasses.replace(out.web, listen=""),
        )
        if settings.milter.listen and not _is_tcp(settings.milter.listen):
            out = dataclasses.replace(out, milter=dataclasses.replace(out.milter, listen=""))
    return out


def _is_tcp(listen: str) -> bool:
    return not (listen.startswith("unix:") or listen.startswith("/"))


def reserve_ports(settings: Settings) -> tuple[Settings, list[socket.socket]]:
    """Port 0 in `smtp.listen` / a TCP `milter.listen` made concrete, held by a bound (not listening)
    SO_REUSEPORT socket until the front ends have their own, so nobody else takes it meanwhile."""
    held: list[socket.socket] = []

    def concrete(listen: str, key: str) -> str:
        host, port = parse_hostport(listen, key=key)
        if port != 0:
            return listen
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host or "0.0.0.0", 0))
        held.append(sock)
        port = sock.getsockname()[1]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    out = settings
    if settings.smtp.listen:
        smtp = dataclasses.replace(settings.smtp, listen=concrete(settings.smtp.listen, "smtp.listen"))
        out = dataclasses.replace(out, smtp=smtp)
    if settings.milter.listen and _is_tcp(settings.milter.listen):
        milter = dataclasses.replace(
            settings.milter, listen=concrete(settings.milter.listen, "milter.listen")
        )
        out = dataclasses.replace(out, milter=milter)
    return out, held


def run_frontends(settings: Settings) -> int:
    """Run `settings.frontend.processes` front ends until SIGTERM/SIGINT; the worst exit status."""
    configure_logging(settings.log_level)
    n = max(1, settings.frontend.processes)
    settings, held = reserve_ports(settings)
    total = settings.pipeline.workers or os.cpu_count() or 1
    shares = worker_shares(total, n)
    metrics_dir = _share_metrics()
    ctx = multiprocessing.get_context("spawn")
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    procs: list[BaseProcess] = []
    statuses: list[int] = []
    try:
        procs = [_start(ctx, child_settings(settings, i, shares[i]), i) for i in range(n)]
        log.info(
            "front ends started",
            extra={"count": n, "workers": shares, "smtp": settings.smtp.listen},
        )
        last_restart = [0.0] * n
        while not stop.wait(POLL_SECONDS):
            for i, proc in enumerate(procs):
                if proc.is_alive():
                    continue
                if proc.exitcode == CONFIG_ERROR:
                    log.error("front end stopped on a configuration error", extra={"pid": proc.pid})
                    stop.set()
                    break
                log.error("front end died; starting it again", extra={"pid": proc.pid, "code": proc.exitcode})
                _forget(proc.pid)
                time.sleep(max(0.0, last_restart[i] + RESTART_SECONDS - time.monotonic()))
                last_restart[i] = time.monotonic()
                procs[i] = _start(ctx, child_settings(settings, i, shares[i]), i)
        log.info("stopping front ends")
    finally:
        for proc in procs:
            if proc.is_alive() and proc.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.join()
            statuses.append(proc.exitcode if proc.exitcode is not None else 1)
        for sock in held:
            sock.close()
        if metrics_dir is not None:
            os.environ.pop(_METRICS_ENV, None)
            shutil.rmtree(metrics_dir, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return max((s if s >= 0 else 1 for s in statuses), default=0)


#: gateway.metrics.SHARED_DIR_ENV (not imported here: the parent must not load the metrics library
#: before the variable is set, or its own copy would not record into the folder)
_METRICS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def _share_metrics() -> str | None:
    """A fresh folder the front ends (spawned after this) record their metrics into; None if preset."""
    if os.environ.get(_METRICS_ENV):
        return None  # the operator chose one (and cleans it between runs)
    folder = tempfile.mkdtemp(prefix="gateway-metrics-")
    os.environ[_METRICS_ENV] = folder
    return folder


def _forget(pid: int | None) -> None:
    if pid is not None:
        from gateway.metrics import forget_process

        forget_process(pid)


def _start(ctx: Any, settings: Settings, index: int) -> BaseProcess:
    # not a daemon: a front end starts inspection workers of its own
    proc: BaseProcess = ctx.Process(
        target=_frontend_main, args=(settings, index, os.getpid()), name=f"gateway-frontend-{index}"
    )
    proc.start()
    return proc


def _frontend_main(settings: Settings, index: int, parent: int) -> None:
    """One front end: `gateway.server.serve` with this process's settings; exits with its status."""
    import asyncio

    from gateway.errors import ConfigError
    from gateway.server import serve

    threading.Thread(target=_orphan_watch, args=(parent,), name="gateway-orphan-watch", daemon=True).start()
    try:
        status = asyncio.run(serve(settings))
    except ConfigError as exc:
        configure_logging(settings.log_level)
        log.error("configuration error", extra={"pid": os.getpid(), "reason": exc.key or ""})
        status = CONFIG_ERROR
    raise SystemExit(status)


def _orphan_watch(parent: int) -> None:
    """SIGTERM to this front end once the process that started it is gone (it was killed)."""
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS * 5)
    os.kill(os.getpid(), signal.SIGTERM)
