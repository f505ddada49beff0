"""The per-message extraction budget: time, text, expanded bytes and archive entries.

Every reader draws on one `Budget` for the whole message, so a message
cannot escape the limits by splitting a bomb over several attachments.
Crossing a limit raises `LimitExceeded`, which the dispatcher turns into an
`uninspectable` finding at the attachment being read.

`watchdog()` backs the cooperative time checks with a one-shot SIGALRM
when extraction runs on the main thread of a process (inspection workers,
`gateway scan`): a third-party parser stuck inside one page or one XML part
is interrupted instead of holding the worker past its deadline.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: ratio checks only apply once an archive expands past this: a tiny file of
#: zeros compresses a thousandfold and harms no one
RATIO_FLOOR_BYTES = 1_048_576


class LimitExceeded(Exception):
    """A limit was crossed; `type` and `evidence` become the uninspectable finding."""

    def __init__(self, type_: str, evidence: str) -> None:
        super().__init__(evidence)
        self.type = type_
        self.evidence = evidence


class Budget:
    """What is left of the limits for one message."""

    def __init__(self, limits: Any, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self.seconds = float(getattr(limits, "max_extract_seconds", 15.0))
        self.deadline = clock() + self.seconds
        self.text_left = int(limits.max_text_chars)
        self.expanded_left = int(limits.max_expanded_bytes)
        self.entries_left = int(limits.max_archive_entries)
        self.text_truncated = False

    def check_time(self) -> None:
        if self._clock() > self.deadline:
            raise LimitExceeded("TIME_LIMIT", f"reading took longer than {self.seconds:g} s")

    def take_text(self, text: str) -> str:
        """The part of `text` that still fits; marks the budget truncated when it did not all fit."""
        if len(text) <= self.text_left:
            self.text_left -= len(text)
            return text
        self.text_truncated = True
        kept = text[: max(self.text_left, 0)]
        self.text_left = 0
        return kept

    def take_bytes(self, n: int) -> None:
        """Count `n` expanded bytes against the message's total."""
        self.expanded_left -= n
        if self.expanded_left < 0:
            raise LimitExceeded(
                "ARCHIVE_LIMIT", f"expands to more than {self.limits.max_expanded_bytes} bytes"
            )

    def take_entry(self) -> None:
        self.entries_left -= 1
        if self.entries_left < 0:
            raise LimitExceeded(
                "ARCHIVE_LIMIT", f"more than {self.limits.max_archive_entries} archive entries"
            )

    def check_ratio(self, expanded: int, compressed: int) -> None:
        """An archive that grows more than max_expansion_ratio times is a bomb."""
        ratio = int(self.limits.max_expansion_ratio)
        if expanded > RATIO_FLOOR_BYTES and expanded > ratio * max(compressed, 1):
            raise LimitExceeded("ARCHIVE_LIMIT", f"expands more than {ratio} times")


@contextmanager
def watchdog(budget: Budget) -> Iterator[None]:
    """Interrupt extraction at the budget's deadline (main thread only; else a no-op)."""
    usable = (
        threading.current_thread() is threading.main_thread()
        and hasattr(signal, "setitimer")
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
    )
    if not usable:
        yield
        return

    def _expired(signum: int, frame: Any) -> None:
        raise LimitExceeded("TIME_LIMIT", f"reading took longer than {budget.seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, max(budget.deadline - time.monotonic(), 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
