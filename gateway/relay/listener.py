"""The relay's listening socket, and its orderly shutdown.

`start_relay` binds `smtp.listen` and serves one `GatewaySMTP` per
connection. `RelayServer.shutdown` is what SIGTERM does: stop accepting,
let every mail transaction in flight finish (up to the DATA deadline plus
a margin), then tell idle sessions 421 and close them.

Security note: the relay is an open door to the next hop (often Postfix's
reinjection port, which trusts it). It listens on loopback by default and
talks only to `smtp.allowed_clients`; an allowlist that admits the whole
Internet is refused at start.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from typing import Any

from gateway.config import Settings, parse_hostport
from gateway.errors import ConfigError
from gateway.metrics import Metrics
from gateway.model.passmark import PassMark
from gateway.notify.base import Notifies
from gateway.relay.clientcert import ClientCertPolicy
from gateway.relay.handler import Inspects, RelayHandler
from gateway.relay.nexthop import LinkCache, NextHop, build_next_hop, local_hostname
from gateway.relay.reply import SHUTTING_DOWN
from gateway.relay.sessions import Client, SessionLimits, Sessions
from gateway.relay.smtp import GatewaySMTP
from gateway.relay.tls import server_context
from gateway.store.base import Quarantine

log = logging.getLogger(__name__)


class RelayServer:
    def __init__(
        self,
        settings: Settings,
        pipeline: Inspects,
        *,
        quarantine: Quarantine | None = None,
        metrics: Metrics | None = None,
        next_hop: NextHop | None = None,
        notifier: Notifies | None = None,
        pass_mark: PassMark | None = None,
    ) -> None:
        smtp = settings.smtp
        for i, cidr in enumerate(smtp.allowed_clients):
            if ipaddress.ip_network(cidr, strict=False).prefixlen == 0:
                raise ConfigError(f"{cidr} would make an open relay", key=f"smtp.allowed_clients[{i}]")
        self.settings = settings
        self.metrics = metrics or Metrics()
        self.links = LinkCache(next_hop or build_next_hop(settings))
        self.next_hop: NextHop = self.links
        self.sessions = Sessions(
            smtp.allowed_clients, smtp.max_sessions, self.metrics, self.links, SessionLimits.of(smtp)
        )
        self.client_certs = ClientCertPolicy.from_settings(smtp)
        self.handler = RelayHandler(
            pipeline=pipeline,
            next_hop=self.next_hop,
            quarantine=quarantine,
            metrics=self.metrics,
            deadline=smtp.deadline_seconds,
            notifier=notifier,
            check_address=settings.notify.check_address,
            pass_mark=pass_mark,
            client_certs=self.client_certs,
        )
        self.hostname = local_hostname(settings)
        self.tls = server_context(smtp.tls_cert, smtp.tls_key)
        if self.tls is not None:
            self.client_certs.configure(self.tls)
        self.server: asyncio.Server | None = None

    def _protocol(self) -> GatewaySMTP:
        return GatewaySMTP(
            self.handler,
            sessions=self.sessions,
            data_size_limit=self.settings.smtp.max_message_size,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=self.hostname,
            ident="ESMTP compliance gateway",
            tls_context=self.tls,
            require_starttls=self.client_certs.required,
            loop=asyncio.get_running_loop(),
        )

    async def start(self) -> None:
        host, port = parse_hostport(self.settings.smtp.listen, key="smtp.listen")
        loop = asyncio.get_running_loop()
        try:
            # several front-end processes share the port (gateway/frontend.py)
            reuse_port = self.settings.frontend.processes > 1 or None
            self.server = await loop.create_server(
                self._protocol, host or None, port, reuse_address=True, reuse_port=reuse_port
            )
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {self.settings.smtp.listen}: {exc.strerror}", key="smtp.listen"
            ) from exc
        log.info(
            "relay listening",
            extra={
                "listen": f"{host}:{self.port}",
                "next_hop": self.next_hop.describe(),
                "tls": bool(self.tls),
            },
        )

    @property
    def port(self) -> int:
        assert self.server is not None and self.server.sockets
        return int(self.server.sockets[0].getsockname()[1])

    async def shutdown(self, grace: float | None = None) -> None:
        """Stop accepting; finish transactions in flight; close the rest with 421."""
        if self.server is None:
            return
        grace = self.settings.smtp.deadline_seconds + 10 if grace is None else grace
        self.sessions.draining = True
        self.server.close()
        deadline = time.monotonic() + grace
        while self.sessions.busy and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self.sessions.busy:
            log.warning("shutdown grace over, closing busy sessions", extra={"busy": self.sessions.busy})
        for proto in list(self.sessions.active):
            _say_goodbye(proto)
        await self.server.wait_closed()
        await self.links.close()
        if self.sessions.tasks:
            await asyncio.wait(list(self.sessions.tasks), timeout=10)
        await self.handler.drain_notices()
        self.server = None


def _say_goodbye(proto: Client) -> None:
    transport: Any = proto.transport
    if transport is None or transport.is_closing():
        return
    try:
        transport.write(SHUTTING_DOWN.wire().encode("ascii") + b"\r\n")
    finally:
        transport.close()


async def start_relay(
    settings: Settings,
    pipeline: Inspects,
    *,
    quarantine: Quarantine | None = None,
    metrics: Metrics | None = None,
    next_hop: NextHop | None = None,
    notifier: Notifies | None = None,
    pass_mark: PassMark | None = None,
) -> RelayServer:
    relay = RelayServer(
        settings,
        pipeline,
        quarantine=quarantine,
        metrics=metrics,
        next_hop=next_hop,
        notifier=notifier,
        pass_mark=pass_mark,
    )
    await relay.start()
    return relay
