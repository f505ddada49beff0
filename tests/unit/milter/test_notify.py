"""What milter mode tells the notifier, and the check address: with the real pipeline and policy,
an in-memory quarantine and a fake notifier that records what it was asked."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gateway.config import MilterSettings, Settings
from gateway.errors import StoreError
from gateway.milter import codec
from gateway.milter.actions import CHECK_NOT_ALONE, MessageActions
from gateway.milter.service import wanted_actions
from gateway.milter.session import Collected, Final, Negotiated, Result
from gateway.model import Envelope, Outcome, Verdict
from tests.milter_doubles import MemoryQuarantine, milter_settings, verdict_pipeline

ALL = Negotiated(version=6, actions=0x1FF, protocol=0x1FFFFF)
NO_DELRCPT = Negotiated(version=6, actions=0x1FF & ~codec.SMFIF_DELRCPT, protocol=0x1FFFFF)

SENDER = "s1@example.ac.uk"
OTHER = "x@example.org"
CHECK = "check@example.ac.uk"
RAW = b"From: s1@example.ac.uk\r\nTo: x@example.org\r\nSubject: hi\r\n\r\nHello\r\n"
HEADERS = ((b"From", b" s1@example.ac.uk"), (b"To", b" x@example.org"), (b"Subject", b" hi"))


@dataclass
class Told:
    envelope: Envelope
    size: int  # of the message the outcome is about (the notifier gets the outcome, never the bytes)
    verdict: Verdict
    quarantine_id: str | None
    ref: str


@dataclass
class FakeNotifier:
    """Records `message_decided` and `answer_check` calls.

    `gate` keeps notices waiting until it is set; `fail_notice` / `fail_check`
    make the calls raise (a notifier bug, an outbox that is down).
    """

    gate: asyncio.Event | None = None
    fail_notice: Exception | None = None
    fail_check: Exception | None = None
    decided: list[Told] = field(default_factory=list)
    checked: list[Told] = field(default_factory=list)

    async def message_decided(
        self, envelope: Envelope, outcome: Outcome, quarantine_id: str | None = None, *, ref: str = ""
    ) -> None:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_notice is not None:
            raise self.fail_notice
        self.decided.append(Told(envelope, outcome.size, outcome.decision.verdict, quarantine_id, ref))

    async def answer_check(self, envelope: Envelope, outcome: Outcome, *, ref: str = "") -> str | None:
        if self.fail_check is not None:
            raise self.fail_check
        self.checked.append(Told(envelope, outcome.size, outcome.decision.verdict, None, ref))
        return f"outbox-{len(self.checked)}"


def message(*rcpts: str) -> Collected:
    return Collected(
        envelope=Envelope(
            SENDER,
            rcpts or (OTHER,),
            queue_id="QID1",
            rcpt_options=tuple((f"ORCPT=rfc822;{r}",) for r in rcpts or (OTHER,)),
        ),
        raw=RAW,
        headers=HEADERS,
        body=b"Hello\r\n",
        size=len(RAW),
        oversized=False,
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return milter_settings(tmp_path)


def actions(
    settings: Settings,
    verdict: str,
    notifier: FakeNotifier | None,
    quarantine: MemoryQuarantine | None = None,
    **milter: object,
) -> MessageActions:
    m = dataclasses.replace(MilterSettings(listen="127.0.0.1:0"), **milter)  # type: ignore[arg-type]
    return MessageActions(
        m, verdict_pipeline(settings, verdict), quarantine, notifier, check_address=f"<{CHECK.upper()}>"
    )


async def judged(a: MessageActions, msg: Collected, n: Negotiated = ALL) -> Result:
    """The answer, then every notice started for it committed."""
    result = await a(msg, n)
    await a.drain_notices()
    return result


# --- sender notices ------------------------------------------------------------------------------------


async def test_hold_tells_the_sender_after_the_quarantine_commit(settings: Settings) -> None:
    """Hold: DISCARD, and one notice naming the quarantine entry, the message as held, Postfix's queue id."""
    notifier, q = FakeNotifier(), MemoryQuarantine()
    assert await judged(actions(settings, "hold", notifier, q), message()) == Result(Final.DISCARD)
    (told,) = notifier.decided
    assert (told.verdict, told.quarantine_id, told.ref) == (Verdict.HOLD, "mem-1", "QID1")
    assert told.size == len(RAW) and q.held[0].raw == RAW and told.envelope == q.held[0].envelope


async def test_reject_tells_the_sender(settings: Settings) -> None:
    """Reject: the policy's REPLYCODE, and a notice without a quarantine id."""
    notifier = FakeNotifier()
    result = await judged(actions(settings, "reject", notifier), message())
    assert result.final is Final.REPLYCODE and result.reply[0] == 554
    assert [(t.verdict, t.quarantine_id) for t in notifier.decided] == [(Verdict.REJECT, None)]


async def test_annotate_tells_the_sender(settings: Settings) -> None:
    """Annotate: accepted with the headers, and a notice."""
    notifier = FakeNotifier()
    result = await judged(actions(settings, "annotate", notifier), message())
    assert result.final is Final.ACCEPT and result.add_headers
    assert [t.verdict for t in notifier.decided] == [Verdict.ANNOTATE]


async def test_postfix_hold_tells_the_sender_without_a_quarantine_id(settings: Settings) -> None:
    """hold_action = postfix-hold: QUARANTINE + ACCEPT, and a notice (no gateway quarantine entry to name)."""
    notifier = FakeNotifier()
    result = await judged(actions(settings, "hold", notifier, hold_action="postfix-hold"), message())
    assert result.quarantine_reason and result.final is Final.ACCEPT
    assert [(t.verdict, t.quarantine_id) for t in notifier.decided] == [(Verdict.HOLD, None)]


async def test_pass_tells_nobody(settings: Settings) -> None:
    """A clean message is accepted without a notice."""
    notifier = FakeNotifier()
    assert await judged(actions(settings, "pass", notifier), message()) == Result(Final.ACCEPT)
    assert notifier.decided == []


@pytest.mark.parametrize("quarantine", [None, MemoryQuarantine(fail=StoreError("down"))])
async def test_a_hold_not_carried_out_tells_nobody(
    settings: Settings, quarantine: MemoryQuarantine | None
) -> None:
    """No quarantine, or its commit failed: TEMPFAIL (the MTA retries) and no notice yet."""
    notifier = FakeNotifier()
    assert await judged(actions(settings, "hold", notifier, quarantine), message()) == Result(Final.TEMPFAIL)
    assert notifier.decided == []


async def test_the_answer_never_waits_for_the_notice(settings: Settings) -> None:
    """A notice still being committed does not hold back the DISCARD; it is committed afterwards."""
    notifier = FakeNotifier(gate=asyncio.Event())
    a = actions(settings, "hold", notifier, MemoryQuarantine())
    assert await asyncio.wait_for(a(message(), ALL), 10) == Result(Final.DISCARD)
    assert notifier.decided == []
    assert notifier.gate is not None
    notifier.gate.set()
    await a.drain_notices()
    assert [t.verdict for t in notifier.decided] == [Verdict.HOLD]


async def test_a_failing_notifier_changes_nothing_and_is_logged(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A notifier that raises: the answer is the same, and the failure is in the log by type only."""
    notifier = FakeNotifier(fail_notice=RuntimeError("s1@example.ac.uk broke it"))
    with caplog.at_level(logging.ERROR, logger="gateway.milter.actions"):
        result = await judged(actions(settings, "reject", notifier), message())
    assert result.final is Final.REPLYCODE
    (record,) = [r for r in caplog.records if r.getMessage() == "milter: notification failed"]
    assert record.__dict__["error"] == "RuntimeError" and SENDER not in caplog.text


# --- the check address -----------------------------------------------------------------------------------


async def test_check_address_alone_is_answered_then_discarded(settings: Settings) -> None:
    """Only the check address: the answer is committed, then DISCARD; nothing held, no ordinary notice."""
    notifier, q = FakeNotifier(), MemoryQuarantine()
    result = await judged(actions(settings, "hold", notifier, q), message("Check@Example.ac.uk"))
    assert result == Result(Final.DISCARD)
    (answer,) = notifier.checked
    assert answer.verdict is Verdict.HOLD and answer.ref == "QID1" and answer.size == len(RAW)
    assert answer.envelope.rcpt_tos == ("Check@Example.ac.uk",)
    assert q.held == [] and notifier.decided == []


async def test_check_answer_not_committed_is_tempfail(settings: Settings) -> None:
    """If the answer cannot be committed to the outbox the MTA keeps the message: TEMPFAIL, never DISCARD."""
    notifier = FakeNotifier(fail_check=StoreError("outbox down"))
    assert await judged(actions(settings, "pass", notifier), message(CHECK)) == Result(Final.TEMPFAIL)


@pytest.mark.parametrize("verdict", ["pass", "annotate"])
async def test_check_address_among_others_is_taken_off(settings: Settings, verdict: str) -> None:
    """With other recipients the check address is removed with DELRCPT, as the MTA named it; the rest accepted."""
    notifier = FakeNotifier()
    result = await judged(actions(settings, verdict, notifier), message(OTHER, "Check@Example.ac.uk"))
    assert result.final is Final.ACCEPT
    assert result.del_rcpts == ("<Check@Example.ac.uk>",)
    assert notifier.checked == []
    for told in notifier.decided:  # annotate's notice lists the real recipients only
        assert told.envelope.rcpt_tos == (OTHER,)


async def test_check_address_among_others_is_not_held_for(settings: Settings) -> None:
    """A held message for others and the check address is quarantined for the others only."""
    notifier, q = FakeNotifier(), MemoryQuarantine()
    result = await judged(actions(settings, "hold", notifier, q), message(CHECK, OTHER))
    assert result == Result(Final.DISCARD)
    (held,) = q.held
    assert held.envelope.rcpt_tos == (OTHER,)
    assert held.envelope.rcpt_options == ((f"ORCPT=rfc822;{OTHER}",),)


async def test_check_address_among_others_without_delrcpt_is_refused(settings: Settings) -> None:
    """An MTA that does not let the milter remove recipients: 550 asking for the check on its own."""
    notifier = FakeNotifier()
    result = await judged(actions(settings, "pass", notifier), message(OTHER, CHECK), NO_DELRCPT)
    assert result == Result(Final.REPLYCODE, reply=CHECK_NOT_ALONE)
    assert notifier.checked == [] and notifier.decided == []


async def test_without_a_notifier_the_check_address_is_an_ordinary_recipient(settings: Settings) -> None:
    """Notifications off: nobody could answer, so mail for it is judged and delivered like any other."""
    assert await judged(actions(settings, "pass", None), message(CHECK)) == Result(Final.ACCEPT)


# --- negotiation ------------------------------------------------------------------------------------------


def test_delrcpt_is_asked_for_only_with_a_check_address() -> None:
    """The milter asks the MTA for DELRCPT only when it has a check address to take off."""
    m = MilterSettings(listen="127.0.0.1:0")
    assert wanted_actions(m, check_address=True) & codec.SMFIF_DELRCPT
    assert not wanted_actions(m) & codec.SMFIF_DELRCPT
