"""Ambiguity checks: where mail filters and mail clients could read one part differently.

Each check compares what readers could take from a part's headers: the
same header given twice with different values (after normalising what
clients ignore: case, comments, quotes), a boundary or charset parameter
given twice, file names whose readings (filename, filename*, name, with
encoded-words and RFC 2231 decoded) carry different extensions, and a
multipart whose boundary never appears. A name sent as an encoded-word,
or the same name in two parameters, is what Outlook, Gmail and Apple Mail
send every day and is not ambiguous.
"""

from __future__ import annotations

import email.errors
from email.message import Message

from gateway.mime.decoding import encoding_name
from gateway.mime.headers import all_readings, count_param, extension, params, unfold


def ambiguities(part: Message, *, truncated: bool) -> list[tuple[str, str]]:
    """(reason, evidence) for every way readers could disagree about this part."""
    out: list[tuple[str, str]] = []
    raw: dict[str, list[str]] = {}
    for k, v in part.raw_items():
        raw.setdefault(k.lower(), []).append(unfold(v))
    encodings = {encoding_name(v) for v in raw.get("content-transfer-encoding", [])}
    if len(encodings) > 1:
        out.append(("duplicate_transfer_encoding", "content-transfer-encoding given twice, differently"))
    for header, reason in (
        ("content-type", "duplicate_content_type"),
        ("content-disposition", "duplicate_content_disposition"),
    ):
        values = {v.strip().lower() for v in raw.get(header, [])}
        if len(values) > 1:
            out.append((reason, f"{header} given twice, differently"))
    content_type = ";".join(raw.get("content-type", []))
    if count_param(content_type, "boundary") > 1:
        out.append(("duplicate_boundary", "boundary parameter given twice"))
    charsets = {v.strip('"').lower() for k, v in params(content_type) if k == "charset"}
    if len(charsets) > 1:
        out.append(("duplicate_charset", "charset given twice, differently"))
    if len({extension(n) for n in all_readings(part)}) > 1:
        out.append(("filename_conflict", "file name parameters give different extensions"))
    if not truncated and any(
        isinstance(
            d, email.errors.StartBoundaryNotFoundDefect | email.errors.MultipartInvariantViolationDefect
        )
        for d in part.defects
    ):
        out.append(("missing_boundary", "multipart boundary not found"))
    return out
