"""The metrics endpoint on a real socket: it serves the counters and does not name its server software."""

from __future__ import annotations

import http.client

import pytest

from gateway.metrics import Metrics, start_metrics_server

pytestmark = pytest.mark.integration


def test_endpoint_does_not_name_its_server_software() -> None:
    """/metrics answers without a `Server: WSGIServer/... CPython/...` header, and serves the counters."""
    m = Metrics()
    m.message("hold", 0.1)
    server = start_metrics_server("127.0.0.1:0", m)
    assert server is not None
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/metrics")
        r = conn.getresponse()
        body = r.read().decode()
        conn.request("GET", "/metrics", headers={"X": "y" * 70000})  # refused before the app runs
        bad = conn.getresponse()
        bad.read()
        conn.close()
    finally:
        server.close()
    assert r.status == 200 and 'gateway_messages_total{verdict="hold"} 1.0' in body
    assert r.getheader("Server") is None
    assert "Python" not in (bad.getheader("Server") or "")
