"""Historical framing: a person the passage sets in the past, as history or teaching sets them.

The curated lists (`historical_figures.txt`, `public_figures.txt`) know the
figures a medical school teaches; this module knows the framing, so that a
figure no list holds is told apart too. A passage is historical when it
names a century ("in the 18th century", "nineteenth-century"), a decade
or a year a generation ago ("in 1848", "the 1890s"), an era ("Victorian",
"Edwardian", "medieval", "during the First World War"), or life dates
("(1820-1891)"); or when the person is the subject of what history says of
people: "X discovered that ...", "X first described the ...", "X was the
first to perform ...", "X won the Nobel prize". A first-hand encounter
("we saw X in clinic this morning") and words that put the passage in the
present ("today", "on the ward") outweigh all of it; the callers check the
first, `historical_frame` the second.

Every pattern is a fixed sequence of bounded runs.
"""

from __future__ import annotations

import datetime as _dt
import re

from gateway.detect.patient.context import RECENT, YEAR

#: a century, a decade, an era, a war, life dates
_PAST = re.compile(
    r"\b(?:1[0-9]th|2[01]st|(?:fif|six|seven|eigh|nine)teenth|twentieth|medieval|mediaeval)[ -]century\b"
    r"|\bcentur(?:y|ies)[ ]ago\b"
    r"|\b(?:in[ ]the[ ])?1[5-9]\d0s\b"
    r"|\b(?:victorian|edwardian|georgian|elizabethan|tudor|medieval|mediaeval|regency|wartime|pre-nhs|"
    r"ancient[ ](?:greece|greek|rome|roman|egypt|egyptian))\b"
    r"|\b(?:first|second|1st|2nd)[ ]world[ ]war\b|\bww[12]\b|\bworld[ ]war[ ](?:one|two|i{1,2}|[12])\b"
    r"|\(\s*(?:c\.\s*)?1[0-9]\d\d\s*[-–]\s*1[0-9]\d\d\s*\)",
    re.IGNORECASE,
)
#: a year that is someone's birth, not the passage's time: "born 1950", "DOB 3/4/1951"
_BIRTH_BEFORE = re.compile(r"\b(?:born|dob|d\.o\.b\.?|date[ ]of[ ]birth|b\.)[^.!?\n]{0,14}$", re.IGNORECASE)
#: a year inside a written date ("09/08/1960"): a date of birth or of a visit, not an era
_DATE_BEFORE = re.compile(r"\d[/.-]$")
#: what history says of a person, straight after their name: "discovered that", "first described the"
_ACHIEVED = re.compile(
    r"^['’]?s?[ ,]+(?:(?!(?:has|have|had|just|recently|finally|only|then)[ ])\w+[ ]+){0,2}?(?:(?:first[ ]+)?(?:discovered|described|pioneered|invented|isolated|coined|"
    r"founded|proved|proposed|published|postulated|theorised|theorized|identified)[ ]+(?:that|how|what|why"
    r"|(?:the|a|an|his|her)[ ]+(?:[\w-]+[ ]+)?(?:cure|cause|vaccine|bacteri\w*|virus|gene|structure|role|link|"
    r"method|technique|syndrome|disease|condition|sign|operation|procedure|circulation|theory|rash|reflex|"
    r"treatment|drug|antibiotic|germ|principle|law|classification|test|stain|organism|first))\b"
    r"|first[ ]+(?:described|identified|reported|performed|isolated|used|discovered)\b"
    r"|(?:was|became)[ ]+the[ ]+first[ ]+(?:\w+[ ]+){0,2}?to[ ]+(?:describe|perform|survive|receive|use|"
    r"discover|identify|isolate|show|prove|successfully|undergo|be[ ]+(?:given|treated|cured|diagnosed))\b"
    r"|won[ ]+(?:the|a)[ ]+nobel)",
    re.IGNORECASE,
)


#: where a clause ends: a line break, a semicolon or colon, a conjunction that starts another thought
_CLAUSE_BREAK = re.compile(
    r"\n|[;:]|\b(?:because|but|so|although|though|while|whereas|since)\b", re.IGNORECASE
)
#: characters read before and after a name for its clause
_CLAUSE_BEFORE = 100
_CLAUSE_AFTER = 120


def clause_around(text: str, start: int, end: int, lo: int, hi: int) -> str:
    """The clause of the name at [start, end), inside the sentence [lo, hi): "my essay on the Victorians is
    late because Karen's biopsy ..." gives "Karen's biopsy ...", so one clause's past does not reach the next."""
    a, b = max(lo, start - _CLAUSE_BEFORE), min(hi, end + _CLAUSE_AFTER)
    breaks = list(_CLAUSE_BREAK.finditer(text, a, start))
    if breaks:
        a = breaks[-1].end()
    after = _CLAUSE_BREAK.search(text, end, b)
    if after:
        b = after.start()
    return text[a:b]


def past_frame(text: str, today: _dt.date) -> bool:
    """`text` sets its people in the past: a century, an era, a war, life dates, or a year a generation
    ago; and nothing puts it in the present."""
    if RECENT.search(text):
        return False
    if _PAST.search(text):
        return True
    return any(
        int(m.group(1)) <= today.year - 30
        and not _BIRTH_BEFORE.search(text, max(0, m.start() - 24), m.start())
        and not _DATE_BEFORE.search(text, max(0, m.start() - 6), m.start())
        for m in YEAR.finditer(text)
    )


def achievement_after(text: str, end: int) -> bool:
    """What follows a name at `end` is what history says of a person ("discovered that", "was the first
    to perform")."""
    return _ACHIEVED.match(text[end : end + 90]) is not None
