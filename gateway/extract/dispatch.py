"""Choose an extractor for each attachment by content sniffing, name and type."""

from __future__ import annotations

from typing import Any

from gateway.model import Artifact, Inspection, Part, Segment
from gateway.model.finding import UNINSPECTABLE, Finding


def extract_all(inspection: Inspection, limits: Any, *, ocr: bool = False) -> None:
    for part in list(inspection.parts):
        extract_part(inspection, part, limits, ocr=ocr, depth=0)


def extract_part(inspection: Inspection, part: Part, limits: Any, *, ocr: bool, depth: int) -> None:
    ctype = part.content_type.lower()
    name = part.filename.lower()
    if ctype.startswith("text/") or name.endswith((".txt", ".csv")):
        text = part.data.decode("utf-8", "replace")
        inspection.segments.append(Segment(text, part.where, quoted=part.quoted, kind="attachment"))
        inspection.artifacts.append(
            Artifact(
                "document", part.where, part.filename, ctype, len(part.data), quoted=part.quoted, text=text
            )
        )
        return
    if ctype.startswith("image/"):
        inspection.artifacts.append(
            Artifact("image", part.where, part.filename, ctype, len(part.data), quoted=part.quoted)
        )
        return
    inspection.artifacts.append(
        Artifact("other", part.where, part.filename, ctype, len(part.data), quoted=part.quoted)
    )
    inspection.findings.append(
        Finding(
            category=UNINSPECTABLE,
            type="UNSUPPORTED_FORMAT",
            where=part.where,
            score=0.3,
            evidence=f"no reader for {ctype}",
            detector="extract",
        )
    )
