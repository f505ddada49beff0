"""The context stage for people: a person mentioned with a health fact is a patient being identified.

"Karen Mbatha's cervical screening came back abnormal", "Tom Ridley rang
about his kidney function results", "Gareth from my street has just been
told he has hepatitis C": no title, no number, no "patient", yet each
names a person and tells a health fact about them. For every sentence
that holds a health fact (`health_facts.txt`: a result, test, diagnosis,
admission, clinic visit, treatment or death), each person mention in it
(`mentions`: spaCy PERSON spans, given names, lower case, initials) is
judged by:

- who the person is: never a correspondent, staff (titled, given a role,
  in the staff directory or named as staff elsewhere in the message), an
  eponym, or a public or historical figure (`public_figures.txt`,
  `historical_figures.txt`);
- where the sentence stands: not a role-play or exam question, teaching,
  history, a public source (news, obituary, textbook:
  `public_sources.txt`), a rota, timetable or reference list
  (`schedule_cues.txt`);
- except that a first-hand clinical encounter ("we saw ... in the eye
  clinic this morning": `encounter_cues.txt`) beats public-figure status
  and public-source framing: a famous person met on the ward is a patient.

The finding's reasons say which kind of mention and which kinds of health
fact made it (never the name or the words themselves).
"""

from __future__ import annotations

import re

from gateway.detect.letters import CAP, LOW, LOWER
from gateway.detect.patient.context import BED, RECENT, MessageContext, in_public_forward
from gateway.detect.patient.framing import achievement_after, clause_around, past_frame
from gateway.detect.patient.lexicon import HealthFact
from gateway.detect.patient.mentions import Mention, english_words, given_name, mentions
from gateway.detect.patient.mentions import common_word as _common_word
from gateway.detect.patient.name_patterns import NameCandidate
from gateway.detect.patient.patient_name import PatientNameRecognizer, in_schedule
from gateway.detect.patient.person_roles import made_staff, own_health, role_word_before, workplace
from gateway.detect.patient.recognizer import Candidate, SegmentScan, clamp
from gateway.detect.patient.schedule import in_schedule_layout, patient_row, teaching_schedule
from gateway.detect.patient.ties import (
    DURING,
    OBJECT_AFTER,
    OBJECT_PRONOUN,
    ORGANISATION_AFTER,
    OWN_CARE,
    PATIENT_STATUS,
    PRONOUN,
    carry_by_pronoun,
    tied_to,
)
from gateway.detect.presidio_engine import RecognizerSpec

TYPE = "PATIENT_NAME"
#: sentences with a health fact judged per segment (the rest of a huge segment relies on patterns)
MAX_SENTENCES = 300
#: windows per segment given to spaCy's NER, and how far each reaches around an unexplained word
MAX_NER_WINDOWS = 8
NER_REACH = 80
_CAPITALISED_WORD = re.compile(rf"(?<![\w'’]){CAP}[{LOWER}'’]{{1,30}}(?![\w])")
#: what a mention is worth before its context speaks
_BASE = {
    "ner": 0.45,
    "titled": 0.45,
    "full_name": 0.45,
    "capitalised": 0.3,
    "first_name": 0.4,
    "unknown_name": 0.35,
    "lower_case": 0.35,
    "initials": 0.35,
}
#: where a first-hand encounter is clinical: "we saw X in the eye clinic", not "I saw X in the library"
_CARE_PLACE = re.compile(
    r"\b(?:ward|clinic|a&e|ed|resus|majors|minors|theatres?|icu|itu|hdu|ccu|gp|surgery|hospital|placement|"
    r"on\s+call|department|bay|cubicle|triage|list|came\s+in|admitted)\b",
    re.IGNORECASE,
)
_ADDRESSED = re.compile(
    r"\b(?:thanks|thank\s+you|cheers|hi|hello|hey|dear|congrats|congratulations|well\s+done|sorry)[ \t,!]*$",
    re.IGNORECASE,
)
#: a list of three or more given names ("Aisha, Ben, Chloe and Dan"): a group of students or staff
_NAME_LIST = re.compile(
    rf"(?:{CAP}{LOW}{{1,20}}(?:[ ]{CAP}[{LOWER}'’-]{{1,30}})?[ ]?,[ ]?){{2,}}(?:and[ ]+|&[ ]+)?{CAP}{LOW}{{1,20}}"
)
#: a line of a reference list: "Lee A, Khan B (2019)", "et al.", a DOI
_REFERENCE = re.compile(r"\bet al\b|\(\s*(?:19|20)\d\d[a-z]?\s*\)|\bdoi\b|\bvol\.?\s*\d", re.IGNORECASE)
#: a place the model took for a person: "from Little Brampton", "in Upper Wick"
_PLACE_BEFORE = re.compile(r"\b(?:from|in|at|near|outside|to|towards|via)[ ]+(?:the[ ]+)?$", re.IGNORECASE)
_THE_BEFORE = re.compile(r"\bthe[ ]+$", re.IGNORECASE)
#: a teaching word naming the group someone belongs to ("in our PBL", "from my anatomy class"), what they miss
#: ("missing lectures", "won't be at the tutorial") or do outside class ("who does the quiz at the Crown")
_GROUP_OF = re.compile(
    r"\b(?:in|from|on|of)[ ]+(?:our|my|your|ur|his|her|their|the[ ]+same)[ ]+(?:[\w-]+[ ]+)?$"
    r"|\b(?:miss|misses|missing|missed|skip|skipping|skipped|off|absent[ ]+from|late[ ]+for|be[ ]+at|been[ ]+at|"
    r"be[ ]+in|come[ ]+to|coming[ ]+to|get[ ]+to|make[ ]+it[ ]+to|defer|deferring|sit|sitting)[ ]+"
    r"(?:the[ ]+|my[ ]+|our[ ]+|his[ ]+|her[ ]+|their[ ]+|any[ ]+|all[ ]+)?(?:[\w-]+[ ]+)?$"
    r"|\bwho[ ]+(?:does|did|runs|ran|hosts|hosted|organises|organized|organizes|organised)[ ]+(?:the[ ]+|a[ ]+)?$",
    re.IGNORECASE,
)
#: a death fact that is itself care: "end-of-life care", "in the hospice", "palliative"
_CARE_WORD = re.compile(
    r"\b(?:care|hospice|palliative|end[ -]of[ -]life|ward|icu|itu|resus|hospital)\b", re.IGNORECASE
)
#: the writer's own health fact: "my biopsy", "booked me an x-ray"
_OWN_FACT = re.compile(r"\b(?:my|me)[ \t]+(?:(?:an?|the|first|new|own)[ \t]+)?$", re.IGNORECASE)
#: the writer says the people are real, not made up for teaching
_REAL = re.compile(r"\b(?:real|actual|genuine)\b", re.IGNORECASE)
#: the health words are what someone studies: "he's doing a PhD in diabetes research, something about insulin"
_STUDIES = re.compile(
    r"\b(?:doing|does|did|started|starting|finishing|finished|writing)[ ]+(?:a|an|her|his|their|my)[ ]+"
    r"(?:phd|dphil|doctorate|dissertation|thesis|masters|msc|mres|research[ ]+project)\b",
    re.IGNORECASE,
)
#: a safeguarding fact that is harm done to someone else, named after the doer
_HARM_DONE = re.compile(r"(?:hits|hitting|beats|beating)\b", re.IGNORECASE)
#: a royal title makes the person a public figure, whatever the name
_ROYAL = frozenset({"prince", "princess", "king", "queen", "duke", "duchess"})
#: weak facts count when the sentence holds this many distinct clinical terms besides
_WEAK_NEEDS = 1


class PersonHealthRecognizer:
    """People tied to a health fact in a sentence; see the module docstring."""

    name = "person_health"

    def __init__(self, names: PatientNameRecognizer) -> None:
        self.names = names
        self.lex = names.lex
        english_words()  # read once while the detector loads, not on the first message that needs it

    def specs(self) -> list[RecognizerSpec]:
        return []

    # --- where to look ---------------------------------------------------------------------

    def fact_sentences(self, scan: SegmentScan) -> dict[int, list[HealthFact]]:
        """Sentence index -> the health facts in it, for sentences whose facts count."""
        view = scan.view
        if view.segment.kind in ("name",):
            return {}
        cached = scan.notes.get("health_facts")
        if isinstance(cached, dict):
            return cached
        by_sentence: dict[int, list[HealthFact]] = {}
        for f in scan.health_facts(self.lex):
            by_sentence.setdefault(view.sentence_index(f.start), []).append(f)
        out: dict[int, list[HealthFact]] = {}
        for i, facts in sorted(by_sentence.items()):
            if len(out) >= MAX_SENTENCES:
                break
            facts = [
                f
                for f in facts
                if not ORGANISATION_AFTER.match(view.text, f.end)
                and not OBJECT_AFTER.match(view.text, f.end)
                and not workplace(view.text, f, self.lex)
                and not (f.weak and f.kind == "result" and OBJECT_PRONOUN.match(view.text, f.end))
            ]
            if not facts:
                continue
            if any(not f.weak for f in facts) or self._weak_enough(view.text, facts, view.sentences, i):
                out[i] = facts
        if view.sentences:
            carry_by_pronoun(view.text, view.sentences, by_sentence, out)
        scan.notes["health_facts"] = out
        return out

    def _weak_enough(
        self, text: str, facts: list[HealthFact], sentences: list[tuple[int, int]], i: int
    ) -> bool:
        """Weak facts ("results", "scan") count with two of them or a clinical term in the sentence."""
        if len({text[f.start : f.end].lower() for f in facts}) >= 2:
            return True
        s, e = sentences[i] if sentences else (0, len(text))
        rest = text[s:e]
        for f in facts:
            rest = rest.replace(text[f.start : f.end], " ")
        return len(self.lex.clinical_terms.distinct(rest[:2000], at_most=_WEAK_NEEDS)) >= _WEAK_NEEDS

    def ner_windows(self, scan: SegmentScan, msg: MessageContext) -> list[tuple[int, int]]:
        """Short windows around capitalised words that no list explains, in sentences with a health fact.

        spaCy's NER is the costly part of the detector: it reads only a stretch of about
        2 x NER_REACH characters around words that may be a name the lists do not know (not a given
        name from the list, not a clinical or common word, not after a staff title).
        """
        view = scan.view
        text = view.text
        out: list[tuple[int, int]] = []
        for i in sorted(self.fact_sentences(scan)):
            s, e = view.sentences[i] if view.sentences else (0, len(text))
            e = min(e, s + 600)
            if view.in_greeting(s) or view.in_signature(s) or view.in_attribution(s):
                continue
            unknown = [
                m.start()
                for m in _CAPITALISED_WORD.finditer(text, s, e)
                if self._unexplained(text, m.group(), m.start()) and _name_like(text, m, s)
            ]
            if unknown:
                lo, hi = max(s, unknown[0] - NER_REACH), min(e, unknown[-1] + NER_REACH)
                if out and lo <= out[-1][1]:
                    out[-1] = (out[-1][0], max(out[-1][1], hi))
                else:
                    out.append((lo, hi))
            if len(out) >= MAX_NER_WINDOWS:
                break
        return out

    def _unexplained(self, text: str, word: str, pos: int) -> bool:
        """A capitalised word that may be part of a name no list knows."""
        low = word.lower().rstrip("'’s")
        lex = self.lex
        if given_name(low, lex) or _common_word(low, lex):
            return False
        return not self.names._staff_title_before.search(text[max(0, pos - 24) : pos])

    # --- judging ---------------------------------------------------------------------------

    def find(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        view = scan.view
        text = view.text
        taken = [(c.start, c.end) for c in scan.found if c.type == TYPE and c.reported]
        out: list[Candidate] = []
        for i, facts in sorted(self.fact_sentences(scan).items()):
            s, e = view.sentences[i] if view.sentences else (0, len(text))
            s, e = max(s, facts[0].start - 600), min(e, facts[-1].end + 400)
            for m in mentions(text, s, e, view.persons, self.lex):
                if any(m.start < te and ts < m.end for ts, te in taken):
                    continue  # the names recognizer judged this stretch already
                if any(m.start < f.end and f.start < m.end for f in facts):
                    continue  # "Parkinson's" is the fact, not a person
                cand = self._judge(scan, msg, m, facts)
                if cand is not None:
                    out.append(cand)
                    taken.append((m.start, m.end))
        return out

    def _judge(
        self, scan: SegmentScan, msg: MessageContext, m: Mention, facts: list[HealthFact]
    ) -> Candidate | None:
        view = scan.view
        text = view.text
        names = self.names
        lex = self.lex
        tokens = list(m.tokens)
        if view.in_greeting(m.start) or view.in_signature(m.start) or view.in_attribution(m.start):
            return None
        sentence = text[slice(*view.sentence_at(m.start))]
        lo, hi = view.neighbours(m.start, 1)
        around = text[lo:hi]
        first_hand = bool(lex.encounter_cues.search(around) and _CARE_PLACE.search(around))
        famous_role = first_hand and bool(lex.public_sources.search(text[max(0, m.start - 40) : m.start]))
        if msg.is_correspondent(tokens) or names._all_common(tokens):
            return None
        as_patient = (
            bool(PATIENT_STATUS.match(text, m.end, m.end + 80))
            or own_health(text, m.end, facts)
            or bool(OWN_CARE.match(text, m.end, m.end + 140))
        )
        in_bed = bool(
            BED.search(text, max(lo, m.start - 30), m.start) or BED.match(text, m.end + 1, m.end + 12)
        )
        in_bed = in_bed and any(not f.weak for f in facts)
        if msg.is_staff(tokens) and not (famous_role or as_patient or in_bed):
            return None  # staff; but "the lady with sickle cell in bed 8, Mrs A, she's a nurse here" is a patient
        if m.kind == "lower_case" and len(tokens) == 1 and tokens[0] in msg.correspondent_tokens:
            return None
        if names._staff_title_before.search(text[max(0, m.start - 24) : m.start]) and not as_patient:
            return None  # staff; but "Dr Pike (the GP in Alderbrook) is a patient on our ward" is a patient
        if _ADDRESSED.search(text[max(0, m.start - 24) : m.start]):
            return None  # "Thanks Michael for covering my clinic": the person spoken to, not about
        if names._role_attached(text, m.start, m.end) and not (
            famous_role
            or as_patient
            or in_bed
            or (first_hand and m.kind in ("ner", "full_name", "capitalised"))
        ):
            return None  # staff; but "we had the weather presenter X in resus" is a patient
        if (
            (len(tokens) == 1 or tokens[-1] in lex.eponyms)
            and (tokens[-1] in lex.eponyms or not (given_name(tokens[-1], lex) or m.kind == "unknown_name"))
            and not as_patient
            and names._eponym(text, m.end, tokens)
        ):
            return None  # "Parkinson's", "Bell's palsy"; not "Zainab Hussein's pregnancy test"
        if m.kind in ("ner", "capitalised", "unknown_name") and _PLACE_BEFORE.search(
            text[max(0, m.start - 12) : m.start]
        ):
            return None
        if m.kind == "unknown_name" and _THE_BEFORE.search(text[max(0, m.start - 8) : m.start]):
            return None  # "the Beatson's", "at the Jubilee": a place or an organisation
        if m.kind == "unknown_name" and role_word_before(text, m.start, lex) and not as_patient:
            return None  # "the doctor Ansell", "our tutor Okafor": staff by the word before the name
        if lex.institution_words.pattern.match(text, m.end + 1) and text[m.end : m.end + 1] == " ":
            return None  # "Brigid Lacey Hospice", "Ann Lee Centre": a place named after someone
        real = bool(RECENT.search(around) and _REAL.search(around))
        fact_sentence = text[slice(*view.sentence_at(facts[0].start))]  # a pronoun may have carried it here
        teaching = self._teaching(sentence) or (fact_sentence != sentence and self._teaching(fact_sentence))
        if not (first_hand or as_patient) and teaching and not (real and tied_to(view, m, facts)):
            return (
                None  # teaching, unless a real person is plainly meant ("the real ward list from last week")
            )
        clause = clause_around(text, m.start, m.end, *view.sentence_at(m.start))
        if not first_hand and (past_frame(clause, msg.today) or achievement_after(text, m.end)):
            return None  # history: "in 1848", "the Victorian ...", "X first described the ..."
        if (made_staff(text, m, lex) and not (as_patient or in_bed)) or _in_name_list(text, m.start):
            return None
        strong = [f for f in facts if not f.weak]
        if strong and all(_OWN_FACT.search(text, max(0, f.start - 16), f.start) for f in strong):
            return None  # "she booked me an x-ray", "my biopsy": the writer's own health, not theirs
        if strong and all(
            f.kind == "safeguarding" and f.start > m.end and _HARM_DONE.match(text, f.start) for f in strong
        ):
            return None  # "the boy Jason has been hitting her": the one who does the harm is not its patient
        if strong and all(f.kind == "death" for f in strong):
            rest = around
            for f in facts:
                rest = rest.replace(text[f.start : f.end], " ")
            if not lex.clinical_terms.search(rest) and not any(
                _CARE_WORD.search(text, f.start, f.end + 12) for f in strong
            ):
                return None  # "Mrs Jones next door died last week": a death, but no care in sight
        public = self._public_figure(tokens)
        if public and not first_hand:
            return None
        if names._fictional(scan, _as_name(m), sentence):
            return None
        if not first_hand:
            line = view.line_text(m.start)
            if lex.public_sources.search(around) or in_public_forward(text, m.start, lex):
                return None
            if _REFERENCE.search(line):
                return None
            if in_schedule_layout(text, m.start) and (
                not patient_row(text, m.start, facts) or teaching_schedule(text, m.start, lex)
            ):
                return None  # a row of a rota, a timetable, an allocation, a bleep list: staff and students
        tied = as_patient or tied_to(view, m, facts)
        if not first_hand and not tied and (lex.schedule_cues.search(line) or in_schedule(text, m.start)):
            return None  # a rota or timetable named in the line, and nothing ties the fact to the person
        if m.kind in ("capitalised", "titled", "unknown_name") and not tied:
            # two capitalised words are a person only when the sentence says what befell them; a titled
            # name without that was judged by the names recognizer already ("Mrs Lee, for the review")
            return None
        score = _BASE[m.kind]
        reasons = [f"person ({m.kind.replace('_', ' ')})"]
        kinds = sorted({f.kind for f in facts if not f.weak} or {f.kind for f in facts})
        reasons.append("health fact: " + ", ".join(kinds))
        if set(kinds) & {"result", "test", "diagnosis", "admission", "death", "treatment", "safeguarding"}:
            score += 0.1
        if tied or PRONOUN.search(sentence):
            score += 0.1
            reasons.append("tied to the person")
        elif not first_hand:
            return None  # a name and a health fact side by side, neither about the other
        if first_hand:
            score += 0.15
            reasons.append("first-hand encounter")
        if msg.clinical:
            score += 0.05
        if len(tokens) >= 2:
            score += 0.05
        return Candidate(TYPE, m.start, m.end, clamp(score), tuple(reasons))

    def _teaching(self, sentence: str) -> bool:
        """The sentence is about teaching; a teaching word that only says which group someone belongs to
        ("Leo in our PBL group", "a girl from my anatomy class") does not count."""
        return bool(_STUDIES.search(sentence)) or any(
            not _GROUP_OF.search(sentence[max(0, s - 30) : s])
            and not DURING.search(sentence[max(0, s - 40) : s])
            for s, _e, _w in self.lex.teaching_cues.find(sentence)
        )

    def _public_figure(self, tokens: list[str]) -> bool:
        tokens = [re.sub(r"['’]s$", "", t) for t in tokens]  # "Fanny Burney's account"
        full = " ".join(tokens)
        lex = self.lex
        return (
            full in lex.public_figures
            or tokens[0] in _ROYAL  # "Prince Edmund's diagnosis": a royal is a public figure, named or not
            or full in lex.historical_figures
            or (len(tokens) >= 2 and tokens[-1] in lex.historical_figures)
        )


def _name_like(text: str, m: re.Match[str], sentence_start: int) -> bool:
    """A capitalised word placed as a name could be: three letters or more, no contraction ("I'm",
    "She'd"), not a heading ("Comments:"), and at the start of a sentence or line only when another
    capitalised word follows ("Desmond Achterberg was...", not "Investigations showed...")."""
    word = m.group()
    if len(word) < 3 or re.search(r"['’](?:m|ve|d|ll|re|t)$", word) or text.startswith(":", m.end()):
        return False
    before = text[max(sentence_start, m.start() - 4) : m.start()]
    opens = m.start() == sentence_start or not before.strip(" \t>*-•") or "\n" in before
    return not opens or bool(_CAPITALISED_WORD.match(text, m.end() + 1) and text[m.end()] == " ")


def _in_name_list(text: str, pos: int) -> bool:
    """`pos` is inside a list of three or more given names."""
    lo = max(0, pos - 80)
    return any(m.start() <= pos - lo < m.end() for m in _NAME_LIST.finditer(text[lo : pos + 80]))


def _as_name(m: Mention) -> NameCandidate:
    """The names recognizer's candidate shape, for its role-play test."""
    return NameCandidate("ner", m.start, m.end, m.tokens)
