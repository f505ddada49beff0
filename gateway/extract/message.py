"""Attached e-mails (.eml, message/rfc822 sent as a file): read by the MIME walker, one level down.

Like a forwarded message/rfc822 part, an attached message is someone
else's message passed on: its text is marked quoted. Its own attachments
are read as files of their own: "attachment:fwd.eml/attachment:list.xlsx/Sheet1".
"""

from __future__ import annotations

from gateway.extract.context import Context
from gateway.mime import normalise_line_endings, read_message


def read(data: bytes, ctx: Context) -> None:
    ctx.check_time()
    parts = read_message(
        normalise_line_endings(data),
        ctx.run.inspection,
        ctx.limits,
        prefix=f"{ctx.where}/",
        quoted=True,
        take_text=ctx.budget.take_text,
    )
    ctx.artifact("message", metadata={"format": "eml"})
    for part in parts:
        ctx.child(part.data, part.filename, content_type=part.content_type, where=part.where, quoted=True)
