"""The next-hop session cache and the next_hop setting."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from gateway.config import Settings, SmtpSettings
from gateway.errors import ConfigError
from gateway.relay.client import MxNextHop, SmtpNextHop
from gateway.relay.maildir import MaildirNextHop
from gateway.relay.nexthop import LinkCache, build_next_hop


class Link:
    def __init__(self, name: str) -> None:
        self.name, self.alive, self.closed = name, True, False

    async def close(self) -> None:
        self.closed = True


class Hop:
    def __init__(self) -> None:
        self.made = 0

    def describe(self) -> str:
        return "hop"

    async def connect(self) -> Link:
        self.made += 1
        return Link(f"new{self.made}")


def test_released_session_is_reused_while_fresh() -> None:
    """A session handed back is the next one connect() returns; no new connection is made."""

    async def run() -> None:
        hop = Hop()
        cache = LinkCache(hop, ttl=60)
        first = await cache.connect()
        cache.release(first)
        assert await cache.connect() is first
        assert hop.made == 1

    asyncio.run(run())


def test_expired_or_dead_sessions_are_closed_not_reused() -> None:
    """Past the time limit, or disconnected, a cached session is closed and a new one made."""

    async def run() -> None:
        hop = Hop()
        cache = LinkCache(hop, ttl=0.0)
        old = await cache.connect()
        cache.release(old)
        fresh = await cache.connect()
        assert fresh is not old and hop.made == 2
        dead = await cache.connect()
        dead.alive = False
        LinkCache(hop, ttl=60).release(dead)
        await asyncio.sleep(0)
        assert old.closed and dead.closed

    asyncio.run(run())


def test_cache_is_bounded() -> None:
    """No more than max_idle sessions are kept; the rest are closed."""

    async def run() -> None:
        cache = LinkCache(Hop(), max_idle=2, ttl=60)
        links = [await cache.connect() for _ in range(4)]
        for link in links:
            cache.release(link)
        await asyncio.sleep(0)
        assert [lk.closed for lk in links] == [False, False, True, True]
        await cache.close()
        assert all(lk.closed for lk in links)

    asyncio.run(run())


def settings(next_hop: str) -> Settings:
    return dataclasses.replace(Settings(), smtp=dataclasses.replace(SmtpSettings(), next_hop=next_hop))


@pytest.mark.parametrize(
    ("spec", "kind", "where"),
    [
        ("127.0.0.1:10026", SmtpNextHop, ("127.0.0.1", 10026)),
        ("mx:relay.example.ac.uk", MxNextHop, ("relay.example.ac.uk", 25)),
        ("mx:relay.example.ac.uk:2525", MxNextHop, ("relay.example.ac.uk", 2525)),
    ],
)
def test_next_hop_forms(spec: str, kind: type, where: tuple[str, int]) -> None:
    """host:port is a smarthost; mx:domain[:port] looks up MX records (port 25 unless given)."""
    hop = build_next_hop(settings(spec))
    assert isinstance(hop, kind)
    assert (getattr(hop, "host", None) or hop.domain, hop.port) == where  # type: ignore[attr-defined]


def test_maildir_next_hop() -> None:
    """maildir:PATH delivers locally."""
    assert isinstance(build_next_hop(settings("maildir:/tmp/x")), MaildirNextHop)


def test_bad_mx_spec_names_the_key() -> None:
    """A malformed mx: value is a configuration error naming smtp.next_hop."""
    with pytest.raises(ConfigError, match=r"smtp\.next_hop"):
        build_next_hop(settings("mx:relay.example.ac.uk:port"))


def test_idle_sessions_are_closed_without_further_traffic() -> None:
    """A cached session is closed (QUIT) once idle for ttl, even if no more mail ever comes."""

    async def run() -> None:
        cache = LinkCache(Hop(), ttl=0.01)
        link = await cache.connect()
        cache.release(link)
        assert not link.closed  # kept for the next message...
        for _ in range(1000):  # ...and closed by the cache's own timer, not by a later message
            if link.closed:
                break
            await asyncio.sleep(0.01)
        assert link.closed
        assert cache.take() is None

    asyncio.run(run())
