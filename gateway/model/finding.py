"""A finding: one thing a detector saw, already safe to log and show.

`evidence` is masked before it is stored here: it never carries the raw
identifier or the abusive words in full.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PATIENT_IDENTIFIER = "patient_identifier"
PATIENT_IMAGE = "patient_image"
ABUSIVE_LANGUAGE = "abusive_language"
UNIVERSITY_DOCUMENT = "university_document"
UNINSPECTABLE = "uninspectable"
ETIQUETTE = "etiquette"

CATEGORIES = (
    PATIENT_IDENTIFIER,
    PATIENT_IMAGE,
    ABUSIVE_LANGUAGE,
    UNIVERSITY_DOCUMENT,
    UNINSPECTABLE,
    ETIQUETTE,
)


@dataclass(frozen=True)
class Finding:
    category: str
    type: str  # e.g. NHS_NUMBER, PROFANITY, REGISTERED_DOCUMENT, ENCRYPTED_ARCHIVE
    where: str  # "body", "header:Subject", "attachment:Ward list.xlsx/Sheet1"
    score: float  # 0..1, from the evidence (checksum, keyword, context)
    evidence: str = ""  # masked excerpt: "NHS no [NHS_NUMBER]"
    quoted: bool = False  # inside text quoted or forwarded from an earlier message
    detector: str = ""
    severity: str = ""  # e.g. "mild" / "severe" for language findings
    target: str = ""  # who the finding is aimed at, for language findings ("second_person", "named")
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown finding category {self.category!r}")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"finding score {self.score} outside 0..1")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "category": self.category,
            "type": self.type,
            "where": self.where,
            "score": round(self.score, 3),
            "evidence": self.evidence,
        }
        if self.quoted:
            out["quoted"] = True
        if self.severity:
            out["severity"] = self.severity
        if self.target:
            out["target"] = self.target
        if self.details:
            out["details"] = self.details
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        return cls(
            category=data["category"],
            type=data["type"],
            where=data.get("where", ""),
            score=float(data.get("score", 0.0)),
            evidence=data.get("evidence", ""),
            quoted=bool(data.get("quoted", False)),
            severity=data.get("severity", ""),
            target=data.get("target", ""),
            details=dict(data.get("details", {})),
        )
