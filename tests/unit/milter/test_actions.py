"""From the pipeline's verdict to the end-of-message result, with the real pipeline and policy."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from gateway.act.holding import Holder
from gateway.config import MilterSettings, Settings
from gateway.errors import StoreError
from gateway.milter.actions import TOO_BIG, MessageActions
from gateway.milter.session import Collected, Final, Negotiated, Result
from gateway.model import Decision, Envelope, Verdict
from tests.milter_doubles import BANNER, REJECT_TEXT, MemoryQuarantine, milter_settings, verdict_pipeline

ALL = Negotiated(version=6, actions=0x1FF, protocol=0x1FFFFF)
NO_MODIFICATIONS = Negotiated(version=6, actions=0, protocol=0x1FFFFF)

RAW = b"From: s1@example.ac.uk\r\nTo: x@example.org\r\nSubject: hi\r\n\r\nHello\r\n"
HEADERS = ((b"From", b" s1@example.ac.uk"), (b"To", b" x@example.org"), (b"Subject", b" hi"))


def message(*, oversized: bool = False) -> Collected:
    return Collected(
        envelope=Envelope("s1@example.ac.uk", ("x@example.org",), queue_id="QID1"),
        raw=b"" if oversized else RAW,
        headers=HEADERS,
        body=b"Hello\r\n",
        size=len(RAW),
        oversized=oversized,
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return milter_settings(tmp_path)


def actions(
    settings: Settings,
    verdict: str,
    quarantine: MemoryQuarantine | None = None,
    **milter: object,
) -> MessageActions:
    m = dataclasses.replace(MilterSettings(listen="127.0.0.1:0"), **milter)  # type: ignore[arg-type]
    return MessageActions(m, verdict_pipeline(settings, verdict), quarantine)


async def test_pass_is_accept_without_changes(settings: Settings) -> None:
    """A clean message is accepted as it is."""
    assert await actions(settings, "pass")(message(), ALL) == Result(Final.ACCEPT)


async def test_annotate_adds_the_compliance_headers_and_banner(settings: Settings) -> None:
    """Annotate: ADDHEADER for each X-Compliance-* header and the banner at the top of the body."""
    result = await actions(settings, "annotate")(message(), ALL)
    assert result.final is Final.ACCEPT
    names = [name for name, _ in result.add_headers]
    assert names == ["X-Compliance-Verdict", "X-Compliance-Findings"]
    assert dict(result.add_headers)["X-Compliance-Verdict"].startswith("annotate; rule=test-annotate")
    assert result.new_body == BANNER.encode() + b"\r\n\r\nHello\r\n"


async def test_annotate_without_banner_setting_leaves_the_body(settings: Settings) -> None:
    """With [milter] banner = false only headers are added."""
    result = await actions(settings, "annotate", banner=False)(message(), ALL)
    assert result.add_headers and result.new_body is None


async def test_annotate_when_the_mta_allows_no_changes_still_delivers(settings: Settings) -> None:
    """Without ADDHDRS/CHGBODY offered, annotate still accepts (the policy lets it through)."""
    result = await actions(settings, "annotate")(message(), NO_MODIFICATIONS)
    assert result.final is Final.ACCEPT and result.new_body is None


async def test_hold_commits_to_the_quarantine_then_discards(settings: Settings) -> None:
    """Hold: the message is in the quarantine, with its envelope and decision, and then DISCARD."""
    q = MemoryQuarantine()
    result = await actions(settings, "hold", q)(message(), ALL)
    assert result == Result(Final.DISCARD)
    (held,) = q.held
    assert held.raw == RAW
    assert held.envelope.queue_id == "QID1"
    assert held.decision.verdict is Verdict.HOLD and held.decision.rule == "test-hold"


async def test_hold_when_the_store_fails_is_tempfail(settings: Settings) -> None:
    """If the quarantine commit fails the MTA keeps the message: TEMPFAIL, never DISCARD."""
    q = MemoryQuarantine(fail=StoreError("database is locked"))
    assert await actions(settings, "hold", q)(message(), ALL) == Result(Final.TEMPFAIL)


async def test_hold_without_a_quarantine_is_tempfail(settings: Settings) -> None:
    """No quarantine available: TEMPFAIL."""
    assert await actions(settings, "hold", None)(message(), ALL) == Result(Final.TEMPFAIL)


async def test_postfix_hold_uses_the_mta_hold_queue(settings: Settings) -> None:
    """hold_action = postfix-hold: QUARANTINE with the rule as the reason, then ACCEPT; our store untouched."""
    q = MemoryQuarantine()
    result = await actions(settings, "hold", q, hold_action="postfix-hold")(message(), ALL)
    assert result.final is Final.ACCEPT
    assert "test-hold" in result.quarantine_reason
    assert q.held == []


async def test_postfix_hold_without_the_quarantine_action_is_tempfail(settings: Settings) -> None:
    """The MTA did not offer QUARANTINE: TEMPFAIL, never a plain accept."""
    result = await actions(settings, "hold", hold_action="postfix-hold")(message(), NO_MODIFICATIONS)
    assert result == Result(Final.TEMPFAIL)


async def test_reject_uses_the_policy_code_and_text(settings: Settings) -> None:
    """Reject: REPLYCODE with the rule's code and text."""
    result = await actions(settings, "reject")(message(), ALL)
    assert result == Result(Final.REPLYCODE, reply=(554, REJECT_TEXT))


async def test_oversized_message_is_refused_like_the_relay(settings: Settings) -> None:
    """Over smtp.max_message_size: 552, without running the pipeline."""
    result = await actions(settings, "hold", MemoryQuarantine())(message(oversized=True), ALL)
    assert result == Result(Final.REPLYCODE, reply=TOO_BIG)


async def test_pipeline_errors_propagate_for_the_connection_to_tempfail(settings: Settings) -> None:
    """A failure inside the pipeline is not swallowed here (the connection answers TEMPFAIL)."""

    class Broken:
        async def process(self, envelope: Envelope, raw: bytes) -> object:
            raise RuntimeError("boom")

    a = MessageActions(MilterSettings(), Broken(), None)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        await a(message(), ALL)


async def test_a_hold_commit_ends_before_the_connections_deadline(settings: Settings) -> None:
    """The quarantine is told to give up in time for the answer to beat `[milter] deadline_seconds`."""
    given: list[float] = []

    class Recording(MemoryQuarantine):
        def hold(
            self, envelope: Envelope, raw: bytes, decision: Decision, *, deadline: float | None = None
        ) -> str:
            assert deadline is not None
            given.append(deadline - time.monotonic())
            return super().hold(envelope, raw, decision)

    a = MessageActions(
        MilterSettings(listen="127.0.0.1:0"), verdict_pipeline(settings, "hold"), Recording(), deadline=100.0
    )
    assert await a(message(), ALL) == Result(Final.DISCARD)
    (seconds,) = given
    assert 5.0 <= seconds <= 100.0 - Holder.HOLD_GRACE
