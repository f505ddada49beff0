"""A person described, not named: who is meant is plain from a role, a relation, a place in care or a rare trait.

"The man in bay 4 with the stoma", "the only Polish lady on Ward 7 who
had the stillbirth", "our neighbour was admitted with an overdose", "the
consultant's husband came in with chest pain", "the lady from the chip
shop has breast cancer": no name, no number, yet the reader (and anyone
they pass it to) knows who it is. A description is a definite phrase
("the", "that", "our", "your", a possessor's "'s") around a word for a
person (`person_nouns.txt`), a role (`everyday_roles.txt`,
`known_roles.txt`) or a relation (`relations.txt`), that says at least one of:

- where in care they are: a bed, bay, cubicle, side room or room with its
  number, a named or numbered ward;
- whose relative they are: a possessor that is not the writer ("my
  flatmate's dad", "the consultant's husband"), or the reader's own
  ("your sister", "ur brother");
- what they do or where they are seen: an everyday role ("the
  receptionist", "the bin man"), a place where people are known by sight
  (`local_places.txt` or a capitalised name: "the guy from the Polish deli
  on Abbey Road", "the security guard at the student union"), an activity
  ("the man who runs the taxi firm");
- a rare trait: "the only ...", a nationality ("the Romanian lady"), a
  feature ("the girl with the purple hair", "the one with the guide dog").

It is a finding only with a health fact (`health_facts.txt`) in the same
sentence or the next one, and never for an anonymised case ("a
54-year-old woman presents with ..." is indefinite), a role-play, exam or
teaching passage, a public source, a hypothetical ("if your mum has chest
pain ..."), the writer's own health ("the pharmacist said my results ..."),
or a death with no care in sight. The finding is
`INDIRECT_IDENTIFICATION`; its reasons say which kind of description and
which kinds of health fact, never the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.detect.letters import CAP, LOW
from gateway.detect.patient.context import RECENT, MessageContext
from gateway.detect.patient.indirect import MEDIA_PUBLIC
from gateway.detect.patient.lexicon import HealthFact, Lexicon
from gateway.detect.patient.recognizer import Candidate, SegmentScan, clamp
from gateway.detect.patient.ties import DURING, OBJECT_AFTER, OBJECT_PRONOUN, ORGANISATION_AFTER

TYPE = "INDIRECT_IDENTIFICATION"
#: sentences with a health fact judged per segment (the rest of a huge segment relies on the other recognizers)
MAX_SENTENCES = 200
#: a sentence longer than this is read only this far around each of its facts
_REACH = 300

#: just before the head word: a definite determiner and up to three describing words
_DEFINITE = re.compile(r"\b(the|that|this|our|your|ur|their)[ \t]+(?:[\w'’-]+[ \t]+){0,3}$", re.IGNORECASE)
#: "my flatmate's ", "the consultant's ", "Dr Ferreira's " (the possessor is the group)
_POSSESSOR = re.compile(r"([\w-]+)['’]s[ \t]+(?:(?:little|teenage|new|old|elderly|young|baby)[ \t]+)?$")
#: the writer about themselves: "I'm the mature student", "as a student ..."
_SELF = re.compile(r"\b(?:i['’]m|i[ \t]+am|i[ \t]+was|as)[ \t]+(?:[\w'’-]+[ \t]+){0,3}$", re.IGNORECASE)
#: a rare trait before the head: "the only ...", a nationality ("the Romanian lady")
_ONLY = re.compile(r"\bonly[ \t]+(?:[\w'’-]+[ \t]+){0,3}$", re.IGNORECASE)
_NATIONALITY = re.compile(rf"\b{CAP}{LOW}{{2,}}(?:ish|ian|ese|ean|an|ic|i|ch)[ \t]+$")
#: where in care, after the head: "in bay 4", "in side room 3", "on Ward 7", "on Tamar ward"
_CARE_PLACE = re.compile(
    r"^[^.!?\n]{0,30}?\b(?:in|on|from|at)[ \t]+(?:the[ \t]+)?"
    r"(?:(?i:bed|bay|cubicle|side[ \t]?room|side[ \t]+rm|room|cot|incubator)[ \t]*(?:\d{1,3}[A-Za-z]?|[A-Z])\b"
    rf"|(?i:ward)[ \t]+(?:\d{{1,3}}[A-Za-z]?|[A-Z])\b|{CAP}{LOW}+[ \t]+(?i:ward|unit)\b)"
)
#: a trait after the head: "with the purple hair", "w/ the guide dog", "who always waves"
_FEATURE = re.compile(
    r"^[ \t]*(?:,[ \t]*)?(?:with|w/|w)[ \t]+(?:the|a|an|his|her|that)[ \t]+(?:[\w-]+[ \t]+){0,3}?"
    r"(?i:tattoos?|hair|beard|moustache|mustache|piercings?|nose[ \t]+ring|guide[ \t]+dog|dog|bike|accent|"
    r"costume|glasses|scarf|van|kids|twins|stall|trolley|flat[ \t]+cap|hat|pram|buggy|scooter|car|motorbike|"
    r"taxi|cab|parrot|stand|shop|cafe|café|pub|allotment|limp|stick)\b"
    r"|^[ \t]*(?:,[ \t]*)?who[ \t]+always\b",
    re.IGNORECASE,
)
#: where or what they do, after the head: "from the chip shop", "at the student union", "who runs the ..."
_WHERE = re.compile(
    r"^[ \t]*(?:\([^)\n]{0,40}\)[ \t]*)?(?:,[ \t]*)?"
    r"(?:(?:from|off|at|outside|opposite|behind|by)[ \t]+(?:the[ \t]+|our[ \t]+|my[ \t]+|your[ \t]+|ur[ \t]+)?"
    r"((?:[\w'’&-]+[ \t]+){0,3}[\w'’&-]+)"
    r"|who[ \t]+(?:\w+[ \t]+){0,2}?(?:works?|worked|runs?|ran|does|do|did|sells?|sold|owns?|owned|plays?|played|"
    r"drives?|drove|teach(?:es)?|taught|lives?|lived|fix(?:es)?|fixed|cleans?|cleaned|serves?|served|sings?|sang|"
    r"preach(?:es)?|coach(?:es)?|coached|manages?|managed|used[ \t]+to)(?:[ \t]+[\w'’&-]+){0,4})"
    # of a named place: "the vicar of St Oswald's", "the landlord of the Fox and Hounds"
    r"|of[ \t]+(?:the[ \t]+)?((?:[\w'’&-]+[ \t]+){0,3}[\w'’&-]+)",
    re.IGNORECASE,
)
#: any other verb in a clause after "who" that names a place or a thing seen every day: "the lady who makes the
#: famous cheese scones at the Hollybush café", "the old boy who feeds the pigeons in the market square"
_WHO_DOES = re.compile(
    r"^[ \t]*,?[ \t]*who[ \t]+(?:always[ \t]+|still[ \t]+|usually[ \t]+)?[a-z]{3,}(?:s|ed)\b((?:[ \t]+[\w'’&-]+){1,8})",
    re.IGNORECASE,
)
#: a capitalised name before the head: "the Star Cabs driver", "the Hollybush barman"
_NAMED_BEFORE = re.compile(rf"\b(?:[Tt]he|[Tt]hat|[Oo]ur)[ \t]+(?:{CAP}[\w'’&-]*[ \t]+){{1,3}}$")
_CAPITAL = re.compile(rf"\b{CAP}[\w'’&-]+")
#: the sentence supposes, it does not tell: "if your mum has chest pain ...", "imagine the man in bed 4 ..."
_HYPOTHETICAL = re.compile(
    r"^[\s>*•-]*(?:if|when|whenever|imagine|suppose|say|should|what[ \t]+if|in[ \t]+case)\b", re.IGNORECASE
)
#: the writer's own health fact: "my results", "gave me a scan", "I had"
_OWN_FACT = re.compile(
    r"(?:\b(?:my|me)[ \t]+(?:(?:an?|the|first|new|own)[ \t]+)?|\bi(?:['’]ve|[ \t]+have|[ \t]+had|[ \t]+got)[ \t]+"
    r"(?:(?:an?|the|been|just|got)[ \t]+){0,2})$",
    re.IGNORECASE,
)
#: speech between the person and the fact: the fact is what they said, not what befell them
_REPORTING = re.compile(
    r"\b(?:said|says|say|told|tells|asked|joked|jokes|thinks|reckons|wants|wanted|taught|teaches|explained|"
    r"mentioned|lectured|talked|talking)\b",
    re.IGNORECASE,
)
#: after a reporting verb, the speaker tells of themselves: "told me (in the car) he'd been", "said she has"
_SELF_TOLD = re.compile(
    r"[ \t]+(?:me|us)\b[^.!?\n]{0,30}?\b(?:he|she|they)(?:['’]d|['’]s|['’]ve|[ \t]+(?:had|has|was|is|have|were))\b",
    re.IGNORECASE,
)
#: the next sentence carries the fact to the described person by a pronoun: "He's on the stroke unit."
_PRONOUN_OPENS = re.compile(r"^[\s>*•'\"‘“-]*(?:he|she|they|his|her|their|him|them)\b", re.IGNORECASE)
#: sympathy to the reader about their own relative: they know already ("sorry to hear about your dad's ...")
_SYMPATHY = re.compile(
    r"\b(?:sorry|hope|hoping|thinking[ \t]+of|get[ \t]+well|how[ \t]+is|how['’]s|to[ \t]+hear|condolences)\b",
    re.IGNORECASE,
)
#: the next sentence makes the person staff: "She's a midwife now on the labour ward"
_STAFF_PREDICATE = re.compile(
    r"\b(?:is|was|['’]s)[ \t]+(?:now[ \t]+)?(?:a|an)[ \t]+(?:[\w-]+[ \t]+){0,2}$", re.IGNORECASE
)
#: how far before the described person a fact may stand in its sentence ("query ectopic (that's the ...)")
_FACT_BEFORE = 80
_DEATH = frozenset({"death"})
_BLANK_LINE = re.compile(r"\n[ \t>]*\n")
#: "the one with the guide dog", "that couple from the farm", "the family in the end house"
_ONE = re.compile(r"\b(?:one|couple|family)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Description:
    start: int
    end: int
    kind: str  # "care place", "relation", "reader's relation", "role", "where seen", "rare trait"
    phrase_end: int = 0  # where the describing words after the head end ("... from the chip shop")


class DescribedPersonRecognizer:
    """People pointed at by a definite description and told a health fact; see the module docstring."""

    name = "described"

    def find(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        view = scan.view
        lex = msg.lexicon
        if view.segment.kind in ("name", "metadata"):
            return []
        text = view.text
        facts = [f for f in scan.health_facts(lex) if self._counts(text, f, lex)]
        if not facts:
            return []
        sentences = view.sentences or [(0, len(text))]
        by_sentence: dict[int, list[HealthFact]] = {}
        for f in facts:
            by_sentence.setdefault(view.sentence_index(f.start) if view.sentences else 0, []).append(f)
        for i, fs in list(by_sentence.items()):
            if all(f.weak for f in fs) and len({text[f.start : f.end].lower() for f in fs}) < 2:
                del by_sentence[i]  # "results" alone may be exam results; "started on antibiotics" is care
        out: list[Candidate] = []
        for n, i in enumerate(sorted(by_sentence)):
            if n >= MAX_SENTENCES:
                break
            fs = by_sentence[i]
            for j, how in ((i, "same sentence"), (i - 1, "next sentence")):
                if j < 0 or (j == i - 1 and j in by_sentence):
                    continue  # the sentence before has facts of its own: it is judged as its own sentence
                s, e = sentences[j]
                s, e = max(s, fs[0].start - _REACH), min(e, fs[-1].end + _REACH)
                cand = self._judge(scan, msg, s, e, fs, how)
                if cand is not None:
                    out.append(cand)
                    break
        return out

    def _counts(self, text: str, f: HealthFact, lex: Lexicon) -> bool:
        """A health fact that can be someone's: not part of an organisation's name, not the writer's."""
        if ORGANISATION_AFTER.match(text, f.end) or lex.institution_words.pattern.match(text, f.end + 1):
            return False
        if OBJECT_AFTER.match(text, f.end) or (
            f.weak and f.kind == "result" and OBJECT_PRONOUN.match(text, f.end)
        ):
            return False  # "the surgery training scheme", "showed me how to scrub"
        return not _OWN_FACT.search(text, max(0, f.start - 24), f.start)

    def _judge(
        self, scan: SegmentScan, msg: MessageContext, s: int, e: int, facts: list[HealthFact], how: str
    ) -> Candidate | None:
        view = scan.view
        text = view.text
        lex = msg.lexicon
        if view.in_signature(s) or view.in_greeting(s) or view.in_attribution(s) or view.table_at(s):
            return None
        desc = self.description(text, s, e, lex)
        if desc is None:
            return None
        fact_sentence = text[slice(*view.sentence_at(facts[0].start))] if view.sentences else text
        sentence = text[s:e]
        if not _tied(text, desc, facts, how, fact_sentence):
            return None
        if desc.kind == "reader's relation" and _SYMPATHY.search(text, max(s, desc.start - 60), desc.start):
            return None  # "sorry to hear about your dad's heart attack": the reader knows; nobody is told
        if any(
            _STAFF_PREDICATE.search(fact_sentence[:s0]) for s0, _e0, _r in lex.staff_roles.find(fact_sentence)
        ):
            return None  # "she's a midwife now on the labour ward": a job, not a stay
        if _HYPOTHETICAL.match(sentence) or _HYPOTHETICAL.match(fact_sentence):
            return None
        lo, hi = view.neighbours(s, 1) if view.sentences else (0, len(text))
        around = text[lo:hi]
        first_hand = lex.encounter_cues.search(around)
        real = bool(RECENT.search(around)) or first_hand
        ps, pe = _paragraph(text, desc.start)
        if lex.fictional_context.search(text[ps:pe]) and not first_hand:
            return None  # a role-play script, a scenario, an exam question: invented people
        told = sentence[: desc.start - s] + " " + sentence[max(0, desc.phrase_end - s) :]
        if (
            _teaching(told, lex)
            or _teaching(fact_sentence.replace(text[desc.start : desc.phrase_end], " "), lex)
        ) and not real:
            return None  # teaching; but "the man from the paper shop": a word inside the description is no lesson
        if (lex.public_sources.search(around) or MEDIA_PUBLIC.search(around)) and not first_hand:
            return None  # a news story, an obituary: the source made it public, not this message
        kinds = {f.kind for f in facts}
        if kinds <= _DEATH and not _care_in_sight(around, facts, text, lex):
            return None  # "our neighbour died last week": a death, but no care in sight
        score = 0.55 if how == "same sentence" else 0.5
        if desc.kind in ("care place", "rare trait", "relation", "reader's relation") or kinds & {
            "diagnosis",
            "admission",
            "treatment",
            "safeguarding",
        }:
            score += 0.1
        if msg.clinical:
            score += 0.05
        reasons = (f"described by {desc.kind}", "health fact: " + ", ".join(sorted(kinds)), f"tied: {how}")
        return Candidate(TYPE, desc.start, max(desc.end, facts[-1].end), clamp(score), reasons)

    def description(self, text: str, s: int, e: int, lex: Lexicon) -> Description | None:
        """The first definite description of a person in text[s:e], if any."""
        heads = {*lex.person_nouns.find(text[s:e]), *lex.everyday_roles.find(text[s:e])}
        heads.update(lex.known_roles.find(text[s:e]))
        heads.update(lex.relations.find(text[s:e]))
        heads.update((m.start(), m.end(), m.group().lower()) for m in _ONE.finditer(text[s:e]))
        for hs, he, entry in sorted(heads):
            kind, end = self._kind(text, s + hs, s + he, entry.lower(), lex)
            if kind:
                return Description(s + hs, s + he, kind, end)
        return None

    def _kind(self, text: str, hs: int, he: int, head: str, lex: Lexicon) -> tuple[str, int]:
        """What kind of description the head word at [hs, he) stands in, and where the description ends."""
        before = text[max(0, hs - 60) : hs]
        after = text[he : he + 90]
        if head in ("patient", "pt", "patients", "client", "service user", "resident"):
            return "", he  # the clinical register: judged by the other recognizers, with its own details
        if _SELF.search(before):
            return "", he  # "I'm the mature student ...": the writer
        possessor = _POSSESSOR.search(before)
        if possessor and (head in lex.relations or head in lex.everyday_roles or head in lex.person_nouns):
            whose = possessor.group(1).lower()
            if whose not in ("patient", "pt", "one") and (
                whose in lex.relations
                or whose in lex.everyday_roles
                or whose in lex.known_roles
                or whose in lex.staff_roles
                or whose in lex.person_nouns
                or possessor.group(1)[:1].isupper()
            ):
                return (
                    "relation",
                    he,
                )  # "my flatmate's dad", "the consultant's husband", "Dr Ferreira's husband"
        definite = _DEFINITE.search(before)
        if definite is None:
            return "", he
        det = definite.group(1).lower()
        if m := _CARE_PLACE.match(after):
            return "care place", he + m.end()
        if m := _FEATURE.match(after):
            return "rare trait", he + m.end()
        if _ONLY.search(before) or _NATIONALITY.search(before):
            return "rare trait", he
        if det in ("your", "ur") and head in lex.relations:
            return (
                "reader's relation",
                he,
            )  # the reader's own sister: they and anyone they tell know who it is
        where = _WHERE.match(after)
        if where is not None:
            place = where.group(1) if where.group(1) is not None else where.group(2)
            if (place is None and where.group(0).lstrip(" \t(,").lower().startswith("who")) or (
                place is not None and (_CAPITAL.search(place) or lex.local_places.search(place))
            ):
                return "where seen", he + where.end()
        does = _WHO_DOES.match(after)
        if does is not None and (_CAPITAL.search(does.group(1)) or lex.local_places.search(does.group(1))):
            return "where seen", he + does.end()
        if head in lex.everyday_roles and _NAMED_BEFORE.search(before):
            return "where seen", he
        if head in lex.everyday_roles and head not in lex.relations and det != "their":
            return "role", he
        return "", he


def _tied(text: str, desc: Description, facts: list[HealthFact], how: str, fact_sentence: str) -> bool:
    """The fact is about the described person: after them in the sentence with no speech between ("the
    tutor said ... about renal tubular acidosis" is not), just before them ("query ectopic (that's the
    pharmacist from ...)"), or in the next sentence opened by a pronoun ("He's on the stroke unit")."""
    if how != "same sentence":
        return bool(_PRONOUN_OPENS.match(fact_sentence))
    for f in facts:
        if f.start >= desc.end:
            said = _REPORTING.search(text, desc.end, f.start)
            # "told me in the car he'd been in the crisis house": they told of themselves
            return said is None or _SELF_TOLD.match(text, said.end(), f.start) is not None
        if f.end <= desc.start and desc.start - f.end <= _FACT_BEFORE:
            return True
    return any(f.start < desc.end and desc.start < f.end for f in facts)


def _teaching(text: str, lex: Lexicon) -> bool:
    """A teaching word that is not only when something happened ("went into DKA during the exam")."""
    return any(not DURING.search(text[max(0, s - 40) : s]) for s, _e, _w in lex.teaching_cues.find(text))


def _paragraph(text: str, pos: int) -> tuple[int, int]:
    """The paragraph (blank-line separated) around `pos`, at most 1,500 characters either side."""
    lo = max(0, pos - 1500)
    starts = [m.end() for m in _BLANK_LINE.finditer(text, lo, pos)]
    end = _BLANK_LINE.search(text, pos, pos + 1500)
    return (starts[-1] if starts else lo), (end.start() if end else min(len(text), pos + 1500))


def _care_in_sight(around: str, facts: list[HealthFact], text: str, lex: Lexicon) -> bool:
    """A clinical word besides the death itself: "died on the ward", not "passed away last week"."""
    rest = around
    for f in facts:
        rest = rest.replace(text[f.start : f.end], " ")
    return bool(lex.clinical_terms.search(rest))
