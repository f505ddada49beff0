"""Who a message makes staff: titled doctors, people given a role, named with staff, heading a rota.

A name is staff, never a patient, when a staff title stands before it
("Dr", "Prof", "Sister"), a role after or before it ("(consultant
surgeon)", "the FY1", "guest speaker"), a staff activity follows it
("X taught us", "Mr Lee's clinic"), it is listed with titled staff ("Dr
Gupta and Mr Lee"), an author ("written by"), or it sits under a rota,
timetable or allocation heading. `StaffCues.learn` remembers such names
for the whole message, so that a name is staff everywhere once it is
staff anywhere.
"""

from __future__ import annotations

import re
from itertools import islice

from gateway.detect.letters import CAP, LOW
from gateway.detect.patient.context import MessageContext, name_tokens
from gateway.detect.patient.lexicon import Lexicon
from gateway.detect.patient.recognizer import SegmentScan

#: name-shaped matches looked at per segment and pattern: bounds the work on text that is all names
MAX_HITS = 2000

#: one word of a name: "Lee", "McAteer", "O'Brien", "Adebayo-Price", "LEE"
NAME_WORD = (
    rf"(?:{CAP}{LOW}*['’]?{CAP}?{LOW}+(?:-{CAP}{LOW}*['’]?{CAP}?{LOW}+)*|{CAP}{{2,}}(?:[-'’]{CAP}{{2,}})*)"
)
#: two capitalised words ("[A-Z]" first, then the boundary check: the fast form for `re`)
CAP_PAIR = re.compile(
    rf"{CAP}(?<!\w{CAP}){LOW}+(?:-{CAP}{LOW}+)?[ ]+(?:{CAP}{LOW}*['’]?{CAP}?{LOW}+(?:-{CAP}{LOW}+)?)\b"
)
_STAFF_VERB_AFTER = re.compile(
    r"^['’]?[ \t]+(?:let|lets|taught|teaches|teaching|showed|supervised|supervises|signed|operated|lectured|"
    r"covered|covering|is covering|gave|gives|runs|ran|explained|examined me|assessed|marked|presented the|"
    r"presented a|is away|emailed|replied|said we|told us|asked us|will be teaching)\b",
    re.IGNORECASE,
)
_STAFF_POSSESSIVE = re.compile(
    r"^['’]s[ \t]+(?:\w+[ \t]+)?(?:clinic|list|firm|team|theatre|registrar|reg|secretary|patients|ward round|"
    r"teaching|lecture|session|talk|seminar|tutorial|office|bleep|group)\b",
    re.IGNORECASE,
)
#: what students do with staff: "assisting Mr Lee", "shadowing", "clinic with", "taught by"
_STAFF_BEFORE = re.compile(
    r"\b(?:assist(?:ing|ed)?|shadow(?:ing|ed)?|taught\s+by|supervised\s+by|signed\s+off\s+by|under|observing|"
    r"scrubbed\s+(?:in\s+)?(?:with|for)|working\s+(?:with|for)|attached\s+to|firm\s+of|team\s+of|"
    r"(?:clinic|list|theatre|theatres|teaching|session|tutorial|lecture|round|rounds)\s+with|sat\s+in\s+with|"
    r"email(?:ed)?|cc(?:'d)?|(?:written|authored|edited|compiled|designed|organised|organized|led|"
    r"presented|given|run|chaired)\s+by)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
#: what heads a list of staff or students, not of patients
_SCHEDULE_HEAD = re.compile(
    r"\b(?:rota|rotas|timetable|allocations?|schedule|placement\s+groups?|reading\s+list|reference\s+list|"
    r"teaching\s+programme|tutor\s+groups?)\b",
    re.IGNORECASE,
)
#: the second of two authors or organisers: "written by Ruth Evans and ..."
_AUTHORS_BEFORE = re.compile(
    rf"\b(?:written|authored|edited|compiled|designed|organised|organized|presented|run)[ ]by[ ](?:{CAP}[\w'’-]{{0,30}}[ ]){{1,3}}(?:and|&)[ ]$"
)
_ROLE_OPENER = re.compile(r"^[ \t]*(?:\(|,[ \t]*(?:the|a|an|our|my|their)?[ \t]*|[-–][ \t]*)")
#: a role named first and the person after it: "our guest speaker is Mr X", "a consultant who supervised me,
#: Mr X"; group "role" is where the role's words end
_ROLE_THEN_NAME = re.compile(
    r"(?P<role>[\w-]+)[ \t]+(?:(?:is|was|will[ \t]+be)[ \t]+|(?:who|that)[ \t]+[^,.;:!?\n]{1,50},[ \t]*)$",
    re.IGNORECASE,
)


def _titles(words: frozenset[str]) -> str:
    forms = set()
    for w in words:
        if " " in w:
            continue
        forms.add(w.capitalize())
        forms.add(w.upper())
    return "|".join(sorted(forms, key=len, reverse=True))


def _titles_first(words: frozenset[str]) -> str:
    """Titles as "[DP](?<!\\w[DP])(?:(?<=D)r|(?<=P)rof...)": one capital first, which `re` scans for fast."""
    forms = {f for w in words if " " not in w for f in (w.capitalize(), w.upper())}
    firsts = "".join(sorted({f[0] for f in forms}))
    alts = "|".join(f"(?<={f[0]}){re.escape(f[1:])}" for f in sorted(forms, key=len, reverse=True))
    return rf"[{firsts}](?<!\w[{firsts}])(?:{alts})"


def _tokens(name: str) -> list[str]:
    return [t for t in name_tokens(name) if len(t) > 1]


class StaffCues:
    """The staff-title patterns and the role tests, for one lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon
        titles = _titles(lexicon.patient_titles.entries)
        staff = _titles(lexicon.staff_titles.entries)
        # "Mrs Ann Lee", "Mrs A. Danjuma", "Mr X"
        self.titled_regex = (
            rf"\b(?:{titles})\.?[ ]+(?:(?:{CAP}\.?[ ]+)?{NAME_WORD}(?:[ ]+{NAME_WORD}){{0,2}}|{CAP}\b\.?)"
        )
        self.staff_titled = re.compile(
            rf"{_titles_first(lexicon.staff_titles.entries)}\.?[ ]+((?:{CAP}\.?[ ]+)?{NAME_WORD}(?:[ ]+{NAME_WORD}){{0,2}})"
        )
        self.patient_titled = re.compile(self.titled_regex)
        self.staff_title_before = re.compile(rf"\b(?:{staff})\.?[ \t]+(?:{CAP}\.?[ \t]+)?$")
        self.patient_title_prefix = re.compile(rf"^(?:{titles})\.?[ \t]+")

    def learn(self, scan: SegmentScan, msg: MessageContext) -> None:
        """Remember who the message names as staff, so their name is staff everywhere in it."""
        text = scan.view.text
        for m in islice(self.staff_titled.finditer(text), MAX_HITS):
            msg.learn_staff(_tokens(m.group(1)))
        for m in islice(self.patient_titled.finditer(text), MAX_HITS):
            if self.role_attached(text, m.start(), m.end()):
                msg.learn_staff(_tokens(self.patient_title_prefix.sub("", m.group())))
        for m in islice(CAP_PAIR.finditer(text), MAX_HITS):
            if self.role_attached(text, m.start(), m.end()) and not self.all_common(_tokens(m.group())):
                msg.learn_staff(_tokens(m.group()))

    def role_attached(self, text: str, start: int, end: int) -> bool:
        """A role right after the name ("(consultant", ", the registrar"), or right before it."""
        after = text[end : end + 60]
        opener = _ROLE_OPENER.match(after)
        if opener:
            words = " ".join(after[opener.end() :].split()[:4])
            hit = self.lex.staff_roles.pattern.search(words)
            if hit and hit.start() <= 25:
                return True
        if _STAFF_POSSESSIVE.match(after) or _STAFF_VERB_AFTER.match(after):
            return True
        before = text[max(0, start - 40) : start]
        if _STAFF_BEFORE.search(before) or _AUTHORS_BEFORE.search(before):
            return True
        if self._coordinated_with_staff(text, start, end):
            return True
        if self._role_then_name(text[max(0, start - 80) : start]):
            return True
        before_words = before.split()[-3:]
        if before_words and self.lex.staff_roles.pattern.search(" ".join(before_words)):
            tail = " ".join(before_words)
            last = self.lex.staff_roles.find(tail)
            if last and last[-1][1] >= len(tail) - 1:
                return True
        return False

    def _role_then_name(self, before: str) -> bool:
        """The role is named first and the person after it, as what it is or in apposition: "our guest
        speaker is Mr X", "a consultant who supervised me, Mr X" (not "the patient is Mr X")."""
        m = _ROLE_THEN_NAME.search(before)
        if m is None:
            return False
        head = before[: m.end("role")]
        words = " ".join(head.split()[-3:])
        last = self.lex.staff_roles.find(words)
        return bool(last) and last[-1][1] >= len(words) - 1

    def _coordinated_with_staff(self, text: str, start: int, end: int) -> bool:
        """ "Dr Gupta and Mr Lee", "Mr Lee and Prof Ode": listed with staff, so staff."""
        before = text[max(0, start - 60) : start]
        after = text[end : end + 60]
        m = re.search(r"(?:and|&|,)[ ]+$", before)
        if m and self.staff_titled.search(before[: m.start()].split(",")[-1].split(" and ")[-1] + " "):
            return bool(re.search(self.staff_titled.pattern + r"[ ]*$", before[: m.start()]))
        m = re.match(r"^[ ]*(?:and|&|,)[ ]+", after)
        return bool(m and self.staff_titled.match(after[m.end() :]))

    def all_common(self, tokens: list[str]) -> bool:
        lex = self.lex
        return all(
            t in lex.not_names
            or t in lex.clinical_terms
            or t in lex.staff_titles
            or t in lex.patient_titles
            or t in lex.staff_roles
            for t in tokens
        )


def in_schedule(text: str, pos: int) -> bool:
    """`pos` is in a passage headed as a rota, timetable, allocation or schedule (the heading may stand a
    blank line above the list)."""
    start = text.rfind("\n\n", 0, pos)
    start = text.rfind("\n\n", 0, start) if start > 0 else start
    return bool(_SCHEDULE_HEAD.search(text, max(start, pos - 600, 0), pos))
