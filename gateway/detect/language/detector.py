"""The `abusive_language` detector: recognisers in, one finding per type and part out.

A message is read as documents: what the sender wrote (subject and body),
what they quoted or forwarded, and each attachment. Each document is split
into sentences with normalised views (text.py); the recognisers turn views
into weighted signals; signals of one type are added up (each rule once)
and reach a finding at 1.0. Profanity aimed at no one is the only mild
type; every other type is severe. Reported speech ("he called me a ...")
and quoted text make findings marked quoted, which the default policy
delivers when the report goes to university staff.

Findings carry masked evidence only: a pattern's label or the first letter
of each rude word ("f*** (profanity)").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gateway.config import Settings
from gateway.detect.base import Resources
from gateway.detect.language.allow import AllowLists, load_allow_lists
from gateway.detect.language.banter import BanterClearing
from gateway.detect.language.coercion import CoercionReader
from gateway.detect.language.defamation import DefamationRecogniser
from gateway.detect.language.discrimination import SlurRecogniser, hostility_recogniser
from gateway.detect.language.everyday import everyday_recognisers
from gateway.detect.language.framing import Framer
from gateway.detect.language.future_harm import FutureHarmReader
from gateway.detect.language.harassment import HARASSMENT, harassment_recogniser
from gateway.detect.language.insults import InsultRecogniser
from gateway.detect.language.intent import IntentReader
from gateway.detect.language.lexicon import DATA_DIR, load_list, load_macros
from gateway.detect.language.menace import continuum, escalate, grievance_recogniser, weight
from gateway.detect.language.model import ProfanityModel
from gateway.detect.language.names import NameFinder
from gateway.detect.language.obscenity import obscenity_recogniser
from gateway.detect.language.profanity import PROFANITY, ProfanityRecogniser
from gateway.detect.language.reports import ReportFrame
from gateway.detect.language.sentences import clean, sentence_spans, split_sentences
from gateway.detect.language.signals import THRESHOLD, Context, Document, PatternRecogniser, Signal, mask
from gateway.detect.language.subject_menace import SubjectMenaceReader
from gateway.detect.language.targets import NONE, TargetResolver
from gateway.detect.language.text import Sentence, ViewBuilder, ends_in_quote
from gateway.detect.language.threats import THREAT, threat_recogniser
from gateway.detect.language.veiled_facts import VeiledFactsReader
from gateway.detect.spans import Spans, span_details
from gateway.model import Finding, Inspection, Segment
from gateway.model.envelope import RecipientClass, classify
from gateway.model.finding import ABUSIVE_LANGUAGE

_SKIP_KINDS = ("name", "metadata")  # display names and document properties are names, not prose
_MAX_EVIDENCE = 3
_MAX_QUOTED_SENTENCES = 3  # a quotation left open runs over at most this many more sentences
# which target describes a finding best when its signals disagree
_TARGET_RANK = {"second_person": 0, "named": 1, "role": 2, "group": 3, "none": 9}


@dataclass
class _Part:
    """A document and the segments its sentences came from."""

    doc: Document
    segments: list[Segment]
    texts: list[str] = field(default_factory=list)
    split: list[list[str]] = field(default_factory=list)  # each segment's sentences, as split
    _spans: list[tuple[int, int]] | None = None

    def span(self, sentence: int) -> tuple[int, int]:
        """Where a sentence stands in its segment's text; worked out only once a finding needs it."""
        if self._spans is None:
            self._spans = [
                span
                for seg, sents in zip(self.segments, self.split, strict=True)
                for span in sentence_spans(seg.text, sents)
            ]
        return self._spans[sentence]


class LanguageDetector:
    """Finds abusive, threatening, discriminatory, obscene and defamatory language."""

    name = "language"
    categories: tuple[str, ...] = (ABUSIVE_LANGUAGE,)

    def __init__(
        self,
        *,
        internal: tuple[str, ...] = (),
        secure: tuple[str, ...] = (),
        data_dir: Path = DATA_DIR,
        extra_allow: tuple[Path, ...] = (),
        use_model: bool = True,
    ) -> None:
        self.internal = internal
        self.secure = secure
        self.data_dir = data_dir
        self.extra_allow = extra_allow
        self.model = ProfanityModel()
        self.use_model = use_model
        self._loaded = False

    # --- loading ---------------------------------------------------------------------------------

    def load(self) -> None:
        if self._loaded:
            return
        d = self.data_dir
        macros = load_macros(d)
        self.allow: AllowLists = load_allow_lists(d, self.extra_allow)
        profanity = load_list("profanity.txt", d)
        insults = load_list("insults.txt", d)
        slurs = load_list("slurs.txt", d)
        self.groups = load_list("groups.txt", d)
        # file order decides what a disguise such as "s***" stands for: swearing first
        vocabulary = [*profanity.vocabulary(), *insults.vocabulary(), *slurs.vocabulary()]
        self.names = NameFinder(self.allow.not_names, self.allow.name_words, set(vocabulary))
        self.views = ViewBuilder(self.allow.phrases, vocabulary)
        self.resolver = TargetResolver(macros)
        framer = Framer(macros, self.resolver)
        self.insults = InsultRecogniser(insults, profanity, framer)
        self.profanity = ProfanityRecogniser(profanity, insults)
        self.slurs = SlurRecogniser(slurs, framer)
        self.patterns: list[PatternRecogniser] = [
            threat_recogniser(macros, self.resolver),
            harassment_recogniser(macros, self.resolver),
            obscenity_recogniser(macros, self.resolver),
            hostility_recogniser(macros, self.resolver),
            *everyday_recognisers(macros, self.resolver, d),
        ]
        self.grievance = grievance_recogniser(macros, self.resolver)
        self.intent = IntentReader(macros, self.resolver)
        self.coercion = CoercionReader(macros)
        self.veiled_facts = VeiledFactsReader(self.resolver, self.intent)
        self.future_harm = FutureHarmReader(self.veiled_facts.hostility)
        self.banter = BanterClearing(self.intent, self.veiled_facts)
        self.subject_menace = SubjectMenaceReader(self.resolver, self.intent, self.veiled_facts)
        self.reports = ReportFrame(macros)
        self.defamation = DefamationRecogniser(macros, self.resolver)
        if self.use_model:
            self.model.load()
        self._loaded = True

    # --- detection -------------------------------------------------------------------------------

    def detect(self, inspection: Inspection) -> list[Finding]:
        self.load()
        self.resolver.clear()
        privileged = self._privileged(inspection)
        parts = self._parts(inspection)
        findings: list[Finding] = []
        pending: list[tuple[_Part, str, bool, list[Signal]]] = []
        for part in parts:
            part.doc.context = Context(
                friendly=self.allow.friendly(part.doc.sentences, part.texts),
                privileged=privileged,
                subject=frozenset(
                    k for k, s in enumerate(part.doc.sentences) if part.segments[s.segment].kind == "header"
                ),
            )
        docs = [part.doc for part in parts]
        # a victim's or a witness's report: the abuse it cites is not the writer's
        scanned = self.reports.without_cited(docs, [self.scan(doc) for doc in docs])
        for part, signals in zip(parts, scanned, strict=True):
            for (type_, quoted), group in continuum(
                _by_type(signals, part.doc.quoted), THREAT, HARASSMENT
            ).items():
                pending.append((part, type_, quoted, group))
        scores = self._model_scores(pending)
        for (part, type_, quoted, group), model_score in zip(pending, scores, strict=True):
            finding = self._finding(part, type_, quoted, group, model_score)
            if finding is not None:
                findings.append(finding)
        self.resolver.clear()
        return findings

    def scan(self, doc: Document) -> list[Signal]:
        """Every recogniser's signals for one document."""
        signals: list[Signal] = []
        insults, claimed = self.insults.scan(doc)
        signals.extend(insults)
        signals.extend(self.profanity.scan(doc, claimed))
        slurs = self.slurs.scan(doc)
        signals.extend(slurs)
        doc.context.group_named = bool(slurs) or any(s.find(self.groups) for s in doc.sentences)
        for recogniser in self.patterns:
            signals.extend(recogniser.scan(doc))
        signals.extend(self.coercion.scan(doc))  # checking, isolating, ruling: a partner's control
        if weight([s for s in signals if s.type in (THREAT, HARASSMENT)]) < THRESHOLD:
            signals.extend(self.intent.scan(doc))  # the parts of a threat, when no rule reads one already
            signals.extend(self.future_harm.scan(doc))  # its structure: a person, a future, a harm
            signals.extend(self.veiled_facts.scan(doc))  # no future: a life told, a weak spot, watching
            signals.extend(self.subject_menace.scan(doc))  # a menace that is the subject line's whole point
        if any(s.type == THREAT and s.weight < THRESHOLD for s in signals):
            signals.extend(self.grievance.scan(doc))  # hostility only matters to a hint of menace
        signals.extend(self.defamation.scan(doc))
        signals = [s for s in signals if not _exemplified(doc.sentences[s.sentence], s)]
        signals = self.banter.clear(doc, signals)  # "I'll kill you 😂" over a game between friends
        return _unclaimed_swearing(escalate(signals, THREAT, friendly=doc.context.friendly))

    def sentences(self, text: str, known_names: set[str] | None = None) -> list[Sentence]:
        """Sentence views of one text (for tests and tools)."""
        self.load()
        raw = split_sentences(clean(text))
        known = set(known_names or ())
        for sentence in raw:
            known |= self.names.pair_names(sentence)
        return self._views(raw, known)

    def _views(self, raw: list[str], known: set[str]) -> list[Sentence]:
        """Views of consecutive sentences; a quotation may stay open for a few of them."""
        out: list[Sentence] = []
        in_quote, carried = False, 0
        for sentence in raw:
            s = self.views.build(sentence, self.names.spans(sentence, known), in_quote=in_quote)
            in_quote = ends_in_quote(s.view, in_quote)
            # a stray quotation mark must not make the rest of a message "quoted"
            carried = carried + 1 if in_quote else 0
            if carried > _MAX_QUOTED_SENTENCES:
                in_quote, carried = False, 0
            out.append(s)
        return out

    # --- reading the message ---------------------------------------------------------------------

    def _parts(self, inspection: Inspection) -> list[_Part]:
        groups: dict[tuple[bool, str], list[Segment]] = {}
        for seg in inspection.segments:
            if seg.kind in _SKIP_KINDS or not seg.text.strip():
                continue
            key = (seg.quoted, seg.where if seg.kind == "attachment" else "")
            groups.setdefault(key, []).append(seg)
        displays = [d for d, _ in inspection.correspondents if d]
        raw_by_group: list[tuple[bool, list[Segment], list[list[str]]]] = []
        texts_all: list[str] = []
        pairs: set[str] = set()
        for (quoted, _), segs in groups.items():
            segs = _without_duplicate_html(segs)
            split = []
            for seg in segs:
                text = clean(seg.text)
                if seg.kind != "header":  # a one-word subject ("Die") is not a greeting naming the reader
                    texts_all.append(text)
                raw_sentences = split_sentences(text)
                for sentence in raw_sentences:
                    pairs |= self.names.pair_names(sentence)
                split.append(raw_sentences)
            raw_by_group.append((quoted, segs, split))
        known = self.names.known_names(displays, texts_all) | pairs
        parts = []
        for quoted, segs, split in raw_by_group:
            views: list[Sentence] = []
            for i, seg_sentences in enumerate(split):
                for s in self._views(seg_sentences, known):
                    s.segment, s.index = i, len(views)
                    views.append(s)
            doc = Document(views, quoted=quoted, attachment=segs[0].kind == "attachment")
            parts.append(_Part(doc, segs, [seg.text for seg in segs], split))
        return parts

    def _privileged(self, inspection: Inspection) -> bool:
        rcpts = inspection.envelope.rcpt_tos
        return bool(rcpts) and all(
            classify(r, self.internal, self.secure) is not RecipientClass.EXTERNAL for r in rcpts
        )

    # --- findings --------------------------------------------------------------------------------

    def _model_scores(self, pending: Sequence[tuple[_Part, str, bool, list[Signal]]]) -> list[float]:
        """One alt-profanity-check score per pending finding: the highest of its sentences."""
        if not self.model.available or not pending:
            return [0.0] * len(pending)
        texts: list[str] = []
        index: list[list[int]] = []
        for part, _, _, group in pending:
            ids = []
            for k in sorted({sig.sentence for sig in group}):
                ids.append(len(texts))
                texts.append(_model_text(part.doc.sentences[k].view))
            index.append(ids)
        scores = self.model.scores(texts)
        return [max((scores[i] for i in ids), default=0.0) for ids in index]

    def _finding(
        self, part: _Part, type_: str, quoted: bool, group: list[Signal], model_score: float
    ) -> Finding | None:
        best: dict[str, Signal] = {}
        for sig in group:
            if sig.rule not in best or sig.weight > best[sig.rule].weight:
                best[sig.rule] = sig
        total = sum(sig.weight for sig in best.values())
        mild = type_ == PROFANITY
        if not mild and total < THRESHOLD - 1e-9:
            return None
        ranked = sorted(best.values(), key=lambda s: (-s.weight, s.sentence))
        target = NONE if mild else min((s.target for s in ranked), key=lambda t: _TARGET_RANK.get(t, 5))
        first = min(ranked, key=lambda s: s.sentence)
        segment = part.segments[part.doc.sentences[first.sentence].segment]
        # where its sentences stand: in the segment it names, and in the others of its part
        spans: Spans = {}
        for sig in group:
            span = part.span(sig.sentence)
            if span[1] > 0:
                where = part.segments[part.doc.sentences[sig.sentence].segment].where
                spans.setdefault(where, set()).add(span)
        evidence = "; ".join(dict.fromkeys(s.evidence for s in ranked[:_MAX_EVIDENCE]))
        if len(ranked) > _MAX_EVIDENCE:
            evidence += f" (+{len(ranked) - _MAX_EVIDENCE} more)"
        base = 0.55 + 0.15 * min(total, 2.0) if mild else min(0.95, 0.6 + 0.2 * min(total, 2.0))
        score = min(0.99, base + (1.0 - base) * 0.5 * model_score)
        return Finding(
            category=ABUSIVE_LANGUAGE,
            type=type_,
            where=segment.where,
            score=round(score, 3),
            evidence=evidence,
            quoted=quoted,
            detector=self.name,
            severity="mild" if mild else "severe",
            target=target,
            details={
                "rules": sorted(_safe_rule(s.rule) for s in best.values()),
                "weight": round(total, 2),
                **span_details(spans, segment.where),
                # reported speech in the sender's own text: the spans are in the unquoted text
                **({"segment_quoted": segment.quoted} if segment.quoted != quoted else {}),
            },
        )


def _by_type(signals: list[Signal], quoted: bool) -> dict[tuple[str, bool], list[Signal]]:
    out: dict[tuple[str, bool], list[Signal]] = {}
    for sig in signals:
        out.setdefault((sig.type, quoted or sig.reported), []).append(sig)
    return out


def _unclaimed_swearing(signals: list[Signal]) -> list[Signal]:
    """Swear words inside a graver remark ("staring at her a***") belong to that remark."""
    graver = [(s.sentence, s.begin, s.end) for s in signals if s.type != PROFANITY]
    return [
        s
        for s in signals
        if s.type != PROFANITY
        or not any(k == s.sentence and b <= s.begin and s.end <= e for k, b, e in graver)
    ]


# words that introduce a quotation as an example of what abusers say, in teaching or guidance:
# 'threats such as "if you leave I'll kill you"', 'perpetrators may say things like "..."'
_EXAMPLE_CUE = re.compile(
    r"\b(?:such as|for example|for instance|e\.?g\.?|examples? (?:of|include|includes|are|like)|"
    r"(?:phrases?|things|statements?|lines?|comments?|remarks?|threats?|words) (?:like|such as)|"
    r"(?:abusers?|perpetrators?|partners?|offenders?|groomers?|bullies|harassers?|they|people|patients?) "
    r"(?:often|may|might|commonly|typically|usually|sometimes|will often|tend to) "
    r"(?:say|use|write|text|threaten|shout|tell)|"
    r"(?:a |an |the )?(?:typical|common|classic|textbook|veiled|subtle) (?:[\w-]+ )?(?:threats?|examples?|lines?|phrases?|messages?) "
    r"(?:is|are|would be|might be|include|includes)|"
    r"(?:threats?|messages?|phrases?|lines?|texts?) (?:include|includes|included|such as|like)|"
    # advice on what to do when it happens, and fiction ("in the film the detective finds ...")
    r"(?:if|when) (?:anyone|someone|somebody|a patient|they|people) (?:ever )?(?:threatens?|threaten|says?|messages?|texts?|sends?) (?:you|u)|"
    r"(?:in|from) the (?:film|movie|book|novel|play|episode|series|show|game|song|musical))\b"
)
# an example given without quotation marks is still teaching when the sentence is about threats or abuse
_TEACHING = re.compile(
    r"\b(?:threats?|threatening|menacing|intimidating|intimidation|abusive|coercive|coercion|veiled|abusers?|"
    r"perpetrators?|stalkers?|stalking|safeguarding|lecture|seminar|module|teaching|training|workshop)\b"
)


def _exemplified(sentence: Sentence, signal: Signal) -> bool:
    """Words introduced as an example ("threats such as '...'"): teaching, not abuse."""
    if _EXAMPLE_CUE.search(sentence.view, 0, signal.begin) is None:
        return False
    return signal.reported or _TEACHING.search(sentence.view) is not None


def _safe_rule(rule: str) -> str:
    """Rule ids for words name the word: mask it, like evidence."""
    return "word:" + mask(rule[5:]) if rule.startswith("word:") else rule


def _model_text(view: str) -> str:
    return view.replace("_name_", "someone").replace("_ok_", "")


def _without_duplicate_html(segs: list[Segment]) -> list[Segment]:
    """Drop an HTML body that repeats the plain-text body (multipart/alternative)."""
    plain = [set(s.text.lower().split()) for s in segs if s.where.endswith("body")]
    out = []
    for seg in segs:
        if seg.where.endswith("html") and plain:
            words = set(seg.text.lower().split())
            if words and any(len(words - p) <= 0.1 * len(words) for p in plain):
                continue
        out.append(seg)
    return out


def build(settings: Settings | None, resources: Resources | None = None) -> LanguageDetector:
    """Registry factory: (settings, resources) -> the detector; lists and the model load in `load()`."""
    s = settings or Settings()
    return LanguageDetector(
        internal=tuple(s.domains.internal),
        secure=tuple(s.domains.secure),
        extra_allow=tuple(Path(p) for p in s.language.extra_allow_lists),
        use_model=s.language.profanity_model,
    )
