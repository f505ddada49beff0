"""Pieces of a message as the detectors see them.

The MIME walker (`gateway.mime`) and the extractors
(`gateway.extract`) turn raw bytes into an `Inspection`: text `Segment`s
that know where they came from and whether they were quoted, `Artifact`s
that describe non-text content (images, DICOM, documents) with their
metadata, and the findings already made while reading (`uninspectable`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from gateway.model.envelope import Envelope
from gateway.model.finding import Finding


@dataclass(frozen=True)
class Segment:
    """A piece of text and where it came from."""

    text: str
    where: str  # "body", "html", "header:Subject", "attachment:notes.zip/case.docx"
    quoted: bool = False  # quoted ("> ", "On ... wrote:") or a forwarded part
    kind: str = "body"  # "header", "body", "attachment", "metadata"

    def __post_init__(self) -> None:
        # composed (NFC) text: a name typed as "e" + U+0301 reads as "é" for every detector, and
        # offsets into `text` stay offsets into what the detectors saw
        if not unicodedata.is_normalized("NFC", self.text):
            object.__setattr__(self, "text", unicodedata.normalize("NFC", self.text))


@dataclass
class Part:
    """A MIME leaf that is not body text: an attachment or inline file, still as bytes."""

    data: bytes
    content_type: str
    filename: str
    where: str  # "attachment:Ward list.xlsx"
    quoted: bool = False
    inline: bool = False


@dataclass
class Artifact:
    """Non-text content that detectors judge by its kind and metadata.

    kind: "image", "dicom", "document", "archive", "message", "other".
    metadata: lower-case keys; for images the EXIF fields (make, model,
    datetime, gps), for DICOM the tag keywords, for documents the
    properties (title, author, company...).
    """

    kind: str
    where: str
    filename: str
    content_type: str
    size: int
    quoted: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    text: str = ""  # the whole extracted text of a document, for fingerprinting


@dataclass
class Inspection:
    """Everything the detectors need for one message. Built once, read by all."""

    envelope: Envelope
    headers: list[tuple[str, str]] = field(default_factory=list)  # top-level, decoded
    segments: list[Segment] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)  # attachments, still bytes, for the extractors
    findings: list[Finding] = field(default_factory=list)  # made while reading
    correspondents: list[tuple[str, str]] = field(default_factory=list)  # (display name, address)
    subject: str = ""
    size: int = 0

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for k, v in self.headers:
            if k.lower() == lname:
                return v
        return None

    def text_of(self, *, include_quoted: bool = True) -> str:
        return "\n".join(s.text for s in self.segments if include_quoted or not s.quoted)
