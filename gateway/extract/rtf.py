"""Rich Text Format (.rtf) documents: the visible text (striprtf) and the \\info properties.

striprtf drops destinations a reader does not see (fonts, styles,
pictures); picture and object data (long hex runs) are cut out first. The document properties in the \\info group (title, author,
company...) are picked out for the document fingerprints. Encoding: the
\\ansicpg code page when given, else Windows-1252 (RTF's own default).
"""

from __future__ import annotations

import re
from typing import Any

from striprtf.striprtf import rtf_to_text

from gateway.extract.context import Context

_CODEPAGE = re.compile(rb"\\ansicpg(\d{3,5})")
#: picture and object data are long runs of hex digits; striprtf would crawl through them
#: (8 MB of picture took 10 s), and they hold no text
_HEX_RUN = re.compile(rb"[0-9a-fA-F\r\n]{512,}")
_INFO = {
    "title": "title",
    "subject": "subject",
    "author": "author",
    "operator": "last_modified_by",
    "company": "company",
    "keywords": "keywords",
    "doccomm": "comments",
}
_INFO_FIELD = re.compile(r"\{\\(" + "|".join(_INFO) + r")\s+([^{}\\]*)\}")


def read(data: bytes, ctx: Context) -> None:
    ctx.check_time()
    m = _CODEPAGE.search(data[:4096])
    encoding = f"cp{m.group(1).decode()}" if m else "cp1252"
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "cp1252"
    source = _HEX_RUN.sub(b"", data).decode("latin-1")  # RTF is 7-bit; escapes carry the rest
    text = rtf_to_text(source, encoding=encoding, errors="replace")
    kept = ctx.text(text)
    metadata: dict[str, Any] = {"format": "rtf"}
    for key, value in _INFO_FIELD.findall(source[:200_000]):
        if value.strip():
            metadata.setdefault(_INFO[key], value.strip()[:500])
    ctx.artifact("document", metadata=metadata, text=kept)
