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
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app

from gateway.config import parse_hostport

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
        self.sessions = Gauge("gateway_sessions_in_flight", "SMTP sessions open now", registry=r)
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


class _QuietServerHandler(ServerHandler):
    server_software = ""  # no "Server: WSGIServer/0.2 CPython/3.x" header: nothing to fingerprint


class _QuietRequestHandler(WSGIRequestHandler):
    """wsgiref's handler without the Server header and without request logging."""

    def version_string(self) -> str:  # error replies (400, 414) made before the app runs
        return "gateway"

    def log_message(self, format: str, *args: object) -> None:
        pass

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


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def start_metrics_server(listen: str, metrics: Metrics) -> MetricsServer | None:
    """Serve /metrics on `listen` ("host:port"); None when `listen` is empty (disabled)."""
    if not listen:
        return None
    host, port = parse_hostport(listen, key="metrics.listen")
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
    server_class = type("_MetricsServer", (_ThreadingServer,), {"address_family": family})
    server: WSGIServer = make_server(
        host, port, make_wsgi_app(metrics.registry), server_class, handler_class=_QuietRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="metrics", daemon=True)
    thread.start()
    return MetricsServer(server, thread)
