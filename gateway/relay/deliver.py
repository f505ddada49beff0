"""The gateway's own sending: a release or a notice, delivered through the relay's next hop.

`build_deliver(settings)` gives `deliver(envelope, raw)`, the one callable the
quarantine's release (CLI and review UI) and the notification worker send
with. It speaks the same SMTP session as the relay (MAIL with the original
parameters, every RCPT, then DATA) and signs what it sends with the fleet's
pass mark (gateway.model.passmark), so that the relay or the milter that
meets the message again on its way out passes it without a second hold.

All recipients or none: if the next hop refuses any recipient, the
transaction is aborted (no final dot) and the refusal raised, so a release
stays held and nobody got a partial release.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from gateway.config import Settings
from gateway.errors import PermanentDeliveryError, TemporaryDeliveryError
from gateway.model import Envelope
from gateway.model.passmark import PassMark
from gateway.relay.nexthop import NextHop, Reply, build_next_hop
from gateway.relay.params import MailParams, RcptParams

Deliver = Callable[[Envelope, bytes], Awaitable[None]]


def deliver_through(next_hop: NextHop, mark: PassMark | None = None) -> Deliver:
    """`deliver(envelope, raw)` over `next_hop`, signing with `mark` when given."""

    async def deliver(envelope: Envelope, raw: bytes) -> None:
        content = mark.sign(envelope, raw) if mark is not None else raw
        link = await next_hop.connect()
        try:
            reply = await link.mail(envelope.mail_from, MailParams.parse(envelope.mail_options), {})
            raise_unless_ok(reply, "MAIL")
            for i, rcpt in enumerate(envelope.rcpt_tos):
                opts = envelope.rcpt_options[i] if i < len(envelope.rcpt_options) else ()
                reply = await link.rcpt(rcpt, RcptParams.parse(opts))
                if not reply.ok:
                    await link.reset()
                    raise_unless_ok(reply, f"RCPT {rcpt}")
            reply = await link.data(content)
            raise_unless_ok(reply, "DATA")
        finally:
            await link.close()

    return deliver


def raise_unless_ok(reply: Reply, stage: str) -> None:
    if reply.ok:
        return
    error = PermanentDeliveryError if 500 <= reply.code < 600 else TemporaryDeliveryError
    raise error(reply.code, f"{reply.first_line} (at {stage})")


def build_deliver(settings: Settings) -> Deliver:
    """The configured next hop as the gateway's signed sending callable."""
    from gateway.store.crypto import load_pass_mark

    return deliver_through(build_next_hop(settings), load_pass_mark(settings))
