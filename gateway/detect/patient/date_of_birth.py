"""Dates of birth: after "DOB", "d.o.b.", "date of birth" or "born", in a DOB column, or next to initials.

Dates come numeric (03/11/1949, 22.08.1966, 3-11-49), ISO (1949-11-03,
19491103 after a label) or in words (2nd Feb 1938, 19 June 1957, February
2, 1938); after a label also with a two-digit year ("dob 9 Nov 47") or a
day in words ("born on the twenty-first of May 1958"). A labelled date of birth counts when the message is clinical;
a bare date only when a table column or a patient's initials make it one
("J.K., 03/11/1949"). The writer's own date of birth (a CV, "my DOB") is
not a patient's.
"""

from __future__ import annotations

import datetime as _dt
import re

from gateway.detect.letters import CAP, LOWER
from gateway.detect.patient.context import MessageContext, patient_cue, writers_own
from gateway.detect.patient.recognizer import Candidate, SegmentScan, clamp
from gateway.detect.patient.text import SegmentView
from gateway.detect.presidio_engine import PatternSpec, RecognizerSpec, anycase

DOB_ENTITY = "DOB_LABELLED"
#: labelled dates judged per segment at most (a segment that is nothing but dates of birth is held long before)
MAX_LABELLED = 500
DATE_ENTITY = "DATE"
TYPE = "DATE_OF_BIRTH"
INITIALS_TYPE = "INITIALS_AND_DOB"

MONTH_NUMBER = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MON = r"(?:0?[1-9]|1[0-2])"
_ORD = "(?:" + "|".join(anycase(s) for s in ("st", "nd", "rd", "th")) + ")?"
_MONTH = (
    "(?:"
    + "|".join(
        anycase(m)
        for m in [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
            "jan",
            "feb",
            "mar",
            "apr",
            "jun",
            "jul",
            "aug",
            "sept",
            "sep",
            "oct",
            "nov",
            "dec",
        ]
    )
    + r")\.?"
)
#: the date shapes; each starts with a cheap look-ahead (case-insensitive alternations are slow in `regex`)
DATE_NUMERIC = rf"(?=\d){_DAY}(?P<sep>[/.-]){_MON}(?P=sep)(?:19|20)?\d{{2}}"
DATE_ISO = rf"(?=[12])(?:19|20)\d{{2}}-{_MON}-{_DAY}"
#: "of" in any case: "3rd OF May 1950" is typed with caps lock as often as the rest of a label
_OF = rf"(?:{anycase('of')}[ \t]+)?"
DATE_DAY_MONTH = rf"(?=\d){_DAY}{_ORD}[ \t]+{_OF}{_MONTH},?[ \t]+(?:19|20)\d{{2}}"
DATE_MONTH_DAY = rf"{_MONTH}[ \t]+{_DAY}{_ORD},?[ \t]+(?:19|20)\d{{2}}"
#: the way records print it: "09-Nov-1947", "9/Nov/47", "09.NOV.1947"
DATE_DAY_MON_NUMERIC = rf"(?=\d){_DAY}(?P<sep2>[-/.]){_MONTH}(?P=sep2)(?:19|20)?\d{{2}}(?!\d)"
DATE_COMPACT = r"(?=[12])(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
#: after a label only: a two-digit year ("dob 9 Nov 47") and a day in words ("the twenty-first of May 1958")
DATE_DAY_MONTH_SHORT = rf"(?=\d){_DAY}{_ORD}[ \t]+{_OF}{_MONTH},?[ \t]+['’]?\d{{2}}(?!\d)"
#: after a label only: numbers spaced as on a form ("DOB 21 05 1958") and a record's squashed print ("21MAY1958")
DATE_SPACED = rf"(?=\d){_DAY}[ \t]{_MON}[ \t](?:19|20)?\d{{2}}(?!\d)"
DATE_SQUASHED = rf"(?=\d){_DAY}{_MONTH}(?:19|20)?\d{{2}}(?!\d)"
_ORDINAL_WORDS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
    "thirtieth",
]
ORDINALS = {w: i for i, w in enumerate(_ORDINAL_WORDS[:20], 1)} | {"thirtieth": 30}
_ORDINAL = "(?:" + "|".join(anycase(w) for w in sorted(ORDINALS, key=len, reverse=True)) + ")"
DATE_WORDS = (
    rf"(?:(?:{anycase('twenty')}|{anycase('thirty')})[ \t-]?)?{_ORDINAL}[ \t]+{_OF}"
    rf"{_MONTH},?[ \t]+(?:19|20)?\d{{2}}(?!\d)"
)
DATE = rf"(?:{DATE_NUMERIC}|{DATE_ISO}|{DATE_DAY_MONTH}|{DATE_MONTH_DAY}|{DATE_DAY_MON_NUMERIC})"
_LABEL = (
    rf"(?:\b[dD]\.?[ \t]?[oO]\.?[ \t]?[bB]\b\.?|\b{anycase('date')}[ \t-]+{anycase('of')}[ \t-]+{anycase('birth')}\b"
    rf"|\b{anycase('birth')}[ \t]?{anycase('date')}\b|\b{anycase('born')}\b(?:[ \t]+{anycase('on')})?)"
    rf"[ \t]*[:=\-–]?[ \t]*(?:(?:{anycase('is')}|{anycase('was')})[ \t]+)?(?:{anycase('the')}[ \t]+)?"
)
#: a date ends where no digit or "/" follows ("03/11/1949/2" is a reference, not a date)
_END = r"(?![\d/])"
_START = r"(?<![\d/.-])"
PATTERNS_DOB = (
    PatternSpec(
        "labelled",
        rf"{_LABEL}(?:{DATE}|{DATE_COMPACT}|{DATE_DAY_MONTH_SHORT}|{DATE_WORDS}|{DATE_SPACED}|{DATE_SQUASHED}){_END}",
        0.4,
    ),
)
BIRTH_YEAR_ENTITY = "BIRTH_YEAR"
#: a year of birth alone: "aged 84 (b. 1940)", "YOB 1940", "year of birth: 1940", "born in 1940"
PATTERNS_BIRTH_YEAR = (
    PatternSpec(
        "birth_year",
        rf"(?:\b[bB]\.[ \t]?|\b(?:YOB|{anycase('year')}[ \t]+{anycase('of')}[ \t]+{anycase('birth')})[ \t]*[:=\-–]?[ \t]*"
        rf"|\b{anycase('born')}[ \t]+{anycase('in')}[ \t]+)(?:19|20)\d{{2}}(?![\d/])",
        0.3,
    ),
)
#: the oldest living person is not much past 115: an older year of birth is history ("Fleming (b. 1881)")
OLDEST_AGE = 115
PATTERNS_DATE = (
    PatternSpec(
        "date",
        rf"(?=\d){_START}(?:{DATE_NUMERIC}|{DATE_ISO}|\b{DATE_DAY_MONTH}|\b{DATE_DAY_MON_NUMERIC}){_END}",
        0.1,
    ),
)
_LABEL_PREFIX = re.compile(_LABEL)

#: initials written as "J.K.", "J.K.L.", "JK" (two or three capitals), just before a date
INITIALS_BEFORE = re.compile(
    rf"(?:\b{CAP}\.[ \t]?{CAP}\.(?:[ \t]?{CAP}\.)?|\b{CAP}{{2,3}}\b)[ \t]*[,:(\-–]?[ \t]*(?:DOB|dob|d\.o\.b\.?)?[ \t:]*$"
)
_DOB_LABEL_IN_HEADER = re.compile(r"\b(?:d\.?o\.?b|date[ -]of[ -]birth|birth ?date|born)\b", re.IGNORECASE)


def parse_date(text: str) -> _dt.date | None:
    """The date a matched string names, or None (2-digit years read as 19xx/20xx, whichever is past)."""
    t = _ordinals_as_digits(text.strip().lower().rstrip(".,").replace("'", "").replace("’", ""))
    m = re.fullmatch(r"(\d{1,2})([/. -])(\d{1,2})\2(\d{2}|\d{4})", t)
    if m:
        d, mo, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        return _make(y, mo, d)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", t)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.fullmatch(r"(\d{1,2})[-/.]([a-z]+)\.?[-/.](\d{4}|\d{2})", t)
    if m:
        month = MONTH_NUMBER.get(m.group(2)[:3])
        return _make(int(m.group(3)), month, int(m.group(1))) if month else None
    m = re.fullmatch(
        r"(\d{1,2})(?:st|nd|rd|th)?(?:\s+(?:of\s+)?|(?=[a-z]{3}))([a-z]+)\.?,?\s*(\d{4}|\d{2})", t
    )
    if m:
        month = MONTH_NUMBER.get(m.group(2)[:3])
        return _make(int(m.group(3)), month, int(m.group(1))) if month else None
    m = re.fullmatch(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", t)
    if m:
        month = MONTH_NUMBER.get(m.group(1)[:3])
        return _make(int(m.group(3)), month, int(m.group(2))) if month else None
    return None


def _ordinals_as_digits(t: str) -> str:
    """ "the twenty-first of may 1958" -> "21 of may 1958"."""
    t = re.sub(r"^the\s+", "", t)
    m = re.match(r"(?:(twenty|thirty)[\s-]?)?([a-z]+)\b", t)
    if not m or m.group(2) not in ORDINALS:
        return t
    n = ORDINALS[m.group(2)] + {"twenty": 20, "thirty": 30, None: 0}[m.group(1)]
    return f"{n}{t[m.end() :]}"


def _make(y: int, mo: int, d: int) -> _dt.date | None:
    if y < 100:
        y += 2000 if y <= _dt.date.today().year % 100 else 1900
    try:
        return _dt.date(y, mo, d)
    except ValueError:
        return None


def birth_date_ok(text: str) -> bool:
    """A real date, not in the future, after 1900."""
    d = parse_date(text)
    return d is not None and _dt.date(1900, 1, 1) <= d <= _dt.date.today()


def _labelled_date_ok(text: str) -> bool:
    m = _LABEL_PREFIX.match(text)
    return birth_date_ok(text[m.end() :] if m else text)


def any_date_ok(text: str) -> bool:
    return parse_date(text) is not None


#: a full name just before the date-of-birth label: "Kenneth Ardley, DOB ", "Ann Lee (d.o.b. "
_NAMED_BEFORE = re.compile(
    rf"(?<![\w'’]){CAP}[{LOWER}'’-]{{1,30}}[ ]+{CAP}[{LOWER}'’-]{{1,30}}[ \t]*[,(]?[ \t]*"
    r"(?i:dob|d\.o\.b\.?|date[ ]of[ ]birth|born)[ \t:.-]*$"
)


class DateOfBirthRecognizer:
    """Labelled dates of birth, DOB table columns, and initials followed by a date."""

    name = "date_of_birth"

    def specs(self) -> list[RecognizerSpec]:
        return [
            RecognizerSpec(DOB_ENTITY, PATTERNS_DOB, validate=_labelled_date_ok, case_sensitive=True),
            RecognizerSpec(DATE_ENTITY, PATTERNS_DATE, validate=any_date_ok, case_sensitive=True),
            RecognizerSpec(BIRTH_YEAR_ENTITY, PATTERNS_BIRTH_YEAR, case_sensitive=True),
        ]

    def find(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        out: list[Candidate] = []
        labelled = scan.hits_of(DOB_ENTITY)
        for hit in labelled[:MAX_LABELLED]:
            # the hit spans label and date; the finding (and the mask) is the date alone
            m = _LABEL_PREFIX.match(scan.view.text[hit.start : hit.end])
            start = hit.start + (m.end() if m else 0)
            cand = self._labelled(scan, msg, start, hit.end)
            if cand:
                out.append(cand)
        taken = {(h.start, h.end) for h in labelled}
        for hit in scan.hits_of(DATE_ENTITY):
            if any(s <= hit.start < e for s, e in taken) or not birth_date_ok(
                scan.view.text[hit.start : hit.end]
            ):
                continue
            cand = self._bare(scan, msg, hit.start, hit.end)
            if cand:
                out.append(cand)
        out.extend(_dob_column_cells(scan, msg, {(c.start, c.end) for c in out}))
        if msg.clinical:
            out.extend(
                filter(
                    None, (_birth_year(scan, msg, h.start, h.end) for h in scan.hits_of(BIRTH_YEAR_ENTITY))
                )
            )
        return out

    def _labelled(self, scan: SegmentScan, msg: MessageContext, start: int, end: int) -> Candidate | None:
        view = scan.view
        lo, hi = view.neighbours(start, 1)
        around = view.text[lo:hi]
        # the label itself is not a cue: look at the passage without it
        passage = re.sub(_LABEL, " ", view.text[lo:start], flags=re.IGNORECASE) + " " + view.text[end:hi]
        cue = patient_cue(passage, msg.lexicon) or bool(scan.found_near(start, end, 200))
        if writers_own(view.text, start, msg, cue=cue) or _i_was_born(view, start):
            return None
        score = 0.4
        reasons = ["label"]
        if msg.clinical:
            score += 0.15
            reasons.append("clinical context")
        if cue:
            score += 0.35
            reasons.append("patient cue")
        elif msg.clinical and msg.lexicon.clinical_terms.search(around):
            score += 0.1
        if _NAMED_BEFORE.search(view.text, max(0, start - 60), start):
            score += 0.2  # "Kenneth Ardley, DOB 12.8.1955": a full name and a date of birth identify anyone
            reasons.append("full name")
        return Candidate(TYPE, start, end, clamp(score), tuple(reasons))

    def _bare(self, scan: SegmentScan, msg: MessageContext, start: int, end: int) -> Candidate | None:
        view = scan.view
        table = view.table_at(start)
        if table and _DOB_LABEL_IN_HEADER.search(table.label_at(start)):
            score = 0.6 + (0.3 if msg.clinical else 0.0)
            return Candidate(TYPE, start, end, clamp(score), ("table column",))
        line_start, _ = view.line_at(start)
        before = view.text[max(line_start, start - 16) : start]
        if INITIALS_BEFORE.search(before) and msg.clinical:
            # "J.K., 03/11/1949": initials and a date of birth identify a patient to anyone with the list
            cue = patient_cue(view.text[slice(*view.neighbours(start, 1))], msg.lexicon)
            score = 0.55 + (0.3 if cue else 0.0) + (0.1 if msg.clinical > 1 else 0.0)
            return Candidate(INITIALS_TYPE, start, end, clamp(score), ("initials", "clinical context"))
        return None


def _dob_column_cells(scan: SegmentScan, msg: MessageContext, seen: set[tuple[int, int]]) -> list[Candidate]:
    """Cells under a DOB heading in any date form a person writes ("9 Nov 47", "May 21st, 1958",
    "21 May '58"), which the bare-date pattern leaves to a label."""
    out: list[Candidate] = []
    text = scan.view.text
    for table in scan.view.tables:
        cols = [i for i, label in enumerate(table.header) if _DOB_LABEL_IN_HEADER.search(label)]
        for row in table.rows[:MAX_LABELLED]:
            for i in cols:
                if i >= len(row):
                    continue
                s, e = row[i]
                cell = text[s:e].strip().strip('"')
                if not cell or len(cell) > 24 or any(a < e and s < b for a, b in seen):
                    continue
                if birth_date_ok(cell):
                    score = 0.6 + (0.3 if msg.clinical else 0.0)
                    out.append(Candidate(TYPE, s, e, clamp(score), ("table column",)))
    return out


def _birth_year(scan: SegmentScan, msg: MessageContext, start: int, end: int) -> Candidate | None:
    """A year of birth in a clinical message, beside an age or a patient ("the man in bay 3, aged 84 (b. 1940)");
    not the writer's own, and not a historical figure's (a year no one living was born in)."""
    view = scan.view
    year_start = end - 4
    year = int(view.text[year_start:end])
    if not _dt.date.today().year - OLDEST_AGE <= year <= _dt.date.today().year:
        return None
    lo, hi = view.neighbours(start, 1)
    passage = view.text[lo:start] + " " + view.text[end:hi]
    if not patient_cue(passage, msg.lexicon) or _i_was_born(view, start):
        return None
    if writers_own(view.text, start, msg, cue=True):
        return None
    return Candidate(TYPE, year_start, end, 0.85, ("birth year", "patient cue", "clinical context"))


def _i_was_born(view: SegmentView, start: int) -> bool:
    """ "I was born on ...": the writer's own date of birth."""
    sentence = view.text[view.sentence_at(start)[0] : start]
    return bool(re.search(r"\bI\b[^.]{0,20}\bborn\b", sentence))
