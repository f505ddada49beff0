"""The next-hop SMTP client step by step: the exact reply the relay gets for each answer, TLS fallbacks, MX failover.

Each case runs the client against a small in-process SMTP server on 127.0.0.1
whose answers are scripted per command, and asserts the code and text the
relay would pass to its client (or the 451 it raises), and what went on the wire.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

import pytest

from gateway.config import SmtpSettings
from gateway.errors import TemporaryDeliveryError
from gateway.relay import client
from gateway.relay.client import MxNextHop, ProtocolViolation, SmtpLink, SmtpNextHop, TlsPolicy, open_link
from gateway.relay.dns import DnsError
from gateway.relay.params import MailParams, RcptParams
from gateway.relay.reply import Reply
from gateway.relay.tls import client_context

pytestmark = pytest.mark.integration

CLOSE = b"<close>"  # close the connection instead of answering
HANG = b"<hang>"  # never answer
GARBAGE_TLS = b"<garbage-tls>"  # agree to STARTTLS, then send bytes that are not TLS
EHLO = b"250-hop.test\r\n250-SIZE 1000\r\n250-DSN\r\n250 8BITMIME\r\n"
DEFAULT = {
    "greeting": b"220 hop.test ESMTP\r\n",
    "EHLO": EHLO,
    "HELO": b"250 hop.test\r\n",
    "MAIL": b"250 2.1.0 Ok\r\n",
    "RCPT": b"250 2.1.5 Ok\r\n",
    "DATA": b"354 go ahead\r\n",
    "END": b"250 2.0.0 Ok: queued as Q1\r\n",
    "RSET": b"250 2.0.0 Ok\r\n",
    "XFORWARD": b"250 2.0.0 Ok\r\n",
    "QUIT": b"221 2.0.0 Bye\r\n",
    "STARTTLS": b"220 2.0.0 Ready\r\n",
}


class FakeHop:
    """An SMTP server answering each command as scripted; records every session's command lines."""

    def __init__(self, script: Mapping[str, bytes], tls: ssl.SSLContext | None = None) -> None:
        self.script = {**DEFAULT, **script}
        self.tls = tls
        self.sessions: list[list[str]] = []
        self.messages: list[bytes] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> FakeHop:
        self._server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()

    async def _say(self, writer: asyncio.StreamWriter, step: str) -> bool:
        reply = self.script[step]
        if reply == HANG:
            await asyncio.sleep(3600)
        if reply == CLOSE:
            writer.close()
            return False
        writer.write(reply)
        await writer.drain()
        return True

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        lines: list[str] = []
        self.sessions.append(lines)
        try:
            if not await self._say(writer, "greeting"):
                return
            while line := await reader.readline():
                text = line.decode("utf-8", "replace").rstrip("\r\n")
                lines.append(text)
                verb = text.split(" ", 1)[0].upper()
                if verb == "STARTTLS" and self.script["STARTTLS"] == GARBAGE_TLS:
                    writer.write(b"220 2.0.0 Ready\r\nthis is not TLS\r\n" * 50)
                    await writer.drain()
                    continue
                if verb not in self.script:
                    writer.write(b"502 5.5.2 Command not recognised\r\n")
                    continue
                if not await self._say(writer, verb):
                    return
                if verb == "STARTTLS" and self.tls is not None:
                    await writer.start_tls(self.tls)
                if verb == "DATA" and self.script["DATA"].startswith(b"354"):
                    content = []
                    while (body := await reader.readline()) not in (b".\r\n", b""):
                        content.append(body)
                    self.messages.append(b"".join(content))
                    if not await self._say(writer, "END"):
                        return
                if verb == "QUIT":
                    return
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def make_hop() -> AsyncIterator[Callable[..., object]]:
    started: list[FakeHop] = []

    async def factory(
        script: Mapping[str, bytes] | None = None, tls: ssl.SSLContext | None = None
    ) -> FakeHop:
        hop = await FakeHop(script or {}, tls).start()
        started.append(hop)
        return hop

    yield factory
    for hop in started:
        await hop.stop()


def policy(mode: str = "none", required: ssl.SSLContext | None = None) -> TlsPolicy:
    plain = client_context(verify=False)
    return TlsPolicy(mode, plain, required or plain)


async def connect(hop: FakeHop, mode: str = "none", timeout: float = 10, **kw: object) -> SmtpLink:
    return await open_link(
        "127.0.0.1",
        hop.port,
        tls_name="localhost",
        local_hostname="gw.test",
        timeout=timeout,
        tls=kw.pop("tls", None) or policy(mode),  # type: ignore[arg-type]
    )


def name(hop: FakeHop) -> str:
    return f"smtp:[127.0.0.1]:{hop.port}"


async def refused(coro: object) -> tuple[int, str]:
    with pytest.raises(TemporaryDeliveryError) as e:
        await coro  # type: ignore[misc]
    return e.value.code, e.value.message  # type: ignore[attr-defined]


def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(*certificate)
    return ctx


# --- one message, step by step -----------------------------------------------------------------------


async def test_a_message_goes_through_with_the_next_hops_replies(make_hop: Callable[..., object]) -> None:
    """MAIL, RCPT and DATA each return the next hop's own reply; the envelope and parameters go on as given."""
    hop: FakeHop = await make_hop()  # type: ignore[misc]
    link = await connect(hop)
    assert (link.alive, link.tls, link.name) == (True, False, name(hop))
    assert await link.mail("s@uni.ac.uk", MailParams(size=10, body="8BITMIME"), {}) == Reply(250, "2.1.0 Ok")
    assert await link.rcpt("f@example.org", RcptParams(notify="NEVER")) == Reply(250, "2.1.5 Ok")
    assert await link.data(b"Subject: t\r\n\r\nhi\r\n") == Reply(250, "2.0.0 Ok: queued as Q1")
    await link.reset()
    await link.close()
    assert not link.alive
    assert hop.sessions[0] == [
        "EHLO gw.test",
        "MAIL FROM:<s@uni.ac.uk> SIZE=10 BODY=8BITMIME",
        "RCPT TO:<f@example.org> NOTIFY=NEVER",
        "DATA",
        "RSET",
        "QUIT",
    ]
    assert hop.messages == [b"Subject: t\r\n\r\nhi\r\n"]


@pytest.mark.parametrize(
    ("step", "answer", "reply"),
    [
        ("MAIL", b"452 4.3.1 Full\r\n", Reply(452, "4.3.1 Full")),
        ("MAIL", b"550 5.7.1 No\r\n", Reply(550, "5.7.1 No")),
        ("RCPT", b"251 2.1.5 Forwarded\r\n", Reply(251, "2.1.5 Forwarded")),
        ("RCPT", b"550 5.1.1 Unknown\r\n", Reply(550, "5.1.1 Unknown")),
        ("RCPT", b"599 5.0.0 Odd\r\n", Reply(599, "5.0.0 Odd")),
        ("RCPT", b"400 4.0.0 Odd\r\n", Reply(400, "4.0.0 Odd")),
        ("DATA", b"451 4.3.0 Later\r\n", Reply(451, "4.3.0 Later")),
        ("DATA", b"554 5.7.1 Not now\r\n", Reply(554, "5.7.1 Not now")),
        ("END", b"554 5.7.1 Spam\r\n", Reply(554, "5.7.1 Spam")),
        ("END", b"452 4.3.1 Full\r\n", Reply(452, "4.3.1 Full")),
    ],
)
async def test_failures_at_each_step_are_passed_on(
    make_hop: Callable[..., object], step: str, answer: bytes, reply: Reply
) -> None:
    """A 4xx or 5xx at any step (and a 251 to RCPT) reaches the relay unchanged; the session stays usable."""
    hop: FakeHop = await make_hop({step: answer})  # type: ignore[misc]
    link = await connect(hop)
    replies = [
        await link.mail("s@uni.ac.uk", MailParams(), {}),
        await link.rcpt("f@example.org", RcptParams()),
        await link.data(b"x\r\n"),
    ]
    assert reply in replies
    assert link.alive
    await link.close()


@pytest.mark.parametrize(
    ("step", "answer", "violation"),
    [
        ("MAIL", b"354 go\r\n", "reply 354 to MAIL"),
        ("MAIL", b"251 ok\r\n", "reply 251 to MAIL"),
        ("MAIL", b"399 what\r\n", "reply 399 to MAIL"),
        ("RCPT", b"252 maybe\r\n", "reply 252 to RCPT"),
        ("RCPT", b"600 beyond\r\n", "reply 600 to RCPT"),
        ("RCPT", b"700 far beyond\r\n", "reply 700 to RCPT"),
        ("DATA", b"250 2.0.0 Ok\r\n", "reply 250 to DATA"),
        ("END", b"354 more\r\n", "reply 354 to DATA"),
        ("END", b"251 ok\r\n", "reply 251 to DATA"),
        ("MAIL", b"250 2.1.0 Ok\r\n250 2.1.0 again\r\n", "unrequested reply around MAIL"),
    ],
)
async def test_out_of_step_replies_close_the_session_with_451(
    make_hop: Callable[..., object],
    caplog: pytest.LogCaptureFixture,
    step: str,
    answer: bytes,
    violation: str,
) -> None:
    """A reply that fits no step, or one too many, is 451 4.4.2 naming the next hop and the fault; the session closes."""
    hop: FakeHop = await make_hop({step: answer})  # type: ignore[misc]
    link = await connect(hop)

    async def run() -> None:
        await link.mail("s@uni.ac.uk", MailParams(), {})
        await link.rcpt("f@example.org", RcptParams())
        await link.data(b"x\r\n")

    with pytest.raises(ProtocolViolation) as e:
        await run()
    assert (e.value.code, e.value.message) == (
        451,
        f"4.4.2 Next hop {name(hop)} broke the SMTP protocol ({violation})",
    )
    assert not link.alive
    logged = [r for r in caplog.records if r.getMessage() == "next hop broke the SMTP protocol"]
    assert [(r.next_hop, r.violation) for r in logged] == [(name(hop), violation)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("code", [199, 300])
async def test_xforward_answered_outside_smtp_is_a_violation(
    make_hop: Callable[..., object], code: int
) -> None:
    """XFORWARD answered 199 or 300 (no SMTP step's answer) is out of step like any other reply: 451 4.4.2."""
    hop: FakeHop = await make_hop(  # type: ignore[misc]
        {"EHLO": b"250-hop.test\r\n250 XFORWARD NAME\r\n", "XFORWARD": b"%d what\r\n" % code}
    )
    link = await connect(hop)
    with pytest.raises(ProtocolViolation, match=rf"\(reply {code} to XFORWARD\)$"):
        await link.mail("s@uni.ac.uk", MailParams(), {"NAME": "client.test"})


async def test_421_closes_the_session(make_hop: Callable[..., object]) -> None:
    """A 421 (the next hop is going away) is passed on and the session is not kept for reuse."""
    hop: FakeHop = await make_hop({"MAIL": b"421 4.3.2 Shutting down\r\n"})  # type: ignore[misc]
    link = await connect(hop)
    assert await link.mail("s@uni.ac.uk", MailParams(), {}) == Reply(421, "4.3.2 Shutting down")
    assert not link.alive


@pytest.mark.parametrize(
    ("answer", "kind"),
    [(CLOSE, "connection lost"), (HANG, "timed out")],
)
@pytest.mark.parametrize("step", ["MAIL", "END"])
async def test_lost_or_silent_next_hop_is_451(
    make_hop: Callable[..., object], step: str, answer: bytes, kind: str
) -> None:
    """A next hop that hangs up or stops answering mid-message defers it with 451 4.4.2 saying which."""
    hop: FakeHop = await make_hop({step: answer})  # type: ignore[misc]
    link = await connect(hop, timeout=1)
    with pytest.raises(TemporaryDeliveryError) as e:
        await link.mail("s@uni.ac.uk", MailParams(), {})
        await link.rcpt("f@example.org", RcptParams())
        await link.data(b"x\r\n")
    assert (e.value.code, e.value.message) == (451, f"4.4.2 Next hop {name(hop)} {kind}")
    assert not link.alive


async def test_data_on_a_closed_session_is_451(make_hop: Callable[..., object]) -> None:
    """DATA on a session that is already closed is 451 4.4.2, never an exception the relay cannot answer."""
    hop: FakeHop = await make_hop()  # type: ignore[misc]
    link = await connect(hop)
    await link.close()
    assert await refused(link.data(b"x\r\n")) == (451, "4.4.2 Connection to the next hop lost")
    await link.reset()  # nothing to reset on a dead session: no error either
    await link.close()


async def test_reset_ignores_a_broken_next_hop(make_hop: Callable[..., object]) -> None:
    """RSET on a session the next hop just dropped is silent; the session is then dead."""
    hop: FakeHop = await make_hop({"RSET": CLOSE})  # type: ignore[misc]
    link = await connect(hop, timeout=2)
    await link.reset()
    assert not link.alive
    assert hop.sessions[0][-1] == "RSET"


# --- SMTPUTF8 and XFORWARD ---------------------------------------------------------------------------


SMTPUTF8_REFUSED = Reply(553, "5.6.7 The next hop does not accept non-ASCII addresses (SMTPUTF8)")


@pytest.mark.parametrize(
    ("ehlo", "sender", "rcpt", "mail_reply", "rcpt_reply"),
    [
        (EHLO, "é@uni.ac.uk", "f@example.org", SMTPUTF8_REFUSED, Reply(250, "2.1.5 Ok")),
        (EHLO, "s@uni.ac.uk", "ü@example.org", Reply(250, "2.1.0 Ok"), SMTPUTF8_REFUSED),
        (
            b"250-hop.test\r\n250 SMTPUTF8\r\n",
            "é@uni.ac.uk",
            "ü@example.org",
            Reply(250, "2.1.0 Ok"),
            Reply(250, "2.1.5 Ok"),
        ),
    ],
)
async def test_non_ascii_addresses_need_smtputf8(
    make_hop: Callable[..., object], ehlo: bytes, sender: str, rcpt: str, mail_reply: Reply, rcpt_reply: Reply
) -> None:
    """A non-ASCII address is refused 553 5.6.7 unless the next hop offers SMTPUTF8, and then sent as UTF-8."""
    hop: FakeHop = await make_hop({"EHLO": ehlo})  # type: ignore[misc]
    link = await connect(hop)
    assert await link.mail(sender, MailParams(), {}) == mail_reply
    assert await link.rcpt(rcpt, RcptParams()) == rcpt_reply
    sent = [line for line in hop.sessions[0] if line.startswith(("MAIL", "RCPT"))]
    assert all(line.isascii() for line in sent) is (b"SMTPUTF8" not in ehlo)
    await link.close()


@pytest.mark.parametrize(
    ("ehlo", "answer", "sent"),
    [
        (
            b"250-hop.test\r\n250 XFORWARD NAME ADDR\r\n",
            b"250 Ok\r\n",
            "XFORWARD NAME=client.test ADDR=192.0.2.1",
        ),
        (
            b"250-hop.test\r\n250 XFORWARD NAME ADDR\r\n",
            b"550 No\r\n",
            "XFORWARD NAME=client.test ADDR=192.0.2.1",
        ),
        (b"250-hop.test\r\n250 XFORWARD HELO\r\n", b"250 Ok\r\n", None),
        (EHLO, b"250 Ok\r\n", None),
        (b"250-hop.test\r\n250 XFORWARD NAME\r\n", b"200 Ok\r\n", "XFORWARD NAME=client.test"),
        (b"250-hop.test\r\n250 XFORWARD NAME\r\n", b"299 Ok\r\n", "XFORWARD NAME=client.test"),
    ],
)
async def test_xforward_only_when_announced_and_never_decides(
    make_hop: Callable[..., object], ehlo: bytes, answer: bytes, sent: str | None
) -> None:
    """XFORWARD carries only the attributes the next hop announced; its refusal does not stop the message."""
    hop: FakeHop = await make_hop({"EHLO": ehlo, "XFORWARD": answer})  # type: ignore[misc]
    link = await connect(hop)
    reply = await link.mail("s@uni.ac.uk", MailParams(), {"NAME": "client.test", "ADDR": "192.0.2.1"})
    assert reply == Reply(250, "2.1.0 Ok")
    xforward = [line for line in hop.sessions[0] if line.startswith("XFORWARD")]
    assert xforward == ([sent] if sent else [])
    await link.close()


# --- opening a session -------------------------------------------------------------------------------


async def test_ehlo_refused_falls_back_to_helo(make_hop: Callable[..., object]) -> None:
    """A next hop that refuses EHLO is greeted with HELO and used without extensions."""
    hop: FakeHop = await make_hop({"EHLO": b"502 5.5.2 No EHLO\r\n"})  # type: ignore[misc]
    link = await connect(hop)
    assert await link.mail("s@uni.ac.uk", MailParams(size=10), {}) == Reply(250, "2.1.0 Ok")
    assert hop.sessions[0][:3] == ["EHLO gw.test", "HELO gw.test", "MAIL FROM:<s@uni.ac.uk>"]
    await link.close()


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ({"greeting": b"554 5.3.2 Go away\r\n"}, "4.4.1 Next hop {name} refused the session (554)"),
        (
            {"EHLO": b"502 No\r\n", "HELO": b"550 5.7.1 Not you\r\n"},
            "4.4.1 Next hop {name} refused the session (550)",
        ),
        ({"greeting": CLOSE}, "4.4.1 Next hop {name} not available"),
        ({"EHLO": CLOSE}, "4.4.1 Next hop {name} not available"),
        ({"EHLO": b"421 4.3.2 Going away\r\n"}, "4.4.1 Next hop {name} refused the session (421)"),
    ],
)
async def test_sessions_that_cannot_start_are_451(
    make_hop: Callable[..., object], script: dict[str, bytes], message: str
) -> None:
    """A refused greeting, EHLO and HELO, or a dropped connection, defers the message with 451 4.4.1 and the code."""
    hop: FakeHop = await make_hop(script)  # type: ignore[misc]
    assert await refused(connect(hop)) == (451, message.format(name=name(hop)))


async def test_nobody_listening_is_451_not_available() -> None:
    """A next hop that is not listening defers the message: 451 4.4.1 not available."""
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    hop = FakeHop({})
    hop.port = port
    assert await refused(connect(hop)) == (451, f"4.4.1 Next hop smtp:[127.0.0.1]:{port} not available")


STARTTLS_EHLO = b"250-hop.test\r\n250-STARTTLS\r\n250 SIZE 1000\r\n"


@pytest.mark.parametrize(
    ("mode", "ehlo", "starttls", "tls", "commands"),
    [
        (
            "none",
            STARTTLS_EHLO,
            DEFAULT["STARTTLS"],
            False,
            ["EHLO gw.test", "MAIL FROM:<s@uni.ac.uk> SIZE=5"],
        ),
        (
            "opportunistic",
            EHLO,
            DEFAULT["STARTTLS"],
            False,
            ["EHLO gw.test", "MAIL FROM:<s@uni.ac.uk> SIZE=5"],
        ),
        (
            "opportunistic",
            STARTTLS_EHLO,
            GARBAGE_TLS,
            False,
            ["EHLO gw.test", "MAIL FROM:<s@uni.ac.uk> SIZE=5"],
        ),
    ],
)
async def test_opportunistic_tls_falls_back_to_clear(
    make_hop: Callable[..., object],
    caplog: pytest.LogCaptureFixture,
    mode: str,
    ehlo: bytes,
    starttls: bytes,
    tls: bool,
    commands: list[str],
) -> None:
    """Without STARTTLS on offer, or when the handshake fails, opportunistic TLS delivers in clear on a fresh session."""
    hop: FakeHop = await make_hop({"EHLO": ehlo, "STARTTLS": starttls})  # type: ignore[misc]
    link = await connect(hop, mode)
    assert isinstance(link, SmtpLink) and link.tls is tls
    assert await link.mail("s@uni.ac.uk", MailParams(size=5), {}) == Reply(250, "2.1.0 Ok")
    assert hop.sessions[-1][:2] == commands
    assert len(hop.sessions) == (2 if starttls == GARBAGE_TLS else 1)
    retried = "STARTTLS to the next hop failed, retrying in clear" in caplog.messages
    assert retried is (starttls == GARBAGE_TLS)
    await link.close()


@pytest.mark.parametrize(
    ("ehlo", "starttls", "message"),
    [
        (EHLO, DEFAULT["STARTTLS"], "4.7.4 TLS is required, but {name} does not offer STARTTLS"),
        (STARTTLS_EHLO, GARBAGE_TLS, "4.4.1 Next hop {name} not available"),
        (
            STARTTLS_EHLO,
            b"454 4.7.0 TLS not available\r\n",
            "4.4.1 Next hop {name} refused the session (454)",
        ),
    ],
)
async def test_required_tls_never_falls_back(
    make_hop: Callable[..., object], ehlo: bytes, starttls: bytes, message: str
) -> None:
    """With TLS required, a next hop without STARTTLS or with a failing handshake defers the message, nothing sent in clear."""
    hop: FakeHop = await make_hop({"EHLO": ehlo, "STARTTLS": starttls})  # type: ignore[misc]
    assert await refused(connect(hop, "required")) == (451, message.format(name=name(hop)))
    assert len(hop.sessions) == 1
    assert not any(line.startswith("MAIL") for line in hop.sessions[0])


@pytest.mark.parametrize("mode", ["opportunistic", "required"])
async def test_starttls_encrypts_and_greets_again(
    make_hop: Callable[..., object], certificate: tuple[Path, Path], mode: str
) -> None:
    """When STARTTLS is offered and works, the session is encrypted and EHLO is sent again inside it."""
    hop: FakeHop = await make_hop({"EHLO": STARTTLS_EHLO}, tls=server_tls(certificate))  # type: ignore[misc]
    required = client_context(verify=True, ca_file=str(certificate[0]))
    link = await connect(hop, tls=policy(mode, required))
    assert link.tls is True
    assert hop.sessions[0] == ["EHLO gw.test", "STARTTLS", "EHLO gw.test"]
    await link.close()


@pytest.mark.parametrize(("mode", "tls"), [("opportunistic", True), ("required", False)])
async def test_each_mode_uses_its_own_certificate_check(
    make_hop: Callable[..., object], certificate: tuple[Path, Path], mode: str, tls: bool
) -> None:
    """Opportunistic TLS encrypts without checking the certificate; required TLS checks it and defers on an unknown CA."""
    hop: FakeHop = await make_hop({"EHLO": STARTTLS_EHLO}, tls=server_tls(certificate))  # type: ignore[misc]
    untrusting = client_context(verify=True)  # the system CAs: the self-signed certificate is unknown
    if tls:
        link = await connect(hop, tls=policy(mode, untrusting))
        assert link.tls is True
        await link.close()
    else:
        assert await refused(connect(hop, tls=policy(mode, untrusting))) == (
            451,
            f"4.4.1 Next hop {name(hop)} not available",
        )


def test_tls_policy_from_settings() -> None:
    """The TLS mode comes from the settings; opportunistic TLS never checks certificates, required does by default."""
    tls = TlsPolicy.from_settings(SmtpSettings(next_hop_tls="required"))
    assert tls.mode == "required"
    assert tls.opportunistic.verify_mode is ssl.CERT_NONE and tls.required.verify_mode is ssl.CERT_REQUIRED


def test_connect_timeout_is_postfixs() -> None:
    """A host that does not answer SYN is given up after 30 seconds, as Postfix does."""
    assert client.CONNECT_TIMEOUT == 30.0


# --- next hops ---------------------------------------------------------------------------------------


class FakeLookup:
    """DNS answers from a table; a host mapped to an exception raises it."""

    def __init__(self, mx: list[tuple[int, str]] | Exception | None, addresses: dict[str, list[str]]) -> None:
        self._mx, self._addresses = mx, addresses

    async def mx(self, domain: str) -> list[tuple[int, str]] | None:
        if isinstance(self._mx, Exception):
            raise self._mx
        return self._mx

    async def addresses(self, host: str) -> list[str]:
        return self._addresses.get(host, [])


def mx_hop(lookup: FakeLookup, port: int) -> MxNextHop:
    return MxNextHop("example.org", port, lookup, local_hostname="gw.test", timeout=5, tls=policy())  # type: ignore[arg-type]


async def test_mx_failover_tries_every_address_in_order(
    make_hop: Callable[..., object], caplog: pytest.LogCaptureFixture
) -> None:
    """A refusing first MX host is skipped and the next one used."""
    bad: FakeHop = await make_hop({"greeting": b"554 no\r\n"})  # type: ignore[misc]
    good: FakeHop = await make_hop()  # type: ignore[misc]
    # both listen on 127.0.0.1: one port each, so give every MX host its own next hop port
    lookup = FakeLookup([(10, "mx1.example.org")], {"mx1.example.org": ["127.0.0.1"]})
    assert await refused(mx_hop(lookup, bad.port).connect()) == (
        451,
        f"4.4.1 Next hop smtp:[127.0.0.1]:{bad.port} refused the session (554)",
    )
    lookup = FakeLookup(
        [(10, "mx1.example.org"), (20, "mx2.example.org")],
        {"mx1.example.org": ["127.0.0.2"], "mx2.example.org": ["127.0.0.1"]},
    )
    link = await mx_hop(lookup, good.port).connect()
    assert link.name == f"smtp:[127.0.0.1]:{good.port}" and len(good.sessions) == 1
    failed = [r for r in caplog.records if r.getMessage() == "next-hop host failed, trying the next one"]
    assert [(r.mx, r.address) for r in failed][-1:] == [("mx1.example.org", "127.0.0.2")]  # type: ignore[attr-defined]
    await link.close()


@pytest.mark.parametrize(
    ("mx", "message"),
    [
        (
            DnsError("example.org: no such domain"),
            "4.4.3 DNS lookup for the next hop failed: example.org: no such domain",
        ),
        (
            [(0, "")],
            "4.4.3 DNS lookup for the next hop failed: example.org: null MX, the domain accepts no mail",
        ),
    ],
)
async def test_dns_failures_are_451_4_4_3(mx: object, message: str) -> None:
    """A failed MX lookup defers the message with 451 4.4.3 and the reason."""
    assert await refused(mx_hop(FakeLookup(mx, {}), 25).connect()) == (451, message)  # type: ignore[arg-type]


def test_next_hops_describe_themselves() -> None:
    """`gateway check` shows the next hop with its TLS mode."""
    smart = SmtpNextHop("relay.uni.ac.uk", 587, local_hostname="gw", timeout=5, tls=policy("required"))
    assert smart.describe() == "smtp:relay.uni.ac.uk:587 (tls required)"
    assert mx_hop(FakeLookup(None, {}), 25).describe() == "mx:example.org port 25 (tls none)"


async def test_smarthost_connects_with_its_own_name(make_hop: Callable[..., object]) -> None:
    """A smarthost given by address is reached on its port and named after it."""
    hop: FakeHop = await make_hop()  # type: ignore[misc]
    link = await SmtpNextHop(
        "127.0.0.1", hop.port, local_hostname="gw.test", timeout=5, tls=policy()
    ).connect()
    assert link.name == name(hop) and hop.sessions[0][0] == "EHLO gw.test"
    await link.close()
