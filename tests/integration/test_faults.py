"""Fault injection at the next hop and in the inspection workers: nothing acknowledged is lost, nothing doubled.

Every case sends a few numbered messages through the real relay while one
part misbehaves, checks the answer the client gets, heals the fault, retries
what was refused with a temporary failure (as the sender's MTA would), and
counts with `Tally`: lost = 0 and duplicates = 0. The store's faults are in
test_faults_store.py, slow clients in test_faults_sessions.py.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import smtplib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.config import PipelineSettings
from gateway.pipeline import Pipeline
from tests.integration.faults import Tally, numbered
from tests.integration.gateway_doubles import relay_settings
from tests.integration.scripted_hop import NORMAL, Drop, Pause, ScriptedHop
from tests.integration.servers import GatewayThread, free_port
from tests.unit.pipeline_doubles import UnkillableForAWhile, misbehaving

pytestmark = pytest.mark.integration

MESSAGES = 3
STEPS = ("greeting", "EHLO", "MAIL", "RCPT", "DATA", "END")


@pytest.fixture
def hop() -> Iterator[ScriptedHop]:
    h = ScriptedHop().start()
    yield h
    h.stop()


def faults() -> dict[str, tuple[dict[str, Any], set[int]]]:
    """Each misbehaviour, and the answers the client may get while it lasts."""
    table: dict[str, tuple[dict[str, Any], set[int]]] = {}
    for step in STEPS:
        table[f"drops the connection at {step}"] = ({step: [Drop()]}, {451})
        table[f"stalls at {step}"] = ({step: [Pause(3)]}, {451})
    for step in ("MAIL", "RCPT", "DATA", "END"):
        table[f"answers 4xx to {step}"] = ({step: b"452 4.3.1 Insufficient system storage\r\n"}, {452})
        table[f"answers 5xx to {step}"] = ({step: b"554 5.7.1 Transaction failed\r\n"}, {554})
    table["answers 421 at the greeting"] = ({"greeting": b"421 4.3.2 busy\r\n"}, {451, 421})
    table["answers the DATA command with 250 (lying)"] = ({"DATA": b"250 2.0.0 Ok\r\n"}, {451})
    table["answers one reply too many after MAIL (lying)"] = (
        {"MAIL": NORMAL["MAIL"] + b"250 2.1.0 Ok again\r\n"},
        {451},
    )
    return table


FAULTS = faults()


@pytest.mark.parametrize(("script", "answers"), FAULTS.values(), ids=FAULTS.keys())
def test_next_hop_fault_loses_and_doubles_nothing(
    make_gateway: Callable[..., Any], hop: ScriptedHop, script: dict[str, Any], answers: set[int]
) -> None:
    """While the next hop misbehaves the client gets its 4xx/5xx or 451, never 250; after it heals, retries pass once."""
    gw = make_gateway(hop.address, next_hop_timeout=1.0)
    hop.script = {k: list(v) if isinstance(v, list) else [v] for k, v in script.items()}
    tally = Tally()
    for n in range(MESSAGES):
        assert tally.send(gw.port, numbered(n)) in answers
    hop.script = {}
    for n in range(MESSAGES):
        if tally.answers[n] // 100 == 4:
            assert tally.send(gw.port, numbered(n)) == 250
    counts = tally.check(hop.accepted, [])
    assert counts["lost"] == counts["duplicates"] == 0, counts
    assert counts["acknowledged"] == counts["taken"] == (MESSAGES if 451 in answers or 452 in answers else 0)


def test_next_hop_down_then_back(make_gateway: Callable[..., Any]) -> None:
    """With nothing listening at the next hop the client gets 451; once it is up, the retries pass once."""
    port = free_port()
    gw = make_gateway(f"127.0.0.1:{port}", next_hop_timeout=1.0)
    tally = Tally()
    for n in range(MESSAGES):
        assert tally.send(gw.port, numbered(n)) == 451
    hop = ScriptedHop()
    hop.port = port
    hop.start()
    try:
        for n in range(MESSAGES):
            assert tally.send(gw.port, numbered(n)) == 250
    finally:
        hop.stop()
    assert tally.check(hop.accepted, []) == {
        "sent": 2 * MESSAGES,
        "acknowledged": MESSAGES,
        "taken": MESSAGES,
        "lost": 0,
        "duplicates": 0,
    }


# --- a frozen inspection worker ------------------------------------------------------------------


@pytest.fixture
def worker_gateway(tmp_path: Path, hop: ScriptedHop) -> Iterator[GatewayThread]:
    """The relay with one real inspection worker process (deadline 2 s)."""
    settings = relay_settings(tmp_path, hop.address)
    settings = dataclasses.replace(
        settings, pipeline=PipelineSettings(workers=1, deadline_seconds=2.0, max_worker_memory_mb=1024)
    )
    pipeline = Pipeline(settings, factory=misbehaving)
    pipeline.start()
    gw = GatewayThread(settings, pipeline).start()
    yield gw
    gw.stop()
    pipeline.close()


def test_frozen_worker_costs_one_451_and_never_the_event_loop(
    worker_gateway: GatewayThread, hop: ScriptedHop
) -> None:
    """A SIGSTOPped worker: EHLO is answered meanwhile, the message gets 451, the worker is replaced, the retry passes."""
    gw = worker_gateway
    pool = gw.relay.handler.pipeline.pool
    (worker,) = pool.workers
    os.kill(worker.pid, signal.SIGSTOP)
    tally = Tally()
    answer: list[int] = []
    sending = threading.Thread(target=lambda: answer.append(tally.send(gw.port, numbered(0))))
    sending.start()
    try:
        with smtplib.SMTP("127.0.0.1", gw.port, timeout=60) as c:
            assert c.ehlo()[0] == 250
            assert c.noop()[0] == 250
    finally:
        sending.join(60)
    assert answer == [451]
    for _ in range(20):  # the replacement is loading meanwhile: 451 until it is ready
        if tally.send(gw.port, numbered(0)) == 250:
            break
    assert tally.check(hop.accepted, []) == {
        "sent": tally.check(hop.accepted, [])["sent"],
        "acknowledged": 1,
        "taken": 1,
        "lost": 0,
        "duplicates": 0,
    }
    with pytest.raises(ProcessLookupError):
        os.kill(worker.pid, 0)


def test_worker_slow_to_die_never_delays_another_session(
    worker_gateway: GatewayThread, hop: ScriptedHop
) -> None:
    """While a worker killed past its deadline has not died yet, a new session's EHLO is answered."""
    gw = worker_gateway
    pool = gw.relay.handler.pipeline.pool
    (worker,) = pool.workers
    slow = UnkillableForAWhile(worker.process)
    worker.process = slow
    tally = Tally()
    answer: list[int] = []
    sending = threading.Thread(target=lambda: answer.append(tally.send(gw.port, numbered(0, "SLEEP"))))
    sending.start()
    try:
        assert slow.joining.wait(60), "the worker was never killed"
        with smtplib.SMTP("127.0.0.1", gw.port, timeout=60) as c:
            assert c.ehlo()[0] == 250  # answered while the killed worker is still being waited for
        assert not slow.released.is_set() and slow.joins_released == []
    finally:
        slow.released.set()
        sending.join(60)
    assert answer == [451]
