"""A language detector loaded once for the folder, and helpers that judge a text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from gateway.detect.language import LanguageDetector
from gateway.model import Envelope, Finding, Inspection, Segment

INTERNAL = ("uni.ac.uk",)
SECURE = ("nhs.net",)
OUTSIDE = ("friend@gmail.com",)
STAFF = ("tutor@uni.ac.uk",)


@pytest.fixture(scope="session")
def language() -> LanguageDetector:
    detector = LanguageDetector(internal=INTERNAL, secure=SECURE)
    detector.load()
    return detector


@dataclass
class Judge:
    """Runs the detector over a message made of plain segments (no MIME needed)."""

    detector: LanguageDetector

    def __call__(
        self,
        body: str,
        *,
        subject: str = "",
        to: Sequence[str] = OUTSIDE,
        quoted: str = "",
        names: Sequence[str] = (),
        attachment: str = "",
    ) -> list[Finding]:
        segments = []
        if subject:
            segments.append(Segment(subject, "header:Subject", kind="header"))
        segments.append(Segment(body, "body"))
        if quoted:
            segments.append(Segment(quoted, "body", quoted=True))
        if attachment:
            segments.append(Segment(attachment, "attachment:notes.docx", kind="attachment"))
        inspection = Inspection(
            envelope=Envelope("student@uni.ac.uk", tuple(to)),
            segments=segments,
            correspondents=[(n, f"{n.split()[0].lower()}@uni.ac.uk") for n in names],
        )
        return self.detector.detect(inspection)

    def types(self, body: str, **kw: object) -> set[str]:
        """Types of the findings on what the sender wrote (not quoted or reported)."""
        return {f.type for f in self(body, **kw) if not f.quoted}  # type: ignore[arg-type]

    def one(self, body: str, type_: str, **kw: object) -> Finding:
        found = [f for f in self(body, **kw) if f.type == type_]  # type: ignore[arg-type]
        assert len(found) == 1, f"expected one {type_} finding, got {found}"
        return found[0]


@pytest.fixture(scope="session")
def judge(language: LanguageDetector) -> Judge:
    return Judge(language)
