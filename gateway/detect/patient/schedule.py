"""Schedules: rotas, timetables, allocation lists, team sheets, seating plans and bleep lists.

A ward list and a rota look alike: rows of names. What tells them apart is
what stands beside each name. In a schedule it is a slot: a time ("08:00",
"9am"), a day ("Tue", "Weds"), a shift ("nights", "long day", "on call"), a
group or a table ("Group B", "table 2"), a bleep or an
extension ("bleep 4411"). A patient list has a bed, an age, a date of birth
or a condition instead. So a name is in a schedule when its row has a slot
and the rows around it do too (two or more rows), or when its one line holds
two or more short items that each have their slot ("Mon Sarah Jones, Tue
Tom Price"), or follows a schedule's name ("Bleep list: ..."). The name is then staff or a student, unless the row itself says
something about that person's health (`patient_row`): a bed, an age, a date
of birth, or a condition that is not the name of a service ("diabetes
clinic", "stroke unit", "oncology list" are where someone works).

Every pattern here is a fixed sequence of bounded runs, and each check reads
at most a few lines around the name, so the cost grows linearly.
"""

from __future__ import annotations

import itertools
import re

from gateway.detect.letters import CAP, LOW
from gateway.detect.patient.context import AGE, BED
from gateway.detect.patient.lexicon import HealthFact, Lexicon

#: a slot in a schedule: a time, a day, a shift, a group, a table, a room, a bleep
SLOT = re.compile(
    r"\b(?:\d{1,2}[:.]\d{2}(?:[ ]?[-–][ ]?\d{1,2}[:.]\d{2})?|\d{1,2}[ ]?(?:am|pm)"
    r"|(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?s?"
    r"|nights?|night[ ]shift|day[ ]shift|long[ ]days?|twilight|on[ -]?call|early[ ]shift|late[ ]shift"
    r"|(?:group|table|team|firm|bleep|ext|extn|rotation|week|slot)[ .]{0,2}(?-i:[A-Z0-9])[\w.]{0,5})\b",
    re.IGNORECASE,
)
#: what heads a schedule written on one line: "Bleep list: Hamish 4411 (med reg), Fiona 4412 (SHO)"
_HEAD = re.compile(
    r"\b(?:bleep[ ]?list|bleeps|seating[ ]plan|team[ ]sheet|rota|timetable|allocations?|duty[ ]list|"
    r"on[ -]?call[ ]list|who['’]s[ ]on)\b",
    re.IGNORECASE,
)
#: items of a one-line schedule: "Mon Sarah Jones, Tue Tom Price", "table 1 ...; table 2 ..."
_ITEM_SEP = re.compile(r"[,;|]|[ ][-–][ ]")
_LIST_SEP = re.compile(r"[,;|]")
#: a health word that names a service, not a condition: "diabetes clinic", "stroke unit", "oncology list"
_SERVICE_AFTER = re.compile(
    r"[ ]?(?:\)[ ]?)?(?:clinics?|units?|wards?|teams?|leads?|services?|lists?|theatres?|mdt|teaching|sessions?|"
    r"lectures?|firm|centre|center|department|nurses?|consultants?|reg|registrar|sho|block|rotation|on[ -]call)\b",
    re.IGNORECASE,
)
#: words in an item of a one-line schedule at most ("Tue 20:00 Tom Price (nights, ED)"), and a sentence break
#: inside the line, which makes it prose
_ITEM_WORDS = 9
#: words in a row of a schedule at most
_ROW_WORDS = 16
_PROSE = re.compile(rf"{LOW}[.!?][ ]+{CAP}")
#: a finite verb makes a line a sentence, not a list of slots
_VERB = re.compile(r"\b(?:is|was|has|had|have|are|were|saw|said|told|got|been|came|went)\b", re.IGNORECASE)
#: rows looked at on each side of the name's line
_REACH = 3
#: characters read of a line
_LINE_MAX = 400


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", max(0, pos - _LINE_MAX), pos) + 1
    if start == 0 and pos > _LINE_MAX:
        start = pos - _LINE_MAX
    end = text.find("\n", pos, pos + _LINE_MAX)
    return start, end if end >= 0 else min(len(text), pos + _LINE_MAX)


def _neighbours(text: str, s: int, e: int) -> list[str]:
    """Up to _REACH lines before and after [s, e), nearest first, each side stopping at a blank line."""
    out: list[str] = []
    at = s
    for _ in range(_REACH):
        if at <= 0:
            break
        ps, pe = _line_bounds(text, at - 1)
        if not text[ps:pe].strip():
            break
        out.append(text[ps:pe])
        at = ps
    at = e
    for _ in range(_REACH):
        if at >= len(text):
            break
        ns, ne = _line_bounds(text, at + 1)
        if not text[ns:ne].strip():
            break
        out.append(text[ns:ne])
        at = ne
    return out


def _has_slot(line: str) -> bool:
    return SLOT.search(line) is not None


def _row(line: str) -> bool:
    """A line shaped like a schedule's row: a slot, a few words, no sentence in it."""
    return (
        _has_slot(line)
        and len(line.split()) <= _ROW_WORDS
        and not _PROSE.search(line)
        and not _VERB.search(line[line.rfind(":") + 1 :])
    )


def in_schedule_layout(text: str, pos: int) -> bool:
    """The line at `pos` is a row of a schedule: it has a slot, and so has a row next to it in its block;
    or the line alone holds two or more items with their own slots."""
    s, e = _line_bounds(text, pos)
    line = text[s:e]
    items = [part for part in _ITEM_SEP.split(line) if part.strip()]
    listed = all(len(part.split()) <= _ITEM_WORDS for part in items) and not _PROSE.search(line)
    if listed and len(items) >= 3 and _HEAD.search(items[0]):
        return True
    if not _has_slot(line):
        return False
    body = line[line.rfind(":") + 1 :]  # after a heading ("Who's on for the take: ...")
    if listed and not _VERB.search(body) and sum(1 for part in items if _has_slot(part)) >= 2:
        return True
    before = text[max(0, s - 1) : s]
    after = text[e : e + 1]
    if (before != "\n" and after != "\n") or not _row(line):
        return False  # a line of prose: no rows around it
    return any(_row(row) for row in _neighbours(text, s, e))


def patient_row(text: str, pos: int, facts: list[HealthFact]) -> bool:
    """The row at `pos` says something about a person's health: a bed, an age, a date of birth, or a
    condition, test, result, treatment or death that is not the name of a service (a place of care is where
    staff on a rota work, so it does not count)."""
    s, e = _line_bounds(text, pos)
    cuts = [s, *(m.end() for m in _LIST_SEP.finditer(text, s, e)), e]
    parts = [text[a:b] for a, b in itertools.pairwise(cuts)]
    if len(parts) >= 2 and (sum(map(_has_slot, parts)) >= 2 or _HEAD.search(parts[0])):
        for a, b in itertools.pairwise(cuts):
            if a <= pos < b:
                s, e = a, b  # one item of a one-line schedule is its row
                break
    line = text[s:e]
    if BED.search(line) or AGE.search(line) or re.search(r"\b(?:dob|d\.o\.b|born)\b", line, re.IGNORECASE):
        return True
    return any(
        s <= f.start < e
        and not f.weak
        and f.kind not in ("clinic", "admission")  # "(stroke unit)", "AMU", "on the ward": where staff work
        and not _SERVICE_AFTER.match(text, f.end)
        for f in facts
    )


def teaching_schedule(text: str, pos: int, lex: Lexicon) -> bool:
    """The schedule at `pos` is teaching: its heading (the line above its first row) or its rows name
    teaching ("Teaching timetable", "lecture"), so a condition in a row is a topic, not a diagnosis."""
    s, e = _line_bounds(text, pos)
    at = s
    for _ in range(12):
        if at <= 0:
            break
        ps, pe = _line_bounds(text, at - 1)
        row = text[ps:pe]
        if not row.strip():
            break
        if not _has_slot(row) or lex.teaching_cues.search(row):
            return lex.teaching_cues.search(row)
        at = ps
    return lex.teaching_cues.search(text[s:e])
