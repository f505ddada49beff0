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

Who "the university" is: the configured organisation and its aliases, and
the names its internal mail domains imply ("example.ac.uk" and
"uni-example.ac.uk" -> "University of Example", "Example University",
"Example Medical School"...), so a school that has not configured its name
is still recognised. A derived name needs its institution word: the bare
domain word ("example") is too common to mean the university on its own.

One marking also counts for *a* university that is not ours: an audience
restriction that keeps a document from students ("STAFF ONLY", "Examiner
copy", "Not for circulation to students") on an attachment whose copyright
line or heading names a university or medical school. Such a document is
one a student should not hold, whichever university wrote it; a plain
"CONFIDENTIAL" or "not for distribution" on another body's document (a
reference form, a conference handout) is not enough.

Pure: the fingerprint index is handed in (`Resources.document_index`, a
callable returning the current `DocumentIndex`), never read from the store
here. The patterns that recognise a marking, and who "the university" is,
are in markings.py.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gateway.config import Settings
from gateway.detect.base import Resources
from gateway.detect.fingerprint import EMPTY_INDEX, DocumentIndex, DocumentMatch, MatchRules, fingerprint
from gateway.detect.markings import (
    A_UNIVERSITY_COPYRIGHT,
    A_UNIVERSITY_NAMED,
    CONFIDENTIAL_LABEL,
    COPY_SIGN,
    MINUTES,
    NOT_UNIVERSITY_BODY,
    OPEN_LICENCE,
    OTHER_BODY_AFTER,
    TITLE_CHARS,
    YEARS,
    derived_names,
    domain_stem,
    flexible,
    folded,
    head_lines,
    label_pattern,
    may_contain,
    outermost,
    phrase_words,
    property_values,
    quote,
)
from gateway.detect.spans import occurrences, span_details, whole
from gateway.errors import GatewayError
from gateway.model import Finding, Inspection, Segment
from gateway.model.finding import UNIVERSITY_DOCUMENT

log = logging.getLogger(__name__)

REGISTERED = "REGISTERED_DOCUMENT"
MARKING = "UNIVERSITY_MARKING"


@dataclass(frozen=True)
class _Unit:
    """One text the detector judges: an attachment, or the body (own or quoted)."""

    text: str
    where: str
    quoted: bool
    kind: str  # "attachment" or "body"
    metadata: dict[str, Any] = field(default_factory=dict)
    segments: tuple[Segment, ...] = ()  # the texts it was read from, where its spans are


@dataclass
class DocumentDetector:
    """Registered documents and university markings; see the module docstring."""

    organisation: str
    markings: tuple[str, ...]
    index: Callable[[], DocumentIndex] | None = None
    rules: MatchRules = field(default_factory=MatchRules)
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()  # the internal mail domains: they name the organisation too
    audience_markings: tuple[str, ...] = ()  # "staff only"...: count for any university's document
    name: str = "documents"
    categories: tuple[str, ...] = (UNIVERSITY_DOCUMENT,)

    def __post_init__(self) -> None:
        # (label shown in evidence, pattern of its names): the configured names, then each domain's
        owners: list[tuple[str, str]] = []
        names = [flexible(n) for n in (self.organisation, *self.aliases) if n.strip()]
        if names:
            owners.append((self.organisation, "|".join(names)))
        stems: set[str] = set()
        for domain in self.domains:
            stem = domain_stem(domain)
            if stem and stem not in stems:
                stems.add(stem)
                owners.append((f"organisation of {domain.strip().lower()}", derived_names(stem)))
        self._owners = [
            (label, re.compile(rf"(?<!\w)(?:{pattern})(?!\w)(?!{OTHER_BODY_AFTER})", re.IGNORECASE))
            for label, pattern in owners
        ]
        self._copyrights = [
            (
                label,
                re.compile(
                    rf"{COPY_SIGN}\s*{YEARS}(?:the\s+)?(?:{pattern})(?!\w)(?!{OTHER_BODY_AFTER})"
                    rf"|(?<!\w)(?:{pattern})\s*,?\s*{COPY_SIGN}",
                    re.IGNORECASE,
                ),
            )
            for label, pattern in owners
        ]
        self._markings = [
            (m, re.compile(rf"(?<!\w){flexible(m)}(?!\w)", re.IGNORECASE)) for m in self.markings if m.strip()
        ]
        self._audience = [(m, label_pattern(m)) for m in self.audience_markings if m.strip()]
        # the words each marking needs, for a substring test before its pattern runs
        self._words = {m: phrase_words(m) for m, _ in (*self._markings, *self._audience)}

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
            evidence=f"matches {quote(title)} ({max(pct, 1)}%)",
            quoted=unit.quoted,
            detector=self.name,
            details={
                "doc_id": m.doc_id,
                "title": title,
                "share": round(m.share, 3),
                "matched_words": m.matched_words,
                "classification": m.classification,
                # the document is the whole text it was found in
                **span_details(whole(unit.segments), unit.where),
            },
        )

    # -- markings ----------------------------------------------------------------------------------

    def _marking(self, unit: _Unit) -> Finding | None:
        text = unit.text
        copyright_owner = next((label for label, rx in self._copyrights if rx.search(text)), None)
        copyright_line = copyright_owner is not None
        low = folded(text)
        audience = outermost([m for m, rx in self._audience if self._found(m, rx, text, low)])
        restrictive = outermost(
            [*(m for m, rx in self._markings if self._found(m, rx, text, low)), *audience]
        )
        if CONFIDENTIAL_LABEL.search(text) and not any("confidential" in m.lower() for m in restrictive):
            restrictive.append("CONFIDENTIAL")
        minutes = self._minutes(text, unit.metadata)
        props = list(property_values(unit.metadata))
        in_properties = any(rx.search(v) for _, rx in self._owners for v in props)
        in_text = any(rx.search(text) for _, rx in self._owners)
        signals: list[str] = []
        if copyright_line:
            signals.append(f"(c) {copyright_owner}")
        signals.extend(quote(m) for m in restrictive)
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
            elif copyright_line and not OPEN_LICENCE.search(text):
                score = 0.6
            elif audience and self._a_university(text, unit.metadata):
                # kept from students by a university, whichever: see the module docstring
                signals.append("a university's document")
                score = 0.65
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
            details={"markings": signals, **span_details(self._marked(unit, restrictive), unit.where)},
        )

    def _found(self, marking: str, rx: re.Pattern[str], text: str, low: str) -> bool:
        """The marking's pattern matches `text` (`low` is its `folded` copy: most texts lack a word of it)."""
        return may_contain(self._words[marking], low) and rx.search(text) is not None

    def _marked(self, unit: _Unit, restrictive: list[str]) -> dict[str, set[tuple[int, int]]]:
        """Where the markings stand in the unit's texts; all of them when only its properties carry them."""
        rxs = [rx for _, rx in self._copyrights]
        rxs += [rx for m, rx in (*self._markings, *self._audience) if m in restrictive]
        if "CONFIDENTIAL" in restrictive:
            rxs.append(CONFIDENTIAL_LABEL)
        values = [m.group(0) for rx in rxs for m in rx.finditer(unit.text)]
        values += [
            line for line in head_lines(unit.text, {}) if len(line) <= TITLE_CHARS and MINUTES.search(line)
        ]
        return occurrences(unit.segments, values) or whole(unit.segments)

    def _a_university(self, text: str, metadata: dict[str, Any]) -> bool:
        """A university or medical school owns the document: its copyright line, or its heading."""
        if OPEN_LICENCE.search(text):
            return False
        if A_UNIVERSITY_COPYRIGHT.search(text):
            return True
        # a heading is a short line that is not a sentence: "Bring your X University card." is not
        return any(
            len(line) <= TITLE_CHARS
            and not line.rstrip().endswith((".", "!", "?"))
            and A_UNIVERSITY_NAMED.search(line)
            and not NOT_UNIVERSITY_BODY.search(line)
            for line in head_lines(text, metadata)
        )

    def _minutes(self, text: str, metadata: dict[str, Any]) -> bool:
        heads = head_lines(text, metadata)
        return any(
            len(line) <= TITLE_CHARS and MINUTES.search(line) and not NOT_UNIVERSITY_BODY.search(line)
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
            own = (s for s in inspection.segments if s.quoted == a.quoted and _within(s.where, a.where))
            units.append(_Unit(a.text, a.where, a.quoted, kind, dict(a.metadata), tuple(own)))
            covered.append(a.where)
    for s in inspection.segments:
        if s.kind != "attachment" or not s.text.strip():
            continue
        if any(s.where == w or s.where.startswith(w + "/") for w in covered):
            continue
        units.append(_Unit(s.text, s.where, s.quoted, "attachment", segments=(s,)))
    for quoted in (False, True):
        body = [s for s in inspection.segments if s.kind == "body" and s.quoted == quoted and s.text.strip()]
        if body:
            units.append(
                _Unit("\n\n".join(s.text for s in body), body[0].where, quoted, "body", segments=tuple(body))
            )
    return units


def _within(where: str, place: str) -> bool:
    return where == place or where.startswith(place + "/")


def build(settings: Settings | None, resources: Resources | None = None) -> DocumentDetector:
    """Factory named in `gateway.detect.registry.DETECTORS`."""
    settings = settings or Settings()
    ds = settings.documents
    return DocumentDetector(
        organisation=ds.organisation,
        markings=tuple(ds.markings),
        aliases=tuple(ds.organisation_aliases),
        domains=tuple(settings.domains.internal),
        audience_markings=tuple(ds.audience_markings),
        index=resources.document_index if resources else None,
        rules=MatchRules(min_share=ds.min_match_share, min_words=ds.min_match_words),
    )
