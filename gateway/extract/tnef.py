"""Outlook TNEF (winmail.dat, application/ms-tnef): the rich body and the attachments inside (tnefparse).

Outlook wraps a message's rich-text body and its attachments in TNEF when
it sends "Rich Text" mail; recipients' Outlook unpacks it, so everything
in it is delivered content. The body (plain, HTML or compressed RTF) is
read at "attachment:winmail.dat/body" and each attachment is read as a file
of its own: "attachment:winmail.dat/list.xlsx/Sheet1". It is the sender's
own message, so nothing is marked quoted beyond what the part already was.
"""

from __future__ import annotations

from typing import Any

import tnefparse

from gateway.extract.context import Context, Unreadable
from gateway.model.html import html_to_text


def read(data: bytes, ctx: Context) -> None:
    try:
        tnef = tnefparse.TNEF(data, do_checksum=False)
    except Exception as exc:  # the library's own errors on damaged data
        raise Unreadable("PARSE_ERROR", f"damaged TNEF ({type(exc).__name__})") from None
    kept = [ctx.text(_text(getattr(tnef, "body", None)), where=f"{ctx.where}/body", kind="body")]
    html = getattr(tnef, "htmlbody", None)
    if html:
        own, quoted = html_to_text(_text(html))
        kept.append(
            ctx.text("\n".join(x for x in (own, quoted) if x), where=f"{ctx.where}/html", kind="body")
        )
    try:
        rtf = tnef.rtfbody  # decompressed by compressed_rtf, when it is installed
    except Exception as exc:  # the RTF body could not be decompressed: its text went unread
        ctx.damaged(exc, "RTF body", where=f"{ctx.where}/body.rtf")
        rtf = None
    if rtf:
        ctx.child(bytes(rtf), "body.rtf")
    ctx.artifact("message", metadata={"format": "tnef"}, text="\n".join(k for k in kept if k))
    for att in getattr(tnef, "attachments", []) or []:
        ctx.check_time()
        ctx.budget.take_entry()
        name = _name(att)
        payload = getattr(att, "data", b"")
        if isinstance(payload, bytes) and payload:
            ctx.child(payload, name)


def _name(att: Any) -> str:
    for getter in ("long_filename", "name"):
        value = getattr(att, getter, None)
        value = value() if callable(value) else value
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if value:
            return str(value).strip("\x00 ") or "attachment"
    return "attachment"


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip("\x00")
    return str(value or "").strip("\x00")
