"""Where a finding's evidence stands in the text it was read from: the spans convention.

Every detector that points at text says where, so that every place that
shows a held message can mask exactly that (see gateway.model.masking):

- `details["spans"]`: [start, end] character offsets into the text of the
  segment named by the finding's `where` (Segment.text, exactly as the MIME
  walker and extractors produced it and the review page re-reads it);
- `details["spans_elsewhere"]`: {where: spans} for evidence the same finding
  has in other places (a threat that runs from the subject into the body).

A detector that reads a transformed view (lower-cased, cleaned, joined)
maps its offsets back to the segment's own text before reporting them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gateway.model import Segment

#: spans by place, while a finding is built
Spans = dict[str, set[tuple[int, int]]]


def occurrences(segments: Iterable[Segment], values: Iterable[str]) -> Spans:
    """Every place each value (as written) stands in the texts of `segments`."""
    out: Spans = {}
    wanted = [v for v in dict.fromkeys(values) if v.strip()]
    for seg in segments:
        for value in wanted:
            at = seg.text.find(value)
            while at >= 0:
                out.setdefault(seg.where, set()).add((at, at + len(value)))
                at = seg.text.find(value, at + len(value))
    return out


def whole(segments: Iterable[Segment]) -> Spans:
    """All of each segment's text: for a finding about a text as a whole."""
    out: Spans = {}
    for seg in segments:
        if seg.text:
            out.setdefault(seg.where, set()).add((0, len(seg.text)))
    return out


def span_details(spans: Spans, where: str) -> dict[str, Any]:
    """details["spans"] in the finding's own place, and "spans_elsewhere" for the others (JSON-ready)."""
    out: dict[str, Any] = {"spans": [[a, b] for a, b in sorted(spans.get(where, ()))]}
    others = {w: [[a, b] for a, b in sorted(s)] for w, s in sorted(spans.items()) if w != where and s}
    if others:
        out["spans_elsewhere"] = others
    return out
