"""SMTP replies: the one place the relay's wire answers are written.

A `Reply` is a code and its text (possibly several lines, as a next hop
may send). The canned replies below are the relay's own answers; replies
from the next hop are passed through unchanged (4xx stays 4xx,
5xx stays 5xx).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    code: int
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 300

    @property
    def temporary(self) -> bool:
        return 400 <= self.code < 500

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600

    @property
    def first_line(self) -> str:
        return self.text.splitlines()[0] if self.text else ""

    def wire(self) -> str:
        """The reply as aiosmtpd pushes it: continuation lines joined with CRLF."""
        lines = [_printable(x) for x in self.text.splitlines()] or [""]
        head = [f"{self.code}-{x}" for x in lines[:-1]]
        return "\r\n".join([*head, f"{self.code} {lines[-1]}"])

    def __str__(self) -> str:
        return f"{self.code} {self.first_line}"


def from_next_hop(code: int, text: str) -> Reply:
    """A next hop's answer, passed through; anything but 2xx/4xx/5xx becomes a temporary failure."""
    if 200 <= code < 600 and code // 100 != 3:
        return Reply(code, text)
    return Reply(451, f"4.4.2 Unexpected reply from the next hop ({code})")


def policy_reject(code: int, text: str) -> Reply:
    """The reject reply a policy rule asks for; a code that is not 4xx/5xx becomes 550."""
    if not 400 <= code < 600:
        code = 550
    return Reply(code, text or "5.7.1 Message refused by the compliance policy")


def _printable(line: str) -> str:
    return "".join(ch if ch >= " " and ch != "\x7f" else " " for ch in line)


# The relay's own answers. Every failure before a durable hand-off is temporary: the client keeps the message.
INTERNAL_ERROR = Reply(451, "4.3.0 Internal error, please try again later")
DEADLINE = Reply(451, "4.3.0 Inspection did not finish in time, please try again later")
NOT_HANDED_ON = Reply(451, "4.4.2 Inspected, but not handed on in time, please try again later")
NEXT_HOP_DOWN = Reply(451, "4.4.1 Next hop not available, please try again later")
NEXT_HOP_LOST = Reply(451, "4.4.2 Connection to the next hop lost, please try again later")
NO_QUARANTINE = Reply(451, "4.7.1 Message needs review but no quarantine is configured; try again later")
QUARANTINE_FAILED = Reply(451, "4.3.0 Could not quarantine the message, please try again later")
BAD_SENDER = Reply(501, "5.1.7 Bad sender address syntax")
BAD_RECIPIENT = Reply(501, "5.1.3 Bad recipient address syntax")
CLIENT_NOT_ALLOWED = Reply(554, "5.7.1 Client not allowed to use this relay")
TOO_MANY_SESSIONS = Reply(421, "4.3.2 Too many sessions, try again later")
SHUTTING_DOWN = Reply(421, "4.3.2 Service shutting down, try again later")
TOO_MANY_FROM_CLIENT = Reply(421, "4.7.0 Too many sessions from your address, try again later")
TIMED_OUT = Reply(421, "4.4.2 Error: timeout exceeded")
SESSION_TOO_LONG = Reply(421, "4.4.2 Error: session time limit reached, please reconnect")


def failed_checks(names: tuple[str, ...]) -> Reply:
    """The 451 for a hold that cannot be written, naming the checks that could not run when they caused it.

    With the store down, a check that needs it (the document registry) fails,
    the policy holds the message (fail closed), and the hold fails too: the
    admin must read "the store", not "inspection".
    """
    if not names:
        return QUARANTINE_FAILED
    which = ", ".join(sorted(names))[:200]
    return Reply(
        451,
        f"4.3.0 Could not quarantine the message held because checks could not run ({which}); try again later",
    )
