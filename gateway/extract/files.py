"""Text and properties of one file on disk, read exactly as an attachment would be.

For `gateway docs add`: a document is registered from the text the
extractors would give the detectors if the same file were attached to a
message, so a registered file and its attached copy fingerprint alike.
Built on `extract_all` (sniffing, the format readers, the limits), not on
a second set of readers.
"""

from __future__ import annotations

import dataclasses
import mimetypes
import types
from typing import Any

from gateway.errors import ExtractionError
from gateway.extract.dispatch import extract_all
from gateway.model import Envelope, Inspection, Part

#: reading one document for the registry may take longer than one message's budget
REGISTER_SECONDS = 300.0


def text_of_file(data: bytes, filename: str, limits: Any) -> tuple[str, dict[str, Any]]:
    """(whole text, document properties) of a file; raises ExtractionError when it cannot be read."""
    where = f"file:{filename}"
    ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    insp = Inspection(envelope=Envelope(mail_from="", rcpt_tos=()))
    insp.parts.append(Part(data=data, content_type=ctype, filename=filename, where=where))
    extract_all(insp, _registration_limits(limits))
    for f in insp.findings:
        # the file itself unreadable (or out of time); a part inside it that cannot be read (an
        # embedded object) leaves the rest of the text, which is still worth registering
        own_failure = f.where == where or (f.where == "message" and f.type != "TEXT_LIMIT")
        if f.category == "uninspectable" and f.score >= 0.5 and own_failure:
            raise ExtractionError(f"cannot read {filename}: {f.evidence}")
    own = [a for a in insp.artifacts if a.where == where and a.kind == "document"]
    if own and own[0].text.strip():
        return own[0].text, dict(own[0].metadata)
    texts = [s.text for s in insp.segments if s.where == where or s.where.startswith(where + "/")]
    metadata = dict(own[0].metadata) if own else {}
    return "\n\n".join(texts), metadata


def _registration_limits(limits: Any) -> Any:
    if dataclasses.is_dataclass(limits) and not isinstance(limits, type):
        values = dataclasses.asdict(limits)
    else:
        values = dict(vars(limits))
    values["max_extract_seconds"] = max(float(values.get("max_extract_seconds", 0.0)), REGISTER_SECONDS)
    return types.SimpleNamespace(**values)
