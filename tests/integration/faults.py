"""Helpers for the fault-injection tests: a tally of what happened to each message, and a frozen PostgreSQL.

`Tally` counts every message a test sends by its Message-ID: what the
client was told (acknowledged = 250), what the next hop took and what the
quarantine holds, and reports the two numbers that matter:

    lost        acknowledged but neither delivered nor held
    duplicates  delivered or held more than once (a retry after a 451 that
                was carried out after all)
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import smtplib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*<([^>]+)>", re.IGNORECASE | re.MULTILINE)


def numbered(n: int, body: str = "hello") -> bytes:
    """Message number `n`: its Message-ID is how the tally finds it downstream."""
    return (
        f"From: s@example.ac.uk\r\nTo: f@example.org\r\nSubject: fault {n}\r\n"
        f"Message-ID: <fault-{n}@example.ac.uk>\r\n\r\n{body}\r\n"
    ).encode()


def message_id(raw: bytes) -> str:
    m = _MESSAGE_ID.search(raw)
    return m.group(1).decode() if m else ""


@dataclass
class Tally:
    sent: Counter[str] = field(default_factory=Counter)  # attempts per message
    acknowledged: Counter[str] = field(default_factory=Counter)
    answers: list[int] = field(default_factory=list)  # every final reply code, in order

    def send(self, port: int, raw: bytes, rcpt: str = "f@example.org") -> int:
        """One attempt on a session of its own; the reply code (a refusal at any step counts)."""
        mid = message_id(raw)
        self.sent[mid] += 1
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=120) as c:
                c.sendmail("s@example.ac.uk", [rcpt], raw)
            code = 250
        except smtplib.SMTPRecipientsRefused as exc:
            code = next(iter(exc.recipients.values()))[0]
        except smtplib.SMTPResponseException as exc:
            code = exc.smtp_code
        except (smtplib.SMTPServerDisconnected, OSError):
            code = 0  # no answer: the client keeps the message
        if code == 250:
            self.acknowledged[mid] += 1
        self.answers.append(code)
        return code

    def check(self, delivered: Iterable[bytes], held: Iterable[bytes]) -> dict[str, int]:
        """The counts, with lost and duplicates, from the bytes the next hop took and the quarantine holds."""
        taken = Counter(message_id(r) for r in delivered) + Counter(message_id(r) for r in held)
        lost = sum(1 for mid in self.acknowledged if taken[mid] == 0)
        duplicates = sum(n - 1 for n in taken.values() if n > 1)
        return {
            "sent": sum(self.sent.values()),
            "acknowledged": sum(self.acknowledged.values()),
            "taken": sum(taken.values()),
            "lost": lost,
            "duplicates": duplicates,
        }


def postgres_pids(backend_pid: int) -> list[int]:
    """The private server's postmaster and all its children, found from one backend's pid."""
    postmaster = _ppid(backend_pid)
    pids = [postmaster]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if _ppid(int(entry.name)) == postmaster:
                    pids.append(int(entry.name))
    return pids


def _ppid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
    raise LookupError(pid)


@contextlib.contextmanager
def frozen(pids: list[int]) -> Iterator[None]:
    """SIGSTOP the processes (PostgreSQL frozen: sockets open, nothing answered); SIGCONT on the way out."""
    stopped = []
    try:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
                stopped.append(pid)
        yield
    finally:
        for pid in stopped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
