"""The policy's answer for one message."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from gateway.model.finding import Finding


class Verdict(StrEnum):
    PASS = "pass"
    ANNOTATE = "annotate"
    HOLD = "hold"
    REJECT = "reject"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @property
    def blocks(self) -> bool:
        return self in (Verdict.HOLD, Verdict.REJECT)


_SEVERITY = {Verdict.PASS: 0, Verdict.ANNOTATE: 1, Verdict.HOLD: 2, Verdict.REJECT: 3}


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    rule: str = ""  # name of the rule that fired ("" when nothing fired)
    rules: tuple[str, ...] = ()  # every rule that matched, most severe first
    reason: str = ""
    findings: tuple[Finding, ...] = ()
    reject_code: int = 550
    reject_text: str = "5.7.1 Message refused by the compliance policy"
    banner: str = ""  # optional text prepended by annotate
    monitor: bool = False  # monitor mode: `enforced` says what is really done
    would_be: Verdict | None = None  # in monitor mode, what enforcement would have done
    notes: tuple[str, ...] = field(default=())

    @property
    def categories(self) -> list[str]:
        return sorted({f.category for f in self.findings})

    @property
    def types(self) -> list[str]:
        return sorted({f.type for f in self.findings})
