"""Outlook .msg files: headers, bodies and attachments, read like an attached e-mail (extract-msg).

An attached message is someone else's message passed on, so everything in
it is marked quoted, exactly like a message/rfc822 part (see
gateway.mime). Locations follow the e-mail layout under the file's
own: "attachment:referral.msg/body", ".../html", ".../header:Subject",
".../attachment:bloods.xlsx/Sheet1". Messages embedded in the .msg are
read the same way, one level deeper.
"""

from __future__ import annotations

import logging
from typing import Any

import extract_msg

from gateway.extract.budget import LimitExceeded
from gateway.extract.context import Context, Unreadable
from gateway.model.html import html_to_text

# extract-msg logs every unusual property it meets; the dispatcher reports what matters
logging.getLogger("extract_msg").setLevel(logging.ERROR)


def read(data: bytes, ctx: Context) -> None:
    try:
        msg = extract_msg.openMsg(data, delayAttachments=False)
    except Exception as exc:  # the library's own errors on damaged or unusual files
        raise Unreadable("PARSE_ERROR", f"damaged Outlook message ({type(exc).__name__})") from None
    try:
        _read_msg(msg, ctx, ctx.where, ctx.depth)
    finally:
        msg.close()


def _read_msg(msg: Any, ctx: Context, where: str, depth: int) -> None:
    if depth > ctx.limits.max_archive_depth:
        raise LimitExceeded("ARCHIVE_LIMIT", f"nested more than {ctx.limits.max_archive_depth} deep")
    ctx.check_time()
    sub = Context(
        run=ctx.run,
        where=where,
        filename=ctx.filename,
        content_type="application/vnd.ms-outlook",
        size=ctx.size,
        quoted=True,
        depth=depth,
        format="msg",
        container=ctx.container if depth == ctx.depth else "msg",
    )
    subject = _text(getattr(msg, "subject", ""))
    if subject:
        sub.text(subject, where=f"{where}/header:Subject", kind="header")
    for name in ("sender", "to", "cc"):
        value = _text(getattr(msg, name, ""))
        if value:
            sub.text(value, where=f"{where}/header:{name.capitalize()}", kind="name")
    body = _text(getattr(msg, "body", ""))
    sub.text(body, where=f"{where}/body", kind="body")
    html = getattr(msg, "htmlBody", None)
    if html:
        own, quoted = html_to_text(html.decode("utf-8", "replace") if isinstance(html, bytes) else str(html))
        sub.text("\n".join(x for x in (own, quoted) if x), where=f"{where}/html", kind="body")
    sub.artifact("message", metadata={"format": "msg"})
    for att in getattr(msg, "attachments", []) or []:
        ctx.check_time()
        name = _text(getattr(att, "longFilename", None) or getattr(att, "shortFilename", None) or "")
        name = name or _text(getattr(att, "displayName", "")) or "attachment"
        payload = getattr(att, "data", None)
        att_where = f"{where}/attachment:{name}"
        if isinstance(payload, bytes | bytearray):
            sub.child(bytes(payload), name, content_type=_text(getattr(att, "mimetype", "")), where=att_where)
        elif payload is not None and hasattr(payload, "attachments"):  # an embedded message
            _read_msg(payload, sub, att_where, depth + 1)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
