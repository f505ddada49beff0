"""Running one detector over a message made of plain segments (no MIME needed), for detector tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gateway.detect.base import Detector
from gateway.model import Envelope, Finding, Inspection, Segment

INTERNAL = ("uni.ac.uk",)
SECURE = ("nhs.net",)
OUTSIDE = ("friend@gmail.com",)
STAFF = ("tutor@uni.ac.uk",)


@dataclass
class Judge:
    """Runs a detector over one message: a body, and optionally a subject, quoted text and an attachment."""

    detector: Detector

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
        if body:
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
