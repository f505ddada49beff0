"""University documents: registered documents (fingerprint matches) and university markings.

Category `university_document`. Two kinds of finding:

- REGISTERED_DOCUMENT: an attachment (any format the extractors read,
  inside archives too) or the body contains a registered document or a
  substantial part of it. The score grows with the share of the document
  found; the evidence names the document and the share.
- UNIVERSITY_MARKING: an attachment that is not registered but carries the
  university's own markings: a copyright line naming the organisation,
  a restrictive marking ("for internal use only"...) on a document that
  names the organisation in its text or properties, the minutes of one of
  its committees. In the body, only a copyright line together with a
  restrictive marking or a committee heading counts: a signature naming the
  university, or an email disclaimer, is not a document.

Pure: the fingerprint index is handed in (`Resources.document_index`, a
callable returning the current `DocumentIndex`), never read from the store
here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from gateway.detect.fingerprint import EMPTY_INDEX, DocumentIndex, DocumentMatch, MatchRules, fingerprint
from gateway.errors import GatewayError
from gateway.model import Finding, Inspection
from gateway.model.finding import UNIVERSITY_DOCUMENT

log = logging.getLogger(__name__)

REGISTERED = "REGISTERED_DOCUMENT"
MARKING = "UNIVERSITY_MARKING"

# property names that say who made or owns a document (lower-case, as the extractors give them)
_OWNER_PROPERTIES = (
    "company",
    "organisation",
    "organization",
    "publisher",
    "manager",
    "title",
    "subject",
    "creator",
    "author",
    "rights",
    "copyright",
)
# bodies that meet in minutes: "Minutes of the Curriculum Committee", "Board of Studies: minutes"
_BODIES = r"(?:committee|board|council|senate|panel|forum|executive|court|assembly)"
_MINUTES = re.compile(
    rf"\bminutes\s+of\s+(?:the\s+)?(?:[\w&'’().,-]+\s+){{0,10}}?{_BODIES}\b"
    rf"|\b{_BODIES}\b[^\n]{{0,80}}?\bminutes\b"
    rf"|\bminutes\b[^\n]{{0,20}}\b{_BODIES}\b",
    re.IGNORECASE,
)
# a student society or union is not the university, even when it meets in committee
_NOT_UNIVERSITY_BODY = re.compile(r"\b(?:society|soc|medsoc|club|union|association)\b", re.IGNORECASE)
# the owner let everyone copy it: a public or openly licensed document is not a leak
_OPEN_LICENCE = re.compile(
    r"creative\s+commons|\bcc[\s-]by\b|open\s+access|open\s+government\s+licen[cs]e"
    r"|may\s+be\s+(?:freely\s+)?(?:copied|reproduced|distributed|shared)"
    r"|(?:freely|publicly)\s+available|permission\s+is\s+(?:hereby\s+)?granted",
    re.IGNORECASE,
)
# "CONFIDENTIAL" written as a label (upper case), not the word in a sentence about confidentiality
_CONFIDENTIAL_LABEL = re.compile(r"(?<![A-Za-z])(?:STRICTLY\s+)?CONFIDENTIAL(?![A-Za-z])")
_HEAD_LINES = 8  # a document's title and heading are in its first lines
_TITLE_CHARS = 160  # a heading is a short line; "minutes" deep in a sentence is not one


@dataclass(frozen=True)
class _Unit:
    """One text the detector judges: an attachment, or the body (own or quoted)."""

    text: str
    where: str
    quoted: bool
    kind: str  # "attachment" or "body"
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class DocumentDetector:
    """Registered documents and university markings; see the module docstring."""

    organisation: str
    markings: tuple[str, ...]
    index: Callable[[], DocumentIndex] | None = None
    rules: MatchRules = field(default_factory=MatchRules)
    aliases: tuple[str, ...] = ()
    name: str = "documents"
    categories: tuple[str, ...] = (UNIVERSITY_DOCUMENT,)

    def __post_init__(self) -> None:
        names = [n for n in (self.organisation, *self.aliases) if n.strip()]
        orgs = "|".join(_flexible(n) for n in names) or r"(?!)"
        self._org = re.compile(rf"(?<!\w)(?:{orgs})(?!\w)", re.IGNORECASE)
        copy_sign = r"(?:\(c\)|©|copyright(?:\s*(?:\(c\)|©))?)"
        years = r"(?:\d{4}(?:\s*[-–/]\s*\d{2,4})?\s*,?\s*)?"
        self._copyright = re.compile(
            rf"{copy_sign}\s*{years}(?:the\s+)?(?:{orgs})(?!\w)|(?<!\w)(?:{orgs})\s*,?\s*{copy_sign}",
            re.IGNORECASE,
        )
        self._markings = [
            (m, re.compile(rf"(?<!\w){_flexible(m)}(?!\w)", re.IGNORECASE))
            for m in self.markings
            if m.strip()
        ]

    def load(self) -> None:
        """Warm the index once per worker, so the first message does not wait for it.

        A store that cannot be read now is not fatal here: `detect` asks
        again, and fails (closed, by policy) only if there is still no index.
        """
        if self.index is not None:
            try:
                self.index()
            except GatewayError:
                log.warning("document index not loaded yet; will retry on the first message")

    def detect(self, inspection: Inspection) -> list[Finding]:
        index = self.index() if self.index is not None else EMPTY_INDEX
        findings: list[Finding] = []
        seen: set[tuple[int, str]] = set()
        for unit in _units(inspection):
            matches = index.match(fingerprint(unit.text), self.rules) if index.size else []
            for m in matches:
                if (m.doc_id, unit.where) not in seen:
                    seen.add((m.doc_id, unit.where))
                    findings.append(self._registered(unit, m))
            if not matches:
                marking = self._marking(unit)
                if marking is not None:
                    findings.append(marking)
        return findings

    # -- registered documents --------------------------------------------------------------------

    def _registered(self, unit: _Unit, m: DocumentMatch) -> Finding:
        # the share shown is the larger of "how much of the document" and, for an excerpt,
        # nothing smaller than what the reviewer sees: the document share, honestly rounded
        pct = round(100 * m.share)
        title = m.title or f"document #{m.doc_id}"
        return Finding(
            category=UNIVERSITY_DOCUMENT,
            type=REGISTERED,
            where=unit.where,
            score=round(min(1.0, 0.7 + 0.3 * m.share), 3),
            evidence=f"matches {_quote(title)} ({max(pct, 1)}%)",
            quoted=unit.quoted,
            detector=self.name,
            details={
                "doc_id": m.doc_id,
                "title": title,
                "share": round(m.share, 3),
                "matched_words": m.matched_words,
                "classification": m.classification,
            },
        )

    # -- markings ----------------------------------------------------------------------------------

    def _marking(self, unit: _Unit) -> Finding | None:
        text = unit.text
        copyright_line = bool(self._copyright.search(text))
        restrictive = _outermost([m for m, rx in self._markings if rx.search(text)])
        if _CONFIDENTIAL_LABEL.search(text) and not any("confidential" in m.lower() for m in restrictive):
            restrictive.append("CONFIDENTIAL")
        minutes = self._minutes(text, unit.metadata)
        in_properties = any(self._org.search(v) for v in _property_values(unit.metadata))
        in_text = bool(self._org.search(text))
        signals: list[str] = []
        if copyright_line:
            signals.append(f"(c) {self.organisation}")
        signals.extend(_quote(m) for m in restrictive)
        if minutes:
            signals.append("committee minutes")
        if in_properties:
            signals.append("document properties name the organisation")

        score = 0.0
        if unit.kind == "body":
            # a body is judged as a pasted document only on its strongest markings
            if copyright_line and (restrictive or minutes):
                score = 0.8
        else:
            if copyright_line and (restrictive or minutes):
                score = 0.85
            elif restrictive and (in_properties or in_text):
                score = 0.75
            elif minutes and (in_properties or in_text):
                score = 0.7
            elif minutes and restrictive:  # restricted minutes of a committee: an official document
                score = 0.65
            elif copyright_line and not _OPEN_LICENCE.search(text):
                score = 0.6
        if score == 0.0:
            return None
        return Finding(
            category=UNIVERSITY_DOCUMENT,
            type=MARKING,
            where=unit.where,
            score=score,
            evidence="university markings: " + "; ".join(signals),
            quoted=unit.quoted,
            detector=self.name,
            details={"markings": signals},
        )

    def _minutes(self, text: str, metadata: dict[str, Any]) -> bool:
        heads = [line.strip() for line in text.splitlines() if line.strip()][:_HEAD_LINES]
        heads += [str(metadata.get(k, "") or "") for k in ("title", "subject")]
        return any(
            len(line) <= _TITLE_CHARS and _MINUTES.search(line) and not _NOT_UNIVERSITY_BODY.search(line)
            for line in heads
        )


def _units(inspection: Inspection) -> list[_Unit]:
    units: list[_Unit] = []
    covered: list[str] = []
    for a in inspection.artifacts:
        if a.kind == "document" and a.text.strip():
            # a saved web page carries the site's copyright footer on public pages too: judge its
            # markings like a body's
            kind = "body" if a.metadata.get("format") == "html" else "attachment"
            units.append(_Unit(a.text, a.where, a.quoted, kind, dict(a.metadata)))
            covered.append(a.where)
    for s in inspection.segments:
        if s.kind != "attachment" or not s.text.strip():
            continue
        if any(s.where == w or s.where.startswith(w + "/") for w in covered):
            continue
        units.append(_Unit(s.text, s.where, s.quoted, "attachment"))
    for quoted in (False, True):
        body = [s for s in inspection.segments if s.kind == "body" and s.quoted == quoted and s.text.strip()]
        if body:
            units.append(_Unit("\n\n".join(s.text for s in body), body[0].where, quoted, "body"))
    return units


def _outermost(phrases: list[str]) -> list[str]:
    """Drop phrases contained in a longer one found too ("internal use only" in "for internal use only")."""
    low = [p.lower() for p in phrases]
    return [p for p, lp in zip(phrases, low, strict=True) if not any(lp != o and lp in o for o in low)]


def _property_values(metadata: dict[str, Any]) -> Iterable[str]:
    for key in _OWNER_PROPERTIES:
        value = metadata.get(key)
        if isinstance(value, str) and value:
            yield value


def _flexible(phrase: str) -> str:
    """A phrase as a pattern that ignores case, runs of spaces and the kind of dash or punctuation."""
    words = re.findall(r"[^\W_]+", phrase)
    return r"[\s\W_]*".join(re.escape(w) for w in words) if words else r"(?!)"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "’")[:120] + "'"


def build(settings: Any, resources: Any) -> DocumentDetector:
    """Factory named in `gateway.detect.registry.DETECTORS`."""
    ds = settings.documents
    return DocumentDetector(
        organisation=ds.organisation,
        markings=tuple(ds.markings),
        aliases=tuple(ds.organisation_aliases),
        index=getattr(resources, "document_index", None),
        rules=MatchRules(min_share=ds.min_match_share, min_words=ds.min_match_words),
    )
