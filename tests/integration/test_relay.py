"""The relay on real sockets: a client in front, a real sink behind (aiosmtpd or Postfix's smtp-sink)."""

from __future__ import annotations

import json
import logging
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gateway.errors import DetectionError, PipelineTimeout
from gateway.metrics import Metrics
from gateway.mime import normalise_line_endings
from tests.integration.gateway_doubles import MemoryQuarantine, RaisingPipeline, SlowPipeline, finding
from tests.integration.servers import RecordingSink, free_port, wait_until

pytestmark = pytest.mark.integration

MESSAGE = (
    b"From: Student <student@example.ac.uk>\r\n"
    b"To: Friend <friend@example.org>\r\n"
    b"Subject: =?utf-8?q?caf=C3=A9?= plans\r\n"
    b"Message-ID: <relay-test-1@example.ac.uk>\r\n"
    b"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"Caf\xc3\xa9 at ten?  \t\r\n"
    b".a line that starts with a dot\r\n"
    b"..and one with two\r\n"
    b"\r\n" + b"x" * 1500 + b"\r\n"
    b"last line\r\n"
)


def send(port: int, message: bytes = MESSAGE, rcpts: list[str] | None = None, **kw: Any) -> dict[str, Any]:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as c:
        return c.sendmail("student@example.ac.uk", rcpts or ["friend@example.org"], message, **kw)


def records(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [r.fields for r in caplog.records if r.name == "gateway.relay.message"]  # type: ignore[attr-defined]


@pytest.fixture
def sink(make_recording_sink: Callable[..., RecordingSink]) -> RecordingSink:
    return make_recording_sink()


# --- delivery -----------------------------------------------------------------------------------------


def test_message_arrives_byte_for_byte(make_gateway: Callable[..., Any], sink: RecordingSink) -> None:
    """A passing message reaches the next hop with exactly the bytes the client sent (8-bit, dots, long lines)."""
    gw = make_gateway(sink.address)
    assert send(gw.port) == {}
    assert [m.content for m in sink.messages] == [MESSAGE]
    assert sink.messages[0].mail_from == "student@example.ac.uk"
    assert sink.messages[0].rcpts == ["friend@example.org"]


def test_reply_names_our_id_and_the_next_hops_answer(
    make_gateway: Callable[..., Any], sink: RecordingSink
) -> None:
    """The 250 the client sees is given only after the next hop's 250, and quotes it."""
    gw = make_gateway(sink.address)
    with gw.client() as c:
        c.ehlo()
        c.mail("student@example.ac.uk")
        c.rcpt("friend@example.org")
        code, text = c.data(MESSAGE)
    assert code == 250
    assert b"next hop: 2.0.0 Ok: queued as SINK" in text
    assert len(sink.messages) == 1


def test_next_hop_sessions_are_reused(make_gateway: Callable[..., Any], sink: RecordingSink) -> None:
    """Transactions reuse the next-hop session, within a client session and across the next few sessions."""
    gw = make_gateway(sink.address)
    with gw.client() as c:
        c.sendmail("a@example.ac.uk", ["b@example.org"], MESSAGE)
        c.sendmail("c@example.ac.uk", ["d@example.org"], MESSAGE)
    send(gw.port)  # a new client session, as Postfix's proxy opens one per message
    assert [m.mail_from for m in sink.messages] == [
        "a@example.ac.uk",
        "c@example.ac.uk",
        "student@example.ac.uk",
    ]
    assert sink.sessions == 1


def test_a_cached_session_closed_by_the_next_hop_is_replaced(
    make_gateway: Callable[..., Any], make_recording_sink: Callable[..., RecordingSink]
) -> None:
    """When the next hop drops an idle cached session, the next message opens a new one and is delivered."""
    sink = make_recording_sink(idle_timeout=0.3)
    gw = make_gateway(sink.address)
    send(gw.port)
    wait_until(lambda: sink.closed_sessions == 1, 10, what="the sink to drop the idle session")
    send(gw.port)
    assert len(sink.messages) == 2 and sink.sessions == 2


def test_null_sender_is_relayed(make_gateway: Callable[..., Any], sink: RecordingSink) -> None:
    """Bounces (MAIL FROM:<>) are relayed with the null sender kept."""
    gw = make_gateway(sink.address)
    with gw.client() as c:
        c.sendmail("<>", ["postmaster@example.org"], MESSAGE)
    assert sink.messages[0].mail_from == "<>"


def test_esmtp_parameters_are_accepted_and_passed_on(
    make_gateway: Callable[..., Any], sink: RecordingSink
) -> None:
    """SIZE, BODY=8BITMIME, SMTPUTF8 and DSN's RET/ENVID/NOTIFY/ORCPT get no 5xx and reach the next hop."""
    gw = make_gateway(sink.address)
    with gw.client() as c:
        c.ehlo()
        assert c.has_extn("dsn") and c.has_extn("smtputf8") and c.has_extn("8bitmime")
        refused = c.sendmail(
            "student@example.ac.uk",
            ["friend@example.org"],
            MESSAGE,
            mail_options=["BODY=8BITMIME", "SMTPUTF8", "RET=HDRS", "ENVID=Qx+2B7a"],
            rcpt_options=["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;Friend@Example.org"],
        )
    assert refused == {}
    got = sink.messages[0]
    assert "RET=HDRS" in got.mail_options and "ENVID=Qx+2B7a" in got.mail_options
    assert "BODY=8BITMIME" in got.mail_options and "SMTPUTF8" in got.mail_options
    assert got.rcpt_options == ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;Friend@Example.org"]


def test_dsn_parameters_are_dropped_for_a_next_hop_without_dsn(
    make_gateway: Callable[..., Any], make_recording_sink: Callable[..., RecordingSink]
) -> None:
    """A next hop that does not announce DSN is not sent NOTIFY/RET, and the message still goes through."""
    sink = make_recording_sink(extra_ehlo=())
    gw = make_gateway(sink.address)
    send(gw.port, mail_options=["RET=FULL"], rcpt_options=["NOTIFY=NEVER"])
    assert not any(o.startswith("RET=") for o in sink.messages[0].mail_options)
    assert sink.messages[0].rcpt_options == []


def test_bad_dsn_parameter_is_a_syntax_error(make_gateway: Callable[..., Any], sink: RecordingSink) -> None:
    """A malformed NOTIFY is answered 501, not passed on."""
    gw = make_gateway(sink.address)
    with gw.client() as c:
        c.ehlo()
        c.mail("a@example.ac.uk")
        code, _ = c.rcpt("b@example.org", ["NOTIFY=SOMETIMES"])
    assert code == 501


# --- lockstep with the next hop -------------------------------------------------------------------------


def test_recipient_refused_by_next_hop_is_refused_at_rcpt(
    make_gateway: Callable[..., Any], make_recording_sink: Callable[..., RecordingSink]
) -> None:
    """Each RCPT gets the next hop's own answer; the message goes on to the accepted recipients only."""
    sink = make_recording_sink(
        refuse={
            "gone@example.org": "550 5.1.1 <gone@example.org>: no such user",
            "busy@example.org": "452 4.2.2 Mailbox full",
        }
    )
    gw = make_gateway(sink.address)
    refused = send(gw.port, rcpts=["friend@example.org", "gone@example.org", "busy@example.org"])
    assert refused == {
        "gone@example.org": (550, b"5.1.1 <gone@example.org>: no such user"),
        "busy@example.org": (452, b"4.2.2 Mailbox full"),
    }
    assert [m.rcpts for m in sink.messages] == [["friend@example.org"]]


def test_next_hop_down_is_a_temporary_failure_at_mail(make_gateway: Callable[..., Any]) -> None:
    """With nothing listening at the next hop, MAIL gets 451 and the client keeps the message."""
    gw = make_gateway(f"127.0.0.1:{free_port()}")
    with pytest.raises(smtplib.SMTPSenderRefused) as err:
        send(gw.port)
    assert err.value.smtp_code == 451


@pytest.mark.parametrize(
    ("options", "stage", "first_digit"),
    [
        (["-f", "."], "data", "5"),  # hard reject after the final dot: passed through
        (["-r", "."], "data", "4"),  # soft reject after the dot: passed through
        (["-Q", "."], "data", "4"),  # 421 and disconnect at the dot
        (["-q", "."], "data", "4"),  # disconnect without a reply at the dot
        (["-f", "RCPT"], "rcpt", "5"),
        (["-r", "MAIL"], "mail", "4"),
        (["-q", "MAIL"], "mail", "4"),
    ],
)
def test_next_hop_faults_map_to_the_right_class(
    make_gateway: Callable[..., Any],
    make_sink: Callable[..., Any],
    options: list[str],
    stage: str,
    first_digit: str,
) -> None:
    """smtp-sink faults: next-hop 5xx stays 5xx, 4xx stays 4xx, a dropped connection is 4xx; never a 250."""
    sink = make_sink(options)
    gw = make_gateway(sink.address)
    with gw.client() as c:
        c.ehlo()
        code, _ = c.mail("a@example.ac.uk")
        if stage != "mail":
            assert code == 250
            code, _ = c.rcpt("b@example.org")
        if stage == "data":
            assert code == 250
            code, _ = c.data(MESSAGE)
    assert str(code)[0] == first_digit
    if (
        stage != "data"
    ):  # (smtp-sink keeps a file for a transaction until it ends, and for one refused at the dot)
        wait_until(lambda: sink.count == 0, 10, what="no message at the sink")


# --- verdicts -----------------------------------------------------------------------------------------


def test_reject_verdict_answers_the_policy_code_and_sends_nothing(
    make_gateway: Callable[..., Any], make_sink: Callable[..., Any]
) -> None:
    """A reject verdict gets the rule's 5xx and the next-hop transaction is abandoned before the dot."""
    sink = make_sink()
    gw = make_gateway(sink.address, findings=(finding("REJECT_ME"),))
    with pytest.raises(smtplib.SMTPDataError) as err:
        send(gw.port)
    assert (err.value.smtp_code, err.value.smtp_error) == (554, b"5.7.1 Refused by the test policy")
    assert sink.count == 0


def test_annotate_prepends_headers_and_keeps_the_message(
    make_gateway: Callable[..., Any], sink: RecordingSink
) -> None:
    """Annotate adds X-Compliance-* header lines in front; every original byte follows unchanged."""
    gw = make_gateway(sink.address, findings=(finding("ANNOTATE_ME"),))
    send(gw.port)
    content = sink.messages[0].content
    head, original = content[: -len(MESSAGE)], content[-len(MESSAGE) :]
    assert original == MESSAGE
    assert head == (
        b"X-Compliance-Verdict: annotate; rule=test-annotate\r\nX-Compliance-Findings: etiquette/ANNOTATE_ME\r\n"
    )


def test_hold_without_quarantine_is_deferred(make_gateway: Callable[..., Any], sink: RecordingSink) -> None:
    """With no quarantine configured, a hold verdict answers 451 4.7.1 so the message waits at the sender."""
    gw = make_gateway(sink.address, findings=(finding("HOLD_ME"),))
    with pytest.raises(smtplib.SMTPDataError) as err:
        send(gw.port)
    assert err.value.smtp_code == 451 and err.value.smtp_error.startswith(b"4.7.1")
    assert sink.messages == []


def test_hold_commits_to_the_quarantine_before_250(
    make_gateway: Callable[..., Any], sink: RecordingSink
) -> None:
    """A held message is committed to the quarantine (as received), then 250; nothing goes to the next hop."""
    quarantine = MemoryQuarantine()
    gw = make_gateway(sink.address, findings=(finding("HOLD_ME"),), quarantine=quarantine)
    assert send(gw.port) == {}
    assert [(env.rcpt_tos, raw) for env, raw, _ in quarantine.held] == [(("friend@example.org",), MESSAGE)]
    assert quarantine.held[0][2].rule == "test-hold"
    assert sink.messages == []


def test_quarantine_failure_is_a_temporary_failure(
    make_gateway: Callable[..., Any], sink: RecordingSink
) -> None:
    """If the quarantine cannot commit, the client gets 451 and keeps the message."""
    gw = make_gateway(sink.address, findings=(finding("HOLD_ME"),), quarantine=MemoryQuarantine(fail=True))
    with pytest.raises(smtplib.SMTPDataError) as err:
        send(gw.port)
    assert err.value.smtp_code == 451
    assert sink.messages == []


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("boom"),
        PipelineTimeout("slow"),
        DetectionError("worker died"),
        MemoryError(),
        RecursionError(),
    ],
    ids=lambda e: type(e).__name__,
)
def test_internal_errors_are_451(
    make_gateway: Callable[..., Any], sink: RecordingSink, error: BaseException
) -> None:
    """Any failure of the inspection answers 451 4.3.0, never 5xx and never 250."""
    gw = make_gateway(sink.address, pipeline=RaisingPipeline(error))
    with pytest.raises(smtplib.SMTPDataError) as err:
        send(gw.port)
    assert err.value.smtp_code == 451 and err.value.smtp_error.startswith(b"4.3.0")
    assert sink.messages == []
    with gw.client() as c:  # and the relay still serves
        assert c.noop()[0] == 250


def test_deadline_answers_451(make_gateway: Callable[..., Any], sink: RecordingSink, tmp_path: Path) -> None:
    """Inspection that overruns smtp.deadline_seconds gets 451, and nothing is delivered."""
    gw = make_gateway(
        sink.address, pipeline=SlowPipeline(RaisingPipeline(AssertionError()), 30), deadline_seconds=0.5
    )
    with pytest.raises(smtplib.SMTPDataError) as err:
        send(gw.port)
    assert err.value.smtp_code == 451
    assert sink.messages == []


def test_size_limit_is_552(make_gateway: Callable[..., Any], sink: RecordingSink) -> None:
    """Over smtp.max_message_size: 552 at MAIL when SIZE says so, and at the dot when it does not."""
    gw = make_gateway(sink.address, max_message_size=1000)
    with pytest.raises(smtplib.SMTPSenderRefused) as err:
        send(gw.port)  # smtplib announces SIZE
    assert err.value.smtp_code == 552
    with gw.client() as c:
        c.ehlo()
        c.mail("a@example.ac.uk")
        c.rcpt("b@example.org")
        code, _ = c.data(MESSAGE)
    assert code == 552
    assert sink.messages == []


def test_a_message_of_postfix_maximum_size_passes(
    make_gateway: Callable[..., Any], sink: RecordingSink
) -> None:
    """With the default limit, a message of Postfix's default message_size_limit (10,240,000 bytes) goes through."""
    gw = make_gateway(sink.address)
    head = b"From: a@example.ac.uk\r\nSubject: big\r\n\r\n"
    line = b"y" * 998 + b"\r\n"
    body = line * ((10_240_000 - len(head)) // len(line))
    message = head + body + b"z" * (10_240_000 - len(head) - len(body) - 2) + b"\r\n"
    assert len(message) == 10_240_000
    assert send(gw.port, message) == {}
    assert sink.messages[0].content == message


# --- access and limits ----------------------------------------------------------------------------------


def test_client_outside_allowed_clients_gets_554(
    make_gateway: Callable[..., Any], sink: RecordingSink
) -> None:
    """A client not in smtp.allowed_clients is refused with 554 at the greeting."""
    gw = make_gateway(sink.address, allowed_clients=("10.0.0.0/8",))
    with pytest.raises(smtplib.SMTPConnectError) as err:
        smtplib.SMTP("127.0.0.1", gw.port, timeout=10)
    assert err.value.smtp_code == 554


def test_sessions_over_the_limit_get_421(make_gateway: Callable[..., Any], sink: RecordingSink) -> None:
    """With smtp.max_sessions in use, one more session gets 421 (try later), not 5xx."""
    gw = make_gateway(sink.address, max_sessions=1)
    with gw.client() as first:
        first.ehlo()
        with pytest.raises(smtplib.SMTPConnectError) as err:
            smtplib.SMTP("127.0.0.1", gw.port, timeout=10)
        assert err.value.smtp_code == 421
    wait_until(lambda: gw.relay.sessions.active == set(), 5, what="first session to close")
    assert send(gw.port) == {}


class GatedPipeline:
    """Passes messages through `inner`, but first tells the test it started and waits for its go."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.entered = threading.Event()
        self.go = threading.Event()

    async def process(self, envelope: Any, raw: bytes) -> Any:
        import asyncio

        self.entered.set()
        await asyncio.to_thread(self.go.wait, 30)
        return await self.inner.process(envelope, raw)


def test_shutdown_finishes_messages_in_flight(
    make_gateway: Callable[..., Any], sink: RecordingSink, tmp_path: Path
) -> None:
    """On shutdown new sessions are refused, and a message being inspected still gets delivered and its 250."""
    from tests.integration.gateway_doubles import inspecting_pipeline, relay_settings

    gate = GatedPipeline(inspecting_pipeline(relay_settings(tmp_path, sink.address), tmp_path))
    gw = make_gateway(sink.address, pipeline=gate)
    result: dict[str, Any] = {}
    sender = threading.Thread(target=lambda: result.update(refused=send(gw.port)))
    sender.start()
    assert gate.entered.wait(10)
    done = gw.submit(gw.relay.shutdown(30))
    wait_until(lambda: gw.relay.sessions.draining, 5, what="drain")
    with pytest.raises((ConnectionRefusedError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)):
        smtplib.SMTP("127.0.0.1", gw.port, timeout=5).ehlo()
    gate.go.set()
    sender.join(30)
    done.result(30)
    assert result == {"refused": {}}
    assert len(sink.messages) == 1


# --- the bytes on the wire ------------------------------------------------------------------------------

SMUGGLING = [b"\n.\r\n", b"\r\n.\n", b"\n.\n", b"\r.\r", b"\r\n.\r\r\n"]


def _reply(f: Any) -> bytes:
    line = f.readline()
    while line[3:4] == b"-":
        line = f.readline()
    return line


@pytest.mark.parametrize("payload", SMUGGLING, ids=[repr(p) for p in SMUGGLING])
def test_smuggling_payload_yields_exactly_one_message(
    make_gateway: Callable[..., Any], sink: RecordingSink, payload: bytes
) -> None:
    """An end-of-data look-alike inside DATA starts no second message; what is delivered is what was scanned."""
    gw = make_gateway(sink.address)
    data = (
        b"From: a@example.ac.uk\r\nSubject: smuggling\r\n\r\nfirst part"
        + payload
        + b"MAIL FROM:<evil@example.net>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n"
        + b"Subject: smuggled\r\n\r\nsecond part\r\n"
    )
    with socket.create_connection(("127.0.0.1", gw.port), timeout=10) as s:
        f = s.makefile("rb")
        assert _reply(f).startswith(b"220")
        replies = []
        for cmd in (b"EHLO client.test", b"MAIL FROM:<a@example.ac.uk>", b"RCPT TO:<b@example.org>", b"DATA"):
            s.sendall(cmd + b"\r\n")
            replies.append(_reply(f)[:3])
        s.sendall(data + b".\r\n")
        replies.append(_reply(f)[:3])
        s.sendall(b"QUIT\r\n")
        replies.append(_reply(f)[:3])
    assert replies == [b"250", b"250", b"250", b"354", b"250", b"221"]
    assert len(sink.messages) == 1
    assert sink.messages[0].rcpts == ["b@example.org"]
    # aiosmtpd removes the leading dot of each CRLF line, then bare CR/LF are normalised once
    unstuffed = b"\r\n".join(line[1:] if line.startswith(b".") else line for line in data.split(b"\r\n"))
    assert sink.messages[0].content == normalise_line_endings(unstuffed)


def test_starttls_command_injection_is_not_executed(
    make_gateway: Callable[..., Any], sink: RecordingSink, certificate: tuple[Path, Path]
) -> None:
    """Commands pipelined behind STARTTLS in clear text are discarded at the TLS switch (CVE-2024-34083)."""
    cert, key = certificate
    gw = make_gateway(sink.address, tls_cert=str(cert), tls_key=str(key))
    with socket.create_connection(("127.0.0.1", gw.port), timeout=10) as raw:
        f = raw.makefile("rb")
        _reply(f)
        raw.sendall(b"EHLO client.test\r\n")
        _reply(f)
        raw.sendall(b"STARTTLS\r\nMAIL FROM:<injected@example.net>\r\n")
        assert _reply(f).startswith(b"220")
        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        with ctx.wrap_socket(raw, server_hostname="gateway.test") as tls:
            tf = tls.makefile("rb")
            tls.sendall(b"EHLO client.test\r\n")
            assert _reply(tf).startswith(b"250")
            tls.sendall(b"RCPT TO:<b@example.org>\r\n")
            assert _reply(tf).startswith(b"503")  # no MAIL was executed


# --- TLS ------------------------------------------------------------------------------------------------


def _server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(*certificate)
    return ctx


def test_opportunistic_tls_encrypts_when_offered(
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
    certificate: tuple[Path, Path],
) -> None:
    """With next_hop_tls = opportunistic and a next hop offering STARTTLS, the message travels encrypted."""
    sink = make_recording_sink(tls_context=_server_tls(certificate))
    gw = make_gateway(sink.address, next_hop_tls="opportunistic")
    send(gw.port)
    assert [m.tls for m in sink.messages] == [True]


def test_required_tls_refuses_a_next_hop_without_starttls(
    make_gateway: Callable[..., Any], sink: RecordingSink
) -> None:
    """With next_hop_tls = required and no STARTTLS on offer, nothing is sent in clear: 451 at MAIL."""
    gw = make_gateway(sink.address, next_hop_tls="required")
    with pytest.raises(smtplib.SMTPSenderRefused) as err:
        send(gw.port)
    assert err.value.smtp_code == 451 and b"4.7.4" in err.value.smtp_error
    assert sink.messages == []


def test_required_tls_checks_the_certificate(
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
    certificate: tuple[Path, Path],
) -> None:
    """Required TLS verifies the next hop against the CA file: trusted passes, an unknown CA defers."""
    sink = make_recording_sink(host="127.0.0.1", tls_context=_server_tls(certificate))
    trusting = make_gateway(
        f"localhost:{sink.port}", next_hop_tls="required", next_hop_ca_file=str(certificate[0])
    )
    send(trusting.port)
    assert [m.tls for m in sink.messages] == [True]
    distrusting = make_gateway(f"localhost:{sink.port}", next_hop_tls="required")
    with pytest.raises(smtplib.SMTPSenderRefused) as err:
        send(distrusting.port)
    assert err.value.smtp_code == 451
    assert len(sink.messages) == 1


def test_inbound_starttls(
    make_gateway: Callable[..., Any], sink: RecordingSink, certificate: tuple[Path, Path]
) -> None:
    """With tls_cert/tls_key set, clients can STARTTLS before sending."""
    gw = make_gateway(sink.address, tls_cert=str(certificate[0]), tls_key=str(certificate[1]))
    with smtplib.SMTP("localhost", gw.port, timeout=30) as c:  # the certificate's name
        c.ehlo()
        assert c.has_extn("starttls")
        ctx = ssl.create_default_context(cafile=str(certificate[0]))
        c.starttls(context=ctx)
        c.sendmail("a@example.ac.uk", ["b@example.org"], MESSAGE)
    assert len(sink.messages) == 1


# --- MX next hops -------------------------------------------------------------------------------------


def test_mx_failover_to_the_next_host(
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
    make_dns: Callable[..., Any],
) -> None:
    """mx: tries MX hosts in preference order and moves on when the first does not answer."""
    sink = make_recording_sink(host="127.0.0.3")
    dns = make_dns(
        {
            ("relay.test", "MX"): ["20 mx2.relay.test.", "10 mx1.relay.test."],
            ("mx1.relay.test", "A"): ["127.0.0.2"],  # nothing listens there
            ("mx2.relay.test", "A"): ["127.0.0.3"],
        }
    )
    gw = make_gateway(f"mx:relay.test:{sink.port}", dns_nameservers=("127.0.0.1",), dns_port=dns.port)
    send(gw.port)
    assert len(sink.messages) == 1
    assert dns.queries.index(("mx1.relay.test", "A")) < dns.queries.index(("mx2.relay.test", "A"))


def test_mx_falls_back_to_the_address_record(
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
    make_dns: Callable[..., Any],
) -> None:
    """A domain without MX records is its own mail host (A record)."""
    sink = make_recording_sink(host="127.0.0.4")
    dns = make_dns({("plain.test", "A"): ["127.0.0.4"]})
    gw = make_gateway(f"mx:plain.test:{sink.port}", dns_nameservers=("127.0.0.1",), dns_port=dns.port)
    send(gw.port)
    assert len(sink.messages) == 1


def test_mx_lookup_failure_is_a_temporary_failure(
    make_gateway: Callable[..., Any], make_dns: Callable[..., Any]
) -> None:
    """A domain that does not resolve defers (451 4.4.3); nothing is lost."""
    dns = make_dns({("other.test", "A"): ["127.0.0.9"]})
    gw = make_gateway("mx:missing.test:2525", dns_nameservers=("127.0.0.1",), dns_port=dns.port)
    with pytest.raises(smtplib.SMTPSenderRefused) as err:
        send(gw.port)
    assert err.value.smtp_code == 451 and err.value.smtp_error.startswith(b"4.4.3")


# --- what is logged and counted -------------------------------------------------------------------------


def test_one_log_line_per_message_without_content(
    make_gateway: Callable[..., Any], sink: RecordingSink, caplog: pytest.LogCaptureFixture
) -> None:
    """The message log line has ids, sizes, verdict, rule, categories and timings, and no text, subject or address."""
    caplog.set_level(logging.INFO, logger="gateway.relay.message")
    gw = make_gateway(sink.address, findings=(finding("ANNOTATE_ME"),))
    with gw.client() as c:
        c.ehlo()
        assert c.docmd("XFORWARD", "NAME=pc1.example.ac.uk ADDR=192.0.2.7 PROTO=ESMTP")[0] == 250
        assert c.docmd("XFORWARD", "IDENT=4Qm9Zx1AbC HELO=pc1.example.ac.uk")[0] == 250
        c.sendmail("student@example.ac.uk", ["friend@example.org"], MESSAGE)
    [line] = records(caplog)
    assert line["client"] == "192.0.2.7" and line["queue_id"] == "4Qm9Zx1AbC"
    assert line["verdict"] == "annotate" and line["rule"] == "test-annotate"
    assert line["categories"] == ["etiquette"] and line["types"] == ["ANNOTATE_ME"]
    assert line["size"] == len(MESSAGE) and line["rcpts"] == 1
    assert line["reply"].startswith("250") and line["next_hop"].startswith("250")
    assert {"inspect", "deliver", "total"} <= set(line["timings_ms"])
    text = json.dumps(line)
    for secret in ("caf", "Caf", "student@", "friend@", "plans", "xxxx", "masked"):
        assert secret not in text
    assert "ADDR=192.0.2.7" in sink.messages[0].xforward  # passed on to a next hop that takes XFORWARD


def test_queue_id_from_received_header_when_no_xforward(
    make_gateway: Callable[..., Any], sink: RecordingSink, caplog: pytest.LogCaptureFixture
) -> None:
    """Without XFORWARD the Postfix queue id is read from the topmost Received header."""
    caplog.set_level(logging.INFO, logger="gateway.relay.message")
    gw = make_gateway(sink.address)
    received = (
        b"Received: from pc1.example.ac.uk (pc1.example.ac.uk [192.0.2.7])\r\n"
        b"\tby mx.example.ac.uk (Postfix) with ESMTP id 4Qm9Zx1AbC\r\n"
        b"\tfor <friend@example.org>; Mon, 02 Mar 2026 10:00:00 +0000 (GMT)\r\n"
    )
    send(gw.port, received + MESSAGE)
    assert records(caplog)[0]["queue_id"] == "4Qm9Zx1AbC"


def test_metrics_count_verdicts_and_errors(
    make_gateway: Callable[..., Any], make_sink: Callable[..., Any]
) -> None:
    """Messages are counted by verdict, next-hop failures by kind, and latency is observed."""
    metrics = Metrics()
    sink = make_sink(["-r", "."])
    gw = make_gateway(sink.address, metrics=metrics)
    with pytest.raises(smtplib.SMTPDataError):
        send(gw.port)
    assert metrics.value("gateway_messages_total", {"verdict": "tempfail"}) == 1
    assert metrics.value("gateway_next_hop_errors_total", {"kind": "tempfail"}) == 1
    assert metrics.value("gateway_message_seconds_count") == 1
