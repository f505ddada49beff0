"""The SMTP client side of the relay: sessions with a smarthost or an MX host (aiosmtplib).

The only module that imports aiosmtplib; its exceptions become
`TemporaryDeliveryError` here. Commands are sent with
`execute_command` so the envelope goes on exactly as the client gave it
(aiosmtplib's `mail()`/`rcpt()` would re-parse the addresses).

Every reply is checked against the protocol step it answers: MAIL and RCPT
succeed only with 250 (251 for RCPT), DATA must be answered 354 before the
content and 250 after it, and any step may fail with 4xx/5xx. A reply that
fits no step (a 250 to the DATA command, a 354 after the dot, a code outside
SMTP) or a reply left over once a step is answered (the stream is out of
step: every later answer would belong to the command before it) means the
next hop cannot be trusted with this message: the session is closed and the
client gets 451, so a message is never acknowledged on a reply that did not
accept it.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Mapping
from dataclasses import dataclass

import aiosmtplib

from gateway.config import SmtpSettings
from gateway.errors import TemporaryDeliveryError
from gateway.relay.dns import DnsError, Resolver, mx_hosts
from gateway.relay.params import MailParams, RcptParams, xforward_args
from gateway.relay.reply import Reply, from_next_hop
from gateway.relay.tls import client_context

log = logging.getLogger(__name__)

#: a host that does not answer SYN must not eat the client's whole patience (Postfix: 30 s)
CONNECT_TIMEOUT = 30.0
_BROKEN = (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError, TimeoutError)

#: the success replies each step may get; 4xx and 5xx are valid failures at every step
MAIL_OK = frozenset({250})
RCPT_OK = frozenset({250, 251})
DATA_START_OK = frozenset({354})
DATA_END_OK = frozenset({250})
ANY_OK = frozenset(range(200, 300))  # RSET, XFORWARD: informational, never decide delivery


class ProtocolViolation(TemporaryDeliveryError):
    """The next hop answered out of step; its session is closed and the message deferred."""


@dataclass(frozen=True)
class TlsPolicy:
    mode: str  # "none", "opportunistic", "required"
    opportunistic: ssl.SSLContext
    required: ssl.SSLContext

    @classmethod
    def from_settings(cls, smtp: SmtpSettings) -> TlsPolicy:
        return cls(
            mode=smtp.next_hop_tls,
            opportunistic=client_context(verify=False),
            required=client_context(verify=smtp.next_hop_tls_verify, ca_file=smtp.next_hop_ca_file),
        )


class SmtpLink:
    """A session with one next-hop SMTP server."""

    def __init__(self, client: aiosmtplib.SMTP, name: str, timeout: float) -> None:
        self.client = client
        self.name = name
        self.timeout = timeout
        self.tls = False

    @property
    def alive(self) -> bool:
        return self.client.is_connected

    @property
    def extensions(self) -> dict[str, str]:
        return self.client.esmtp_extensions

    async def mail(self, sender: str, params: MailParams, xforward: Mapping[str, str]) -> Reply:
        ext = self.extensions
        if xforward and "xforward" in ext:
            args = xforward_args(xforward, ext["xforward"].upper().split())
            if args:
                # informational only: a next hop that refuses it still gets the message
                await self._command(
                    b"XFORWARD", *(a.encode("utf-8", "surrogateescape") for a in args), expect=ANY_OK
                )
        if not sender.isascii() and "smtputf8" not in ext:
            return Reply(553, "5.6.7 The next hop does not accept non-ASCII addresses (SMTPUTF8)")
        opts = [o.encode("ascii") for o in params.for_next_hop(ext)]
        return await self._command(b"MAIL", b"FROM:<" + _addr(sender) + b">", *opts, expect=MAIL_OK)

    async def rcpt(self, recipient: str, params: RcptParams) -> Reply:
        if not recipient.isascii() and "smtputf8" not in self.extensions:
            return Reply(553, "5.6.7 The next hop does not accept non-ASCII addresses (SMTPUTF8)")
        opts = [o.encode("ascii") for o in params.for_next_hop(self.extensions)]
        return await self._command(b"RCPT", b"TO:<" + _addr(recipient) + b">", *opts, expect=RCPT_OK)

    async def data(self, content: bytes) -> Reply:
        protocol = self.client.protocol
        if protocol is None:
            raise TemporaryDeliveryError(451, "4.4.2 Connection to the next hop lost")
        self._in_step(b"DATA")
        try:
            resp = await protocol.execute_data_command(content, timeout=self.timeout)
        except aiosmtplib.SMTPResponseException as exc:
            # aiosmtplib raises for anything but 354 before the content and 250 after it:
            # only a 4xx/5xx is an answer; a 250 to the command itself accepted nothing
            return self._answer(b"DATA", exc.code, exc.message, frozenset())
        except _BROKEN as exc:
            self.client.close()
            raise _temporary(exc, self.name) from exc
        return self._answer(b"DATA", resp.code, resp.message, DATA_END_OK)

    async def reset(self) -> None:
        if self.alive:
            try:
                await self._command(b"RSET", expect=ANY_OK)
            except TemporaryDeliveryError:
                pass

    async def close(self) -> None:
        if not self.alive:
            self.client.close()
            return
        try:
            await asyncio.wait_for(self.client.quit(), timeout=2)  # a polite QUIT, never a long wait
        except (aiosmtplib.SMTPException, *_BROKEN):
            pass
        finally:
            self.client.close()

    async def _command(self, *args: bytes, expect: frozenset[int]) -> Reply:
        self._in_step(args[0])
        try:
            resp = await self.client.execute_command(*args, timeout=self.timeout)
        except _BROKEN as exc:
            self.client.close()
            raise _temporary(exc, self.name) from exc
        return self._answer(args[0], resp.code, resp.message, expect)

    def _answer(self, command: bytes, code: int, text: str, expect: frozenset[int]) -> Reply:
        if code == 421:  # the next hop is closing the session
            self.client.close()
        if not (code in expect or 400 <= code < 600):
            self._violation(f"reply {code} to {command.decode('ascii', 'replace')}")
        self._in_step(command)
        return from_next_hop(code, text)

    def _in_step(self, command: bytes) -> None:
        """Raise if the next hop has sent more than it was asked for (the replies would shift)."""
        if _unread(self.client):
            self._violation(f"unrequested reply around {command.decode('ascii', 'replace')}")

    def _violation(self, what: str) -> None:
        self.client.close()
        log.warning("next hop broke the SMTP protocol", extra={"next_hop": self.name, "violation": what})
        raise ProtocolViolation(451, f"4.4.2 Next hop {self.name} broke the SMTP protocol ({what})")


def _unread(client: aiosmtplib.SMTP) -> bool:
    """Whether reply bytes are waiting that no command asked for.

    aiosmtplib keeps what follows a complete reply in its protocol's `_buffer`
    (a private attribute; tests/integration/test_relay_protocol.py fails if an
    upgrade renames it, because the shifted-reply case would then be missed).
    """
    protocol = client.protocol
    return protocol is not None and bool(getattr(protocol, "_buffer", b"").strip())


def _addr(address: str) -> bytes:
    return address.encode("utf-8", "surrogateescape")


def _temporary(exc: BaseException, name: str) -> TemporaryDeliveryError:
    kind = "timed out" if isinstance(exc, TimeoutError | aiosmtplib.SMTPTimeoutError) else "connection lost"
    return TemporaryDeliveryError(451, f"4.4.2 Next hop {name} {kind}")


async def open_link(
    address: str, port: int, *, tls_name: str, local_hostname: str, timeout: float, tls: TlsPolicy
) -> SmtpLink:
    """Connect, EHLO and STARTTLS as the policy says. Raises TemporaryDeliveryError."""
    name = f"smtp:[{address}]:{port}"
    client = aiosmtplib.SMTP(
        hostname=address, port=port, local_hostname=local_hostname, timeout=timeout, start_tls=False
    )
    try:
        await client.connect(timeout=min(timeout, CONNECT_TIMEOUT))
        await _ehlo(client)
        link = SmtpLink(client, name, timeout)
        if tls.mode == "none":
            return link
        if client.supports_extension("starttls"):
            ctx = tls.required if tls.mode == "required" else tls.opportunistic
            await client.starttls(tls_context=ctx, server_hostname=tls_name)
            await _ehlo(client)
            link.tls = True
            return link
        if tls.mode == "required":
            client.close()
            raise TemporaryDeliveryError(451, f"4.7.4 TLS is required, but {name} does not offer STARTTLS")
        return link
    except aiosmtplib.SMTPResponseException as exc:
        client.close()
        raise TemporaryDeliveryError(451, f"4.4.1 Next hop {name} refused the session ({exc.code})") from exc
    except (aiosmtplib.SMTPException, ssl.SSLError, *_BROKEN) as exc:
        client.close()
        if tls.mode == "opportunistic" and isinstance(exc, ssl.SSLError):
            log.warning("STARTTLS to the next hop failed, retrying in clear", extra={"next_hop": name})
            plain = TlsPolicy("none", tls.opportunistic, tls.required)
            return await open_link(
                address, port, tls_name=tls_name, local_hostname=local_hostname, timeout=timeout, tls=plain
            )
        raise TemporaryDeliveryError(451, f"4.4.1 Next hop {name} not available") from exc


async def _ehlo(client: aiosmtplib.SMTP) -> None:
    try:
        await client.ehlo()
    except aiosmtplib.SMTPHeloError:
        if not client.is_connected:
            raise
        await client.helo()


class SmtpNextHop:
    """A smarthost: "host:port" (a name resolves through the system, every address tried)."""

    def __init__(self, host: str, port: int, *, local_hostname: str, timeout: float, tls: TlsPolicy) -> None:
        self.host, self.port = host, port
        self.local_hostname, self.timeout, self.tls = local_hostname, timeout, tls

    def describe(self) -> str:
        return f"smtp:{self.host}:{self.port} (tls {self.tls.mode})"

    async def connect(self) -> SmtpLink:
        return await open_link(
            self.host,
            self.port,
            tls_name=self.host,
            local_hostname=self.local_hostname,
            timeout=self.timeout,
            tls=self.tls,
        )


class MxNextHop:
    """MX hosts of a domain in preference order, A/AAAA when there is none, next host on failure."""

    def __init__(
        self,
        domain: str,
        port: int,
        resolver: Resolver,
        *,
        local_hostname: str,
        timeout: float,
        tls: TlsPolicy,
    ) -> None:
        self.domain, self.port, self.resolver = domain, port, resolver
        self.local_hostname, self.timeout, self.tls = local_hostname, timeout, tls

    def describe(self) -> str:
        return f"mx:{self.domain} port {self.port} (tls {self.tls.mode})"

    async def connect(self) -> SmtpLink:
        try:
            hosts = await mx_hosts(self.domain, self.resolver)
        except DnsError as exc:
            raise TemporaryDeliveryError(451, f"4.4.3 DNS lookup for the next hop failed: {exc}") from exc
        last: TemporaryDeliveryError | None = None
        for host in hosts:
            for address in host.addresses:
                try:
                    return await open_link(
                        address,
                        self.port,
                        tls_name=host.name,
                        local_hostname=self.local_hostname,
                        timeout=self.timeout,
                        tls=self.tls,
                    )
                except TemporaryDeliveryError as exc:
                    log.warning(
                        "next-hop host failed, trying the next one",
                        extra={"mx": host.name, "address": address, "reply": str(exc)},
                    )
                    last = exc
        raise last or TemporaryDeliveryError(451, f"4.4.1 No MX host of {self.domain} answered")
