"""Who a named person is at work, and when what is said is their own health.

The context stage drops staff (`person_health`), but staff can be patients
too. This module answers the questions in between: does the sentence make
the person staff ("X is the new clinical lead", "she runs the clinic"), is
the word before the name a staff word ("the doctor Ansell"), is a place of
care named as where someone works ("the registrar on our ward", "that
porter from A&E"), and is what follows the name the person's own health,
whatever their job ("Dr X has cancer", "is off sick, chemo started
Monday", "collapsed during the lecture") rather than what they do at work
("has diagnosed her", "is having a clinic").
"""

from __future__ import annotations

import re

from gateway.detect.patient.lexicon import HealthFact, Lexicon
from gateway.detect.patient.mentions import Mention

#: what follows a name when the person's own health is told: "has cancer", "is having a", "was diagnosed with"
_OWN_HEALTH_AFTER = re.compile(
    r"[ ]+(?:on[ ]+the[ ]+[\w-]+(?:[ ][\w-]+)?[ ]+team[ ]+)?(?:(?P<off>(?:is|was|['’]s|has[ ]+been)[ ]+off\b)"
    r"|(?:has|had|['’]s[ ]+got|has[ ]+got|is[ ]+having|was[ ]+having|has[ ]+been[ ]+having|(?:was|has[ ]+been)[ ]+"
    r"diagnosed[ ]+with|(?:is|was)[ ]+on|started)[ ]+(?:(?:an?|her|his|their|the)[ ]+)?"
    r"|(?P<fell>(?=collapsed|died|passed[ ]+away)))",
    re.IGNORECASE,
)
#: a possessive before a fact: "(Prof X)'s MRI", "(Dr X)'s latest bloods"
_OWN_POSSESSIVE = re.compile(r"(['’]s?)?[ ]+(?:(?:new|latest|recent|last|first|own)[ ]+)?")
#: what a doctor's fact names when it is their work: "Dr Patel's biopsy list", "Dr Lee's MRI teaching"
_WORK_AFTER = re.compile(
    r"[ ]+(?:lists?|clinics?|sessions?|teaching|rounds?|slots?|theatre|training|lectures?|tutorials?|audit|"
    r"service|course|meeting|research|study|paper|project)\b",
    re.IGNORECASE,
)
#: the kinds of fact that are a person's own health when told of staff (not "clinic", "admission": work places)
_OWN_KINDS = frozenset({"diagnosis", "treatment", "death", "result"})
#: a fact done to someone else: "diagnosed her", "treated him"
_DONE_TO = re.compile(r"[ ]+(?:her|him|them|the[ ]+patient|patients|a[ ]+patient)\b", re.IGNORECASE)
#: the words between a staff role and the place it works: "the nurse on", "porter from the"
_WORK_PREPOSITION = re.compile(r"[ ](?:on|from|at|in|of)[ ](?:the[ ]|our[ ]|my[ ]|this[ ])?$", re.IGNORECASE)
#: the sentence makes someone staff: "X is the new clinical lead", "she's a consultant in", "he runs the unit"
_IS_A_ROLE = re.compile(
    r"(?:\b(?:is|was|as|became|becomes)|['’]s)[ ]+(?:a|an|the|our|my|their|his|her)[ ]+(?:[\w-]{1,30}[ ]+){0,3}$",
    re.IGNORECASE,
)
_STAFF_DOING = re.compile(
    r"\b(?:he|she|they|who)[ ]+(?:teaches|taught|supervises|chairs|convenes|organises|organizes|coordinates"
    r"|(?:runs|ran|leads|led|manages|managed|heads|headed)[ ]+(?:the[ ]+|our[ ]+|a[ ]+)?(?:[\w-]+[ ]+)?"
    r"(?:clinic|ward|unit|service|team|department|firm|list|session|teaching|course|module|lab|practice|"
    r"programme|block|rotation|mdt|audit|project|tutorials?|seminars?|lectures?))\b",
    re.IGNORECASE,
)


def workplace(text: str, f: HealthFact, lex: Lexicon) -> bool:
    """A place of care named as where staff work: "the consultant on our ward", "that porter from A&E"."""
    if f.kind not in ("admission", "clinic"):
        return False
    words = _WORK_PREPOSITION.sub("", text[max(0, f.start - 40) : f.start]).split()[-2:]
    return bool(words) and lex.staff_roles.search(" ".join(words))


def made_staff(text: str, m: Mention, lex: Lexicon) -> bool:
    """What follows the person gives them a staff role or a staff activity ("X is the new clinical
    lead", "X ..., she's a consultant in", "X ..., he runs the unit")."""
    after = text[m.end : m.end + 120]
    cut = re.search(r"[.!?;\n]|\b(?:but|because|although|while)\b", after)
    after = after[: cut.start()] if cut else after
    if _STAFF_DOING.search(after):
        return True
    return any(_IS_A_ROLE.search(after[max(0, s - 60) : s]) for s, _e, _role in lex.staff_roles.find(after))


def own_health(text: str, end: int, facts: list[HealthFact]) -> bool:
    """What follows the name is the person's own health, whatever their job: "(Dr X) has cancer", "is having
    a hysterectomy", "collapsed during the lecture", "is off sick ..., chemo started Monday", "(Prof X)'s MRI
    showed"; not what they do as staff ("has diagnosed her", "is having a clinic")."""
    own = _OWN_POSSESSIVE.match(text, end, end + 30)
    if (
        own is not None
        and (own.group(1) or text[max(0, end - 2) : end] in ("'s", "’s"))
        and any(
            f.start == own.end() and f.kind in _OWN_KINDS | {"test"} and not _WORK_AFTER.match(text, f.end)
            for f in facts
        )
    ):
        return True
    m = _OWN_HEALTH_AFTER.match(text, end, end + 60)
    if m is None:
        return False
    if m.group("off"):
        stop = re.search(r"[.!?\n]", text[m.end() : m.end() + 120])
        limit = m.end() + (stop.start() if stop else 120)
        return any(
            m.end() <= f.start < limit
            and not f.weak
            and f.kind in _OWN_KINDS
            and not _DONE_TO.match(text, f.end)
            for f in facts
        )
    return any(
        m.start() < f.start <= m.end()
        and f.kind in _OWN_KINDS
        and not _DONE_TO.match(text, f.end)
        and (not f.weak or m.group("fell") is not None)
        for f in facts
    )


def role_word_before(text: str, pos: int, lex: Lexicon) -> bool:
    """The word just before `pos` is a staff title or role, in any case ("the doctor Ansell")."""
    words = text[max(0, pos - 24) : pos].split()
    if not words:
        return False
    last = words[-1].lower().strip(".,")
    return last in lex.staff_titles or last in lex.staff_roles
