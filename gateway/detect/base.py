"""The one interface every detector implements (gateway.detect.registry builds them).

A detector is pure: it reads an `Inspection` and returns findings. It
opens no sockets and touches no database; anything it needs from the
store (such as the document fingerprint index) is handed to it already
loaded. Heavy resources (spaCy models) are loaded in `load()`, which the
pipeline calls once per worker, never in the constructor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from gateway.model import Finding, Inspection
from gateway.model.learned import LearnedEntries


@dataclass
class Resources:
    """Things detectors need that come from the store, handed in already loaded."""

    document_index: Callable[[], Any] | None = None  # returns the current fingerprint index
    learned: Callable[[], LearnedEntries] | None = None  # returns the entries administrators accepted


@runtime_checkable
class Detector(Protocol):
    name: str
    categories: tuple[str, ...]  # what it can report; on failure these fail closed or open

    def load(self) -> None:
        """Load models and data; called once per worker before the first message."""

    def detect(self, inspection: Inspection) -> list[Finding]:
        """Findings for one message; raises only on internal failure."""
