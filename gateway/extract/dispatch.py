"""Choose a reader for each attachment (content sniffing, then name and type) and run it safely.

This is the trust boundary between untrusted files and the third-party
parsers: whatever a reader raises (a library's own exception, a limit, an
encrypted file) becomes an `uninspectable` finding at that file's location,
never a crash and never a silent pass. The readers of common attachments
(PDF, Office, zip, HTML) are imported when a worker loads (`preload`); the
rest on first use, so a worker that never sees a DICOM file never loads
pydicom.

Files the gateway has no reader for (programs, audio, video, fonts...) get
an `other` artifact and a low-score `UNSUPPORTED_FORMAT` finding: they
cannot hide text a person would read, so holding every such message would
only stop ordinary mail; a policy can still act on the type. Containers we
cannot open (7-Zip, RAR, encrypted anything) are different: they exist to
carry documents, so they are uninspectable with full score.
"""

from __future__ import annotations

import importlib
import logging
import warnings
from typing import Any

from gateway.extract import sniff
from gateway.extract.budget import Budget, LimitExceeded, watchdog
from gateway.extract.context import Context, Run, Unreadable
from gateway.model.message import Inspection

log = logging.getLogger(__name__)

#: score of UNSUPPORTED_FORMAT: below the default policy's 0.5 threshold (informational)
UNSUPPORTED_SCORE = 0.2

#: format -> (module, function); modules are imported on first use
READERS: dict[str, tuple[str, str]] = {
    sniff.PDF: ("gateway.extract.pdf", "read"),
    sniff.DOCX: ("gateway.extract.word", "read"),
    sniff.XLSX: ("gateway.extract.excel", "read"),
    sniff.PPTX: ("gateway.extract.powerpoint", "read"),
    sniff.OOXML: ("gateway.extract.ooxml", "read_any"),
    sniff.ODF: ("gateway.extract.opendocument", "read"),
    sniff.ZIP: ("gateway.extract.ziparchive", "read"),
    sniff.OLE: ("gateway.extract.ole", "read"),
    sniff.RTF: ("gateway.extract.rtf", "read"),
    sniff.HTML: ("gateway.extract.html", "read"),
    sniff.EML: ("gateway.extract.message", "read"),
    sniff.TEXT: ("gateway.extract.text", "read"),
    sniff.IMAGE: ("gateway.extract.image", "read"),
    sniff.DICOM: ("gateway.extract.dicom", "read"),
    sniff.TAR: ("gateway.extract.compressed", "read"),
    sniff.GZIP: ("gateway.extract.compressed", "read"),
    sniff.BZIP2: ("gateway.extract.compressed", "read"),
    sniff.XZ: ("gateway.extract.compressed", "read"),
    sniff.TNEF: ("gateway.extract.tnef", "read"),
    sniff.PGP: ("gateway.extract.encrypted", "read"),
    sniff.SMIME: ("gateway.extract.encrypted", "read"),
    sniff.SEVEN_ZIP: ("gateway.extract.encrypted", "read_unsupported_archive"),
    sniff.RAR: ("gateway.extract.encrypted", "read_unsupported_archive"),
}


#: the readers of what most mail carries, imported when a worker loads (`preload`) rather than while
#: its first such message waits; the rest (DICOM, OpenDocument, ...) still load on first use
COMMON = (
    sniff.PDF,
    sniff.DOCX,
    sniff.XLSX,
    sniff.PPTX,
    sniff.OOXML,
    sniff.ZIP,
    sniff.HTML,
    sniff.EML,
    sniff.TEXT,
)


def preload(formats: tuple[str, ...] = COMMON) -> None:
    """Import the readers of `formats` now (a worker's load), so no message pays for the import."""
    for fmt in formats:
        importlib.import_module(READERS[fmt][0])


def extract_all(inspection: Inspection, limits: Any, *, ocr: bool = False) -> None:
    """Read every attachment the MIME walker found into segments, artifacts and findings."""
    run = Run(inspection=inspection, limits=limits, budget=Budget(limits), ocr=ocr)
    # one text budget per message: what the MIME walker kept from the bodies counts too
    run.budget.text_left = max(run.budget.text_left - sum(len(s.text) for s in inspection.segments), 0)
    run.read_file = lambda data, **kw: read_file(run, data, **kw)
    try:
        with watchdog(run.budget):
            for part in list(inspection.parts):
                read_file(
                    run,
                    part.data,
                    filename=part.filename,
                    content_type=part.content_type,
                    where=part.where,
                    quoted=part.quoted,
                    depth=0,
                )
    except LimitExceeded as exc:  # the watchdog fired between two files
        run.finding(exc.type, "message", exc.evidence, score=1.0, quoted=False)
    if run.budget.text_truncated:
        run.finding(
            "TEXT_LIMIT",
            "message",
            f"more than {limits.max_text_chars} characters of text; the rest was not read",
            score=1.0,
            quoted=False,
        )


def read_file(
    run: Run,
    data: bytes,
    *,
    filename: str,
    content_type: str,
    where: str,
    quoted: bool,
    depth: int,
    container: str = "",
) -> None:
    """Sniff one file and run its reader; every failure becomes a finding at `where`."""
    ctx = Context(
        run=run,
        where=where,
        filename=filename,
        content_type=content_type.lower(),
        size=len(data),
        quoted=quoted,
        depth=depth,
        container=container,
    )
    fmt = sniff.UNKNOWN
    try:
        run.budget.check_time()
        if depth > run.limits.max_archive_depth:
            raise LimitExceeded("ARCHIVE_LIMIT", f"nested more than {run.limits.max_archive_depth} deep")
        if not data:
            ctx.artifact("other", metadata={"format": "empty"})
            return
        fmt = ctx.format = sniff.sniff(data, filename, content_type)
        if fmt == sniff.SIGNATURE:
            ctx.artifact("signature", metadata={"format": fmt})
            return
        target = READERS.get(fmt)
        if target is None:
            ctx.artifact("other", metadata={"format": "unknown"})
            ctx.uninspectable(
                "UNSUPPORTED_FORMAT", f"no reader for {content_type or 'this file'}", score=UNSUPPORTED_SCORE
            )
            return
        module, func = target
        with warnings.catch_warnings():  # libraries warn on every odd byte of a damaged file
            warnings.simplefilter("ignore")
            getattr(importlib.import_module(module), func)(data, ctx)
    except LimitExceeded as exc:
        ctx.uninspectable(exc.type, exc.evidence)
    except Unreadable as exc:
        ctx.uninspectable(exc.type, exc.evidence)
    except MemoryError:
        ctx.uninspectable("MEMORY_LIMIT", f"{fmt} file needs more memory than a worker has")
    except RecursionError:
        ctx.uninspectable("PARSE_ERROR", f"{fmt} file nested too deeply to read")
    except Exception as exc:  # the parser boundary: a library's own error on a damaged file
        # the location is not logged: it carries the attachment's file name, which may name a patient
        log.info("attachment unreadable", extra={"format": fmt, "error": type(exc).__name__})
        ctx.uninspectable("PARSE_ERROR", f"{fmt} file could not be read ({type(exc).__name__})")
