"""The relay passes the gateway's own signed mail (a release that loops back) and inspects the rest."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Callable
from typing import Any

import pytest

from gateway.model import Envelope
from gateway.model.passmark import HEADER, PassMark
from gateway.relay.deliver import deliver_through
from gateway.relay.nexthop import build_next_hop
from tests.integration.gateway_doubles import MemoryQuarantine, finding, relay_settings
from tests.integration.servers import RecordingSink

pytestmark = pytest.mark.integration

MARK = PassMark((b"fleet key, shared by every node.",))
ENV = Envelope("student@example.ac.uk", ("friend@example.org",))
RAW = b"From: student@example.ac.uk\r\nTo: friend@example.org\r\nSubject: notes\r\n\r\nThe notes.\r\n"


def _relay(make_gateway: Callable[..., Any], sink: RecordingSink, quarantine: MemoryQuarantine) -> Any:
    """A relay whose policy holds everything it inspects, with the fleet's pass mark."""
    gw = make_gateway(f"127.0.0.1:{sink.port}", findings=(finding("HOLD_ME"),), quarantine=quarantine)
    gw.relay.handler.pass_mark = MARK  # as `serve` wires it (load_pass_mark)
    return gw


def test_signed_release_passes_the_relay_once(
    make_gateway: Callable[..., Any], make_recording_sink: Callable[..., RecordingSink], tmp_path: Any
) -> None:
    """A release signed by the fleet and routed back through the relay is delivered, not held again."""
    sink, quarantine = make_recording_sink(), MemoryQuarantine()
    gw = _relay(make_gateway, sink, quarantine)
    back_through_relay = relay_settings(tmp_path, f"127.0.0.1:{gw.port}", next_hop_tls="none")
    asyncio.run(deliver_through(build_next_hop(back_through_relay), MARK)(ENV, RAW))
    (got,) = sink.messages
    assert got.rcpts == ["friend@example.org"] and got.content.endswith(RAW)
    assert got.content.startswith(f"{HEADER}: v=1;".encode())
    assert quarantine.held == []


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(f"{HEADER}: v=1; t=1900000000; n=00; k=00000000; m=00\r\n".encode() + RAW, id="forged"),
        pytest.param(
            PassMark((b"a student's own key, not ours...",)).sign(ENV, RAW), id="signed with another key"
        ),
        pytest.param(
            MARK.sign(ENV, RAW).replace(b"The notes.", b"Patient list."), id="mark on other content"
        ),
    ],
)
def test_forged_or_copied_marks_are_inspected(
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
    raw: bytes,
) -> None:
    """A mark that does not verify for this content and envelope is ignored: the message is held."""
    sink, quarantine = make_recording_sink(), MemoryQuarantine()
    gw = _relay(make_gateway, sink, quarantine)
    with smtplib.SMTP("127.0.0.1", gw.port, timeout=30) as client:
        client.sendmail(ENV.mail_from, list(ENV.rcpt_tos), raw)
    assert sink.messages == [] and len(quarantine.held) == 1
