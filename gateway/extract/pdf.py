"""PDF: page text, form field values, annotation comments, properties and embedded files (pypdf).

pypdf's one home. A PDF that opens with the empty password (an "owner
password" only restricts printing or copying) is read like any other,
because every recipient can read it too. One that needs a password is
`ENCRYPTED_PDF`. A PDF whose pages carry no text at all is a scan: with
OCR on, its page images are read by tesseract; without, it gets a
low-score `NO_TEXT_LAYER` finding so a reviewer knows nothing was read.

Nothing pypdf refuses is taken for "no text": a stream that inflates past
pypdf's own output limit (`LimitReachedError`, a decompression bomb) is
`ARCHIVE_LIMIT` for the whole file, and a page, form, comment, property
dictionary or embedded file that raises is a `PARSE_ERROR` at its own
location, while the rest of the file is still read.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from pypdf import PdfReader
from pypdf.errors import LimitReachedError

from gateway.extract.budget import LimitExceeded
from gateway.extract.context import Context, Unreadable

# pypdf logs a warning for every damaged object; the dispatcher reports what matters
logging.getLogger("pypdf").setLevel(logging.ERROR)

#: score of NO_TEXT_LAYER: informational under the default policy (its threshold is 0.5)
NO_TEXT_SCORE = 0.3
#: at most this many page images are sent to OCR per PDF
MAX_OCR_PAGES = 20

_PROPS = {
    "/Title": "title",
    "/Author": "author",
    "/Subject": "subject",
    "/Keywords": "keywords",
    "/Creator": "creator",
    "/Producer": "producer",
    "/CreationDate": "created",
    "/ModDate": "modified",
    "/Company": "company",
}


def read(data: bytes, ctx: Context) -> None:
    try:
        _read(data, ctx)
    except LimitReachedError:
        raise LimitExceeded("ARCHIVE_LIMIT", "a PDF stream inflates past the reader's limit") from None


def _damaged(ctx: Context, exc: Exception, what: str, where: str) -> None:
    if isinstance(exc, LimitReachedError):
        raise LimitExceeded("ARCHIVE_LIMIT", "a PDF stream inflates past the reader's limit") from None
    ctx.damaged(exc, what, where=where)


def _read(data: bytes, ctx: Context) -> None:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except Exception as exc:  # unsupported handler or algorithm: still encrypted to us
            raise Unreadable("ENCRYPTED_PDF", f"PDF is encrypted ({type(exc).__name__})") from None
        if not opened:
            raise Unreadable("ENCRYPTED_PDF", "PDF is encrypted with a password")
    metadata = _properties(reader, ctx)
    pages = reader.pages
    metadata["pages"] = len(pages)
    texts: list[str] = []
    for number, page in enumerate(pages, start=1):
        ctx.check_time()
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:  # one damaged page must not hide the others, nor pass unread
            texts.append("")
            metadata["damaged_pages"] = int(metadata.get("damaged_pages", 0)) + 1
            _damaged(ctx, exc, f"page {number}", f"{ctx.where}/page {number}")
        if sum(len(t) for t in texts) > ctx.budget.text_left:
            break
    body = "\n\n".join(t.strip() for t in texts if t.strip())
    kept = [ctx.text(body)]
    kept.append(ctx.text(_form_text(reader, ctx), where=f"{ctx.where}/form"))
    kept.append(ctx.text(_annotation_text(pages, ctx), where=f"{ctx.where}/comments"))
    if not body.strip() and len(pages):
        kept.append(_scanned(reader, ctx, metadata))
    ctx.artifact("document", metadata=metadata, text="\n".join(k for k in kept if k))
    _embedded_files(reader, ctx)


def _properties(reader: PdfReader, ctx: Context) -> dict[str, Any]:
    out: dict[str, Any] = {"format": "pdf"}
    try:
        info: Any = reader.metadata or {}
        for key, name in _PROPS.items():
            value = info.get(key)
            if value is not None:
                out[name] = str(value)[:500]
    except Exception as exc:  # a damaged /Info dictionary: its title or author went unread
        _damaged(ctx, exc, "PDF properties", f"{ctx.where}/properties")
    return out


def _form_text(reader: PdfReader, ctx: Context) -> str:
    try:
        fields = reader.get_fields() or {}
    except Exception as exc:
        _damaged(ctx, exc, "PDF form", f"{ctx.where}/form")
        return ""
    lines = []
    for name, field in list(fields.items())[:5000]:
        value = field.get("/V") if isinstance(field, dict) else None
        if value is None or not str(value).strip():
            continue
        label = str(field.get("/TU") or name)
        lines.append(f"{label}: {value}")
    return "\n".join(lines)


def _annotation_text(pages: Any, ctx: Context) -> str:
    lines = []
    for page in pages:
        ctx.check_time()
        try:
            annots = page.get("/Annots")
            annots = annots.get_object() if annots is not None else []
            for ref in annots[:1000]:
                annot = ref.get_object()
                contents = annot.get("/Contents")
                if contents:
                    lines.append(str(contents))
        except Exception as exc:
            _damaged(ctx, exc, "PDF comments", f"{ctx.where}/comments")
            continue
    return "\n".join(lines)


def _scanned(reader: PdfReader, ctx: Context, metadata: dict[str, Any]) -> str:
    """Pages without text: OCR their images when enabled, else say nothing was read."""
    metadata["text_layer"] = False
    if ctx.ocr:
        from gateway.extract import ocr
        from gateway.extract.image import ocr_input

        texts = []
        for page in reader.pages[:MAX_OCR_PAGES]:
            ctx.check_time()
            try:
                images = list(page.images)
            except Exception as exc:
                _damaged(ctx, exc, "page images", f"{ctx.where}/ocr")
                continue
            for image in images[:5]:
                texts.append(ocr.png_text(ocr_input(image.data), ctx))
        text = "\n".join(t for t in texts if t.strip())
        if text.strip():
            return ctx.text(text, where=f"{ctx.where}/ocr")
    ctx.uninspectable("NO_TEXT_LAYER", "PDF pages carry no text (a scan?)", score=NO_TEXT_SCORE)
    return ""


def _embedded_files(reader: PdfReader, ctx: Context) -> None:
    try:
        attachments = reader.attachments
        items = list(attachments.items())
    except Exception as exc:
        _damaged(ctx, exc, "PDF embedded files", f"{ctx.where}/attachments")
        return
    for name, blobs in items:
        for blob in blobs:
            ctx.child(blob, str(name))
