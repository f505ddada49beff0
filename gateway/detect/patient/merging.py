"""Cutting a long text into chunks, and merging what the recognizers found: spans and findings.

Pure helpers of the patient detector (and of the de-identifier, which masks
from the same spans): no lexicon, no model.
"""

from __future__ import annotations

from gateway.model import Finding

#: text is analysed in chunks of about this size, cut at line ends (bounds the work per call)
CHUNK = 50_000


def chunks(text: str) -> list[tuple[int, int]]:
    """Spans of about CHUNK characters, cut after a line end, each overlapping the next by one line."""
    if len(text) <= CHUNK:
        return [(0, len(text))]
    out = []
    start = 0
    while start < len(text):
        end = min(len(text), start + CHUNK)
        if end < len(text):
            cut = text.rfind("\n", start + CHUNK // 2, end)
            end = cut + 1 if cut > 0 else end
        out.append((start, end))
        if end >= len(text):
            break
        prev_line = text.rfind("\n", start, end - 1)
        start = prev_line + 1 if prev_line > start else end
    return out


def disjoint(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans merged (the first one's type kept), so each character is covered once."""
    out: list[tuple[int, int, str]] = []
    for s, e, t in sorted(spans, key=lambda x: (x[0], -(x[1] - x[0]))):
        if e <= s:
            continue
        if out and s < out[-1][1]:
            ps, pe, pt = out[-1]
            out[-1] = (ps, max(pe, e), pt)
            continue
        out.append((s, e, t))
    return out


def one_per_type_and_place(findings: list[Finding]) -> list[Finding]:
    """The strongest finding of each type in each place, with how many there were in all."""
    best: dict[tuple[str, str, bool], Finding] = {}
    counts: dict[tuple[str, str, bool], int] = {}
    for f in findings:
        key = (f.type, f.where, f.quoted)
        counts[key] = counts.get(key, 0) + int(f.details.get("count", 1))
        if key not in best or f.score > best[key].score:
            best[key] = f
    spans: dict[tuple[str, str, bool], set[tuple[int, int]]] = {}
    for f in findings:
        key = (f.type, f.where, f.quoted)
        spans.setdefault(key, set()).update((int(a), int(b)) for a, b in f.details.get("spans", ()))
    out = []
    for key, f in best.items():
        f.details.pop("count", None)
        if counts[key] > 1:
            f.details["count"] = counts[key]
        if spans[key]:
            f.details["spans"] = span_list(spans[key])
        out.append(f)
    return out


def span_list(spans: set[tuple[int, int]]) -> list[list[int]]:
    """[start, end] pairs in order, as they are stored (JSON)."""
    return [[a, b] for a, b in sorted(spans)]
