"""Prometheus metrics (prometheus-client's one home) and the HTTP endpoint that serves them.

`Metrics` owns its own registry, so tests and several gateways in one
process never share counters. Front ends record through its methods;
nothing here knows about SMTP or milter. Labels carry verdicts and error
kinds only, never addresses or content.

    gateway_messages_total{verdict}          pass, annotate, hold, reject, tempfail
    gateway_message_seconds                  DATA received -> answer sent
    gateway_inspection_seconds               time in the pipeline
    gateway_next_hop_errors_total{kind}      connect, lost, tempfail, permfail
    gateway_sessions_in_flight               SMTP sessions open now
    gateway_sessions_refused_total{reason}   not_allowed, saturated, shutting_down

With several front-end processes (`gateway.frontend`) the parent names a
shared folder in `PROMETHEUS_MULTIPROC_DIR` before it starts them; each
process then keeps its counters in files there, and the first process's
/metrics reports the sum over all of them (sessions in flight: the live
processes' sum). A front end that dies keeps its counts; its gauge goes.

The same listener answers `GET /healthz` for `gateway health`: what only the
running process knows (its event loop answers, its inspection workers are
alive), as JSON, 200 when healthy and 503 when not. It names counts and
states only, never mail.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app, multiprocess

from gateway.config import parse_hostport
from gateway.errors import ConfigError

#: the running gateway's own view of its health: (healthy, details) -> /healthz
HealthProbe = Callable[[], tuple[bool, dict[str, Any]]]

HEALTH_PATH = "/healthz"
#: prometheus-client's own switch: set, every process of the gateway records into files in this folder
SHARED_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.messages = Counter("gateway_messages", "Messages answered, by verdict", ["verdict"], registry=r)
        self.latency = Histogram(
            "gateway_message_seconds", "From end of DATA to the answer", buckets=_LATENCY_BUCKETS, registry=r
        )
        self.inspection = Histogram(
            "gateway_inspection_seconds",
            "Time in the inspection pipeline",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.next_hop_errors = Counter(
            "gateway_next_hop_errors", "Next-hop failures, by kind", ["kind"], registry=r
        )
        self.sessions = Gauge(
            "gateway_sessions_in_flight", "SMTP sessions open now", registry=r, multiprocess_mode="livesum"
        )
        self.refused = Counter(
            "gateway_sessions_refused", "Sessions refused at connect, by reason", ["reason"], registry=r
        )

    def message(self, verdict: str, seconds: float, inspection_seconds: float | None = None) -> None:
        self.messages.labels(verdict=verdict).inc()
        self.latency.observe(seconds)
        if inspection_seconds is not None:
            self.inspection.observe(inspection_seconds)

    def next_hop_error(self, kind: str) -> None:
        self.next_hop_errors.labels(kind=kind).inc()

    def session_refused(self, reason: str) -> None:
        self.refused.labels(reason=reason).inc()

    def value(self, name: str, labels: dict[str, str] | None = None) -> float:
        """A sample's current value (0 when never recorded): for tests and the status log."""
        v = self.registry.get_sample_value(name, labels or {})
        return 0.0 if v is None else v


def shared_registry() -> CollectorRegistry | None:
    """The sum of every front end's metrics when they share a folder (see the module doc), else None."""
    folder = os.environ.get(SHARED_DIR_ENV)
    if not folder:
        return None
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=folder)
    return registry


def forget_process(pid: int) -> None:
    """A front end is gone: its live gauges no longer count (its counters do)."""
    folder = os.environ.get(SHARED_DIR_ENV)
    if folder:
        multiprocess.mark_process_dead(pid, folder)


@dataclass
class MetricsServer:
    server: WSGIServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_metrics_server(
    listen: str, metrics: Metrics, health: HealthProbe | None = None
) -> MetricsServer | None:
    """Serve /metrics (and /healthz) on `listen` ("host:port"); None when `listen` is empty (disabled).

    A port already in use is a ConfigError naming the setting, as for the SMTP and web ports.
    """
    if not listen:
        return None
    host, port = parse_hostport(listen, key="metrics.listen")
    server_class = _V6Server if ":" in host else _Server
    try:
        server = make_server(
            host, port, _app(metrics, health), server_class=server_class, handler_class=_QuietHandler
        )
    except OSError as exc:
        raise ConfigError(f"cannot listen on {listen}: {exc.strerror}", key="metrics.listen") from exc
    thread = threading.Thread(target=server.serve_forever, name="gateway-metrics", daemon=True)
    thread.start()
    return MetricsServer(server, thread)


def _app(metrics: Metrics, health: HealthProbe | None) -> Callable[..., Iterable[bytes]]:
    exposition = make_wsgi_app(shared_registry() or metrics.registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != HEALTH_PATH:
            return exposition(environ, start_response)  # type: ignore[no-any-return]
        if health is None:
            healthy, details = True, dict[str, Any]()
        else:
            try:
                healthy, details = health()
            except Exception as exc:  # the probe's boundary: an error is an unhealthy answer, not a crash
                healthy, details = False, {"error": type(exc).__name__}
        body = json.dumps({"healthy": healthy, **details}).encode("utf-8")
        status = "200 OK" if healthy else "503 Service Unavailable"
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return app


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _V6Server(_Server):
    address_family = socket.AF_INET6


class _QuietServerHandler(ServerHandler):
    server_software = ""  # no "Server: WSGIServer/0.2 CPython/3.x" header: nothing to fingerprint


class _QuietHandler(WSGIRequestHandler):
    """wsgiref's handler without the Server header and without an access log."""

    def version_string(self) -> str:  # error replies (400, 414) made before the app runs
        return "gateway"

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: scrapes every few seconds would drown the gateway's own log."""

    def handle(self) -> None:  # wsgiref's own handle(), with the quiet ServerHandler
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline, self.request_version, self.command = "", "", ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _QuietServerHandler(
            self.rfile,
            self.wfile,  # type: ignore[arg-type]
            self.get_stderr(),
            self.get_environ(),
            multithread=False,
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(self.server.get_app())  # type: ignore[attr-defined]
