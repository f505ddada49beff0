"""Plain-text attachments (TXT, CSV, TSV, calendar and contact files): decoded and kept whole.

The charset comes from a byte-order mark, else UTF-8, else Windows-1252
(what spreadsheet exports on UK desktops produce). CSV is kept as it is:
commas and line breaks keep a value next to its column neighbours, which
is what the detectors need to see a name beside a number.
"""

from __future__ import annotations

from gateway.extract.context import Context


def decode(data: bytes, declared: str | None = None) -> str:
    """Bytes to text: BOM, the declared charset, UTF-8, then Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    for charset in (declared, "utf-8"):
        if not charset:
            continue
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", "replace")


def read(data: bytes, ctx: Context) -> None:
    limit = ctx.budget.text_left + 1
    text = decode(data[: limit * 4])  # no more bytes than the text budget can hold
    kept = ctx.text(text)
    ctx.artifact("document", metadata={"format": "text"}, text=kept)
