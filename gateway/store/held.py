"""What a held message is: its record, its statuses, the filters and statistics of the review list.

Plain data shared by the quarantine store (gateway.store.quarantine), its
status rules (gateway.store.status) and the review actions
(gateway.act.review); nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.errors import GatewayError
from gateway.model import Envelope, Finding
from gateway.model.envelope import domain_of

STATUSES = ("held", "releasing", "released", "rejected", "deleted", "expired")
#: a release that has not finished after this long (the process died mid-delivery) may be retried
STALE_RELEASE = timedelta(minutes=10)

Clock = Callable[[], datetime]
Deliver = Callable[[Envelope, bytes], Awaitable[object]]
OnDecision = Callable[["ReviewDecision"], object]


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_time(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


class ActionRefused(GatewayError):
    """A review action that cannot be done: unknown id, or the message is not in a state for it."""

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        self.not_found = not_found
        super().__init__(message)


@dataclass(frozen=True)
class HeldMessage:
    """One quarantined message without its raw bytes (see `QuarantineStore.raw`)."""

    id: str
    received: str  # ISO 8601 UTC
    sender: str
    recipients: tuple[str, ...]
    status: str
    rule: str
    rules: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    policy_reason: str = ""
    size: int = 0
    client_address: str = ""
    queue_id: str = ""
    subject: str = ""  # decrypted; "" once purged
    message_id: str = ""
    helo: str = ""
    mail_options: tuple[str, ...] = ()
    rcpt_options: tuple[tuple[str, ...], ...] = ()
    status_at: str = ""
    decided_by: str = ""
    decision_reason: str = ""  # the reason given to the sender on reject
    comment: str = ""  # the reviewer's comment on the decision
    last_error: str = ""  # why the last release failed
    release_attempts: int = 0
    purged: bool = False

    @property
    def sender_domain(self) -> str:
        return domain_of(self.sender)

    @property
    def envelope(self) -> Envelope:
        return Envelope(
            mail_from=self.sender,
            rcpt_tos=self.recipients,
            client_address=self.client_address,
            helo=self.helo,
            queue_id=self.queue_id,
            mail_options=self.mail_options,
            rcpt_options=self.rcpt_options,
        )

    def summary_json(self) -> dict[str, Any]:
        """The line `gateway quarantine list --json` prints."""
        return {
            "id": self.id,
            "received": self.received,
            "sender": self.sender,
            "recipients": list(self.recipients),
            "categories": list(self.categories),
            "rule": self.rule,
            "status": self.status,
        }


@dataclass(frozen=True)
class ReviewDecision:
    """What `on_decision` hooks receive after a release, reject or delete."""

    action: str  # "released", "rejected", "deleted"
    message: HeldMessage
    actor: str
    reason: str = ""  # for rejections: the text for the sender
    comment: str = ""


@dataclass
class Filters:
    """List filters; empty fields do not filter."""

    status: str = ""
    category: str = ""
    rule: str = ""
    sender: str = ""  # substring of the envelope sender
    since: str = ""  # YYYY-MM-DD (inclusive)
    until: str = ""  # YYYY-MM-DD (inclusive)
    search: str = ""  # id, queue id, sender, recipient or subject (substring, case-insensitive)
    scope: tuple[str, ...] = ()  # sender domains (subdomains included); empty = all
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class RuleStats:
    rule: str
    held: int = 0  # still waiting (held or releasing)
    released: int = 0  # a reviewer let it go: the hold was not needed
    rejected: int = 0  # a reviewer confirmed the hold
    deleted: int = 0
    expired: int = 0

    @property
    def decided(self) -> int:
        return self.released + self.rejected

    @property
    def precision(self) -> float | None:
        """Share of decided holds that reviewers confirmed (None before any decision)."""
        return self.rejected / self.decided if self.decided else None


@dataclass(frozen=True)
class PurgeResult:
    erased: int
    expired: int  # of those, still held (now status expired)
    ids: tuple[str, ...] = field(default=())
