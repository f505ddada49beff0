"""The one structured log line per message, and where its queue id comes from.

The record names the message (our id, the Postfix queue id, the client),
its sizes, the verdict with rule, categories and types, the timings and
the replies. It never holds message text, subjects, addresses or matched
values: only what `MessageRecord` has fields for reaches the log.
"""

from __future__ import annotations

import re
import traceback
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from gateway.model import Outcome

_RECEIVED_ID = re.compile(rb"\bid\s+([0-9A-Za-z]{6,40})\b")
_QUEUED_AS = re.compile(r"\bqueued as ([0-9A-Za-z]{6,40})\b")


def new_message_id() -> str:
    return uuid.uuid4().hex[:20]


def error_trace(exc: BaseException) -> str:
    """Where an exception happened, without its message (which may quote message content)."""
    return "".join(traceback.format_tb(exc.__traceback__)[-6:]).rstrip()


def queue_id_from_received(raw: bytes) -> str:
    """The queue id in the topmost Received header (the Postfix that handed us the message)."""
    head = raw[:65536].split(b"\r\n\r\n", 1)[0]
    lines = head.split(b"\r\n")
    for i, line in enumerate(lines):
        if line[:9].lower() == b"received:":
            value = line[9:]
            for cont in lines[i + 1 :]:
                if cont[:1] not in (b" ", b"\t"):
                    break
                value += b" " + cont
            m = _RECEIVED_ID.search(value.split(b";", 1)[0])
            return m.group(1).decode("ascii") if m else ""
    return ""


def queue_id_from_reply(text: str) -> str:
    """The queue id in a next hop's "250 2.0.0 Ok: queued as 4Qm9Zx1AbC" (Postfix's wording)."""
    m = _QUEUED_AS.search(text)
    return m.group(1) if m else ""


@dataclass
class MessageRecord:
    id: str
    client: str = ""
    queue_id: str = ""
    rcpts: int = 0
    size: int = 0
    size_out: int = 0
    verdict: str = ""
    rule: str = ""
    categories: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    failed_detectors: list[str] = field(default_factory=list)
    next_hop: str = ""  # the next hop's answer to the message
    reply: str = ""  # our answer to the client
    error: str = ""  # exception type, never its message
    timings_ms: dict[str, float] = field(default_factory=dict)

    def add_outcome(self, outcome: Outcome) -> None:
        d = outcome.decision
        self.verdict = d.verdict.value
        self.rule = d.rule
        self.categories = d.categories
        self.types = d.types
        self.failed_detectors = list(outcome.failed_detectors)
        for stage, ms in outcome.timings_ms.items():
            self.timings_ms[stage] = round(ms, 2)

    def fields(self) -> dict[str, Any]:
        return {"event": "message", **{k: v for k, v in asdict(self).items() if v not in ("", [], {})}}
