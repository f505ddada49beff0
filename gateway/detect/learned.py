"""Findings an administrator accepted as not findings: an allowed code or word, per finding type.

Reviewers mark a finding wrong ("not an identifier / ordinary code") and
name the value; once an administrator accepts it, that exact value (case
and spacing aside) is no longer a finding of that type in any message.
A finding whose every span holds an allowed value is dropped; one with
others left keeps only those. Staff names and public figures are used by
the patient detector itself (they change how a name is judged, not just
whether it is reported).

Pure: the entries are handed in (`gateway.model.learned.LearnedEntries`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from gateway.model import Finding, Inspection
from gateway.model.learned import LearnedEntries


def without_allowed(
    findings: Sequence[Finding], inspection: Inspection, entries: LearnedEntries
) -> list[Finding]:
    """`findings` less the spans (and the findings left with none) that hold an allowed value."""
    if not entries.allowed:
        return list(findings)
    texts: dict[str, str] = {}
    for seg in inspection.segments:
        texts.setdefault(seg.where, seg.text)
    out: list[Finding] = []
    for f in findings:
        spans = f.details.get("spans") or []
        text = texts.get(f.where)
        if not spans or text is None:
            out.append(f)
            continue
        kept = [[a, b] for a, b in spans if not entries.allows(f.type, text[a:b])]
        if not kept:
            continue  # every value of it was accepted as fine for this type
        if len(kept) < len(spans):
            details = {**f.details, "spans": kept}
            if "count" in details:
                details["count"] = max(1, int(details["count"]) - (len(spans) - len(kept)))
            f = dataclasses.replace(f, details=details)
        out.append(f)
    return out
