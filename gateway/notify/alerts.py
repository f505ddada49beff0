"""What the reviewers are told about a hold: an alert, or a line in the next digest.

An alert says what a reviewer needs to open the message in the review UI:
its id and link, the rule, the kinds of finding and how many recipients
(and how many outside). Never content, never the subject: the reviewer
reads those in the UI, behind its login.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from gateway.config import Settings
from gateway.model import Decision, Envelope, RecipientClass
from gateway.model.envelope import classify
from gateway.notify.timefmt import format_time, parse_time


class ReviewerAlerts:
    """Builds the reviewers' alert summaries and the contexts their templates render."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime], zone: Any) -> None:
        self.settings = settings
        self.cfg = settings.notify
        self.clock = clock
        self.zone = zone

    def summary(self, envelope: Envelope, decision: Decision, quarantine_id: str) -> dict[str, Any]:
        """What a reviewer alert may say: ids, rule, kinds of finding, counts. No content, no subject."""
        internal = tuple(d.lower() for d in self.settings.domains.internal)
        secure = tuple(d.lower() for d in self.settings.domains.secure)
        classes = [classify(r, internal, secure) for r in envelope.rcpt_tos]
        return {
            "id": quarantine_id,
            "received": self.clock().astimezone(UTC).isoformat(timespec="seconds"),
            "rule": decision.rule,
            "categories": sorted({f.category for f in decision.findings}),
            "types": sorted({f.type for f in decision.findings}),
            "sender": envelope.mail_from,
            "recipients": len(envelope.rcpt_tos),
            "external": sum(1 for c in classes if c is RecipientClass.EXTERNAL),
        }

    def line(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        received = parse_time(str(summary.get("received", ""))) or self.clock()
        return {
            **summary,
            "received": format_time(received, self.zone),
            "link": self.link(str(summary["id"])),
        }

    def alert_context(self, summary: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "alert": self.line(summary),
            "reviewer_role": self.cfg.reviewer_role,
            "organisation": self.settings.documents.organisation,
        }

    def digest_context(self, summaries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        return {
            "alerts": [self.line(s) for s in summaries],
            "reviewer_role": self.cfg.reviewer_role,
            "organisation": self.settings.documents.organisation,
            "minutes": self.cfg.reviewer_digest_minutes,
        }

    def link(self, quarantine_id: str) -> str:
        """The review UI's page of a held message ("" when there is no UI to link to)."""
        web = self.settings.web
        base = str(web.public_url or "").rstrip("/")
        if not base and web.listen:
            base = f"http://{web.listen}"
        return f"{base}/messages/{quarantine_id}" if base else ""
