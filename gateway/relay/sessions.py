"""Who may hold a session with the relay, how many at once, and for how long.

`Sessions` is the relay's door: clients outside `smtp.allowed_clients` are
refused, a full house (`smtp.max_sessions`), too many sessions from one address
(`smtp.max_sessions_per_client`) or a shutdown gets 421, and when every
session is taken, sessions whose client has not completed a line for
`stress_timeout` are cut to make room (Postfix's smtpd_timeout under stress).
It also keeps the drain on shutdown and the tasks that close next-hop links.
`SessionLimits` carries the per-client cap and the client's time limits,
which the SMTP dialogue (gateway.relay.smtp) enforces.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any, Protocol

from aiosmtpd.smtp import Session

from gateway.model.clients import networks, peer_allowed
from gateway.relay.reply import (
    CLIENT_NOT_ALLOWED,
    SHUTTING_DOWN,
    TIMED_OUT,
    TOO_MANY_FROM_CLIENT,
    TOO_MANY_SESSIONS,
    Reply,
)


class Client(Protocol):
    """What the door needs to know of one SMTP session (gateway.relay.smtp.GatewaySMTP)."""

    session: Session | None
    transport: Any
    closing: bool
    busy: bool
    last_line: float

    @property
    def waiting_on_client(self) -> bool: ...

    def cut(self, reply: Reply, reason: str) -> None: ...


@dataclasses.dataclass(frozen=True)
class SessionLimits:
    """How long a client may take, and how many sessions one address may hold (see smtp settings)."""

    per_client: int = 0  # 0: no cap but max_sessions
    command: float = 300.0
    stress: float = 10.0
    data: float = 600.0
    session: float = 1800.0

    @classmethod
    def of(cls, smtp: Any) -> SessionLimits:
        return cls(
            per_client=smtp.max_sessions_per_client,
            command=smtp.command_timeout,
            stress=smtp.stress_timeout,
            data=smtp.data_timeout,
            session=smtp.session_timeout,
        )


class Sessions:
    """Who may connect, how many at once, and the drain on shutdown."""

    def __init__(
        self,
        allowed_clients: tuple[str, ...],
        max_sessions: int,
        metrics: Any = None,
        links: Any = None,
        limits: SessionLimits | None = None,
    ) -> None:
        self.links = links  # a nexthop.LinkCache for sessions whose transaction is over, or None
        self.networks = networks(allowed_clients)
        self.max_sessions = max_sessions
        self.limits = limits or SessionLimits()
        self.metrics = metrics
        self.active: set[Client] = set()
        self.draining = False
        self.tasks: set[asyncio.Task[Any]] = set()  # link closes still running

    def allows(self, peer: Any) -> bool:
        return peer_allowed(peer, self.networks)

    def refusal(self, proto: Client) -> tuple[str, Reply] | None:
        """Why this new session must be turned away, if it must."""
        if not self.allows(proto.session.peer if proto.session else None):
            return "not_allowed", CLIENT_NOT_ALLOWED
        if self.draining:
            return "shutting_down", SHUTTING_DOWN
        per_client = self.limits.per_client
        if per_client:
            peer = _peer_ip(proto.session)
            if sum(1 for p in self.active if not p.closing and _peer_ip(p.session) == peer) > per_client:
                return "per_client", TOO_MANY_FROM_CLIENT
        if self._open() > self.max_sessions:
            self._make_room(proto)
            if self._open() > self.max_sessions:
                return "saturated", TOO_MANY_SESSIONS
        return None

    def _open(self) -> int:
        return sum(1 for p in self.active if not p.closing)

    def _make_room(self, newcomer: Client) -> None:
        """Full house: cut the sessions whose client has not completed a line for stress_timeout."""
        now = asyncio.get_running_loop().time()
        for p in list(self.active):
            if p is not newcomer and p.waiting_on_client and now - p.last_line >= self.limits.stress:
                p.cut(TIMED_OUT, "stress")

    def add(self, proto: Client) -> None:
        self.active.add(proto)
        self._gauge()

    def discard(self, proto: Client) -> None:
        self.active.discard(proto)
        self._gauge()

    @property
    def busy(self) -> int:
        return sum(1 for p in self.active if p.busy)

    def spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _gauge(self) -> None:
        if self.metrics is not None:
            self.metrics.sessions.set(len(self.active))


def _peer_ip(session: Session | None) -> str:
    peer = session.peer if session is not None else None
    return str(peer[0]) if isinstance(peer, tuple) and peer else ""
