"""Which clients a listener talks to: the allow-lists of networks in `[smtp]` and `[milter]`."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(cidrs: Iterable[str]) -> list[Network]:
    """The allow-list's networks ("10.0.0.0/8", "::1/128"; host bits allowed)."""
    return [ipaddress.ip_network(c, strict=False) for c in cidrs]


def peer_allowed(peer: Any, allowed: Sequence[Network]) -> bool:
    """A socket's peer (its `getpeername()` tuple) is inside one of the networks; an IPv4 client
    seen on an IPv6 socket (::ffff:a.b.c.d) counts as its IPv4 address; no address is no."""
    host = peer[0] if isinstance(peer, tuple) and peer else ""
    try:
        ip = ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in allowed)
