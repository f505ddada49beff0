"""MX selection: preference order, shuffled ties, implicit MX, null MX, hosts without addresses."""

from __future__ import annotations

import asyncio
import random

import pytest

from gateway.relay.dns import DnsError, mx_hosts


class FakeLookup:
    """Answers from tables; a name in `broken` fails like a SERVFAIL."""

    def __init__(
        self,
        mx: dict[str, list[tuple[int, str]] | None],
        addresses: dict[str, list[str]],
        broken: set[str] = frozenset(),
    ) -> None:
        self.mx_table, self.addresses_table, self.broken = mx, addresses, broken

    async def mx(self, domain: str) -> list[tuple[int, str]] | None:
        if domain not in self.mx_table:
            raise DnsError(f"{domain}: no such domain")
        return self.mx_table[domain]

    async def addresses(self, host: str) -> list[str]:
        if host in self.broken:
            raise DnsError(f"{host}: SERVFAIL")
        return self.addresses_table.get(host, [])


def run(
    lookup: FakeLookup, domain: str = "example.ac.uk", seed: int = 1
) -> list[tuple[str, tuple[str, ...]]]:
    hosts = asyncio.run(mx_hosts(domain, lookup, random.Random(seed)))
    return [(h.name, h.addresses) for h in hosts]


def test_hosts_in_preference_order_with_their_addresses() -> None:
    """Lower preference first; each host carries its IPv4 and IPv6 addresses."""
    lookup = FakeLookup(
        {"example.ac.uk": [(20, "b.mx"), (10, "a.mx")]},
        {"a.mx": ["192.0.2.1", "2001:db8::1"], "b.mx": ["192.0.2.2"]},
    )
    assert run(lookup) == [("a.mx", ("192.0.2.1", "2001:db8::1")), ("b.mx", ("192.0.2.2",))]


def test_equal_preferences_are_shuffled() -> None:
    """Hosts of equal preference come in random order (RFC 5321 5.1), so load spreads."""
    lookup = FakeLookup(
        {"example.ac.uk": [(10, f"h{i}") for i in range(6)]}, {f"h{i}": ["192.0.2.9"] for i in range(6)}
    )
    orders = {tuple(name for name, _ in run(lookup, seed=s)) for s in range(10)}
    assert len(orders) > 1


def test_no_mx_means_the_domain_itself() -> None:
    """Without MX records the domain's own address records are used (implicit MX)."""
    lookup = FakeLookup({"example.ac.uk": None}, {"example.ac.uk": ["192.0.2.5"]})
    assert run(lookup) == [("example.ac.uk", ("192.0.2.5",))]


def test_hosts_without_addresses_are_skipped() -> None:
    """An MX host that does not resolve is skipped, the next one is used."""
    lookup = FakeLookup(
        {"example.ac.uk": [(10, "gone.mx"), (20, "broken.mx"), (30, "ok.mx")]},
        {"ok.mx": ["192.0.2.3"]},
        broken={"broken.mx"},
    )
    assert run(lookup) == [("ok.mx", ("192.0.2.3",))]


@pytest.mark.parametrize(
    "lookup",
    [
        FakeLookup({}, {}),  # NXDOMAIN
        FakeLookup({"example.ac.uk": [(0, ".")]}, {}),  # null MX
        FakeLookup({"example.ac.uk": [(10, "a.mx")]}, {}),  # no host has an address
    ],
    ids=["nxdomain", "null-mx", "no-address"],
)
def test_nothing_to_try_is_a_dns_error(lookup: FakeLookup) -> None:
    """When no host can be tried the lookup fails (the client then gets a 4xx, not a bounce)."""
    with pytest.raises(DnsError):
        run(lookup)
