"""HTML attachments: visible text, link targets and image alt text (see gateway.model.html)."""

from __future__ import annotations

import re

from gateway.extract.context import Context
from gateway.extract.text import decode
from gateway.model.html import html_to_text

_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def read(data: bytes, ctx: Context) -> None:
    ctx.check_time()
    m = _META_CHARSET.search(data[:4096])
    html = decode(data, m.group(1).decode("ascii") if m else None)
    own, quoted = html_to_text(html)
    text = "\n".join(x for x in (own, quoted) if x)
    kept = ctx.text(text)
    ctx.artifact("document", metadata={"format": "html"}, text=kept)
