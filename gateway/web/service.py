"""The review UI as a service of `gateway serve`: uvicorn on [web] listen, in the same event loop.

`start_web` binds the socket itself (so a port in use is a clear error at
start-up, and port 0 works for tests), then runs uvicorn as a task. The
access log is off: URLs carry search terms, which may name a patient; the
audit log records every request instead, without content.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn

from gateway.config import Settings, parse_hostport
from gateway.errors import ConfigError
from gateway.store.held import Deliver, OnDecision
from gateway.store.quarantine import QuarantineStore
from gateway.web.app import create_app

log = logging.getLogger(__name__)


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handlers: `gateway serve` owns SIGTERM/SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebService:
    def __init__(self, server: _EmbeddedServer, task: asyncio.Task[None], sock: socket.socket) -> None:
        self._server = server
        self._task = task
        self._sock = sock
        host, port = sock.getsockname()[:2]
        self.host, self.port = str(host), int(port)

    @property
    def url(self) -> str:
        scheme = "https" if self._server.config.ssl_certfile else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    async def close(self) -> None:
        self._server.should_exit = True
        try:
            await asyncio.wait_for(self._task, timeout=10)
        except TimeoutError:
            self._server.force_exit = True
            self._task.cancel()
        except asyncio.CancelledError:
            pass
        finally:
            self._sock.close()


def _bind(listen: str) -> socket.socket:
    host, port = parse_hostport(listen, key="web.listen")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {listen}: {exc.strerror}", key="web.listen") from exc
    sock.listen(128)
    sock.setblocking(False)
    return sock


async def start_web(
    settings: Settings,
    pipeline: object | None,
    quarantine: QuarantineStore | None = None,
    deliver: Deliver | None = None,
    *,
    on_decision: OnDecision | None = None,
    **app_options: Any,
) -> WebService:
    """Start the review UI on settings.web.listen; `await service.close()` stops it.

    `pipeline` is accepted for the wiring's uniform call and not used: the UI
    shows what the quarantine stored, it does not rescan. Without `deliver`
    the UI runs, but release is refused with a clear message.
    """
    if quarantine is None and isinstance(pipeline, QuarantineStore):
        quarantine = pipeline  # the short call start_web(settings, quarantine)
    if quarantine is None:
        raise ConfigError("the review UI needs the quarantine store", key="web.listen")
    if deliver is None:
        log.warning("review UI started without a next hop: release is unavailable")
    app = await asyncio.to_thread(
        create_app, settings, quarantine, deliver=deliver, on_decision=on_decision, **app_options
    )
    sock = _bind(settings.web.listen)
    web = settings.web
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        server_header=False,
        proxy_headers=bool(web.tls_proxy),
        forwarded_allow_ips="127.0.0.1,::1" if web.tls_proxy else "",
        ssl_certfile=web.tls_cert or None,
        ssl_keyfile=web.tls_key or None,
        timeout_graceful_shutdown=5,
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="review-ui")
    while not server.started:
        if task.done():
            sock.close()
            exc = task.exception()
            raise ConfigError(f"the review UI did not start: {exc!r}", key="web.listen")
        await asyncio.sleep(0.01)
    service = WebService(server, task, sock)
    log.info("review UI listening", extra={"url": service.url})
    return service
