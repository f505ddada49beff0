"""The patient detector stays linear on hostile input: its new patterns nest no unbounded repetition, and
a megabyte of adversarial text is scanned to the end (the time it takes is measured in benchmarks/detect)."""

from __future__ import annotations

import re
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import pytest

from gateway.detect.patient import (
    date_of_birth,
    described,
    framing,
    hospital_number,
    indirect,
    mentions,
    nhs_number,
    person_health,
    person_roles,
    schedule,
    ties,
)
from tests.unit.detect import patientfixtures as pf

_UNBOUNDED = sre_parse.MAXREPEAT
_REPEATS = (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT)


def _nested_unbounded(items: Any, inside_unbounded: bool = False) -> bool:
    """True when an unbounded repetition sits inside another unbounded repetition."""
    for op, arg in items:
        if op in _REPEATS:
            _low, high, sub = arg
            unbounded = high == _UNBOUNDED
            if (unbounded and inside_unbounded) or _nested_unbounded(sub, inside_unbounded or unbounded):
                return True
            continue
        if op == sre_parse.SUBPATTERN:
            subs = [arg[-1]]
        elif op == sre_parse.BRANCH:
            subs = list(arg[1])
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            subs = [arg[1]]
        else:
            subs = []
        if any(_nested_unbounded(sub, inside_unbounded) for sub in subs):
            return True
    return False


NEW_PATTERNS = {
    "mention: capitalised words": mentions._CAPITALISED.pattern,
    "mention: titled": mentions._TITLED.pattern,
    "mention: lower case": mentions._LOWER.pattern,
    "mention: initials": mentions._INITIALS.pattern,
    "mention: name list": person_health._NAME_LIST.pattern,
    "context: tie after": ties._TIE_AFTER.pattern,
    "context: tie before": ties._TIE_BEFORE.pattern,
    "context: bed before": ties._BED_BEFORE.pattern,
    "context: result for": ties._FOR_BEFORE.pattern,
    "context: patient status": ties.PATIENT_STATUS.pattern,
    "context: organisation after": ties.ORGANISATION_AFTER.pattern,
    "context: the writer's own fact": person_health._OWN_FACT.pattern,
    "context: list details": ties._DETAILS.pattern,
    "mention: titled, lower case": mentions._TITLED_LOWER.pattern,
    "mention: a friend's name": mentions._KNOWN_AS.pattern,
    "mention: a name in apposition": mentions._APPOSED.pattern,
    "mention: doctor": mentions._DOCTOR.pattern,
    "indirect: relation": indirect.RELATION.pattern,
    "indirect: named group": indirect.NAMED_GROUP.pattern,
    "indirect: one of a kind": indirect.UNIQUE.pattern,
    "indirect: role before": indirect._ROLE_BEFORE.pattern,
    "indirect: own role": indirect._OWN_ROLE.pattern,
    "indirect: media": indirect.MEDIA.pattern,
    "indirect: media, in public": indirect.MEDIA_PUBLIC.pattern,
    "described: definite": described._DEFINITE.pattern,
    "described: possessor": described._POSSESSOR.pattern,
    "described: the writer": described._SELF.pattern,
    "described: only": described._ONLY.pattern,
    "described: nationality": described._NATIONALITY.pattern,
    "described: care place": described._CARE_PLACE.pattern,
    "described: feature": described._FEATURE.pattern,
    "described: where seen": described._WHERE.pattern,
    "described: hypothetical": described._HYPOTHETICAL.pattern,
    "described: own fact": described._OWN_FACT.pattern,
    "described: reporting": described._REPORTING.pattern,
    "described: pronoun opens": described._PRONOUN_OPENS.pattern,
    "described: sympathy": described._SYMPATHY.pattern,
    "described: staff predicate": described._STAFF_PREDICATE.pattern,
    "indirect: affiliation after": indirect._AFFILIATION_AFTER.pattern,
    "context: made staff": person_roles._IS_A_ROLE.pattern,
    "context: staff doing": person_roles._STAFF_DOING.pattern,
    "context: own health after a name": person_roles._OWN_HEALTH_AFTER.pattern,
    "context: teaching as a group or absence": person_health._GROUP_OF.pattern,
    "mention: a name no list knows": mentions._LONE.pattern,
    "ties: after the name": ties._TIE_AFTER.pattern,
    "ties: list details": ties._DETAILS.pattern,
    "ties: objects after a fact": ties.OBJECT_AFTER.pattern,
    "framing: the past": framing._PAST.pattern,
    "framing: an achievement": framing._ACHIEVED.pattern,
    "schedule: a slot": schedule.SLOT.pattern,
    "schedule: a service after a fact": schedule._SERVICE_AFTER.pattern,
    "context: reference line": person_health._REFERENCE.pattern,
    "NHS number groups": nhs_number.PATTERNS[0].regex,
    "hospital number, grouped": hospital_number.GROUPED,
    "date of birth, labelled": date_of_birth.PATTERNS_DOB[0].regex,
}


@pytest.mark.parametrize("pattern", list(NEW_PATTERNS.values()), ids=list(NEW_PATTERNS))
def test_no_nested_unbounded_repetition(pattern: str) -> None:
    """The candidate-stage and identifier patterns cannot backtrack catastrophically."""
    assert not _nested_unbounded(sre_parse.parse(pattern))


def test_the_checker_sees_nesting() -> None:
    """The nesting check itself flags the classic catastrophic shapes."""
    assert _nested_unbounded(sre_parse.parse(r"(a+)+b"))
    assert _nested_unbounded(sre_parse.parse(r"(?:\w+\s?)*$"))
    assert not _nested_unbounded(sre_parse.parse(r"(?:\w{1,30}\s){0,3}x"))


def hostile_text() -> str:
    """About a megabyte of text built to hurt regular expressions and candidate stages."""
    parts = [
        "a" * 260_000,  # a run without spaces
        "4" * 200_000,  # a run of digits
        "." * 210_000,  # a run of dots
        "Karen Mbatha Tom Ridley Gareth " * 3_000,  # names and nothing else
        "karen tom gareth priya " * 2_000,  # lower-case given names
        "LS1 3EX " * 2_000,  # repeated postcodes
        "dob 9 Nov 47 born on the twenty-first of May 1958 " * 500,
        "WGH-552-0193 NRI 552 0193 4F3A21C0B9 " * 800,
        "J.K. A.B. Mr A Mrs B " * 1_000,
        "Mon 08:00 Tue 09:00 Group A bleep 4411, " * 1_000,  # schedule slots with nothing else
        "Zdenka (the one who (does the) quiz, who ran, " * 1_000,  # asides and unknown names
        "in the 18th century (1801-1867) Victorian discovered that " * 500,  # historical framing
        "Karen Mbatha's biopsy came back abnormal and she was admitted. ",
    ]
    return "\n".join(parts)


def test_a_megabyte_of_hostile_text(detector) -> None:
    """A megabyte of adversarial text is scanned to its end: the patient in its last line is found."""
    text = hostile_text()
    assert len(text) > 900_000
    found = pf.found(detector, pf.inspection(text), "PATIENT_NAME")
    assert found
    assert re.search(r"\[PATIENT_NAME\]", " ".join(f.evidence for f in found))


def test_hostile_descriptions(detector) -> None:
    """Half a megabyte of descriptions and health facts with no stop is scanned to its end: the last one is found."""
    text = "the man in bay 4 with the stoma the lady from the chip shop my flatmate's dad's cancer " * 5_000
    text += "\n\nthe bloke from the kebab shop on Dock Street was admitted with a stab wound"
    (found,) = pf.found(detector, pf.inspection(text), "INDIRECT_IDENTIFICATION")
    last = text.rindex("bloke")
    assert any(start == last for start, _end in found.details["spans"])
