"""The SMTP front end's own rules: who may connect, how many, and the handler contract."""

from __future__ import annotations

import asyncio

import pytest
from aiosmtpd.smtp import SMTP

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


class Relays:
    async def handle_DATA(self, *args: object) -> str:
        return "250 OK"


ADDRESS_ARGS = [
    "<student@example.ac.uk>",
    "<student@example.ac.uk> SIZE=1200 BODY=8BITMIME",
    "  <a.b+c@example.ac.uk>  NOTIFY=SUCCESS,FAILURE",
    "student@example.ac.uk",
    "student@example.ac.uk SIZE=10",
    "<>",
    "<@relay.example:student@example.ac.uk>",
    '<"quoted name"@example.ac.uk>',
    "<student@example.ac.uk",
    "<not an address>",
    "@@@",
    "",
    "<" + "x" * 65 + "@example.ac.uk>",
]


@pytest.mark.parametrize("local_part_limit", [0, 64])
def test_address_parse_answers_as_aiosmtpds_own(local_part_limit: int) -> None:
    """MAIL/RCPT addresses parse exactly as aiosmtpd parses them, asked once, twice, or in any order."""
    loop = asyncio.new_event_loop()
    try:
        ours = GatewaySMTP(Relays(), sessions=Sessions(("127.0.0.0/8",), 1), loop=loop)
        theirs = GatewaySMTP(Relays(), sessions=Sessions(("127.0.0.0/8",), 1), loop=loop)
        ours.local_part_limit = theirs.local_part_limit = local_part_limit
        for arg in [*ADDRESS_ARGS, *ADDRESS_ARGS[::-1], *(a for a in ADDRESS_ARGS for _ in range(2))]:
            assert ours._getaddr(arg) == SMTP._getaddr(theirs, arg), arg
    finally:
        loop.close()
