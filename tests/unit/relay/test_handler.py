"""The relay handler without sockets: lockstep with a fake next hop, verdicts, failures."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import pytest

from gateway.errors import PipelineTimeout, StoreError, TemporaryDeliveryError
from gateway.metrics import Metrics
from gateway.model import Decision, Envelope, Outcome, Verdict
from gateway.relay.handler import RelayHandler
from gateway.relay.params import MailParams, RcptParams
from gateway.relay.reply import Reply
from gateway.relay.smtp import RelayEnvelope


class FakeLink:
    """Records every command; answers from `answers` (command -> Reply or exception)."""

    def __init__(self, answers: Mapping[str, Reply | Exception] | None = None) -> None:
        self.name = "fake"
        self.answers = dict(answers or {})
        self.calls: list[tuple[str, Any]] = []
        self.alive_flag = True

    @property
    def alive(self) -> bool:
        return self.alive_flag

    def _answer(self, command: str, default: Reply) -> Reply:
        answer = self.answers.get(command, default)
        if isinstance(answer, Exception):
            self.alive_flag = False
            raise answer
        return answer

    async def mail(self, sender: str, params: MailParams, xforward: Mapping[str, str]) -> Reply:
        self.calls.append(("mail", sender))
        return self._answer("mail", Reply(250, "2.1.0 Ok"))

    async def rcpt(self, recipient: str, params: RcptParams) -> Reply:
        self.calls.append(("rcpt", recipient))
        return self._answer(recipient, Reply(250, "2.1.5 Ok"))

    async def data(self, content: bytes) -> Reply:
        self.calls.append(("data", content))
        return self._answer("data", Reply(250, "2.0.0 Ok: queued as NEXT1"))

    async def reset(self) -> None:
        self.calls.append(("reset", None))

    async def close(self) -> None:
        self.calls.append(("close", None))


class FakeNextHop:
    def __init__(self, *links: FakeLink | Exception) -> None:
        self.links = list(links)
        self.connects = 0

    def describe(self) -> str:
        return "fake"

    async def connect(self) -> FakeLink:
        self.connects += 1
        link = self.links.pop(0)
        if isinstance(link, Exception):
            raise link
        return link


class FakePipeline:
    """Answers every message with `verdict` (or raises `error`); keeps the bytes it was given."""

    def __init__(
        self,
        verdict: Verdict = Verdict.PASS,
        error: Exception | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.verdict, self.error, self.headers = verdict, error, headers
        self.seen: list[tuple[Envelope, bytes]] = []

    async def process(self, envelope: Envelope, raw: bytes) -> Outcome:
        self.seen.append((envelope, raw))
        if self.error is not None:
            raise self.error
        decision = Decision(self.verdict, rule="r1", reject_code=550, reject_text="5.7.1 Not allowed")
        return Outcome(decision=decision, findings=[], headers=self.headers)


class FakeServer:
    """What the handler uses of GatewaySMTP."""

    def __init__(self) -> None:
        self.link: Any = None
        self.busy = False
        self.pending: list[str] = []
        self.closed: list[Any] = []
        self.ended: list[tuple[Any, bool]] = []
        self.sessions = SimpleNamespace(spawn=self._spawn)

    def _spawn(self, coro: Any) -> None:
        self.closed.append(asyncio.get_running_loop().create_task(coro))

    def drop_link(self) -> None:
        self.end_link(reuse=False)

    def end_link(self, *, reuse: bool) -> None:
        link, self.link = self.link, None
        if link is not None:
            self.ended.append((link, reuse))
            if not reuse:
                self._spawn(link.close())


def session() -> SimpleNamespace:
    return SimpleNamespace(peer=("127.0.0.1", 5000), host_name="client.test", xforward={})


async def transaction(
    handler: RelayHandler,
    content: bytes = b"Subject: x\r\n\r\nhi\r\n",
    rcpts: tuple[str, ...] = ("b@example.org",),
) -> list[str]:
    """MAIL, RCPT(s) and DATA as aiosmtpd would call the hooks; the replies."""
    server, sess, env = FakeServer(), session(), RelayEnvelope()
    replies = [await handler.handle_MAIL(server, sess, env, "a@example.ac.uk", [])]
    for r in rcpts:
        replies.append(await handler.handle_RCPT(server, sess, env, r, []))
    env.original_content = content
    replies.append(await handler.handle_DATA(server, sess, env))
    await asyncio.sleep(0)
    return replies


def make(
    pipeline: FakePipeline, *links: FakeLink | Exception, quarantine: Any = None, deadline: float = 5.0
) -> RelayHandler:
    return RelayHandler(
        pipeline=pipeline,
        next_hop=FakeNextHop(*links),
        quarantine=quarantine,
        metrics=Metrics(),
        deadline=deadline,
    )


def test_pass_delivers_the_bytes_the_pipeline_saw() -> None:
    """Bare LFs are normalised once: the pipeline scans exactly the bytes the next hop gets."""
    link, pipeline = FakeLink(), FakePipeline()
    replies = asyncio.run(transaction(make(pipeline, link), b"Subject: x\n\nbare\rcr\r\n"))
    assert replies[-1].startswith("250 2.0.0 Ok: id=")
    delivered = [c for name, c in link.calls if name == "data"]
    assert delivered == [pipeline.seen[0][1]] == [b"Subject: x\r\n\r\nbare cr\r\n"]


def test_annotate_prepends_the_pipelines_headers() -> None:
    """Annotate sends the outcome's header fields as lines, followed by the untouched message."""
    link = FakeLink()
    asyncio.run(transaction(make(FakePipeline(Verdict.ANNOTATE, headers=(("X-C", "1"),)), link)))
    assert [c for n, c in link.calls if n == "data"] == [b"X-C: 1\r\nSubject: x\r\n\r\nhi\r\n"]


def test_reject_aborts_the_next_hop_transaction_before_data() -> None:
    """Reject: the next hop gets RSET, never DATA; the client gets the rule's code and text."""
    link = FakeLink()
    replies = asyncio.run(transaction(make(FakePipeline(Verdict.REJECT), link)))
    assert replies[-1] == "550 5.7.1 Not allowed"
    assert [n for n, _ in link.calls] == ["mail", "rcpt", "reset"]


def test_hold_without_quarantine_defers_and_aborts() -> None:
    """Hold with no quarantine: 451 4.7.1 and the next-hop transaction is abandoned."""
    link = FakeLink()
    replies = asyncio.run(transaction(make(FakePipeline(Verdict.HOLD), link)))
    assert replies[-1].startswith("451 4.7.1")
    assert "data" not in [n for n, _ in link.calls]


def test_next_hop_refusing_a_recipient_is_passed_through() -> None:
    """The next hop's RCPT answer is the client's; a refused recipient is not added to the envelope."""
    link = FakeLink({"gone@example.org": Reply(550, "5.1.1 No such user")})
    handler = make(FakePipeline(), link)
    replies = asyncio.run(transaction(handler, rcpts=("b@example.org", "gone@example.org")))
    assert replies[1:3] == ["250 2.1.5 Ok", "550 5.1.1 No such user"]


def test_next_hop_unreachable_at_mail_is_451() -> None:
    """No next hop at MAIL: the next hop's 4xx reason reaches the client, and no envelope is started."""
    server, sess, env = FakeServer(), session(), RelayEnvelope()
    handler = make(FakePipeline(), TemporaryDeliveryError(451, "4.4.1 Next hop down"))
    reply = asyncio.run(handler.handle_MAIL(server, sess, env, "a@example.ac.uk", []))
    assert reply == "451 4.4.1 Next hop down" and not env.mail_from and not server.busy


def test_link_lost_during_data_is_451_and_not_reused() -> None:
    """A next hop that drops the connection at DATA gives 4xx, and its session is not kept."""
    link = FakeLink({"data": TemporaryDeliveryError(451, "4.4.2 lost")})
    replies = asyncio.run(transaction(make(FakePipeline(), link)))
    assert replies[-1] == "451 4.4.2 lost"


def test_dead_idle_link_is_replaced_at_the_next_mail() -> None:
    """A kept next-hop session that died while idle is replaced by a new one at the next MAIL."""
    first, second = FakeLink(), FakeLink()
    handler = make(FakePipeline(), first, second)

    async def two() -> list[str]:
        server, sess = FakeServer(), session()
        out = []
        for _ in range(2):
            env = RelayEnvelope()
            out.append(await handler.handle_MAIL(server, sess, env, "a@example.ac.uk", []))
            out.append(await handler.handle_RCPT(server, sess, env, "b@example.org", []))
            env.original_content = b"x\r\n"
            out.append(await handler.handle_DATA(server, sess, env))
            first.alive_flag = False  # dies while idle
        return out

    replies = asyncio.run(two())
    assert [r[:3] for r in replies] == ["250"] * 6
    assert handler.next_hop.connects == 2  # type: ignore[attr-defined]
    assert ("data", b"x\r\n") in second.calls


@pytest.mark.parametrize("error", [PipelineTimeout("slow"), RuntimeError("boom"), MemoryError()])
def test_pipeline_failures_are_451(error: Exception) -> None:
    """Whatever the inspection raises, the client gets 451 4.3.0 and the next hop no DATA."""
    link = FakeLink()
    replies = asyncio.run(transaction(make(FakePipeline(error=error), link)))
    assert replies[-1].startswith("451 4.3.0")
    assert "data" not in [n for n, _ in link.calls]


def test_rset_aborts_the_next_hop_transaction() -> None:
    """RSET from the client is RSET to the next hop while a transaction is open."""
    link = FakeLink()
    handler = make(FakePipeline(), link)

    async def run() -> None:
        server, sess, env = FakeServer(), session(), RelayEnvelope()
        await handler.handle_MAIL(server, sess, env, "a@example.ac.uk", [])
        assert server.busy
        assert await handler.handle_RSET(server, sess, env) == "250 2.0.0 Ok"
        assert not server.busy

    asyncio.run(run())
    assert [n for n, _ in link.calls] == ["mail", "reset"]


def test_quit_hands_a_clean_session_to_the_cache() -> None:
    """After a completed transaction, QUIT keeps the next-hop session for reuse instead of closing it."""
    link = FakeLink()
    handler = make(FakePipeline(), link)

    async def run() -> FakeServer:
        server, sess, env = FakeServer(), session(), RelayEnvelope()
        await handler.handle_MAIL(server, sess, env, "a@example.ac.uk", [])
        await handler.handle_RCPT(server, sess, env, "b@example.org", [])
        env.original_content = b"x\r\n"
        await handler.handle_DATA(server, sess, env)
        assert await handler.handle_QUIT(server, sess, env) == "221 2.0.0 Bye"
        return server

    server = asyncio.run(run())
    assert server.ended == [(link, True)]
    assert "close" not in [n for n, _ in link.calls]


def test_stale_cached_session_is_replaced() -> None:
    """A cached session that answers MAIL with 421 (timed out meanwhile) is dropped and a new one used."""
    stale = FakeLink({"mail": Reply(421, "4.4.2 timeout exceeded")})
    fresh = FakeLink()
    handler = make(FakePipeline(), fresh)

    async def run() -> str:
        server, sess, env = FakeServer(), session(), RelayEnvelope()
        server.link = stale
        return await handler.handle_MAIL(server, sess, env, "a@example.ac.uk", [])

    assert asyncio.run(run()) == "250 2.1.0 Ok"
    assert ("mail", "a@example.ac.uk") in fresh.calls


class StalledLink(FakeLink):
    """A next hop that never answers the final dot."""

    async def data(self, content: bytes) -> Reply:
        self.calls.append(("data", content))
        await asyncio.sleep(3600)
        raise AssertionError("not reached")


class StalledPipeline(FakePipeline):
    async def process(self, envelope: Envelope, raw: bytes) -> Outcome:
        await asyncio.sleep(3600)
        raise AssertionError("not reached")


@pytest.mark.parametrize(
    ("pipeline", "link", "says"),
    [
        (StalledPipeline(), FakeLink(), "Inspection did not finish"),
        (FakePipeline(), StalledLink(), "not handed on in time"),
    ],
    ids=["inspection stalls", "next hop stalls after inspection"],
)
def test_deadline_reply_names_the_step_that_stalled(
    pipeline: FakePipeline, link: FakeLink, says: str
) -> None:
    """Past the deadline the 451 says whether inspection or the hand-off did not finish (no misleading text)."""
    replies = asyncio.run(transaction(make(pipeline, link, deadline=0.2)))
    assert replies[-1].startswith("451 ") and says in replies[-1], replies[-1]


class FailingQuarantine:
    def hold(
        self, envelope: Envelope, raw: bytes, decision: Decision, *, deadline: float | None = None
    ) -> str:
        raise StoreError("database is down")


class FailedCheckPipeline(FakePipeline):
    """A hold because the documents detector could not run (its registry is in the store that is down)."""

    async def process(self, envelope: Envelope, raw: bytes) -> Outcome:
        outcome = await super().process(envelope, raw)
        return dataclasses.replace(outcome, failed_detectors=("documents",))


@pytest.mark.parametrize(
    ("pipeline", "says"),
    [
        (FakePipeline(Verdict.HOLD), "Could not quarantine the message, please"),
        (FailedCheckPipeline(Verdict.HOLD), "checks could not run (documents)"),
    ],
    ids=["hold for a finding", "hold because a check could not run"],
)
def test_store_down_reply_says_what_failed(pipeline: FakePipeline, says: str) -> None:
    """With the store down a hold is 451 naming the cause: never 'Inspection did not finish'."""
    replies = asyncio.run(transaction(make(pipeline, FakeLink(), quarantine=FailingQuarantine())))
    assert replies[-1].startswith("451 4.3.0") and says in replies[-1], replies[-1]
