"""The relay on a real Postfix mail route: relayhost, before-queue proxy and after-queue content filter.

The Postfix settings here are the ones docs/relay.md tells administrators to use.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.servers import Postfix, RecordingSink, free_port, wait_until

pytestmark = pytest.mark.integration

BODY = (
    b"Dear colleague,\r\n"
    b"\r\n"
    b".a line starting with a dot, trailing spaces   \r\n"
    b"\ttab-indented, and 8-bit: \xc3\xa9\xc3\xa0\r\n"
    b"\r\n"
    b"--\r\nsignature\r\n"
)


def message(subject: str = "route test", extra: bytes = b"") -> bytes:
    return (
        b"From: Student <student@example.ac.uk>\r\n"
        b"To: <friend@example.org>\r\n"
        b"Subject: " + subject.encode() + b"\r\n"
        b"Message-ID: <" + subject.replace(" ", ".").encode() + b"@example.ac.uk>\r\n"
        b"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n" + extra + b"\r\n" + BODY
    )


def split(content: bytes) -> tuple[bytes, bytes]:
    head, _, body = content.partition(b"\r\n\r\n")
    return head, body


# --- Postfix relays to the gateway (relayhost) ----------------------------------------------------------


def test_message_through_postfix_arrives_intact(
    make_postfix: Callable[..., Postfix],
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
) -> None:
    """Postfix -> gateway -> next hop: the body arrives byte for byte, the headers with Postfix's Received on top."""
    sink = make_recording_sink()
    gw = make_gateway(sink.address)
    postfix = make_postfix(gw.address)
    sent = message()
    postfix.send("student@example.ac.uk", ["friend@example.org"], sent)
    wait_until(lambda: sink.messages, 30, what="delivery")
    head, body = split(sink.messages[0].content)
    assert body == split(sent)[1]
    assert head.startswith(b"Received: from ") and b"by postfix.test (Postfix)" in head
    assert head.endswith(split(sent)[0])
    queue_id = postfix.wait_log(
        r"(\w+): to=<friend@example.org>, relay=127\.0\.0\.1.*status=sent \(250 2\.0\.0 Ok: id="
    ).group(1)
    assert queue_id in head.decode()


def test_next_hop_down_postfix_keeps_the_message_and_delivers_later(
    make_postfix: Callable[..., Postfix], make_gateway: Callable[..., Any], make_sink: Callable[..., Any]
) -> None:
    """While the next hop is down the gateway defers; Postfix keeps the message and delivers it once it is back."""
    sink_port = free_port()
    gw = make_gateway(f"127.0.0.1:{sink_port}")
    postfix = make_postfix(gw.address)
    postfix.send("student@example.ac.uk", ["friend@example.org"], message("deferred"))
    postfix.wait_log(r"status=deferred \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 451 4\.4\.1")
    assert len(postfix.queue()) == 1
    sink = make_sink(port=sink_port)
    postfix.flush()
    wait_until(
        lambda: sink.count == 1 and not postfix.queue(), 30, 0.2, what="delivery after the next hop is back"
    )
    assert sink.messages()[0].rcpts == ["friend@example.org"]


# --- before-queue: smtpd_proxy_filter -------------------------------------------------------------------


def proxy_route(
    make_postfix: Callable[..., Postfix], make_gateway: Callable[..., Any], sink: RecordingSink
) -> tuple[Postfix, Any]:
    """Postfix's smtpd hands each message to the gateway before queueing it; the gateway reinjects on 10026."""
    reinject = free_port()
    gw = make_gateway(f"127.0.0.1:{reinject}")
    postfix = make_postfix(
        sink.address,
        extra_main_cf={
            "smtpd_proxy_filter": gw.address,
            "smtpd_proxy_timeout": "100s",
            "reinject_recipient_restrictions": (
                "check_recipient_access inline:{ { gone@example.org = 550 5.1.1 No such user } },"
                " permit_mynetworks, reject"
            ),
        },
        extra_master_cf=[
            f"127.0.0.1:{reinject} inet n - n - - smtpd",
            "  -o smtpd_proxy_filter=",
            "  -o smtpd_authorized_xforward_hosts=127.0.0.0/8",
            "  -o smtpd_client_restrictions=",
            "  -o smtpd_helo_restrictions=",
            "  -o smtpd_sender_restrictions=",
            "  -o smtpd_relay_restrictions=",
            "  -o smtpd_recipient_restrictions=$reinject_recipient_restrictions",
            "  -o smtpd_data_restrictions=",
            "  -o mynetworks=127.0.0.0/8",
            "  -o receive_override_options=no_unknown_recipient_checks",
        ],
    )
    return postfix, gw


def test_proxy_recipient_refused_downstream_is_refused_to_the_client(
    make_postfix: Callable[..., Postfix],
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
) -> None:
    """Before-queue: a recipient the next hop refuses is refused to the sending client at RCPT."""
    sink = make_recording_sink()
    postfix, _ = proxy_route(make_postfix, make_gateway, sink)
    with smtplib.SMTP("127.0.0.1", postfix.port, timeout=60) as c:
        refused = c.sendmail(
            "student@example.ac.uk", ["friend@example.org", "gone@example.org"], message("proxy")
        )
    assert refused == {
        "gone@example.org": (550, b"5.1.1 <gone@example.org>: Recipient address rejected: No such user")
    }
    wait_until(lambda: sink.messages, 30, what="delivery")
    assert sink.messages[0].rcpts == ["friend@example.org"]
    assert split(sink.messages[0].content)[1] == BODY


def test_proxy_reject_verdict_reaches_the_client_and_nothing_is_queued(
    make_postfix: Callable[..., Postfix],
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
) -> None:
    """Before-queue: a reject verdict is the client's 5xx at the dot; Postfix queues nothing, the sink gets nothing."""
    sink = make_recording_sink()
    postfix, _ = proxy_route(make_postfix, make_gateway, sink)
    with pytest.raises(smtplib.SMTPDataError) as err:
        postfix.send(
            "student@example.ac.uk",
            ["friend@example.org"],
            message("rejected", b"X-Test-Verdict: reject\r\n"),
        )
    assert err.value.smtp_code == 554 and b"5.7.1 Refused by the test policy" in err.value.smtp_error
    assert postfix.queue() == [] and sink.messages == []


def test_proxy_accepts_what_postfix_forwards(
    make_postfix: Callable[..., Postfix],
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Before-queue: SMTPUTF8, BODY=8BITMIME and NOTIFY=NEVER from the client get no 5xx; XFORWARD names the client."""
    import logging

    caplog.set_level(logging.INFO, logger="gateway.relay.message")
    sink = make_recording_sink()
    postfix, _ = proxy_route(make_postfix, make_gateway, sink)
    with smtplib.SMTP("127.0.0.1", postfix.port, timeout=60) as c:
        refused = c.sendmail(
            "student@example.ac.uk",
            ["friend@example.org"],
            message("params"),
            mail_options=["SMTPUTF8", "BODY=8BITMIME"],
            rcpt_options=["NOTIFY=NEVER"],
        )
    assert refused == {}
    wait_until(lambda: sink.messages, 30, what="delivery")
    [line] = [r.fields for r in caplog.records if r.name == "gateway.relay.message"]  # type: ignore[attr-defined]
    assert line["client"] == "127.0.0.1" and line["verdict"] == "pass"
    # before-queue, Postfix's queue id is made by the reinjection smtpd: the log takes it from its reply
    postfix.wait_log(
        line["queue_id"] + r": client=localhost\[127\.0\.0\.1\], orig_client=localhost\[127\.0\.0\.1\]"
    )


# --- after-queue: content_filter with a reinjection port ------------------------------------------------


def content_filter_route(
    make_postfix: Callable[..., Postfix], make_gateway: Callable[..., Any], sink: RecordingSink
) -> Postfix:
    reinject = free_port()
    gw = make_gateway(f"127.0.0.1:{reinject}")
    return make_postfix(
        sink.address,
        extra_main_cf={"content_filter": f"scan:[127.0.0.1]:{gw.port}"},
        extra_master_cf=[
            "scan unix - - n - 10 smtp",
            "  -o smtp_send_xforward_command=yes",
            "  -o disable_mime_output_conversion=yes",
            "  -o smtp_generic_maps=",
            f"127.0.0.1:{reinject} inet n - n - 10 smtpd",
            "  -o content_filter=",
            "  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters",
            "  -o smtpd_helo_restrictions=",
            "  -o smtpd_client_restrictions=",
            "  -o smtpd_sender_restrictions=",
            "  -o smtpd_relay_restrictions=",
            "  -o smtpd_recipient_restrictions=permit_mynetworks,reject",
            "  -o mynetworks=127.0.0.0/8",
            "  -o smtpd_authorized_xforward_hosts=127.0.0.0/8",
        ],
    )


def test_content_filter_route_delivers_once_and_defers_holds(
    make_postfix: Callable[..., Postfix],
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
) -> None:
    """After-queue: a clean message is reinjected and delivered once (no loop); a hold with no quarantine stays queued."""
    sink = make_recording_sink()
    postfix = content_filter_route(make_postfix, make_gateway, sink)
    postfix.send("student@example.ac.uk", ["friend@example.org"], message("filtered"))
    postfix.send(
        "student@example.ac.uk", ["friend@example.org"], message("held", b"X-Test-Verdict: hold\r\n")
    )
    wait_until(lambda: sink.messages, 30, what="delivery")
    postfix.wait_log(r"status=deferred \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 451 4\.7\.1")
    assert len(sink.messages) == 1 and b"Subject: filtered" in sink.messages[0].content
    assert split(sink.messages[0].content)[1] == BODY
    assert len(postfix.queue()) == 1  # the held message waits in Postfix's deferred queue
    # the reinjection smtpd logged the original client, passed on by XFORWARD
    postfix.wait_log(r"client=localhost\[127\.0\.0\.1\]")
