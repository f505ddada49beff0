"""Milter mode end to end: a real private Postfix (smtpd_milters -> the gateway) delivering to smtp-sink.

Postfix runs with milter_default_action = tempfail and milter_protocol = 6.
Verdicts are forced with a policy file written by the test and a FakeDetector
behind the real pipeline (tests/milter_doubles.py). Holds go to the real
quarantine (gateway/store/quarantine.py, SQLite in a temporary state_dir);
an in-memory fake stands in where a failing store is needed. Notifications
use the real notifier, outbox and outbox worker, delivering to the same
smtp-sink; only the de-identifier is a fake (tests/unit/notify/doubles.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import textwrap
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from gateway.config import MilterSettings, NotifySettings, Settings, SmtpSettings
from gateway.errors import StoreError
from gateway.milter.service import MilterService, start_milter
from gateway.notify.service import Notifications, open_notifications
from gateway.relay.deliver import build_deliver
from gateway.store.opening import open_quarantine
from gateway.store.quarantine import QuarantineStore
from tests.integration.milter_postfix import PrivatePostfix, SmtpSink, available, free_port, wait_until
from tests.milter_doubles import BANNER, MemoryQuarantine, milter_settings, slow_pipeline, verdict_pipeline
from tests.unit.notify.doubles import bodies, flat
from tests.unit.notify.doubles import parse as parse_mail

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SENDER = "student1@example.ac.uk"
CONTENT_TIMEOUT = 3
RCPT = "someone@example.org"


@dataclasses.dataclass
class Mta:
    postfix: PrivatePostfix
    sink: SmtpSink
    milter_port: int
    root: Path


@pytest.fixture(scope="module")
def mta() -> Iterator[Mta]:
    """A private Postfix on a free port whose smtpd_milters (and non_smtpd_milters) is the gateway."""
    if not available():
        pytest.fail("postfix, smtp-sink and smtp-source (run as root) are needed: scripts/install-test-deps")
    # Postfix's unprivileged processes must traverse every parent: not under pytest's 0700 tmp folder
    root = Path(tempfile.mkdtemp(prefix="gw-milter-"))
    milter_port, sink_port, smtp_port = free_port(), free_port(), free_port()
    sink = SmtpSink(root, sink_port)
    sink.start()
    milter = f"inet:127.0.0.1:{milter_port}"
    postfix = PrivatePostfix(
        root,
        port=smtp_port,
        relay_port=sink_port,
        extra={
            "smtpd_milters": milter,
            "non_smtpd_milters": milter,
            "milter_default_action": "tempfail",
            "milter_protocol": "6",
            # short, so that a scan longer than this survives only thanks to PROGRESS
            "milter_content_timeout": f"{CONTENT_TIMEOUT}s",
        },
    )
    try:
        postfix.start()
        yield Mta(postfix, sink, milter_port, root)
    finally:
        postfix.stop()
        sink.stop()
        shutil.rmtree(root, ignore_errors=True)


@asynccontextmanager
async def milter(
    mta: Mta,
    settings: Settings,
    verdict: str,
    quarantine: MemoryQuarantine | QuarantineStore | None,
    **opts: object,
) -> AsyncIterator[MilterService]:
    m = dataclasses.replace(MilterSettings(listen=f"127.0.0.1:{mta.milter_port}"), **opts)  # type: ignore[arg-type]
    settings = dataclasses.replace(settings, milter=m)
    service = await start_milter(settings, verdict_pipeline(settings, verdict), quarantine)
    try:
        yield service
    finally:
        await service.close()


def message(marker: str, body: str = "Hello, see you at the seminar.") -> bytes:
    return (
        f"From: Student One <{SENDER}>\r\nTo: <{RCPT}>\r\nSubject: test {marker}\r\n"
        f"Message-ID: <{marker}@example.ac.uk>\r\n\r\n{body}\r\n"
    ).encode()


def send(mta: Mta, raw: bytes, rcpts: tuple[str, ...] = (RCPT,)) -> None:
    with smtplib.SMTP("127.0.0.1", mta.postfix.port, timeout=60) as client:
        client.sendmail(SENDER, list(rcpts), raw)


async def send_async(mta: Mta, raw: bytes, rcpts: tuple[str, ...] = (RCPT,)) -> None:
    await asyncio.to_thread(send, mta, raw, rcpts)


def arrived(mta: Mta, marker: str) -> list[bytes]:
    return mta.sink.find(marker.encode())


async def wait_arrived(mta: Mta, marker: str) -> bytes:
    assert await asyncio.to_thread(wait_until, lambda: bool(arrived(mta, marker)), 30), mta.postfix.maillog()
    (got,) = arrived(mta, marker)
    return got


def queue_id_of(mta: Mta, marker: str) -> str:
    """The Postfix queue id of the message with this Message-ID, from the maillog."""
    (line,) = mta.postfix.log_lines(rf"message-id=<{marker}@example\.ac\.uk>")
    return line.split(": ")[1]


def new_marker() -> str:
    return "m" + uuid.uuid4().hex[:12]


# --- verdicts ----------------------------------------------------------------------------------------


async def test_pass_is_delivered_unchanged(mta: Mta, tmp_path: Path) -> None:
    """A clean message reaches the next hop, with no X-Compliance headers and its body intact."""
    marker = new_marker()
    async with milter(mta, milter_settings(tmp_path), "pass", MemoryQuarantine()):
        await send_async(mta, message(marker))
        got = await wait_arrived(mta, marker)
    assert b"X-Compliance" not in got
    assert b"\n\nHello, see you at the seminar.\n" in got  # smtp-sink dumps with LF line ends


async def test_annotate_headers_and_banner_reach_the_sink(mta: Mta, tmp_path: Path) -> None:
    """Annotate: the X-Compliance-* headers and the banner are in the delivered message."""
    marker = new_marker()
    async with milter(mta, milter_settings(tmp_path), "annotate", MemoryQuarantine()):
        await send_async(mta, message(marker))
        got = await wait_arrived(mta, marker)
    text = got.decode()
    assert "X-Compliance-Verdict: annotate; rule=test-annotate" in text
    assert "X-Compliance-Findings: etiquette/TEST_ANNOTATE" in text
    assert text.index(BANNER) < text.index("Hello, see you at the seminar.")


async def test_hold_is_quarantined_not_delivered(mta: Mta, tmp_path: Path) -> None:
    """Hold: the client gets 250, the message is in the real quarantine with Postfix's queue id, not at the sink."""
    marker = new_marker()
    settings = milter_settings(tmp_path, state_dir=str(tmp_path / "state"))
    store = open_quarantine(settings)  # SQLite in state_dir, encrypted
    try:
        async with milter(mta, settings, "hold", store):
            await send_async(mta, message(marker))
        qid = queue_id_of(mta, marker)
        assert mta.postfix.log_lines(rf"{qid}: milter-discard")
        (held,) = store.messages()
        assert held.queue_id == qid and held.rule == "test-hold"
        assert held.sender == SENDER and held.recipients == (RCPT,)
        assert marker.encode() in store.raw(held.id)
    finally:
        store.close()
    assert not any(q["queue_id"] == qid for q in mta.postfix.queued())  # discarded: not queued
    assert arrived(mta, marker) == []


async def test_hold_in_memory_quarantine_gets_the_message_as_postfix_gave_it(
    mta: Mta, tmp_path: Path
) -> None:
    """The raw bytes handed to the quarantine are the message Postfix would have delivered."""
    marker = new_marker()
    quarantine = MemoryQuarantine()
    async with milter(mta, milter_settings(tmp_path), "hold", quarantine):
        await send_async(mta, message(marker))
    (held,) = quarantine.held
    assert held.raw.startswith(f"From: Student One <{SENDER}>\r\nTo: <{RCPT}>\r\n".encode())
    assert held.raw.endswith(b"\r\n\r\nHello, see you at the seminar.\r\n")
    assert held.envelope.queue_id == queue_id_of(mta, marker)


async def test_hold_in_postfix_hold_queue(mta: Mta, tmp_path: Path) -> None:
    """hold_action = postfix-hold: the message waits in Postfix's hold queue, not at the sink."""
    marker = new_marker()
    async with milter(mta, milter_settings(tmp_path), "hold", None, hold_action="postfix-hold"):
        await send_async(mta, message(marker))
    qid = queue_id_of(mta, marker)
    held = [q for q in mta.postfix.queued() if q["queue_id"] == qid]
    assert held and held[0]["queue_name"] == "hold"
    assert arrived(mta, marker) == []
    subprocess.run(["postsuper", "-c", str(mta.postfix.conf), "-d", qid], capture_output=True, check=True)


async def test_reject_shows_the_policy_text(mta: Mta, tmp_path: Path) -> None:
    """Reject: the SMTP client sees the policy's 5xx code and text (with its % intact)."""
    marker = new_marker()
    async with milter(mta, milter_settings(tmp_path), "reject", MemoryQuarantine()):
        with pytest.raises(smtplib.SMTPDataError) as err:
            await send_async(mta, message(marker))
    assert err.value.smtp_code == 554
    text = err.value.smtp_error
    assert (
        text.decode() if isinstance(text, bytes) else text
    ) == "5.7.1 Refused by the test policy: 100% sure"
    assert arrived(mta, marker) == []


async def test_quarantine_failure_tempfails(mta: Mta, tmp_path: Path) -> None:
    """Hold with the store down: the client gets 4xx and keeps the message; nothing delivered."""
    marker = new_marker()
    async with milter(mta, milter_settings(tmp_path), "hold", MemoryQuarantine(fail=StoreError("down"))):
        with pytest.raises(smtplib.SMTPDataError) as err:
            await send_async(mta, message(marker))
    assert 400 <= err.value.smtp_code < 500
    assert arrived(mta, marker) == []


async def test_oversized_message_is_refused(mta: Mta, tmp_path: Path) -> None:
    """A message over smtp.max_message_size is refused with 552 (as the relay does)."""
    marker = new_marker()
    settings = milter_settings(tmp_path)
    settings = dataclasses.replace(settings, smtp=dataclasses.replace(settings.smtp, max_message_size=2000))
    async with milter(mta, settings, "pass", MemoryQuarantine()):
        with pytest.raises(smtplib.SMTPDataError) as err:
            await send_async(mta, message(marker, body="x" * 5000))
    assert err.value.smtp_code == 552


async def test_long_scan_is_kept_alive_by_progress(mta: Mta, tmp_path: Path) -> None:
    """A scan twice as long as Postfix's milter_content_timeout still delivers: PROGRESS resets the timer."""
    marker = new_marker()
    settings = milter_settings(tmp_path)
    settings = dataclasses.replace(
        settings, milter=MilterSettings(listen=f"127.0.0.1:{mta.milter_port}", progress_interval_seconds=0.2)
    )
    service = await start_milter(settings, slow_pipeline(settings, CONTENT_TIMEOUT * 2), None)
    try:
        await send_async(mta, message(marker))
        await wait_arrived(mta, marker)
    finally:
        await service.close()
    assert not mta.postfix.log_lines(rf"{queue_id_of(mta, marker)}: milter-reject")


# --- notifications and the check address -------------------------------------------------------------

CHECK = "check@example.ac.uk"


@dataclasses.dataclass
class Notifying:
    service: MilterService
    store: QuarantineStore
    notifications: Notifications


@asynccontextmanager
async def notifying_milter(mta: Mta, tmp_path: Path, verdict: str) -> AsyncIterator[Notifying]:
    """The milter wired as `serve` wires it: the real quarantine, notifier, outbox and worker;
    notices go out through the next hop, here the smtp-sink behind Postfix."""
    settings = milter_settings(
        tmp_path,
        state_dir=str(tmp_path / "state"),
        milter=MilterSettings(listen=f"127.0.0.1:{mta.milter_port}"),
        smtp=dataclasses.replace(SmtpSettings(), next_hop=f"127.0.0.1:{mta.sink.port}", next_hop_tls="none"),
        notify=dataclasses.replace(
            NotifySettings(), from_address="compliance@example.ac.uk", check_address=CHECK
        ),
    )
    store = open_quarantine(settings)
    notifications = open_notifications(settings, build_deliver(settings))
    assert notifications is not None
    await notifications.start()
    service = await start_milter(
        settings, verdict_pipeline(settings, verdict, drafts=True), store, notifications.notifier
    )
    try:
        yield Notifying(service, store, notifications)
    finally:
        await service.close()
        await notifications.close()
        store.close()


def envelope_rcpts(dumped: bytes) -> list[str]:
    """The envelope recipients smtp-sink recorded (its X-Rcpt-Args lines)."""
    head = dumped.split(b"\n\n", 1)[0].decode("utf-8", "replace")
    return [
        line.split("<", 1)[1].split(">", 1)[0]
        for line in head.splitlines()
        if line.startswith("X-Rcpt-Args:")
    ]


def nothing_for_check(mta: Mta) -> bool:
    return not any(CHECK in envelope_rcpts(m) for m in mta.sink.messages())


async def test_held_message_gives_the_sender_a_notice(mta: Mta, tmp_path: Path) -> None:
    """Hold through Postfix: the client gets 250, the message is in the quarantine, and the sender's
    notice (what happened, the reference) arrives at the sink; the held message itself does not."""
    marker = new_marker()
    async with notifying_milter(mta, tmp_path, "hold") as gw:
        await send_async(mta, message(marker))
        notice = await wait_arrived(mta, marker)  # the notice answers the held message's Message-ID
        (held,) = gw.store.messages()
        # the sink has the notice; the outbox marks it sent once the next hop's 250 is recorded
        for _ in range(200):
            (entry,) = gw.notifications.outbox.entries(kind="sender")
            if entry.status != "pending":
                break
            await asyncio.sleep(0.05)
        assert entry.status == "sent"
    assert envelope_rcpts(notice) == [SENDER]
    msg = parse_mail(notice)
    assert msg["X-Compliance-Notification"] == "sender" and msg["Auto-Submitted"] == "auto-generated"
    assert msg["In-Reply-To"] == f"<{marker}@example.ac.uk>"
    text = flat(bodies(notice)[0])
    assert "has NOT been delivered" in text and held.id in text
    assert held.queue_id == queue_id_of(mta, marker)
    assert not any(RCPT in envelope_rcpts(m) for m in arrived(mta, marker))


async def test_check_address_is_answered_and_not_delivered(mta: Mta, tmp_path: Path) -> None:
    """Mail for the check address alone: Postfix discards it after the milter committed the answer,
    the answer reaches the sender, and nothing reaches the check address or the quarantine."""
    marker = new_marker()
    async with notifying_milter(mta, tmp_path, "hold") as gw:
        await send_async(mta, message(marker), rcpts=(CHECK,))
        answer = await wait_arrived(mta, marker)
        assert gw.store.messages() == []
    assert mta.postfix.log_lines(rf"{queue_id_of(mta, marker)}: milter-discard")
    assert envelope_rcpts(answer) == [SENDER]
    assert parse_mail(answer)["X-Compliance-Notification"] == "check"
    assert nothing_for_check(mta)


async def test_check_address_among_others_is_taken_off(mta: Mta, tmp_path: Path) -> None:
    """A clean message for someone and the check address is delivered to that someone only (DELRCPT)."""
    marker = new_marker()
    async with notifying_milter(mta, tmp_path, "pass"):
        await send_async(mta, message(marker), rcpts=(RCPT, CHECK))
        delivered = await wait_arrived(mta, marker)
    assert envelope_rcpts(delivered) == [RCPT]
    assert nothing_for_check(mta)


# --- the milter dies mid-message ---------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import asyncio, dataclasses, sys, time
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from gateway.config import MilterSettings
    from gateway.milter.service import start_milter
    from gateway.inspector import Inspector
    from gateway.pipeline import Pipeline
    from gateway.policy import load_policy
    from tests.milter_doubles import milter_settings

    class Stuck:
        name = "stuck"
        categories = ("patient_identifier",)
        def load(self): pass
        def detect(self, inspection):
            Path({marker!r}).write_text("scanning")
            time.sleep(600)
            return []

    async def main():
        settings = milter_settings(Path({folder!r}))
        settings = dataclasses.replace(settings, milter=MilterSettings(listen="127.0.0.1:{port}"))
        pipeline = Pipeline(settings, inspector=Inspector(settings, [Stuck()], load_policy(settings.policy_paths)))
        await start_milter(settings, pipeline, None)
        Path({ready!r}).write_text("ready")
        await asyncio.Event().wait()

    asyncio.run(main())
    """
)


def start_stuck_milter(mta: Mta, folder: Path) -> tuple[subprocess.Popen[bytes], Path]:
    scanning, ready = folder / "scanning", folder / "ready"
    script = folder / "stuck_milter.py"
    script.write_text(
        CHILD.format(
            repo=str(REPO), marker=str(scanning), folder=str(folder), port=mta.milter_port, ready=str(ready)
        )
    )
    proc = subprocess.Popen([sys.executable, str(script)], cwd=REPO)
    assert wait_until(ready.exists, 30), "the milter process did not start"
    return proc, scanning


def kill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


async def test_milter_killed_mid_message_smtp_client_keeps_it(mta: Mta, tmp_path: Path) -> None:
    """kill -9 while judging an SMTP message: the client gets 4xx (it keeps the mail); nothing delivered."""
    marker = new_marker()
    proc, scanning = start_stuck_milter(mta, tmp_path)
    try:
        sending = asyncio.create_task(send_async(mta, message(marker)))
        assert await asyncio.to_thread(wait_until, scanning.exists, 30)
        kill(proc)
        with pytest.raises(smtplib.SMTPDataError) as err:
            await sending
    finally:
        if proc.poll() is None:
            kill(proc)
    assert 400 <= err.value.smtp_code < 500
    assert arrived(mta, marker) == []


async def test_milter_killed_mid_message_postfix_keeps_it_queued(mta: Mta, tmp_path: Path) -> None:
    """kill -9 while judging a sendmail(1) message: it stays in Postfix's queue and is delivered later."""
    marker = new_marker()
    proc, scanning = start_stuck_milter(mta, tmp_path)
    try:
        subprocess.run(
            ["sendmail", "-C", str(mta.postfix.conf), "-f", SENDER, RCPT],
            input=message(marker).replace(b"\r\n", b"\n"),
            check=True,
            timeout=60,
        )
        assert await asyncio.to_thread(wait_until, scanning.exists, 60)
        kill(proc)
    finally:
        if proc.poll() is None:
            kill(proc)

    def still_queued() -> bool:
        return any(q["queue_name"] == "maildrop" for q in mta.postfix.queued()) and bool(
            mta.postfix.log_lines(r"milter-reject: END-OF-MESSAGE|Service unavailable")
        )

    assert await asyncio.to_thread(wait_until, still_queued, 30), mta.postfix.maillog()
    assert arrived(mta, marker) == []
    # the milter comes back: Postfix picks the message up again and it is delivered, once
    async with milter(mta, milter_settings(tmp_path), "pass", MemoryQuarantine()):
        await asyncio.to_thread(mta.postfix.kick_pickup)
        got = await wait_arrived(mta, marker)
    assert marker.encode() in got


# --- the listener ---------------------------------------------------------------------------------


async def test_unix_socket_listener(tmp_path: Path) -> None:
    """listen = a socket path: the MTA connects there; the socket gets its mode and is removed on close."""
    path = tmp_path / "milter.sock"
    settings = dataclasses.replace(milter_settings(tmp_path), milter=MilterSettings(listen=f"unix:{path}"))
    service = await start_milter(settings, verdict_pipeline(settings, "pass"), None)
    try:
        assert (path.stat().st_mode & 0o777) == 0o660
        reader, writer = await asyncio.open_unix_connection(str(path))
        writer.write(bytes.fromhex("0000000d4f00000006000001ff001fffff"))
        await writer.drain()
        reply = await asyncio.wait_for(reader.readexactly(17), 10)
        assert reply == bytes.fromhex("0000000d4f00000006000000030" + "01ff3c0")
        writer.close()
    finally:
        await service.close()
    assert not path.exists()


# --- the deploy check against the real Postfix --------------------------------------------------------


def test_deploy_check_reads_the_real_postfix(mta: Mta, tmp_path: Path) -> None:
    """`gateway milter check-postfix -c DIR` passes for this fail-closed Postfix and fails a fail-open one."""
    config = tmp_path / "gateway.toml"
    config.write_text(f'[milter]\nlisten = "127.0.0.1:{mta.milter_port}"\nprogress_interval_seconds = 1.0\n')
    cmd = [sys.executable, "-m", "gateway.cli", "--config", str(config), "milter", "check-postfix"]
    ok = subprocess.run([*cmd, "-c", str(mta.postfix.conf)], capture_output=True, text=True, cwd=REPO)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK   milter_default_action = tempfail" in ok.stdout
    saved = tmp_path / "postconf.txt"
    saved.write_text(
        subprocess.run(
            ["postconf", "-c", str(mta.postfix.conf), "-x"], capture_output=True, text=True
        ).stdout.replace("milter_default_action = tempfail", "milter_default_action = accept")
    )
    bad = subprocess.run([*cmd, "--postconf-output", str(saved)], capture_output=True, text=True, cwd=REPO)
    assert bad.returncode == 1 and "FAIL milter_default_action = accept" in bad.stdout


# --- who may connect -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("allowed", "answered"),
    [
        (("127.0.0.0/8",), True),
        (("127.0.0.1/32", "10.0.0.0/8"), True),
        (("10.0.0.0/8",), False),
        (("192.0.2.7/32", "::1/128"), False),
    ],
)
async def test_tcp_listener_answers_only_allowed_clients(
    tmp_path: Path, allowed: tuple[str, ...], answered: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """A client outside `[milter] allowed_clients` is disconnected before its first packet is answered."""
    settings = dataclasses.replace(
        milter_settings(tmp_path), milter=MilterSettings(listen="127.0.0.1:0", allowed_clients=allowed)
    )
    service = await start_milter(settings, verdict_pipeline(settings, "pass"), None)
    try:
        host, port = service.address  # type: ignore[misc]
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(bytes.fromhex("0000000d4f00000006000001ff001fffff"))
        await writer.drain()
        try:
            reply = await asyncio.wait_for(reader.read(64), 10)
        except ConnectionResetError:  # closed with our packet unread: the kernel answers RST
            reply = b""
        writer.close()
    finally:
        await service.close()
    if answered:
        assert reply == bytes.fromhex("0000000d4f00000006000000030" + "01ff3c0")
    else:
        assert reply == b""
        assert any("not in milter.allowed_clients" in r.getMessage() for r in caplog.records)
