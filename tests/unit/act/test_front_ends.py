"""One table of dispositions, run through both front ends: same inputs, same stored bytes, notices and reply class.

The relay is driven through its aiosmtpd hooks with a fake next hop
(tests/unit/relay/test_handler.py's doubles), the milter through its
end-of-message actions; both get the same fake pipeline, quarantine and
notifier. The reply classes: "delivered" (relay 250 after the next hop's
250; milter ACCEPT), "taken" (250 / DISCARD with nothing handed on: held or
answered), "rejected" (5xx / REPLYCODE 5xx), "tempfail" (451 / TEMPFAIL).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from gateway.config import MilterSettings
from gateway.errors import StoreError
from gateway.metrics import Metrics
from gateway.milter.actions import MessageActions
from gateway.milter.session import Collected, Final, Negotiated
from gateway.model import Decision, Envelope, Outcome, Verdict
from gateway.relay.handler import RelayHandler
from tests.unit.relay.test_handler import FakeLink, FakeNextHop, transaction

SENDER = "a@example.ac.uk"
OTHER = "b@example.org"
CHECK = "check@example.ac.uk"
CRLF = b"Subject: x\r\n\r\nhi\r\n"
BARE_LF = b"Subject: x\n\nhi\n"  # both front ends scan, and hold, the CRLF form
ANNOTATION = (("X-Compliance-Verdict", "annotate"),)
ALL = Negotiated(version=6, actions=0x1FF, protocol=0x1FFFFF)


class VerdictPipeline:
    """Says `verdict` for every message and keeps the bytes it scanned."""

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        self.seen: list[bytes] = []

    async def process(self, envelope: Envelope, raw: bytes) -> Outcome:
        self.seen.append(raw)
        decision = Decision(self.verdict, rule="r1", reject_code=550, reject_text="5.7.1 Not allowed")
        headers = ANNOTATION if self.verdict is Verdict.ANNOTATE else ()
        return Outcome(decision=decision, findings=[], headers=headers, size=len(raw))


@dataclass
class Quarantine:
    """Keeps what it is given, or fails like a store that is down."""

    fail: bool = False
    held: list[bytes] = field(default_factory=list)

    def hold(
        self, envelope: Envelope, raw: bytes, decision: Decision, *, deadline: float | None = None
    ) -> str:
        if self.fail:
            raise StoreError("store down")
        self.held.append(raw)
        return f"q{len(self.held)}"


@dataclass
class Notifier:
    """Records notices (verdict, quarantine id, recipients) and check answers; `fail_check` breaks the outbox."""

    fail_check: bool = False
    notices: list[tuple[str, str | None, tuple[str, ...]]] = field(default_factory=list)
    answers: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    async def message_decided(
        self, envelope: Envelope, outcome: Outcome, quarantine_id: str | None = None, *, ref: str = ""
    ) -> None:
        self.notices.append((outcome.verdict.value, quarantine_id, envelope.rcpt_tos))

    async def answer_check(self, envelope: Envelope, outcome: Outcome, *, ref: str = "") -> str | None:
        if self.fail_check:
            raise StoreError("outbox down")
        self.answers.append((outcome.verdict.value, envelope.rcpt_tos))
        return "o1"


@dataclass(frozen=True)
class Row:
    verdict: Verdict
    rcpts: tuple[str, ...] = (OTHER,)
    raw: bytes = CRLF
    quarantine: str = "ok"  # "ok", "none", "down"
    check_fails: bool = False


@dataclass(frozen=True)
class Seen:
    """What a front end did with one message, in terms both share."""

    reply: str
    stored: list[bytes]
    notices: list[tuple[str, str | None, tuple[str, ...]]]
    answers: list[tuple[str, tuple[str, ...]]]
    headers: tuple[str, ...]  # header field names added on delivery
    scanned: list[bytes]


TABLE = [
    # row, reply class, stored bytes, notices, check answers, headers added
    (Row(Verdict.PASS), "delivered", [], [], [], ()),
    (Row(Verdict.ANNOTATE), "delivered", [], [("annotate", None, (OTHER,))], [], ("X-Compliance-Verdict",)),
    (Row(Verdict.REJECT), "rejected", [], [("reject", None, (OTHER,))], [], ()),
    (Row(Verdict.HOLD), "taken", [CRLF], [("hold", "q1", (OTHER,))], [], ()),
    (Row(Verdict.HOLD, raw=BARE_LF), "taken", [CRLF], [("hold", "q1", (OTHER,))], [], ()),
    (Row(Verdict.HOLD, quarantine="none"), "tempfail", [], [], [], ()),
    (Row(Verdict.HOLD, quarantine="down"), "tempfail", [], [], [], ()),
    (Row(Verdict.PASS, rcpts=(CHECK,)), "taken", [], [], [("pass", (CHECK,))], ()),
    (Row(Verdict.HOLD, rcpts=(CHECK,)), "taken", [], [], [("hold", (CHECK,))], ()),
    (Row(Verdict.PASS, rcpts=(CHECK,), check_fails=True), "tempfail", [], [], [], ()),
    (Row(Verdict.HOLD, rcpts=(OTHER, CHECK)), "taken", [CRLF], [("hold", "q1", (OTHER,))], [], ()),
    (Row(Verdict.PASS, rcpts=(OTHER, CHECK)), "delivered", [], [], [], ()),
]
IDS = [
    "pass",
    "annotate",
    "reject",
    "hold",
    "hold bare LF",
    "hold without quarantine",
    "hold with the store down",
    "check address",
    "check address, would be held",
    "check answer not committed",
    "hold with the check address among others",
    "pass with the check address among others",
]


def _parts(row: Row) -> tuple[VerdictPipeline, Quarantine | None, Notifier]:
    quarantine = None if row.quarantine == "none" else Quarantine(fail=row.quarantine == "down")
    return VerdictPipeline(row.verdict), quarantine, Notifier(fail_check=row.check_fails)


async def through_relay(row: Row) -> Seen:
    pipeline, quarantine, notifier = _parts(row)
    link = FakeLink()
    handler = RelayHandler(
        pipeline=pipeline,
        next_hop=FakeNextHop(link),
        quarantine=quarantine,
        metrics=Metrics(),
        deadline=5.0,
        notifier=notifier,
        check_address=CHECK,
    )
    replies = await transaction(handler, row.raw, row.rcpts)
    await handler.drain_notices()
    sent = [c for name, c in link.calls if name == "data"]
    code = replies[-1][:1]
    reply = {"2": "delivered" if sent else "taken", "4": "tempfail", "5": "rejected"}[code]
    head = sent[0].split(b"\r\n\r\n", 1)[0].split(b"\r\n") if sent else []
    headers = tuple(line.split(b":")[0].decode() for line in head if line.startswith(b"X-"))
    return Seen(
        reply,
        quarantine.held if quarantine else [],
        notifier.notices,
        notifier.answers,
        headers,
        pipeline.seen,
    )


async def through_milter(row: Row) -> Seen:
    pipeline, quarantine, notifier = _parts(row)
    actions = MessageActions(
        MilterSettings(listen="127.0.0.1:0"), pipeline, quarantine, notifier, check_address=CHECK
    )
    message = Collected(
        envelope=Envelope(SENDER, row.rcpts, queue_id="QID1", rcpt_options=tuple(() for _ in row.rcpts)),
        raw=row.raw,
        headers=((b"Subject", b" x"),),
        body=b"hi\r\n",
        size=len(row.raw),
        oversized=False,
    )
    result = await actions(message, ALL)
    await actions.drain_notices()
    if result.final is Final.REPLYCODE:
        reply = "rejected" if result.reply[0] >= 500 else "tempfail"
    else:
        reply = {Final.ACCEPT: "delivered", Final.DISCARD: "taken", Final.TEMPFAIL: "tempfail"}[result.final]
    return Seen(
        reply,
        quarantine.held if quarantine else [],
        notifier.notices,
        notifier.answers,
        tuple(name for name, _ in result.add_headers),
        pipeline.seen,
    )


FRONT_ENDS: dict[str, Callable[[Row], Awaitable[Seen]]] = {"relay": through_relay, "milter": through_milter}


@pytest.mark.parametrize("front_end", FRONT_ENDS)
@pytest.mark.parametrize(("row", "reply", "stored", "notices", "answers", "headers"), TABLE, ids=IDS)
def test_both_front_ends_dispose_alike(
    front_end: str,
    row: Row,
    reply: str,
    stored: list[bytes],
    notices: list[tuple[str, str | None, tuple[str, ...]]],
    answers: list[tuple[str, tuple[str, ...]]],
    headers: tuple[str, ...],
) -> None:
    """Each verdict gets the same reply class, quarantined bytes, notices and check answers from relay and milter."""
    seen = asyncio.run(FRONT_ENDS[front_end](row))
    assert (seen.reply, seen.stored, seen.notices, seen.answers, seen.headers) == (
        reply,
        stored,
        notices,
        answers,
        headers,
    )
    assert seen.stored == [] or seen.stored == seen.scanned  # a hold keeps exactly the bytes scanned
