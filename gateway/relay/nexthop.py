"""The next hop: where the relay hands a message on, and the session it keeps with it.

The relay works in lockstep with the next hop, as Postfix's own
before-queue proxy does: a `Link` is opened when the client says MAIL,
every RCPT is forwarded and its answer returned, and DATA goes on only
after inspection. So the client learns every recipient-level refusal
while it still owns the message, and the relay never invents a bounce.

A `Link` answers each command with a `Reply` (whatever the next hop said)
and raises `TemporaryDeliveryError` when the next hop could not be
reached or the connection broke: the client then gets a 4xx.

`build_next_hop` reads `smtp.next_hop`:
  "host:port"          a smarthost (`client.SmtpNextHop`);
  "mx:domain[:port]"   MX lookup with failover (`client.MxNextHop`); the port (default 25)
                       is there for tests and unusual set-ups;
  "maildir:PATH"       local delivery (`maildir.MaildirNextHop`), for first runs and tests.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Mapping
from typing import Any, Protocol

from gateway.config import Settings, parse_hostport, resolve_maildir
from gateway.errors import ConfigError
from gateway.relay.params import MailParams, RcptParams
from gateway.relay.reply import Reply


class Link(Protocol):
    """One session with the next hop, mirroring one client session."""

    name: str  # for logs: "smtp:[127.0.0.1]:10026", "maildir:/var/mail"

    @property
    def alive(self) -> bool:
        """Still connected and usable for another transaction."""

    async def mail(self, sender: str, params: MailParams, xforward: Mapping[str, str]) -> Reply:
        """Start a transaction (after XFORWARD, when the next hop takes it)."""

    async def rcpt(self, recipient: str, params: RcptParams) -> Reply:
        """Forward one recipient; the answer goes back to the client as it is."""

    async def data(self, content: bytes) -> Reply:
        """Send the message; a 2xx means the next hop owns it now."""

    async def reset(self) -> None:
        """Abort the transaction without sending the final dot (reject, hold)."""

    async def close(self) -> None:
        """End the session (QUIT)."""


class NextHop(Protocol):
    def describe(self) -> str:
        """What the next hop is, for the start-up log."""

    async def connect(self) -> Link:
        """A new session; raises TemporaryDeliveryError when no host takes it."""


class LinkCache:
    """Idle next-hop sessions kept a few seconds for the next client session (Postfix's connection cache).

    Postfix's before-queue proxy opens one session per message; without the
    cache every message would pay for a TCP connection, a greeting, EHLO and
    QUIT to the next hop. Only sessions with no transaction open are cached;
    one that went stale meanwhile is noticed at MAIL and replaced.

    A cached session is closed (QUIT) once it has been idle for `ttl`, even
    when no more mail comes: left open, it would hold one of the next hop's
    smtpd processes until that side's own timeout (Postfix: 300 s, logged as
    "timeout after RSET"), and a reinjection listener has only a few.
    """

    def __init__(self, inner: NextHop, *, max_idle: int = 16, ttl: float = 5.0) -> None:
        self.inner, self.max_idle, self.ttl = inner, max_idle, ttl
        self._idle: list[tuple[Link, float]] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sweeper: asyncio.TimerHandle | None = None

    def describe(self) -> str:
        return self.inner.describe()

    async def connect(self) -> Link:
        link = self.take()
        return link if link is not None else await self.inner.connect()

    def take(self) -> Link | None:
        """A cached session still fresh and connected, or None."""
        now = time.monotonic()
        while self._idle:
            link, since = self._idle.pop()
            if link.alive and now - since < self.ttl:
                return link
            self._close(link)
        return None

    def release(self, link: Link) -> None:
        """Keep a session whose transaction is over (or close it when the cache is full)."""
        now = time.monotonic()
        fresh = [(lk, t) for lk, t in self._idle if now - t < self.ttl and lk.alive]
        for lk, _ in self._idle:
            if all(lk is not f for f, _ in fresh):
                self._close(lk)
        self._idle = fresh
        if link.alive and len(self._idle) < self.max_idle:
            self._idle.append((link, now))
            self._sweep_later()
        else:
            self._close(link)

    def _sweep_later(self) -> None:
        if self._sweeper is None:
            self._sweeper = asyncio.get_running_loop().call_later(self.ttl, self._sweep)

    def _sweep(self) -> None:
        """Close the sessions idle for `ttl`; come back while some are left."""
        self._sweeper = None
        now = time.monotonic()
        keep = []
        for link, since in self._idle:
            if link.alive and now - since < self.ttl:
                keep.append((link, since))
            else:
                self._close(link)
        self._idle = keep
        if keep:
            oldest = min(since for _, since in keep)
            self._sweeper = asyncio.get_running_loop().call_later(
                max(0.0, oldest + self.ttl - now), self._sweep
            )

    def _close(self, link: Link) -> None:
        task = asyncio.get_running_loop().create_task(link.close())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        idle, self._idle = self._idle, []
        for link, _ in idle:
            self._close(link)
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)


def local_hostname(settings: Settings) -> str:
    """Our name in greetings and EHLO. gethostname, not getfqdn: no DNS on every session."""
    return settings.smtp.hostname or socket.gethostname()


def build_next_hop(settings: Settings) -> NextHop:
    hop = settings.smtp.next_hop
    if hop.startswith("maildir:"):
        from gateway.relay.maildir import MaildirNextHop

        return MaildirNextHop(resolve_maildir(settings), local_hostname(settings))
    from gateway.relay.client import MxNextHop, SmtpNextHop, TlsPolicy

    tls = TlsPolicy.from_settings(settings.smtp)
    common = {
        "local_hostname": local_hostname(settings),
        "timeout": settings.smtp.next_hop_timeout,
        "tls": tls,
    }
    if hop.startswith("mx:"):
        domain, port = _mx_target(hop[3:])
        from gateway.relay.dns import Resolver

        resolver = Resolver(
            settings.smtp.dns_nameservers,
            settings.smtp.dns_port,
            timeout=min(settings.smtp.next_hop_timeout, 10.0),
        )
        return MxNextHop(domain, port, resolver, **common)  # type: ignore[arg-type]
    host, port = parse_hostport(hop, key="smtp.next_hop")
    return SmtpNextHop(host, port, **common)  # type: ignore[arg-type]


def _mx_target(spec: str) -> tuple[str, int]:
    domain, sep, port = spec.rpartition(":")
    if sep and port.isdigit():
        return domain, int(port)
    if ":" in spec:
        raise ConfigError(f"expected mx:domain or mx:domain:port, got {spec!r}", key="smtp.next_hop")
    return spec, 25
