"""A detector for tests: reports what it is told to, or fails on purpose."""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.model import Finding, Inspection


@dataclass
class FakeDetector:
    """Returns `findings` for every message (or raises `error`), and counts its calls."""

    findings: list[Finding] = field(default_factory=list)
    error: Exception | None = None
    name: str = "fake"
    categories: tuple[str, ...] = ("patient_identifier",)
    calls: int = 0
    loaded: bool = False

    def load(self) -> None:
        self.loaded = True

    def detect(self, inspection: Inspection) -> list[Finding]:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return list(self.findings)
