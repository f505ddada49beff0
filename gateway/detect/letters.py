"""Letters of the Latin scripts, as character classes for the name patterns of every detector.

Names in students' mail are not all ASCII: "Siân", "Zoë", "Łukasz Wójcik",
"Nguyễn Thị Hoa", "Renée", "Ó Briain". Python's `re` has no `\\p{Lu}`, and
`[A-Z][a-z]` cuts such a name in two or misses it. The classes here are built
once, at import, from `unicodedata` over Basic Latin, Latin-1, Latin
Extended-A and -B and Latin Extended Additional (Vietnamese), and written as
compact ranges, so a pattern that uses them compiles to one set lookup per
character: no slower than `[A-Z]`.

`UPPER` and `LOWER` are the contents of a class, without brackets, so that
they can be combined with other characters (`f"[{LOWER}'’-]"`); `CAP` and
`LOW` are the classes themselves. Patterns receive text in NFC (composed:
"é" is one character), which `gateway.model.message.Segment` guarantees.

Presidio matches with the third-party `regex` module, which reads a long
class of single letters one by one (about twenty times slower than `[A-Z]`
on a clinical email) but has Unicode properties; `for_regex_module`
rewrites a pattern's classes as `\\p{Lu}` / `\\p{Ll}` for it (any script's
capitals and small letters: a superset, as fast as `[A-Z]`).
"""

from __future__ import annotations

import re
import unicodedata

#: the blocks of Latin letters a name may be written in
_BLOCKS = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF))


def _class_contents(categories: frozenset[str]) -> str:
    """Every letter of the Latin blocks in `categories`, as character-class ranges ("A-ZÀ-ÖØ-Þ...")."""
    points = [
        cp
        for first, last in _BLOCKS
        for cp in range(first, last + 1)
        if unicodedata.category(chr(cp)) in categories
    ]
    parts: list[str] = []
    i = 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        lo, hi = re.escape(chr(points[i])), re.escape(chr(points[j]))
        parts.append(lo if i == j else f"{lo}{hi}" if j == i + 1 else f"{lo}-{hi}")
        i = j + 1
    return "".join(parts)


#: capital letters (and the title-case digraphs such as "ǅ") of the Latin scripts: "A-Z", "É", "Ł", "Ó"
UPPER = _class_contents(frozenset({"Lu", "Lt"}))
#: small letters of the Latin scripts: "a-z", "é", "ł", "ễ", "ß"
LOWER = _class_contents(frozenset({"Ll"}))
#: one capital letter
CAP = f"[{UPPER}]"
#: one small letter
LOW = f"[{LOWER}]"
#: one letter, either case
LETTER = f"[{UPPER}{LOWER}]"


def for_regex_module(pattern: str) -> str:
    """`pattern` for the `regex` module: the letter classes as Unicode properties (see the module's notes)."""
    return pattern.replace(UPPER, r"\p{Lu}\p{Lt}").replace(LOWER, r"\p{Ll}")
