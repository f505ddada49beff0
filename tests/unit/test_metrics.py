"""Metrics: counters by verdict and kind, one registry per Metrics, disabled when not configured."""

from __future__ import annotations

from gateway.metrics import Metrics, start_metrics_server


def test_messages_are_counted_by_verdict_with_latency() -> None:
    """message() counts the verdict and observes both latencies."""
    m = Metrics()
    m.message("pass", 0.02, 0.01)
    m.message("pass", 0.03)
    m.message("hold", 0.5, 0.4)
    assert m.value("gateway_messages_total", {"verdict": "pass"}) == 2
    assert m.value("gateway_messages_total", {"verdict": "hold"}) == 1
    assert m.value("gateway_message_seconds_count") == 3
    assert m.value("gateway_inspection_seconds_count") == 2


def test_registries_are_independent() -> None:
    """Two Metrics objects (two gateways in one test process) never share counts."""
    a, b = Metrics(), Metrics()
    a.next_hop_error("connect")
    assert a.value("gateway_next_hop_errors_total", {"kind": "connect"}) == 1
    assert b.value("gateway_next_hop_errors_total", {"kind": "connect"}) == 0


def test_empty_listen_disables_the_endpoint() -> None:
    """metrics.listen = "" starts no HTTP server."""
    assert start_metrics_server("", Metrics()) is None
