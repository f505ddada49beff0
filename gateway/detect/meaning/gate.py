"""Who could the patient be: the candidate stage a patient-disclosure score needs beside it.

A window the model calls a patient disclosure is reported only when it
also holds a person mention (the patient rules' own candidate stage,
without spaCy) that could be the patient, or an identifier-shaped token (a
long digit run, a letter-and-digits code, a date). Both come from the one
thing the gate reads from the patient package,
`gateway.detect.patient.candidates` (its docstring states what it promises). Without one, an anonymised case ("a
67-year-old man presented with...") or the writer's own health ("I've
had tonsillitis all week") is not reported unless the model is very sure.

An identifier shape is not an anchor when its label says what else it
is: a reference, ticket, order, booking, phone or queue number (the
patient rules' list of labels that are not a patient's), unless a
hospital-number label ("patient id") or a third person's possessive
("his mobile") stands there too. A date is an
anchor only as a date of birth ("dob", "born"): a case with the date it
was seen is still anonymised.

A mention is not a candidate when it names someone the message shows is
not the patient:

- one of the message's correspondents (display names, address words);
- a member of staff or a public figure an administrator accepted from a
  reviewer's mark (`gateway.model.learned`): a mention all of whose name
  words belong to one such name ("Mrs Fairweather" for "Ottoline
  Fairweather");
- the reader in a greeting ("Hi Priya,");
- the writer: a name in a sign-off (a line that is only the name after a
  closing such as "Best wishes,", or "Love, Cerys x"), or introduced by
  the writer ("it's Lucy from Ward 7", "I'm Kemi, the FY1");
- a doctor or professor ("Dr Evans diagnosed her", "Prof Okoro"): staff
  by their title (the patient rules decide the rare "Dr Pike is a
  patient" themselves);
- a place: two capitalised words whose last one is a venue or a street
  ("Brackenholme Playhouse", "Tudor Road").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gateway.detect.patient.candidates import Identifier, Person, candidates, name_words
from gateway.detect.patient.lexicon import Lexicon

#: a greeting's name is the reader's, not a patient's ("Hi Priya,")
_GREETING = re.compile(r"(?i)\b(?:hi|hiya|hello|hey|dear|morning|thanks|thank you|cheers)[ ,]+$")
#: the writer introducing themselves ("it's Lucy", "this is Tom", "I'm Kemi", "my name is ...")
_SELF = re.compile(r"(?i)\b(?:it'?s|it’s|this is|i'?m|i’m|i am|my name is)[ ]+$")
#: a doctor's or professor's title just before the name: staff
_DOCTOR_BEFORE = re.compile(r"(?:\b(?:Dr|Prof|Professor|Doctor)\.?[ ]{1,3}(?:[A-Z]\.?[ ]{1,3})?)$")
#: a closing line ("Best wishes,", "Love", "Thanks!"), to be followed by the writer's name
_CLOSING_END = re.compile(r"[ ,.!x]*$")
#: what may stand beside the name on a sign-off line ("Cerys x", "- Tom", "Dami (Treasurer)")
_SIGNATURE_LINE = re.compile(
    r"^[ \-–—~]*(?P<name>[A-Za-z][\w'’.-]*(?:[ ][A-Za-z][\w'’.-]*){0,2})[ ,.!x]*(?:\(.*\))?[ ]*$"
)
#: a signature line, and the closing before it, are at most this long
_SHORT_LINE = 60
#: the last word of a place's name (not words that are also surnames: Hall, Hill, Lane, Park, Court)
_PLACE_WORDS = frozenset(
    """playhouse theatre theater cinema arena stadium centre center museum gallery library church chapel
    cathedral gardens road street avenue drive crescent square terrace station airport hotel pub cafe café
    restaurant club shop market tower village""".split()  # noqa: SIM905
)


class Gate:
    """Finds person mentions that could be a patient, and identifier shapes, in a span of text."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def reasons(
        self,
        text: str,
        start: int,
        end: int,
        correspondents: Iterable[str] = (),
        learned: Iterable[frozenset[str]] = (),
    ) -> list[str]:
        """Why text[start:end] could identify someone (empty: it could not). `learned`: the name words of
        each accepted staff name and public figure."""
        out: list[str] = []
        found = candidates(text, start, end, self.lexicon)
        if any(anchor(i) for i in found.identifiers):
            out.append("identifier-shaped token")
        known = set(correspondents)
        names = [n for n in learned if n]
        for m in found.persons:
            if known and set(m.words) <= known:
                continue
            if any(set(m.words) <= n for n in names):
                continue
            if self.not_a_patient(text, m):
                continue
            out.append(f"person mention ({m.kind.replace('_', ' ')})")
            break
        return out

    def not_a_patient(self, text: str, m: Person) -> bool:
        """The reader, the writer, a doctor or a place: a mention the message shows is not a patient."""
        before = on_line_before(text, m.start, max(0, m.start - 20))
        if _GREETING.search(before) or _SELF.search(before) or _DOCTOR_BEFORE.search(before):
            return True
        words = text[m.start : m.end].split()
        if len(words) >= 2 and words[-1].lower() in _PLACE_WORDS:
            return True
        return self._signs_off(text, m)

    def _signs_off(self, text: str, m: Person) -> bool:
        """The name closes the message: alone on its line after a closing line, or after a closing on its line.

        Sign-off lines are short: every look here stays within `_SHORT_LINE`
        characters of the mention, so a long text costs no more per mention.
        """
        line_start = text.rfind("\n", max(0, m.start - _SHORT_LINE), m.start) + 1
        if line_start == 0 and m.start > _SHORT_LINE:
            return False  # the line began long before the name: prose, not a signature
        line_end = text.find("\n", m.end, m.end + _SHORT_LINE + 1)
        if line_end < 0 and len(text) - m.end > _SHORT_LINE:
            return False
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        head = text[line_start : m.start].strip(" ,-–—~").lower()
        if head and self._closing(head):
            return True  # "Love, Cerys x", "Thanks - Tom"
        if head or not _SIGNATURE_LINE.match(line):
            return False
        prev_end = line_start - 1
        floor = max(0, prev_end - 4 * _SHORT_LINE)  # blank lines between, then one short closing line
        while prev_end > floor:
            prev_start = text.rfind("\n", floor, prev_end) + 1
            prev = text[prev_start:prev_end].strip()
            if prev:
                return prev_start > floor and self._closing(prev.lower())
            prev_end = prev_start - 1
        return False

    def _closing(self, line: str) -> bool:
        bare = _CLOSING_END.sub("", line).strip()
        return bool(bare) and bare in self.lexicon.signoffs


def anchor(identifier: Identifier) -> bool:
    """An identifier shape that could be a patient's: a date of birth, or a number no label explains away
    ("patient id ...", "his mobile is ...": someone's own number, whatever else the label says)."""
    labels = identifier.labels
    if identifier.date:
        return "birth" in labels
    return "patient" in labels or "possessive" in labels or "other" not in labels


def on_line_before(text: str, pos: int, lo: int) -> str:
    """text[lo:pos], from the last line break in it if there is one."""
    brk = text.rfind("\n", lo, pos)
    return text[(brk + 1 if brk >= 0 else lo) : pos]


def correspondent_tokens(pairs: Iterable[tuple[str, str]]) -> set[str]:
    """Lower-case name words of the correspondents (display names and address local parts)."""
    out: set[str] = set()
    for display, address in pairs:
        out.update(name_words(display))
        local = address.split("@", 1)[0]
        out.update(t for t in re.split(r"[._\-+0-9]+", local.lower()) if len(t) > 1)
    return out
