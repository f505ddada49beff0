"""The relay's aiosmtpd handler: lockstep with the next hop, inspection, and the verdict's reply.

MAIL opens (or reuses) the next-hop session and forwards MAIL; each RCPT
is forwarded and the next hop's answer returned as it is. After DATA the
message goes through `Pipeline.process` once, and the verdict decides:

    pass      send the bytes as received to the next hop;
    annotate  send the X-Compliance-* headers (bytes) + the bytes as received;
    reject    abort the next-hop transaction (RSET, never the final dot),
              answer the policy's 5xx;
    hold      abort the next-hop transaction, commit to the quarantine, then 250;
              with no quarantine configured: 451 4.7.1, so nothing is lost.

Inspection, the hold's commit, the notices and the check address are the
disposition service's (`gateway.act`, shared with the milter); this
module turns its answer into replies and does the delivering.

After a hold, reject or annotate is carried out, the notifier (when one is
wired in) is asked in the background to tell the sender and the reviewers:
it only commits a notice to its outbox, and never delays or changes the
reply. Mail whose only recipient is `notify.check_address` is the one
exception: it is inspected, never forwarded (its RCPT is answered here),
and answered 250 only once the notifier committed the answer to the
sender (451 otherwise, so the sender's server tries again). Among other
recipients the check address is dropped: the message goes to the others.

The client gets 250 only once the next hop answered 250 or the quarantine
committed. Everything else is a temporary failure: the next hop
unreachable or timing out, the pipeline past its deadline or broken, any
exception. The next hop's own 4xx/5xx are passed through unchanged.

Line endings are normalised once here (bare CR/LF as Postfix would), so
the bytes inspected are the bytes delivered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from gateway.act.disposition import NO_QUARANTINE, QUARANTINE_FAILED, Act, Disposition, Dispositions, Inspects
from gateway.errors import DetectionError, PipelineTimeout, TemporaryDeliveryError
from gateway.metrics import Metrics
from gateway.mime import normalise_line_endings
from gateway.model import Envelope, Verdict, header_block
from gateway.model.passmark import Check, PassMark
from gateway.notify.base import Notifies
from gateway.relay.clientcert import ClientCertPolicy
from gateway.relay.logline import (
    MessageRecord,
    error_trace,
    new_message_id,
    queue_id_from_received,
    queue_id_from_reply,
)
from gateway.relay.nexthop import Link, NextHop
from gateway.relay.params import XFORWARD_ATTRS, MailParams, ParamError, RcptParams, is_unavailable
from gateway.relay.reply import (
    DEADLINE,
    INTERNAL_ERROR,
    NEXT_HOP_LOST,
    NOT_HANDED_ON,
    Reply,
    failed_checks,
    policy_reject,
)
from gateway.relay.reply import NO_QUARANTINE as NO_QUARANTINE_REPLY
from gateway.relay.smtp import hook_names
from gateway.store.base import Quarantine

log = logging.getLogger(__name__)
message_log = logging.getLogger("gateway.relay.message")


class RelayHandler:
    def __init__(
        self,
        *,
        pipeline: Inspects,
        next_hop: NextHop,
        quarantine: Quarantine | None = None,
        metrics: Metrics | None = None,
        deadline: float = 80.0,
        notifier: Notifies | None = None,
        check_address: str = "",
        pass_mark: PassMark | None = None,
        client_certs: ClientCertPolicy | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.pass_mark = pass_mark
        self.client_certs = client_certs or ClientCertPolicy()
        self.next_hop = next_hop
        self.quarantine = quarantine
        self.acts = Dispositions(
            pipeline, quarantine, notifier, check_address=check_address, deadline=deadline
        )
        self.metrics = metrics or Metrics()
        self.deadline = deadline
        self.notifier = notifier

    def __dir__(self) -> list[str]:
        return hook_names(type(self), ("handle_",))  # what aiosmtpd looks for (see hook_names)

    # --- session ---------------------------------------------------------------------------------

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        session.xforward.clear()
        # no AUTH (the relay is not a submission server); add what we accept and pass on
        out = [r for r in responses if not r[4:].upper().startswith("AUTH")]
        last = out.pop()
        out += ["250-DSN", f"250-XFORWARD {' '.join(XFORWARD_ATTRS)}", last]
        return out

    def handle_STARTTLS(self, server: Any, session: Any, envelope: Any) -> bool:
        """After the handshake: a client certificate the policy refuses gets 554 to every command."""
        reason = self.client_certs.refusal(session.ssl)
        if reason:
            log.warning("TLS client refused", extra={"client": _peer_ip(session), "reason": reason})
            self.metrics.session_refused("client_certificate")
        return not reason

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        try:
            params = MailParams.parse([*options, *server.pending])
        except ParamError as exc:
            return str(exc)
        sender = "" if address == "<>" else address
        try:
            reply = await self._start(server, sender, params, session.xforward)
        except TemporaryDeliveryError as exc:
            self.metrics.next_hop_error("connect")
            return Reply(exc.code, exc.message).wire()
        if reply.ok:
            envelope.mail_from = address
            envelope.mail_options.extend([*options, *server.pending])
            server.busy = True
        return reply.wire()

    async def _start(self, server: Any, sender: str, params: MailParams, xforward: dict[str, str]) -> Reply:
        """MAIL on a session kept from an earlier transaction, or on a new one."""
        link: Link | None = server.link
        if link is not None and link.alive:
            try:
                reply = await link.mail(sender, params, xforward)
            except TemporaryDeliveryError:
                reply = None  # it went away while idle
            if reply is not None and reply.code != 421:
                return reply
            server.drop_link()  # stale (closed, or timed out with 421): open a fresh one
        server.link = link = await self.next_hop.connect()
        return await link.mail(sender, params, xforward)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        try:
            params = RcptParams.parse([*options, *server.pending])
        except ParamError as exc:
            return str(exc)
        if self.acts.is_check_address(address):  # answered here, never forwarded
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend([*options, *server.pending])
            envelope.rcpt_params.append(tuple([*options, *server.pending]))
            return "250 2.1.5 Ok: checked and answered, never delivered"
        link: Link | None = server.link
        if link is None:
            return NEXT_HOP_LOST.wire()
        try:
            reply = await link.rcpt(address, params)
        except TemporaryDeliveryError as exc:
            server.drop_link()
            self.metrics.next_hop_error("lost")
            return Reply(exc.code, exc.message).wire()
        if reply.ok:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend([*options, *server.pending])
            envelope.rcpt_params.append(tuple([*options, *server.pending]))
        return reply.wire()

    async def handle_RSET(self, server: Any, session: Any, envelope: Any) -> str:
        if server.busy and server.link is not None:
            await server.link.reset()
        server.busy = False
        return "250 2.0.0 Ok"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        server.end_link(reuse=not server.busy)
        return "221 2.0.0 Bye"

    # --- the message -----------------------------------------------------------------------------

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        started = time.perf_counter()
        raw = _normalised(envelope.original_content)
        xf: dict[str, str] = session.xforward
        record = MessageRecord(
            id=new_message_id(),
            client=_known(xf.get("ADDR")) or _peer_ip(session),
            queue_id=_known(xf.get("IDENT")) or queue_id_from_received(raw),
            rcpts=len(envelope.rcpt_tos),
            size=len(raw),
        )
        env = Envelope(
            mail_from="" if envelope.mail_from == "<>" else envelope.mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            client_address=record.client,
            helo=_known(xf.get("HELO")) or session.host_name or "",
            queue_id=record.queue_id,
            mail_options=tuple(envelope.mail_options),
            rcpt_options=tuple(envelope.rcpt_params),
        )
        link: Link | None = server.link
        server.link = None  # taken for this transaction; given back only if it ends cleanly
        reply = INTERNAL_ERROR
        try:
            async with asyncio.timeout(self.deadline) as budget:
                reply = await self._decide_and_deliver(link, env, raw, record, budget)
            if link is not None and link.alive:
                server.link, link = link, None
        except TimeoutError:  # which step ran out of time: the admin reading the 451 needs to know
            reply, record.error = (
                (NOT_HANDED_ON, "handoff_deadline")
                if "inspect" in record.timings_ms
                else (
                    DEADLINE,
                    "deadline",
                )
            )
        except PipelineTimeout:
            reply, record.error = DEADLINE, "pipeline_timeout"
        except DetectionError:
            reply, record.error = INTERNAL_ERROR, "pipeline_failed"
        except TemporaryDeliveryError as exc:
            reply, record.error = Reply(exc.code, exc.message), "next_hop"
            self.metrics.next_hop_error("lost")
        except asyncio.CancelledError:
            record.error = "client_disconnected"
            raise
        except Exception as exc:  # the session boundary: log where, answer 451
            record.error = type(exc).__name__
            log.error(
                "message failed", extra={"id": record.id, "error": record.error, "trace": error_trace(exc)}
            )
            reply = INTERNAL_ERROR
        finally:
            if link is not None:
                server.sessions.spawn(link.close())
            server.busy = False
            xf.clear()
            self._record(record, reply, started)
        return reply.wire()

    async def _decide_and_deliver(
        self, link: Link | None, env: Envelope, raw: bytes, record: MessageRecord, budget: asyncio.Timeout
    ) -> Reply:
        rest, checked = self.acts.split(env)
        if checked and not rest.rcpt_tos:
            return await self._check(link, env, raw, record)
        env = rest
        if link is None:
            raise TemporaryDeliveryError(NEXT_HOP_LOST.code, NEXT_HOP_LOST.text)
        if self.pass_mark is not None and self._own_mail(env, raw, record):
            return await self._pass_own(link, raw, record)
        inspected = await self.acts.inspect(env, raw)
        record.timings_ms["inspect"] = inspected.ms
        record.add_outcome(inspected.outcome)
        verdict = inspected.outcome.decision.verdict
        time_left = None
        if verdict in (Verdict.REJECT, Verdict.HOLD):
            await link.reset()  # abort the next hop's transaction: it never sees the final dot
        if verdict is Verdict.HOLD:  # the commit gets what is left; the answer waits for its outcome
            when = budget.when()
            time_left = (when - asyncio.get_running_loop().time()) if when is not None else None
            budget.reschedule(None)
        d = await self.acts.carry_out(inspected, record.id, time_left=time_left)
        if d.act is not Act.DELIVER:
            return self._answer(d, record)
        content = header_block(d.headers) + raw if verdict is Verdict.ANNOTATE else raw
        t1 = time.perf_counter()
        answer = await link.data(content)
        record.timings_ms["deliver"] = _ms(t1)
        record.next_hop, record.size_out = str(answer), len(content)
        record.queue_id = record.queue_id or queue_id_from_reply(
            answer.text
        )  # before-queue: Postfix's id is made downstream
        if not answer.ok:
            self.metrics.next_hop_error("tempfail" if answer.temporary else "permfail")
            return answer
        self.acts.delivered(inspected, record.id)
        return Reply(250, f"2.0.0 Ok: id={record.id}; next hop: {answer.first_line}"[:500])

    def _answer(self, d: Disposition, record: MessageRecord) -> Reply:
        """The SMTP reply for a disposition that delivers nothing."""
        if d.act is Act.REJECT:
            return policy_reject(*d.reject)
        if d.act is Act.HELD:
            if d.hold_ms is not None:
                record.timings_ms["hold"] = d.hold_ms
            return Reply(250, f"2.0.0 Ok: id={record.id}; held for review as {d.held_id}")
        if d.act is Act.CHECKED:
            return Reply(
                250, f"2.0.0 Ok: id={record.id}; checked, not delivered: the answer goes to the sender"
            )
        record.error = d.error or record.error
        if d.reason == NO_QUARANTINE:
            return NO_QUARANTINE_REPLY
        if d.reason == QUARANTINE_FAILED:
            return failed_checks(d.failed_checks)
        return INTERNAL_ERROR  # TEMPFAIL for any other reason (the check answer not committed)

    # --- the gateway's own mail (gateway.model.passmark) -----------------------------------------

    def _own_mail(self, env: Envelope, raw: bytes, record: MessageRecord) -> bool:
        """A release or notice this fleet signed; a forged, copied or stale mark is inspected as usual."""
        assert self.pass_mark is not None
        check = self.pass_mark.check(env, raw)
        if check not in (Check.VALID, Check.ABSENT):
            log.warning(
                "pass mark not accepted: inspecting", extra={"id": record.id, "pass_mark": check.value}
            )
        return check is Check.VALID

    async def _pass_own(self, link: Link, raw: bytes, record: MessageRecord) -> Reply:
        record.verdict, record.rule = "pass", "own-mail"
        answer = await link.data(raw)
        record.next_hop, record.size_out = str(answer), len(raw)
        if not answer.ok:
            self.metrics.next_hop_error("tempfail" if answer.temporary else "permfail")
            return answer
        return Reply(
            250, f"2.0.0 Ok: id={record.id}; the gateway's own mail; next hop: {answer.first_line}"[:500]
        )

    # --- notifications ---------------------------------------------------------------------------

    async def _check(self, link: Link | None, env: Envelope, raw: bytes, record: MessageRecord) -> Reply:
        """Mail to the check address alone: inspected and answered, never delivered.

        250 only once the answer is committed to the outbox; 451 otherwise, and the sender's server retries.
        """
        if link is not None:
            await link.reset()  # MAIL went to the next hop; no recipient did
        inspected = await self.acts.inspect(env, raw)
        record.timings_ms["inspect"] = inspected.ms
        record.add_outcome(inspected.outcome)
        return self._answer(await self.acts.check(inspected, record.id), record)

    async def drain_notices(self, timeout: float = 10.0) -> None:
        """Wait for notifications still being committed (shutdown)."""
        await self.acts.drain_notices(timeout)

    def _record(self, record: MessageRecord, reply: Reply, started: float) -> None:
        record.reply = str(reply)
        record.timings_ms["total"] = _ms(started)
        inspect = record.timings_ms.get("inspect")
        self.metrics.message(
            _outcome_label(record.verdict, reply),
            record.timings_ms["total"] / 1e3,
            inspect / 1e3 if inspect is not None else None,
        )
        if message_log.isEnabledFor(logging.INFO):
            message_log.info("message", extra={"fields": record.fields()})


def _outcome_label(verdict: str, reply: Reply) -> str:
    """The metrics label: the verdict when it was carried out, else what the client got."""
    if reply.ok or (verdict == "reject" and reply.permanent):
        return verdict
    return "tempfail" if reply.temporary else "refused"


def _normalised(content: bytes) -> bytes:
    """Bare CR/LF normalised as Postfix does; three counts spare the copies when there is none (the usual case)."""
    crlf = content.count(b"\r\n")
    if content.count(b"\r") == crlf == content.count(b"\n"):
        return content
    return normalise_line_endings(content)


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1e3, 2)


def _known(value: str | None) -> str:
    return "" if value is None or is_unavailable(value) else value


def _peer_ip(session: Any) -> str:
    peer = getattr(session, "peer", None)
    return str(peer[0]) if isinstance(peer, tuple) and peer else ""
