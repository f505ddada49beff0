"""What inspection concludes about one message, as plain data that crosses the worker pipe.

`Outcome` is the worker's answer to the front ends: the policy's `Decision`,
the findings, the X-Compliance-* header fields an annotated message may
carry (as (name, value) pairs: the relay renders them to bytes with
`header_block`, the milter hands them to the MTA as they are), and, when the
message is owed a notice, the `NoticeDraft`: what the notice may show of
the message, already de-identified in the worker. Safe to log: no message
text outside the de-identified draft, which is never logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.model.decision import Decision, Verdict
from gateway.model.finding import Finding

Header = tuple[str, str]


@dataclass(frozen=True)
class NoticeDraft:
    """The message as a notice may show it, de-identified where it was inspected (never in the main process).

    `kind` is "sender" (a hold, reject or annotate) or "check" (mail to the
    check address). `suppressed` says why no notice is due at all (a bounce,
    automatic or list mail, the gateway's own), and then nothing else is set.
    """

    kind: str
    subject: str = ""  # de-identified; "" when a finding other than a patient's sits in the subject
    text: str = ""  # the sender's own text de-identified, "" when no draft is offered
    places: tuple[tuple[str, str], ...] = ()  # a place in plain words -> the same, de-identified
    suppressed: str = ""

    def place(self, where: str) -> str:
        """A place as the notice may show it."""
        return dict(self.places).get(where, where)


@dataclass
class Outcome:
    """What the pipeline concluded about one message."""

    decision: Decision
    findings: list[Finding]
    timings_ms: dict[str, float] = field(default_factory=dict)
    size: int = 0
    message_id: str = ""  # the Message-ID header
    headers: tuple[Header, ...] = ()  # header fields to add on delivery (annotate / monitor)
    failed_detectors: tuple[str, ...] = ()
    notice: NoticeDraft | None = None

    @property
    def verdict(self) -> Verdict:
        return self.decision.verdict


def header_block(headers: tuple[Header, ...]) -> bytes:
    """Header fields as lines to prepend to a message: "Name: value\\r\\n" each, ASCII."""
    return "".join(f"{name}: {value}\r\n" for name, value in headers).encode("ascii", "replace")
