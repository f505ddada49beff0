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
here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from gateway.config import Settings
from gateway.detect.base import Resources
from gateway.detect.fingerprint import EMPTY_INDEX, DocumentIndex, DocumentMatch, MatchRules, fingerprint
from gateway.detect.spans import occurrences, span_details, whole
from gateway.errors import GatewayError
from gateway.model import Finding, Inspection, Segment
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
_COPY_SIGN = r"(?:\(c\)|©|copyright(?:\s*(?:\(c\)|©))?)"
_YEARS = r"(?:\d{4}(?:\s*[-–/]\s*\d{2,4})?\s*,?\s*)?"
# a name followed (within two words) by one of these is another body: "Example University
# Hospitals NHS Trust", "University of Example Students' Union", "Example University Medical
# Society", "Example University Press", "Example University Health Board"
_OTHER_BODY_AFTER = (
    r"(?i:(?:['’]s?)?(?:\s+[\w'’-]+){0,2}?\s+(?:hospitals?|nhs|trust|health\s+board|union"
    r"|society|soc|medsoc|club|association|press|publishing)(?!\w))"
)
# the last labels of a domain that are registry, not name: "ac.uk", "edu", "co.uk"
_SECOND_LEVEL = frozenset({"ac", "edu", "co", "org", "gov", "nhs", "sch", "com", "net"})
# hyphenated parts of a domain's name label that say "a university", not which one ("uni-example")
_GENERIC_LABEL_PARTS = frozenset(
    {"uni", "univ", "university", "ac", "med", "medical", "medicine", "school", "college", "www", "mail"}
)
# what makes a derived name the university's (the bare domain word is too common on its own)
_INSTITUTION_AFTER = (
    r"(?:university|uni|medical\s+school|dental\s+school|school\s+of\s+medicine"
    r"|medical\s+college|college)"
)
# *a* university: capitalised name words and an institution word ("Northfield University",
# "University of Northfield", "Northfield Medical School"), never another body after it
_CAP = r"[A-Z][\w'’.&-]*"
_INSTITUTION_WORD = (
    r"(?i:universit(?:y|ät|é)|medical\s+school|dental\s+school|school\s+of\s+(?:medicine|dentistry)"
    r"|college\s+of\s+medicine|faculty\s+of\s+medicine)"
)
_A_UNIVERSITY = (
    rf"(?:(?:{_CAP}\s+){{1,4}}{_INSTITUTION_WORD}|(?i:university\s+of)\s+(?:the\s+)?{_CAP})"
    rf"(?!\w)(?!{_OTHER_BODY_AFTER})"
)
_A_UNIVERSITY_NAMED = re.compile(rf"(?<!\w){_A_UNIVERSITY}")
_A_UNIVERSITY_COPYRIGHT = re.compile(rf"(?i:{_COPY_SIGN})\s*{_YEARS}(?:(?i:the)\s+)?{_A_UNIVERSITY}")
_TITLE_CHARS = 160  # a heading is a short line; "minutes" deep in a sentence is not one


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
        names = [_flexible(n) for n in (self.organisation, *self.aliases) if n.strip()]
        if names:
            owners.append((self.organisation, "|".join(names)))
        stems: set[str] = set()
        for domain in self.domains:
            stem = domain_stem(domain)
            if stem and stem not in stems:
                stems.add(stem)
                owners.append((f"organisation of {domain.strip().lower()}", _derived_names(stem)))
        self._owners = [
            (label, re.compile(rf"(?<!\w)(?:{pattern})(?!\w)(?!{_OTHER_BODY_AFTER})", re.IGNORECASE))
            for label, pattern in owners
        ]
        self._copyrights = [
            (
                label,
                re.compile(
                    rf"{_COPY_SIGN}\s*{_YEARS}(?:the\s+)?(?:{pattern})(?!\w)(?!{_OTHER_BODY_AFTER})"
                    rf"|(?<!\w)(?:{pattern})\s*,?\s*{_COPY_SIGN}",
                    re.IGNORECASE,
                ),
            )
            for label, pattern in owners
        ]
        self._markings = [
            (m, re.compile(rf"(?<!\w){_flexible(m)}(?!\w)", re.IGNORECASE))
            for m in self.markings
            if m.strip()
        ]
        self._audience = [(m, _label_pattern(m)) for m in self.audience_markings if m.strip()]

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
                # the document is the whole text it was found in
                **span_details(whole(unit.segments), unit.where),
            },
        )

    # -- markings ----------------------------------------------------------------------------------

    def _marking(self, unit: _Unit) -> Finding | None:
        text = unit.text
        copyright_owner = next((label for label, rx in self._copyrights if rx.search(text)), None)
        copyright_line = copyright_owner is not None
        audience = _outermost([m for m, rx in self._audience if rx.search(text)])
        restrictive = _outermost([*(m for m, rx in self._markings if rx.search(text)), *audience])
        if _CONFIDENTIAL_LABEL.search(text) and not any("confidential" in m.lower() for m in restrictive):
            restrictive.append("CONFIDENTIAL")
        minutes = self._minutes(text, unit.metadata)
        props = list(_property_values(unit.metadata))
        in_properties = any(rx.search(v) for _, rx in self._owners for v in props)
        in_text = any(rx.search(text) for _, rx in self._owners)
        signals: list[str] = []
        if copyright_line:
            signals.append(f"(c) {copyright_owner}")
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

    def _marked(self, unit: _Unit, restrictive: list[str]) -> dict[str, set[tuple[int, int]]]:
        """Where the markings stand in the unit's texts; all of them when only its properties carry them."""
        rxs = [rx for _, rx in self._copyrights]
        rxs += [rx for m, rx in (*self._markings, *self._audience) if m in restrictive]
        if "CONFIDENTIAL" in restrictive:
            rxs.append(_CONFIDENTIAL_LABEL)
        values = [m.group(0) for rx in rxs for m in rx.finditer(unit.text)]
        values += [
            line for line in _heads(unit.text, {}) if len(line) <= _TITLE_CHARS and _MINUTES.search(line)
        ]
        return occurrences(unit.segments, values) or whole(unit.segments)

    def _a_university(self, text: str, metadata: dict[str, Any]) -> bool:
        """A university or medical school owns the document: its copyright line, or its heading."""
        if _OPEN_LICENCE.search(text):
            return False
        if _A_UNIVERSITY_COPYRIGHT.search(text):
            return True
        # a heading is a short line that is not a sentence: "Bring your X University card." is not
        return any(
            len(line) <= _TITLE_CHARS
            and not line.rstrip().endswith((".", "!", "?"))
            and _A_UNIVERSITY_NAMED.search(line)
            and not _NOT_UNIVERSITY_BODY.search(line)
            for line in _heads(text, metadata)
        )

    def _minutes(self, text: str, metadata: dict[str, Any]) -> bool:
        heads = _heads(text, metadata)
        return any(
            len(line) <= _TITLE_CHARS and _MINUTES.search(line) and not _NOT_UNIVERSITY_BODY.search(line)
            for line in heads
        )


def _heads(text: str, metadata: dict[str, Any]) -> list[str]:
    """A document's first lines and its title and subject properties: where its heading is."""
    heads = [line.strip() for line in text.splitlines() if line.strip()][:_HEAD_LINES]
    return heads + [str(metadata.get(k, "") or "") for k in ("title", "subject")]


def domain_stem(domain: str) -> str:
    """The name a mail domain gives its organisation: "uni-example.ac.uk" -> "example" ("" if none).

    The registry part ("ac.uk", "edu", "com") and subdomains ("students.", "lists.") are cut,
    and the hyphenated words that only say "a university" ("uni-", "-med") are dropped.
    """
    labels = [label for label in domain.strip().strip(".").lstrip("@").lower().split(".") if label]
    if len(labels) < 2:
        return ""
    labels = labels[:-1]
    if len(labels) >= 2 and labels[-1] in _SECOND_LEVEL:
        labels = labels[:-1]
    parts = [p for p in re.split(r"[-_]+", labels[-1]) if p and p not in _GENERIC_LABEL_PARTS]
    stem = " ".join(parts)
    return stem if len(stem.replace(" ", "")) >= 3 else ""


def _derived_names(stem: str) -> str:
    """The names a domain's word implies, as a pattern: University of X, X University, X Medical School...

    Letters may be split by spaces, dots, apostrophes or hyphens, so "standrews" finds
    "St Andrews" and "kings" finds "King's College".
    """
    word = r"[\s.'’-]*".join(re.escape(c) for c in stem.replace(" ", ""))
    return (
        rf"university\s+of\s+(?:the\s+)?{word}"
        rf"|(?:the\s+)?{word}[\s_-]+{_INSTITUTION_AFTER}"
    )


def _label_pattern(phrase: str) -> re.Pattern[str]:
    """An audience marking as a label: "STAFF ONLY." or a heading, not "the staff only car park".

    A phrase that is a sentence ("not to be shared with students") counts anywhere.
    """
    words = re.findall(r"[^\W_]+", phrase.lower())
    tail = "" if words[:1] in (["not"], ["do"]) else r"(?=[^\S\n]*(?:$|[^\w\s]))"
    return re.compile(rf"(?<!\w){_flexible(phrase)}(?!\w){tail}", re.IGNORECASE | re.MULTILINE)


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
