"""What a format reader is given: the file's place in the message and where results go.

A reader is a function `read(data: bytes, ctx: Context) -> None`. It adds
text with `ctx.text(...)`, describes the file with `ctx.artifact(...)`,
hands files it finds inside (archive entries, embedded objects, attached
messages) back with `ctx.child(...)`, and reports what it cannot read by
raising `Unreadable` (or calling `ctx.uninspectable`). It never decides
policy and never logs content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gateway.errors import ExtractionError
from gateway.extract.budget import Budget, LimitExceeded
from gateway.mime import pieces
from gateway.model.finding import UNINSPECTABLE, Finding
from gateway.model.message import Artifact, Inspection, Segment

#: score of a finding about content the gateway could not read at all
UNREADABLE_SCORE = 1.0


class Unreadable(ExtractionError):
    """This file cannot be read (encrypted, damaged, unsupported container); `type` names why."""

    def __init__(self, type_: str, evidence: str) -> None:
        super().__init__(evidence)
        self.type = type_
        self.evidence = evidence


@dataclass
class Run:
    """State shared by every reader while one message is extracted."""

    inspection: Inspection
    limits: Any
    budget: Budget
    ocr: bool = False
    read_file: Callable[..., None] | None = None  # the dispatcher, for files found inside files
    _reported: set[tuple[str, str]] = field(default_factory=set)

    def finding(self, type_: str, where: str, evidence: str, *, score: float, quoted: bool) -> None:
        key = (type_, where)
        if key in self._reported:
            return
        self._reported.add(key)
        self.inspection.findings.append(
            Finding(
                category=UNINSPECTABLE,
                type=type_,
                where=where,
                score=score,
                evidence=evidence[:200],
                quoted=quoted,
                detector="extract",
            )
        )


@dataclass
class Context:
    """One file being read: its location, whether it was quoted, how deep it is nested."""

    run: Run
    where: str  # "attachment:notes.zip/case.docx"
    filename: str
    content_type: str
    size: int
    quoted: bool = False
    depth: int = 0  # 0 for a file attached to the message, +1 per container it sits in
    format: str = ""  # what the sniffer said this file is
    container: str = ""  # the format of the file this one was found in ("zip", "docx"...), if any

    @property
    def limits(self) -> Any:
        return self.run.limits

    @property
    def budget(self) -> Budget:
        return self.run.budget

    @property
    def ocr(self) -> bool:
        return self.run.ocr

    def check_time(self) -> None:
        self.run.budget.check_time()

    def text(self, text: str, *, where: str | None = None, kind: str = "attachment") -> str:
        """Add a piece of text as a Segment; returns what was kept within the text budget."""
        text = clean_text(text)
        if not text.strip():
            return ""
        kept = self.run.budget.take_text(text)
        if kept.strip():
            for piece in pieces(kept):  # no segment longer than a detector reads of one
                self.run.inspection.segments.append(
                    Segment(piece, where or self.where, quoted=self.quoted, kind=kind)
                )
        return kept

    def artifact(
        self, kind: str, *, metadata: dict[str, Any] | None = None, text: str = "", where: str | None = None
    ) -> Artifact:
        art = Artifact(
            kind=kind,
            where=where or self.where,
            filename=self.filename,
            content_type=self.content_type,
            size=self.size,
            quoted=self.quoted,
            metadata={
                **({"container": self.container} if self.container else {}),
                **{k: v for k, v in (metadata or {}).items() if v not in (None, "")},
            },
            text=text,
        )
        self.run.inspection.artifacts.append(art)
        return art

    def uninspectable(
        self, type_: str, evidence: str, *, where: str | None = None, score: float = UNREADABLE_SCORE
    ) -> None:
        self.run.finding(type_, where or self.where, evidence, score=score, quoted=self.quoted)

    def damaged(self, exc: BaseException, what: str, *, where: str | None = None) -> None:
        """A piece of this file a library could not read: a PARSE_ERROR there, never "no text".

        A limit crossed inside the library call (the watchdog's TIME_LIMIT, a
        budget, memory) is not damage: it goes on up to the dispatcher.
        """
        if isinstance(exc, LimitExceeded | Unreadable | MemoryError | RecursionError):
            raise exc
        self.uninspectable("PARSE_ERROR", f"{what} could not be read ({type(exc).__name__})", where=where)

    def child(
        self,
        data: bytes,
        name: str,
        *,
        content_type: str = "",
        where: str | None = None,
        quoted: bool | None = None,
    ) -> None:
        """Read a file found inside this one (archive entry, embedded object, attached message).

        Its name is read as text too: a name can carry what a file's content does.
        """
        assert self.run.read_file is not None
        where = where or f"{self.where}/{name}"
        self.file_name(name, where=where, quoted=quoted)
        self.run.read_file(
            data,
            filename=name.rsplit("/", 1)[-1],
            content_type=content_type,
            where=where,
            quoted=self.quoted if quoted is None else quoted,
            depth=self.depth + 1,
            container=self.format,
        )

    def file_name(self, name: str, *, where: str, quoted: bool | None = None) -> None:
        """A file name found inside this file, read as text at "<where>#filename"."""
        text = clean_text(name)
        if not text.strip():
            return
        kept = self.run.budget.take_text(text)
        if kept.strip():
            self.run.inspection.segments.append(
                Segment(
                    kept,
                    f"{where}#filename",
                    quoted=self.quoted if quoted is None else quoted,
                    kind="filename",
                )
            )


def clean_text(text: str) -> str:
    """Line ends as \\n and no NUL characters: what every detector expects."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text
