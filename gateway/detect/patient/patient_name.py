"""Patients' names: a person named in a passage about their care, and nobody else.

Candidates come from four places: a courtesy title and a name ("Mrs Ann
Lee", "Mr Lee"), a ward-list style name ("Ann LEE", "LEE, Ann"), a
surname next to a bed ("Lee in bed 4"), a "Patient:" label, and, for
sentences that are about a patient and hold a capitalised pair of words,
spaCy's PERSON entities (the model runs only on those sentences).

Most named people in students' mail are not patients, so every candidate
must earn its score from the passage (a patient cue in the sentence, an
identifier or an age next to it, a clinical table) and is dropped when it
is: a correspondent (From/To/Cc), in a greeting or signature, staff
(titled Dr/Prof/Nurse/Sister, given a role such as "(consultant
surgeon)" or "guest speaker", "Mr Lee's clinic", or in the staff
directory), an eponym ("Bell's palsy"), a historical figure, or a
fictional or anonymised patient ("Mr X", "Mrs A", an OSCE script).
"""

from __future__ import annotations

import bisect
import re

from gateway.detect.letters import CAP
from gateway.detect.patient.context import (
    AGE,
    MessageContext,
    care_beds,
    in_public_forward,
    name_tokens,
    patient_cue,
)
from gateway.detect.patient.framing import achievement_after, clause_around, past_frame
from gateway.detect.patient.lexicon import Lexicon
from gateway.detect.patient.name_patterns import (
    _LABEL_PREFIX,
    _PATIENT_FIELDS,
    BED,
    CAPS,
    LABELLED,
    TITLED,
    NameCandidate,
    dedupe,
    end_of_tokens,
    name_specs,
    names_by_bed,
    sentence_initial,
)
from gateway.detect.patient.recognizer import Candidate, SegmentScan, clamp
from gateway.detect.patient.schedule import in_schedule_layout, patient_row, teaching_schedule
from gateway.detect.patient.staff import CAP_PAIR, MAX_HITS, StaffCues, in_schedule
from gateway.detect.patient.text import SegmentView
from gateway.detect.presidio_engine import RecognizerSpec

TYPE = "PATIENT_NAME"
#: name candidates judged per segment once one is reported (a ward list of hundreds needs no more)
MAX_JUDGED = 200
#: care that happened to someone: a bed, an admission, a ward round, a time
_REAL_CARE = re.compile(
    r"\b(?:bed\s*\d+|bay\s*\d+|ward\s*\d+|admitted|clerked|discharged|on\s+the\s+ward|ward\s+round|"
    r"yesterday|last\s+night|this\s+(?:morning|afternoon|evening)|today|tonight|died|passed\s+away)\b",
    re.IGNORECASE,
)
_TABLE_CLINICAL_HEADER = re.compile(
    r"\b(?:name|patient|pt|bed|bay|nhs|hosp|mrn|dob|d\.o\.b|age|diagnosis|dx|issue|problem|jobs|plan|ward|consultant)\b",
    re.IGNORECASE,
)
_FICTIONAL_INITIAL = re.compile(rf"^{CAP}\.?$")
_PLACE_BEFORE = re.compile(r"\b(?:from|in|at|near|outside|to|towards|via|of)[ ]+(?:the[ ]+)?$", re.IGNORECASE)

_AGE_AFTER = re.compile(
    r"^[ \t]*[,(]?[ \t]*(?:aged[ \t]+)?\d{1,3}[ \t]?(?:y|yo|yrs?|years?(?:[ \t-]old)?|[MF])?\b(?![/.:]\d)"
)
_EPONYM_AFTER = re.compile(r"^['’]s?\b|^[ \t]+(?:[a-z]+[ \t]+)?(?P<head>[a-z]+)\b")


_SURNAME_LABEL = re.compile(r"(?i:sur|family[ \t])name")


class PatientNameRecognizer:
    """Named patients in clinical passages; see the module docstring for what is never one."""

    name = "patient_name"

    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon
        self.staff = StaffCues(lexicon)
        self._titled_regex = self.staff.titled_regex
        self._staff_title_before = self.staff.staff_title_before
        self._patient_title_prefix = self.staff.patient_title_prefix

    def learn_staff(self, scan: SegmentScan, msg: MessageContext) -> None:
        """Remember who the message names as staff, so their name is staff everywhere in it."""
        self.staff.learn(scan, msg)

    def _role_attached(self, text: str, start: int, end: int) -> bool:
        return self.staff.role_attached(text, start, end)

    def _all_common(self, tokens: list[str]) -> bool:
        return self.staff.all_common(tokens)

    # --- Presidio patterns -------------------------------------------------------------------

    def specs(self) -> list[RecognizerSpec]:
        return name_specs(self._titled_regex)

    # --- NER windows -------------------------------------------------------------------------

    def ner_windows(self, scan: SegmentScan, msg: MessageContext) -> list[tuple[int, int]]:
        """Sentences that are about a patient and hold an untitled capitalised pair of words."""
        view = scan.view
        if view.segment.kind in ("name", "metadata") or not msg.clinical:
            return []
        text = view.text
        titled = sorted((h.start, h.end) for h in scan.hits_of(TITLED, CAPS, LABELLED))
        titled_starts = [t[0] for t in titled]

        def inside_titled(pos: int) -> bool:
            i = bisect.bisect_right(titled_starts, pos) - 1
            return i >= 0 and titled[i][0] <= pos < titled[i][1]

        starts: set[int] = set()
        for m in CAP_PAIR.finditer(text):
            if inside_titled(m.start()) or self._all_common(self._tokens(m.group())):
                continue
            if self._staff_title_before.search(text[max(0, m.start() - 20) : m.start()]):
                continue
            starts.add(view.sentence_index(m.start()))
        for h in scan.hits_of(BED)[:MAX_HITS]:
            if not care_beds(text, self.lex, h.start, h.end):
                continue  # "Dave in bay 14 of the car park"
            for n in names_by_bed(text, h.start, h.end):
                if not inside_titled(n[0]):
                    starts.add(view.sentence_index(n[0]))
        out = []
        for i in sorted(starts):
            s, e = view.sentences[i] if view.sentences else (0, len(text))
            if view.in_greeting(s) or view.in_signature(s) or view.in_attribution(s):
                continue
            if patient_cue(text[s:e], self.lex) or scan.found_near(s, e, 0):
                out.append((s, min(e, s + 600)))
        return out

    # --- judging -----------------------------------------------------------------------------

    def find(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        view = scan.view
        if view.segment.kind == "name":
            return []
        cands: list[NameCandidate] = []
        for h in scan.hits_of(TITLED)[:MAX_HITS]:
            span = view.text[h.start : h.end]
            rest = self._patient_title_prefix.sub("", span)
            tokens = self._trim(rest)
            if not tokens:
                continue
            end = h.start + len(span) - len(rest) + end_of_tokens(rest, tokens)
            kind = "titled_full" if len(tokens) >= 2 else "titled_surname"
            if len(tokens) == 1 and _FICTIONAL_INITIAL.match(tokens[0].upper()):
                continue  # "Mr X", "Mrs A": an anonymised or invented patient
            cands.append(NameCandidate(kind, h.start, end, tuple(tokens)))
        for h in scan.hits_of(CAPS)[:MAX_HITS]:
            tokens = self._tokens(view.text[h.start : h.end])
            if len(tokens) < 2:
                continue
            surname, given = (
                (tokens[0], tokens[-1]) if h.pattern == "SURNAME_given" else (tokens[-1], tokens[0])
            )
            if (
                self._all_common([surname])
                or given in self.lex.not_names
                or not re.search(r"[aeiouy]", surname)
                or view.in_table_header(h.start)
            ):
                continue  # "Initials NHS", "Our CBL", "Ward AMU": an acronym, or a table's header row
            cands.append(NameCandidate("caps", h.start, h.end, tuple(tokens)))
        for h in scan.hits_of(LABELLED)[:MAX_HITS]:
            label = _LABEL_PREFIX.match(view.text, h.start)
            start = label.end() if label else h.start
            span = view.text[start : h.end]
            tokens = self._trim(self._patient_title_prefix.sub("", span))
            # "Patient: Ann Lee", "Patient: Mrs Lee", "Patient surname: Lee"; not "Patient: Seen in clinic"
            one_word = self._patient_title_prefix.match(span) or _SURNAME_LABEL.search(
                view.text, h.start, start
            )
            if (len(tokens) >= 2 or (tokens and one_word)) and self._plausible(tokens):
                kind = "name_label" if h.pattern == "name_label" else "labelled"
                cands.append(NameCandidate(kind, start, h.end, tuple(tokens)))
        for h in scan.hits_of(BED)[:MAX_HITS]:
            if not care_beds(view.text, self.lex, h.start, h.end):
                continue
            for start, end in names_by_bed(view.text, h.start, h.end):
                cands.append(NameCandidate("bed", start, end, tuple(self._tokens(view.text[start:end]))))
        for s, e in view.persons:
            if "\n" in view.text[s:e]:
                continue  # a name never runs over a line break; the model joined two lines
            tokens = self._trim(view.text[s:e])
            if len(tokens) >= 2 and self._plausible(tokens):
                cands.append(NameCandidate("ner", s, e, tuple(tokens)))
        out: list[Candidate] = []
        reported = False
        for judged, c in enumerate(dedupe(cands)):
            if (judged >= MAX_JUDGED and reported) or judged >= 3 * MAX_JUDGED:
                break  # enough: the segment already names a patient, or it is a list of names, not prose
            score, reasons = self._judge(scan, msg, c)
            if score > 0:
                out.append(Candidate(TYPE, c.start, c.end, clamp(score), reasons))
                reported = reported or out[-1].reported
        return out

    def _judge(
        self, scan: SegmentScan, msg: MessageContext, c: NameCandidate
    ) -> tuple[float, tuple[str, ...]]:
        view = scan.view
        text = view.text
        tokens = list(c.tokens)
        if view.in_greeting(c.start) or view.in_signature(c.start) or view.in_attribution(c.start):
            return 0.0, ()
        if msg.is_correspondent(tokens) or msg.is_staff(tokens) or self._all_common(tokens):
            return 0.0, ()
        if c.kind in ("caps", "bed", "ner") and self._staff_title_before.search(
            text[max(0, c.start - 24) : c.start]
        ):
            return 0.0, ()
        if self._role_attached(text, c.start, c.end):
            return 0.0, ()
        if c.kind not in ("titled_full", "titled_surname", "labelled") and self._eponym(text, c.end, tokens):
            return 0.0, ()  # "Bell's palsy"; but "Mrs Bell's leg ulcer" is a patient's
        full = " ".join(tokens)
        if full in self.lex.historical_figures or (
            len(tokens) >= 2 and tokens[-1] in self.lex.historical_figures
        ):
            return 0.0, ()
        sentence = text[slice(*view.sentence_at(c.start))]
        if self._fictional(scan, c, sentence):
            return 0.0, ()
        if self._public(view, c, full):
            return 0.0, ()
        if (
            in_schedule(text, c.start)
            and not _REAL_CARE.search(sentence)
            and not self._identifiers_near(scan, c.start, c.end)
        ):
            return 0.0, ()  # a rota, a timetable, an allocation: staff and students
        if (
            in_schedule_layout(text, c.start)
            and (
                not patient_row(text, c.start, scan.health_facts(self.lex))
                or teaching_schedule(text, c.start, self.lex)
            )
            and not self._identifiers_near(scan, c.start, c.end)
        ):
            return 0.0, ()  # a row of a rota, a timetable, an allocation, a bleep list
        if c.kind == "name_label" and not (
            self._identifiers_near(scan, c.start, c.end)
            or _PATIENT_FIELDS.search(text[max(0, c.start - 300) : c.end + 300])
        ):
            return 0.0, ()  # a bare "Name:" field (a form, a CV): a patient's only among patient details
        base = {
            "titled_full": 0.3,
            "titled_surname": 0.25,
            "caps": 0.35,
            "bed": 0.45,
            "labelled": 0.6,
            "name_label": 0.3,
            "ner": 0.2,
        }
        score = base[c.kind]
        reasons = [c.kind]
        own_sentence = sentence.replace(text[c.start : c.end], " ")
        strong = patient_cue(own_sentence, self.lex)
        ids = self._identifiers_near(scan, c.start, c.end)
        table = view.table_at(c.start)
        clinical_table = table is not None and bool(_TABLE_CLINICAL_HEADER.search(table.header_text))
        if c.kind == "ner" and _PLACE_BEFORE.search(text[max(0, c.start - 12) : c.start]):
            return 0.0, ()  # "from Little Brampton", "in Upper Wick": a place the model took for a person
        if c.kind == "ner" or (c.kind == "bed" and not strong and not ids):
            if not (strong or ids or clinical_table):
                return 0.0, ()
            if self.lex.teaching_cues.search(sentence) and not ids:
                return 0.0, ()
            clause = clause_around(text, c.start, c.end, *view.sentence_at(c.start))
            if (past_frame(clause, msg.today) or achievement_after(text, c.end)) and not ids:
                return 0.0, ()
            if (
                c.kind == "bed"
                and not view.persons_overlap(c.start, c.end)
                and sentence_initial(text, view.sentence_at(c.start)[0], c.start)
            ):
                return 0.0, ()  # "Remember bed 4": a capitalised word, not a name
        if strong:
            score += 0.35
            reasons.append("patient cue")
        elif not self.lex.teaching_cues.search(sentence):
            lo, hi = view.neighbours(c.start, 1)
            if patient_cue(text[lo:hi].replace(text[c.start : c.end], " "), self.lex):
                score += 0.2 if c.kind == "titled_full" else 0.15
                reasons.append("patient cue nearby")
        if ids:
            score += 0.35
            reasons.append("identifier nearby")
        if _AGE_AFTER.match(text[c.end : c.end + 24]) or AGE.search(text[c.end : c.end + 30]):
            score += 0.25
            reasons.append("age")
        if clinical_table:
            score += 0.45
            reasons.append("clinical table")
        fields = len(_PATIENT_FIELDS.findall(text[max(0, c.start - 300) : c.end + 300]))
        if c.kind in ("name_label", "labelled") and fields:
            score += 0.2 if fields >= 2 else 0.1  # "Name:" among "Admitted:", "Dx:", "Address:": a patient's
            reasons.append("patient details")
        clinical = len(self.lex.clinical_terms.distinct(own_sentence, at_most=2))
        if (
            c.kind in ("titled_full", "titled_surname")
            and clinical
            and not self.lex.teaching_cues.search(sentence)
        ):
            # a courtesy-titled name in a sentence about care, not teaching, is how patients are written about
            score += 0.1 + 0.05 * clinical
            reasons.append("clinical sentence")
        else:
            score += clinical * 0.05
        if msg.clinical:
            score += 0.05
        return score, tuple(reasons)

    def _public(self, view: SegmentView, c: NameCandidate, full: str) -> bool:
        """A public figure, or an untitled name in a public source (news, obituary, textbook), unless the
        message meets them first-hand in a clinical setting ("we saw ... in clinic this morning")."""
        lo, hi = view.neighbours(c.start, 1)
        around = view.text[lo:hi]
        if self.lex.encounter_cues.search(around):
            return False
        if full in self.lex.public_figures:
            return True
        return c.kind == "ner" and (
            self.lex.public_sources.search(around) or in_public_forward(view.text, c.start, self.lex)
        )

    def _fictional(self, scan: SegmentScan, c: NameCandidate, sentence: str) -> bool:
        """An invented patient: a role-play cue in the sentence, in the passage or its heading, or in
        the title of the document; unless a real identifier sits next to the name."""
        if scan.found_near(c.start, c.end, 300):
            return False
        if self.lex.fictional_cues.search(sentence):
            return True
        if _REAL_CARE.search(sentence):
            return (
                False  # "Mrs Lee in bed 3 was admitted last night": care that happened, whatever the heading
            )
        view = scan.view
        text = view.text
        para_start = max(text.rfind("\n\n", 0, c.start), 0)
        heading_start = max(text.rfind("\n\n", 0, max(para_start - 1, 0)), 0)
        para_end = text.find("\n\n", c.end)
        passage = text[max(heading_start, c.start - 1500) : para_end if para_end >= 0 else c.end + 600]
        if self.lex.fictional_context.search(passage):
            return True
        if view.segment.kind == "attachment":
            title = view.segment.where.rsplit("/", 1)[-1] + " " + text[:400]
            return self.lex.fictional_context.search(title)
        return False

    def _identifiers_near(self, scan: SegmentScan, start: int, end: int) -> bool:
        """An identifier (found already, or a labelled date of birth) on the same line or close by."""
        from gateway.detect.patient import date_of_birth

        view = scan.view
        ls, le = view.line_at(start)
        lo = max(min(ls, start - 120), start - 400)
        hi = min(max(le, end + 120), end + 400)
        if any(c.type != TYPE for c in scan.found_near(lo, hi, 0)):
            return True
        return any(h.start < hi and h.end > lo for h in scan.hits_of(date_of_birth.DOB_ENTITY))

    def _eponym(self, text: str, end: int, tokens: list[str]) -> bool:
        """ "Parkinson's", "Bell's palsy", "Hodgkin lymphoma", "Guillain-Barré syndrome"."""
        after = text[end : end + 30]
        m = _EPONYM_AFTER.match(after)
        if not m:
            return False
        if m.group("head"):
            return m.group("head") in self.lex.eponym_heads
        return tokens[-1] in self.lex.eponyms or bool(
            re.match(r"^['’]s?[ \t]+(?:\w+[ \t]+)?\w+", after)
            and any(w in self.lex.eponym_heads for w in re.findall(r"[a-z]+", after.lower())[:3])
        )

    def _tokens(self, name: str) -> list[str]:
        return [t for t in name_tokens(name) if len(t) > 1]

    def _trim(self, name: str) -> list[str]:
        """Name words, without words around them that cannot be names ("Baby Ann Lee", "Lee Ward")."""
        lex = self.lex
        tokens = [t for t in name_tokens(name)]
        while tokens and (tokens[-1] in lex.not_names or tokens[-1] in lex.clinical_terms):
            tokens.pop()
        while len(tokens) > 1 and (
            tokens[0] in lex.not_names
            or tokens[0] in lex.person_nouns
            or tokens[0] in lex.patient_titles
            or tokens[0] in lex.clinical_terms
        ):
            tokens.pop(0)
        return [t for t in tokens if len(t) > 1] or ([tokens[0]] if tokens else [])

    def _plausible(self, tokens: list[str]) -> bool:
        """No word of the name is a role, a place of care, a teaching word or a clinical term."""
        lex = self.lex
        return not any(
            t in lex.staff_roles or t in lex.not_names or t in lex.clinical_terms or t in lex.teaching_cues
            for t in tokens
        )
