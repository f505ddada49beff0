"""Notifications end to end: the relay on a real socket, real detectors, the real quarantine and outbox,
and an aiosmtpd sink as the next hop that receives both the relayed mail and the notices.

Every message here is invented for these tests (see tests/unit/notify/doubles.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import smtplib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.config import NotifySettings, Settings
from gateway.detect.base import Detector
from gateway.detect.deidentify import Deidentifier
from gateway.detect.registry import build_detectors
from gateway.inspector import Inspector
from gateway.notify.drafting import Drafter
from gateway.notify.service import Notifications, open_notifications
from gateway.pipeline import Pipeline
from gateway.policy import load_policy
from gateway.relay import start_relay
from gateway.relay.deliver import build_deliver
from gateway.store.opening import open_quarantine
from tests.integration.gateway_doubles import relay_settings
from tests.integration.servers import Received, RecordingSink, wait_until
from tests.unit.notify.doubles import (
    INSULT_WORD,
    NHS_DIGITS,
    NHS_NUMBER,
    PATIENT,
    ManualClock,
    bodies,
    everything,
    flat,
)
from tests.unit.notify.doubles import parse as parse_mail

pytestmark = pytest.mark.integration

STUDENT = "student@example.ac.uk"
FRIEND = "pal@gmail.com"
REVIEWERS = "reviewers@example.ac.uk"
CHECK = "check@example.ac.uk"
POLICY = """\
rules:
  - name: patient-identifier
    when: {category: patient_identifier, min_score: 0.5}
    action: hold
  - name: abusive-language
    when: {category: abusive_language, severity: severe, quoted: false}
    action: reject
    reject_code: 550
    reject_text: "5.7.1 Refused by the conduct policy: see the notice sent to you"
"""
HELD_BODY = (
    "Hi,\r\n\r\nQuick one before the ward round: the man in bed 6, "
    f"{PATIENT}, NHS number {NHS_NUMBER}, needs his bloods repeated.\r\nCould you check his chart?\r\n\r\nThanks\r\n"
)
ABUSIVE_BODY = (
    f"You are a {INSULT_WORD} idiot and a useless waste of space.\r\n"
    "I will make you pay for what you said in the tutorial.\r\n"
)


def mail(body: str, *, subject: str = "Bloods for bed 6", to: str = FRIEND, extra: str = "") -> bytes:
    return (
        f"From: A Student <{STUDENT}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Message-ID: <e2e-{abs(hash(body)) % 10**8}@example.ac.uk>\r\n{extra}"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body
    ).encode()


@pytest.fixture(scope="module")
def detectors() -> list[Detector]:
    """The real patient and language detectors, loaded once for the module."""
    built = build_detectors(Settings(), names=("patient", "language"))
    for d in built:
        d.load()
    return built


@pytest.fixture(scope="module")
def deidentifier() -> Deidentifier:
    d = Deidentifier.from_settings(Settings())
    d.load()
    return d


class NotifyingGateway:
    """The relay with the quarantine and notifications wired as `serve` wires them, on a loop in a thread.

    With `run_worker=False` the outbox worker is not started: the test drives
    it with `round()` on a manual clock.
    """

    def __init__(self, settings: Settings, pipeline: Pipeline, drafter: Drafter, *, run_worker: bool) -> None:
        self.settings, self.pipeline, self.drafter = settings, pipeline, drafter
        self.run_worker = run_worker
        self.clock = ManualClock() if not run_worker else None
        self.quarantine: Any = None
        self.notifications: Notifications | None = None
        self.relay: Any = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="notify-gateway")

    def start(self) -> NotifyingGateway:
        self._thread.start()
        self.call(self._start())
        return self

    async def _start(self) -> None:
        self.quarantine = await asyncio.to_thread(open_quarantine, self.settings)
        options: dict[str, Any] = {"subjects": self._subjects}
        if self.clock is not None:
            options["clock"] = self.clock
        self.notifications = await asyncio.to_thread(
            open_notifications, self.settings, build_deliver(self.settings), **options
        )
        assert self.notifications is not None
        if self.run_worker:
            await self.notifications.start()
        self.relay = await start_relay(
            self.settings, self.pipeline, quarantine=self.quarantine, notifier=self.notifications.notifier
        )

    async def _subjects(self, texts: list[str]) -> list[str]:
        """Review notices' subjects, de-identified as the inspection workers do it in `serve`."""
        return await asyncio.to_thread(self.drafter.deidentify, texts)

    def call(self, coro: Any, timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    @property
    def outbox(self) -> Any:
        assert self.notifications is not None
        return self.notifications.outbox

    def round(self) -> Any:
        """One outbox worker round (run_worker=False)."""
        assert self.notifications is not None
        return self.call(self.notifications.worker.run_once())

    def send(self, sender: str, rcpts: list[str], raw: bytes) -> tuple[int, str]:
        """MAIL/RCPT/DATA through the relay; the final reply (code, text)."""
        with smtplib.SMTP("127.0.0.1", self.relay.port, timeout=60) as c:
            c.ehlo("client.test")
            c.mail(sender)
            for r in rcpts:
                c.rcpt(r)
            code, text = c.data(raw)
        return code, text.decode("utf-8", "replace")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            if self.relay is not None:
                self.call(self.relay.shutdown(5))
            if self.notifications is not None:
                self.call(self.notifications.close())
            if self.quarantine is not None:
                self.quarantine.close()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


class Kit:
    def __init__(
        self, tmp_path: Path, detectors: list[Detector], deidentifier: Deidentifier, sink: RecordingSink
    ) -> None:
        self.tmp_path, self.detectors, self.deidentifier, self.sink = tmp_path, detectors, deidentifier, sink
        self.started: list[NotifyingGateway] = []

    def gateway(self, *, run_worker: bool = True, **notify: Any) -> NotifyingGateway:
        policy = self.tmp_path / "policy.yaml"
        policy.write_text(POLICY)
        base = relay_settings(self.tmp_path, self.sink.address)
        options = {
            "from_address": "compliance@example.ac.uk",
            "check_address": CHECK,
            "reviewer_address": REVIEWERS,
            **notify,
        }
        settings = dataclasses.replace(
            base,
            policies=(str(policy),),
            notify=dataclasses.replace(NotifySettings(), **options),
            domains=dataclasses.replace(base.domains, internal=("example.ac.uk",), secure=("nhs.net",)),
        )
        rules = load_policy([policy], domains=settings.domains)
        drafter = Drafter(
            settings, rules, lambda: self.deidentifier
        )  # the worker's drafting, in-process here
        inspector = Inspector(settings, self.detectors, rules, drafter=drafter)
        gw = NotifyingGateway(
            settings, Pipeline(settings, inspector=inspector), drafter, run_worker=run_worker
        )
        self.started.append(gw)
        return gw.start()


@pytest.fixture()
def kit(
    tmp_path: Path, detectors: list[Detector], deidentifier: Deidentifier, make_recording_sink: Any
) -> Iterator[Kit]:
    k = Kit(tmp_path, detectors, deidentifier, make_recording_sink())
    yield k
    for gw in k.started:
        gw.stop()


def to(sink: RecordingSink, rcpt: str) -> list[Received]:
    return [m for m in sink.messages if rcpt in m.rcpts]


def wait_for(sink: RecordingSink, rcpt: str, n: int = 1) -> list[Received]:
    return wait_until(
        lambda: len(to(sink, rcpt)) >= n and to(sink, rcpt), 60, what=f"{n} message(s) to {rcpt}"
    )  # type: ignore[no-any-return]


def test_held_nhs_message_tells_the_sender_how_to_fix_it(kit: Kit) -> None:
    """An NHS number to gmail is held; the sender's notice arrives with the finding, the advice and a
    clean draft, and the NHS number's digits appear nowhere in it; the reviewers get a link."""
    gw = kit.gateway()
    code, text = gw.send(STUDENT, [FRIEND], mail(HELD_BODY))
    assert code == 250 and "held for review" in text
    (notice,) = wait_for(kit.sink, STUDENT)
    assert notice.mail_from in ("", "<>")  # the null sender: a notice never bounces (RFC 3834)
    msg = parse_mail(notice.content)
    assert msg["Auto-Submitted"] == "auto-generated" and msg["X-Compliance-Notification"] == "sender"
    text_body, html_body = (flat(b) for b in bodies(notice.content))
    for body in (text_body, html_body):
        assert "An NHS number in the message text" in body
        assert "A patient's name in the message text" in body
        assert 'refer to the patient as, for example, "a man in his 70s"' in body
        assert "Patient confidentiality comes first" in body
        assert "NHS number [NHS number removed]" in body and "[the patient]" in body  # the draft
        assert "needs his bloods repeated" in body
        assert "the Professionalism Team will look at it first" in body.replace("NOT", "not")
    whole = everything(notice.content)
    for secret in (NHS_DIGITS, NHS_NUMBER, "401-023", "Quillfeather"):
        assert secret not in whole
    (alert,) = wait_for(kit.sink, REVIEWERS)
    qid = text.split("held for review as ")[1].strip().split()[0]
    assert f"http://127.0.0.1:8025/messages/{qid}" in flat(bodies(alert.content)[0])
    assert NHS_DIGITS not in everything(alert.content) and "Quillfeather" not in everything(alert.content)
    assert to(kit.sink, FRIEND) == []  # the held message itself went nowhere
    assert gw.quarantine.get(qid).status == "held"


def test_rejected_abuse_notice_does_not_repeat_it(kit: Kit) -> None:
    """An abusive message is refused with 550; the sender's notice names the problem, never the words."""
    gw = kit.gateway()
    code, text = gw.send(STUDENT, [FRIEND], mail(ABUSIVE_BODY, subject="after the tutorial"))
    assert code == 550 and "conduct policy" in text
    (notice,) = wait_for(kit.sink, STUDENT)
    body = flat(bodies(notice.content)[0])
    assert "It was NOT delivered to anyone" in body and "PROFESSIONAL TONE" in body
    assert "rewrite the message without" in body.lower()
    whole = everything(notice.content).lower()
    for word in (INSULT_WORD, "idiot", "useless", "waste of space", "make you pay"):
        assert word not in whole
    assert to(kit.sink, FRIEND) == [] and to(kit.sink, REVIEWERS) == []


def test_bounces_automatic_mail_and_notices_get_no_notice(kit: Kit) -> None:
    """A held bounce, a held auto-reply and a held copy of one of our own notices are not answered."""
    gw = kit.gateway()
    assert gw.send("", [FRIEND], mail(HELD_BODY))[0] == 250
    assert gw.send(STUDENT, [FRIEND], mail(HELD_BODY, extra="Auto-Submitted: auto-replied\r\n"))[0] == 250
    looped = "Auto-Submitted: auto-generated\r\nX-Compliance-Notification: sender\r\n"
    assert gw.send(STUDENT, [FRIEND], mail(HELD_BODY, extra=looped))[0] == 250
    assert gw.send(STUDENT, [FRIEND], mail(HELD_BODY, extra="Precedence: bulk\r\n"))[0] == 250
    # a control message afterwards: its notice is the only one to the sender
    assert gw.send(STUDENT, [FRIEND], mail(HELD_BODY, subject="the control"))[0] == 250
    wait_for(kit.sink, STUDENT)
    notices = to(kit.sink, STUDENT)
    assert len(notices) == 1 and "the control" in parse_mail(notices[0].content)["Subject"]
    assert [e.kind for e in gw.outbox.entries(kind="sender")] == ["sender"]
    assert len(gw.quarantine.messages()) == 5  # all five were held all the same


def test_check_address_answers_and_delivers_nothing(kit: Kit) -> None:
    """Mail to the check address alone is scanned and answered; nothing reaches the check address or anyone else."""
    gw = kit.gateway()
    code, text = gw.send(STUDENT, [CHECK], mail(HELD_BODY, to=CHECK))
    assert code == 250 and "checked, not delivered" in text
    (answer,) = wait_for(kit.sink, STUDENT)
    msg = parse_mail(answer.content)
    assert msg["X-Compliance-Notification"] == "check" and msg["Subject"].startswith("Check result: 2 things")
    body = flat(bodies(answer.content)[0])
    assert "outside the university (such as gmail.com), it would be held for review" in body
    assert "An NHS number in the message text" in body and "[NHS number removed]" in body
    assert NHS_DIGITS not in everything(answer.content)
    assert to(kit.sink, CHECK) == [] and len(kit.sink.messages) == 1
    assert gw.quarantine.messages() == []  # checked, not held


def test_check_address_among_other_recipients_is_dropped(kit: Kit) -> None:
    """With other recipients, a clean message goes to them only; the check address gets nothing."""
    gw = kit.gateway()
    code, _ = gw.send(STUDENT, [FRIEND, CHECK], mail("Lunch after the anatomy practical?\r\n"))
    assert code == 250
    (delivered,) = wait_for(kit.sink, FRIEND)
    assert delivered.rcpts == [FRIEND]
    assert to(kit.sink, CHECK) == []


def test_outbox_retries_after_the_next_hop_comes_back(kit: Kit, make_recording_sink: Any) -> None:
    """The next hop goes away after the hold: the notice waits in the outbox and goes out once it is back."""
    gw = kit.gateway(run_worker=False)
    assert gw.send(STUDENT, [FRIEND], mail(HELD_BODY))[0] == 250
    wait_until(lambda: len(gw.outbox.entries()) == 2, 30, what="notice and alert committed")
    port = kit.sink.port
    kit.sink.stop()
    result = gw.round()
    assert result.retried == 2 and result.sent == 0
    assert {e.status for e in gw.outbox.entries()} == {"pending"}
    assert gw.round().tried == 0  # not due yet: backing off
    back = make_recording_sink(port=port)
    assert gw.clock is not None
    gw.clock.advance(minutes=2)
    assert gw.round().sent == 2
    assert len(to(back, STUDENT)) == 1 and len(to(back, REVIEWERS)) == 1
    assert {e.status for e in gw.outbox.entries()} == {"sent"}


class _BrokenOutbox:
    """An outbox whose database is gone: every commit fails."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def enqueue(self, *args: Any, **kwargs: Any) -> str | None:
        from gateway.errors import StoreError

        raise StoreError("database is down")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_a_broken_outbox_never_costs_a_message_but_defers_a_check(kit: Kit) -> None:
    """If notices cannot be committed, a hold is still answered 250; a check is answered 451 (retried)."""
    gw = kit.gateway()
    assert gw.notifications is not None
    gw.notifications.notifier.outbox = _BrokenOutbox(gw.outbox)
    code, text = gw.send(STUDENT, [FRIEND], mail(HELD_BODY))
    assert code == 250 and "held for review" in text
    code, text = gw.send(STUDENT, [CHECK], mail(HELD_BODY, to=CHECK))
    assert code == 451 and text.startswith("4.3.0")
    assert len(gw.quarantine.messages()) == 1 and to(kit.sink, CHECK) == []
