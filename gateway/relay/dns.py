"""MX lookup for "mx:" next hops (dnspython's one home).

RFC 5321 section 5.1: MX hosts in preference order, equal preferences in
random order; no MX record means the domain's own A/AAAA records (the
implicit MX); a null MX ("0 .") means the domain takes no mail. IPv4
addresses of a host are tried before IPv6. dnspython's exceptions become
`DnsError` here; the caller answers the client with a 4xx, so a broken
DNS server delays mail and never loses it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import dns.asyncresolver
import dns.exception
import dns.resolver


class DnsError(Exception):
    """The lookup failed (NXDOMAIN, timeout, SERVFAIL, null MX, no address)."""


@dataclass(frozen=True)
class MxHost:
    name: str
    preference: int
    addresses: tuple[str, ...]


class Lookup(Protocol):
    async def mx(self, domain: str) -> list[tuple[int, str]] | None:
        """(preference, host) records; None when the domain has no MX records."""

    async def addresses(self, host: str) -> list[str]:
        """IPv4 then IPv6 addresses of a host; [] when it has none."""


class Resolver:
    """dnspython behind the `Lookup` interface; `nameservers`/`port` point tests at their own server."""

    def __init__(self, nameservers: Sequence[str], port: int = 53, *, timeout: float = 10.0) -> None:
        self._resolver = dns.asyncresolver.Resolver(configure=not nameservers)
        if nameservers:
            self._resolver.nameservers = list(nameservers)
            self._resolver.port = port
        self._resolver.lifetime = timeout
        self._resolver.cache = dns.resolver.LRUCache(1024)  # one lookup per TTL, not per message

    async def mx(self, domain: str) -> list[tuple[int, str]] | None:
        try:
            answer = await self._resolver.resolve(domain, "MX")
        except dns.resolver.NoAnswer:
            return None
        except dns.resolver.NXDOMAIN as exc:
            raise DnsError(f"{domain}: no such domain") from exc
        except dns.exception.DNSException as exc:
            raise DnsError(f"{domain}: {type(exc).__name__}") from exc
        return [(int(r.preference), r.exchange.to_text(omit_final_dot=True)) for r in answer]  # type: ignore[attr-defined]

    async def addresses(self, host: str) -> list[str]:
        out: list[str] = []
        errors = 0
        for rdtype in ("A", "AAAA"):
            try:
                answer = await self._resolver.resolve(host, rdtype)
            except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
                continue
            except dns.exception.DNSException:
                errors += 1
                continue
            out.extend(r.to_text() for r in answer)
        if not out and errors:
            raise DnsError(f"{host}: address lookup failed")
        return out


async def mx_hosts(domain: str, lookup: Lookup, rng: random.Random | None = None) -> list[MxHost]:
    """The hosts to try, in order, each with its addresses. Raises DnsError when there is none."""
    records = await lookup.mx(domain)
    if records is None:
        records = [(0, domain)]  # implicit MX
    if any(host in ("", ".") for _, host in records):
        raise DnsError(f"{domain}: null MX, the domain accepts no mail")
    shuffled = list(records)
    (rng or random).shuffle(shuffled)
    ordered = sorted(shuffled, key=lambda r: r[0])  # stable: equal preferences keep the shuffle
    hosts: list[MxHost] = []
    errors: list[str] = []
    for preference, name in ordered:
        try:
            addresses = await lookup.addresses(name)
        except DnsError as exc:
            errors.append(str(exc))
            continue
        if addresses:
            hosts.append(MxHost(name, preference, tuple(addresses)))
    if not hosts:
        raise DnsError("; ".join(errors) or f"{domain}: no MX host has an address")
    return hosts
