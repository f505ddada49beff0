"""OLE compound files: encrypted Office, Outlook .msg, legacy Word, Excel and PowerPoint (olefile, msoffcrypto, xlrd).

An OOXML file saved with a password is an OLE file holding an
"EncryptedPackage" stream; legacy files carry their own encryption flags,
which msoffcrypto-tool reads. Either way: `ENCRYPTED_OFFICE`.

Outlook .msg files go to `gateway.extract.outlook`. Legacy .xls is read
with xlrd (values and numbers, one segment per sheet). Legacy .doc and
.ppt have no maintained pure-Python reader: their text streams are read
for runs of UTF-16 and 8-bit text, which is how both formats store what
the reader sees; structure is lost but every word is there. Properties
come from the OLE summary information.
"""

from __future__ import annotations

import io
import re
from typing import Any

import msoffcrypto
import olefile

from gateway.extract.context import Context, Unreadable

_UTF16_RUN = re.compile(rb"(?:[\x20-\x7e\xa0-\xff]\x00|[\t\r\n]\x00){4,}")
_BYTE_RUN = re.compile(rb"[\x20-\x7e\xa0-\xff\t\r\n]{6,}")
_TEXT_STREAMS = {"WordDocument": "doc", "PowerPoint Document": "ppt"}
_PROPS = {
    "title": "title",
    "subject": "subject",
    "author": "author",
    "keywords": "keywords",
    "comments": "comments",
    "last_saved_by": "last_modified_by",
    "company": "company",
    "manager": "manager",
    "category": "category",
}


def read(data: bytes, ctx: Context) -> None:
    try:
        ole = olefile.OleFileIO(data)
    except Exception as exc:  # olefile raises OSError and its own errors on damaged files
        raise Unreadable("PARSE_ERROR", f"damaged OLE file ({type(exc).__name__})") from None
    with ole:
        streams = {"/".join(path) for path in ole.listdir(streams=True, storages=False)}
        if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
            raise Unreadable("ENCRYPTED_OFFICE", "Office file is protected with a password")
        if any(s.startswith("__substg1.0_") for s in streams):
            from gateway.extract import outlook

            outlook.read(data, ctx)
            return
        if _legacy_encrypted(data):
            raise Unreadable("ENCRYPTED_OFFICE", "Office file is protected with a password")
        metadata = _properties(ole, ctx)
        if "Workbook" in streams or "Book" in streams:
            metadata["format"] = "xls"
            kept = _read_xls(data, ctx)
        else:
            kept = []
            for stream, fmt in _TEXT_STREAMS.items():
                if stream in streams:
                    metadata["format"] = fmt
                    ctx.check_time()
                    kept.append(ctx.text(scrape(ole.openstream(stream).read())))
            if "format" not in metadata:
                metadata["format"] = "ole"
                ctx.artifact("other", metadata=metadata)
                ctx.uninspectable("UNSUPPORTED_FORMAT", "OLE file of an unknown kind", score=0.2)
                return
            metadata["partial"] = True  # text without structure
    ctx.artifact("document", metadata=metadata, text="\n".join(k for k in kept if k))


def _legacy_encrypted(data: bytes) -> bool:
    try:
        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:  # not a format msoffcrypto knows: not one of its encrypted kinds either
        return False


def _read_xls(data: bytes, ctx: Context) -> list[str]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise Unreadable("ENCRYPTED_OFFICE", "Excel file is protected with a password") from None
        raise
    kept = []
    try:
        for sheet in book.sheets():
            ctx.check_time()
            lines = []
            for r in range(sheet.nrows):
                cells = [_xls_cell(v) for v in sheet.row_values(r)]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    lines.append("\t".join(cells))
            kept.append(ctx.text("\n".join(lines), where=f"{ctx.where}/{sheet.name}"))
    finally:
        book.release_resources()
    return kept


def _xls_cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value).replace("\n", " ").replace("\t", " ") if value not in (None, "") else ""


def scrape(stream: bytes) -> str:
    """Runs of readable text in a binary stream, UTF-16 first (how Office 97+ stores most text)."""
    runs: list[tuple[int, str]] = []
    covered = bytearray(len(stream))
    for m in _UTF16_RUN.finditer(stream):
        runs.append((m.start(), m.group().decode("utf-16-le", "replace")))
        covered[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    for m in _BYTE_RUN.finditer(stream):
        if not covered[m.start()]:
            runs.append((m.start(), m.group().decode("cp1252", "replace")))
    runs.sort()
    return "\n".join(text.strip() for _, text in runs if len(text.strip()) >= 4)


def _properties(ole: Any, ctx: Context) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        meta = ole.get_metadata()
    except Exception as exc:  # damaged property streams: their title or author went unread
        ctx.damaged(exc, "document properties", where=f"{ctx.where}/properties")
        return out
    for attr, key in _PROPS.items():
        value = getattr(meta, attr, None)
        if isinstance(value, bytes):
            value = value.decode("cp1252", "replace")
        if value:
            out[key] = str(value).strip("\x00 ")[:500]
    return out
