"""The SMTP front end's own rules: who may connect, how many, and the handler contract."""

from __future__ import annotations

import asyncio

import pytest

from gateway.relay.smtp import GatewaySMTP, Sessions


@pytest.mark.parametrize(
    ("peer", "allowed"),
    [
        (("127.0.0.1", 4000), True),
        (("::ffff:127.0.0.1", 4000, 0, 0), True),
        (("::1", 4000, 0, 0), True),
        (("192.0.2.7", 4000), False),
        (("10.1.2.3", 4000), True),
        (None, False),
        (("not-an-ip", 1), False),
    ],
)
def test_allowed_clients(peer: object, allowed: bool) -> None:
    """Only peers inside allowed_clients pass; IPv4-mapped IPv6 counts as IPv4; no address means no."""
    sessions = Sessions(("127.0.0.0/8", "::1/128", "10.0.0.0/8"), 10)
    assert sessions.allows(peer) is allowed


class NoData:
    async def handle_MAIL(self, *args: object) -> str:
        return "250 OK"


def test_handler_without_handle_data_is_refused() -> None:
    """A handler without handle_DATA would make aiosmtpd answer 250 to everything: refused at construction."""
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(TypeError, match="handle_DATA"):
            GatewaySMTP(NoData(), sessions=Sessions(("127.0.0.0/8",), 1), loop=loop)
    finally:
        loop.close()
