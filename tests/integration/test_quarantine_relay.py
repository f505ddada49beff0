"""The quarantine behind the real relay: hold commits before 250, 451 when it cannot, release reaches the next hop.

The relay (gateway.relay, on real sockets) holds a message in the real
store; the review actions then release it through the relay's next-hop
client to a real SMTP server, with the original envelope and bytes.
"""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.act.review import ReviewActions
from gateway.relay.deliver import deliver_through
from gateway.relay.nexthop import build_next_hop
from gateway.store.db import Database
from gateway.store.quarantine import QuarantineStore
from tests.integration.gateway_doubles import finding, relay_settings
from tests.integration.servers import RecordingSink
from tests.quarantine_fixtures import make_store, message

pytestmark = pytest.mark.integration

RAW = message()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[QuarantineStore]:
    db = Database("", state_dir=tmp_path / "store")
    yield make_store(db)
    db.close()


def _send(port: int, rcpts: list[str]) -> dict[str, Any]:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as c:
        return c.sendmail("student@example.ac.uk", rcpts, RAW)


def test_hold_is_committed_then_released_to_the_next_hop(
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
    store: QuarantineStore,
    tmp_path: Path,
) -> None:
    """The relay answers 250 only with the message in the store; release delivers it, envelope intact."""
    sink = make_recording_sink()
    gw = make_gateway(f"127.0.0.1:{sink.port}", findings=(finding("HOLD_ME"),), quarantine=store)
    assert _send(gw.port, ["a@mail.example.com", "b@mail.example.com"]) == {}
    assert sink.messages == []
    (held,) = store.messages()
    assert (held.status, held.rule, held.recipients) == (
        "held",
        "test-hold",
        ("a@mail.example.com", "b@mail.example.com"),
    )
    assert store.raw(held.id) == RAW

    settings = relay_settings(tmp_path, f"127.0.0.1:{sink.port}", next_hop_tls="none")
    actions = ReviewActions(store, deliver_through(build_next_hop(settings)))
    result = asyncio.run(actions.release(held.id, actor="cli:test", source="cli"))
    assert result.ok, result.error
    (got,) = sink.messages
    assert (got.mail_from, got.rcpts, got.content) == (
        "student@example.ac.uk",
        ["a@mail.example.com", "b@mail.example.com"],
        RAW,
    )
    assert store.get(held.id).status == "released"  # type: ignore[union-attr]


def test_store_failure_is_451(
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
    store: QuarantineStore,
) -> None:
    """When the quarantine cannot commit (its table is gone), the client gets 451 and nothing is delivered."""
    sink = make_recording_sink()
    gw = make_gateway(f"127.0.0.1:{sink.port}", findings=(finding("HOLD_ME"),), quarantine=store)
    store.db.execute("DROP TABLE quarantine")
    with pytest.raises(smtplib.SMTPDataError) as err:
        _send(gw.port, ["a@mail.example.com"])
    assert err.value.smtp_code == 451
    assert sink.messages == []


def test_release_refused_for_one_recipient_sends_nothing(
    make_recording_sink: Callable[..., RecordingSink], store: QuarantineStore, tmp_path: Path
) -> None:
    """If the next hop refuses any recipient, nothing is sent and the message stays held with that answer."""
    from tests.quarantine_fixtures import decision, envelope

    sink = make_recording_sink(refuse={"b@mail.example.com": "550 5.1.1 No such user"})
    qid = store.hold(
        envelope("student@example.ac.uk", "a@mail.example.com", "b@mail.example.com"), RAW, decision()
    )
    settings = relay_settings(tmp_path, f"127.0.0.1:{sink.port}", next_hop_tls="none")
    result = asyncio.run(
        ReviewActions(store, deliver_through(build_next_hop(settings))).release(
            qid, actor="web:r", source="x"
        )
    )
    assert not result.ok and result.error.startswith("550") and "b@mail.example.com" in result.error
    assert sink.messages == []
    m = store.get(qid)
    assert m is not None and m.status == "held" and m.last_error == result.error
