"""What a university's marking on a document looks like: copyright lines, restrictive labels, minutes.

The patterns and small helpers the document detector (documents.py) uses to
recognise the university's own markings: who the university is from its
configured names and its domains, a document's heading lines and owner
properties, a copyright line naming a university. Pure text; no findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# property names that say who made or owns a document (lower-case, as the extractors give them)
OWNER_PROPERTIES = (
    "company",
    "organisation",
    "organization",
    "publisher",
    "manager",
    "title",
    "subject",
    "creator",
    "author",
    "rights",
    "copyright",
)
# bodies that meet in minutes: "Minutes of the Curriculum Committee", "Board of Studies: minutes"
BODIES = r"(?:committee|board|council|senate|panel|forum|executive|court|assembly)"
MINUTES = re.compile(
    rf"\bminutes\s+of\s+(?:the\s+)?(?:[\w&'’().,-]+\s+){{0,10}}?{BODIES}\b"
    rf"|\b{BODIES}\b[^\n]{{0,80}}?\bminutes\b"
    rf"|\bminutes\b[^\n]{{0,20}}\b{BODIES}\b",
    re.IGNORECASE,
)
# a student society or union is not the university, even when it meets in committee
NOT_UNIVERSITY_BODY = re.compile(r"\b(?:society|soc|medsoc|club|union|association)\b", re.IGNORECASE)
# the owner let everyone copy it: a public or openly licensed document is not a leak
OPEN_LICENCE = re.compile(
    r"creative\s+commons|\bcc[\s-]by\b|open\s+access|open\s+government\s+licen[cs]e"
    r"|may\s+be\s+(?:freely\s+)?(?:copied|reproduced|distributed|shared)"
    r"|(?:freely|publicly)\s+available|permission\s+is\s+(?:hereby\s+)?granted",
    re.IGNORECASE,
)
# "CONFIDENTIAL" written as a label (upper case), not the word in a sentence about confidentiality
CONFIDENTIAL_LABEL = re.compile(r"(?<![A-Za-z])(?:STRICTLY\s+)?CONFIDENTIAL(?![A-Za-z])")
HEAD_LINES = 8  # a document's title and heading are in its first lines
COPY_SIGN = r"(?:\(c\)|©|copyright(?:\s*(?:\(c\)|©))?)"
YEARS = r"(?:\d{4}(?:\s*[-–/]\s*\d{2,4})?\s*,?\s*)?"
# a name followed (within two words) by one of these is another body: "Example University
# Hospitals NHS Trust", "University of Example Students' Union", "Example University Medical
# Society", "Example University Press", "Example University Health Board"
OTHER_BODY_AFTER = (
    r"(?i:(?:['’]s?)?(?:\s+[\w'’-]+){0,2}?\s+(?:hospitals?|nhs|trust|health\s+board|union"
    r"|society|soc|medsoc|club|association|press|publishing)(?!\w))"
)
# the last labels of a domain that are registry, not name: "ac.uk", "edu", "co.uk"
SECOND_LEVEL = frozenset({"ac", "edu", "co", "org", "gov", "nhs", "sch", "com", "net"})
# hyphenated parts of a domain's name label that say "a university", not which one ("uni-example")
GENERIC_LABEL_PARTS = frozenset(
    {"uni", "univ", "university", "ac", "med", "medical", "medicine", "school", "college", "www", "mail"}
)
# what makes a derived name the university's (the bare domain word is too common on its own)
INSTITUTION_AFTER = (
    r"(?:university|uni|medical\s+school|dental\s+school|school\s+of\s+medicine"
    r"|medical\s+college|college)"
)
# *a* university: capitalised name words and an institution word ("Northfield University",
# "University of Northfield", "Northfield Medical School"), never another body after it
CAP = r"[A-Z][\w'’.&-]*"
INSTITUTION_WORD = (
    r"(?i:universit(?:y|ät|é)|medical\s+school|dental\s+school|school\s+of\s+(?:medicine|dentistry)"
    r"|college\s+of\s+medicine|faculty\s+of\s+medicine)"
)
A_UNIVERSITY = (
    rf"(?:(?:{CAP}\s+){{1,4}}{INSTITUTION_WORD}|(?i:university\s+of)\s+(?:the\s+)?{CAP})"
    rf"(?!\w)(?!{OTHER_BODY_AFTER})"
)
A_UNIVERSITY_NAMED = re.compile(rf"(?<!\w){A_UNIVERSITY}")
A_UNIVERSITY_COPYRIGHT = re.compile(rf"(?i:{COPY_SIGN})\s*{YEARS}(?:(?i:the)\s+)?{A_UNIVERSITY}")
TITLE_CHARS = 160  # a heading is a short line; "minutes" deep in a sentence is not one


def head_lines(text: str, metadata: dict[str, Any]) -> list[str]:
    """A document's first lines and its title and subject properties: where its heading is."""
    heads = [line.strip() for line in text.splitlines() if line.strip()][:HEAD_LINES]
    return heads + [str(metadata.get(k, "") or "") for k in ("title", "subject")]


def domain_stem(domain: str) -> str:
    """The name a mail domain gives its organisation: "uni-example.ac.uk" -> "example" ("" if none).

    The registry part ("ac.uk", "edu", "com") and subdomains ("students.", "lists.") are cut,
    and the hyphenated words that only say "a university" ("uni-", "-med") are dropped.
    """
    labels = [label for label in domain.strip().strip(".").lstrip("@").lower().split(".") if label]
    if len(labels) < 2:
        return ""
    labels = labels[:-1]
    if len(labels) >= 2 and labels[-1] in SECOND_LEVEL:
        labels = labels[:-1]
    parts = [p for p in re.split(r"[-_]+", labels[-1]) if p and p not in GENERIC_LABEL_PARTS]
    stem = " ".join(parts)
    return stem if len(stem.replace(" ", "")) >= 3 else ""


def derived_names(stem: str) -> str:
    """The names a domain's word implies, as a pattern: University of X, X University, X Medical School...

    Letters may be split by spaces, dots, apostrophes or hyphens, so "standrews" finds
    "St Andrews" and "kings" finds "King's College".
    """
    word = r"[\s.'’-]*".join(re.escape(c) for c in stem.replace(" ", ""))
    return (
        rf"university\s+of\s+(?:the\s+)?{word}"
        rf"|(?:the\s+)?{word}[\s_-]+{INSTITUTION_AFTER}"
    )


def label_pattern(phrase: str) -> re.Pattern[str]:
    """An audience marking as a label: "STAFF ONLY." or a heading, not "the staff only car park".

    A phrase that is a sentence ("not to be shared with students") counts anywhere.
    """
    words = re.findall(r"[^\W_]+", phrase.lower())
    tail = "" if words[:1] in (["not"], ["do"]) else r"(?=[^\S\n]*(?:$|[^\w\s]))"
    return re.compile(rf"(?<!\w){flexible(phrase)}(?!\w){tail}", re.IGNORECASE | re.MULTILINE)


def outermost(phrases: list[str]) -> list[str]:
    """Drop phrases contained in a longer one found too ("internal use only" in "for internal use only")."""
    low = [p.lower() for p in phrases]
    return [p for p, lp in zip(phrases, low, strict=True) if not any(lp != o and lp in o for o in low)]


def property_values(metadata: dict[str, Any]) -> Iterable[str]:
    for key in OWNER_PROPERTIES:
        value = metadata.get(key)
        if isinstance(value, str) and value:
            yield value


def flexible(phrase: str) -> str:
    """A phrase as a pattern that ignores case, runs of spaces and the kind of dash or punctuation."""
    words = re.findall(r"[^\W_]+", phrase)
    return r"[\s\W_]*".join(re.escape(w) for w in words) if words else r"(?!)"


# lower() turns every character a case-blind ASCII letter matches into that letter, except these
# ("İ" becomes "i" and a combining dot; "ı" and "ſ" stay as they are)
_FOLD = str.maketrans({"\u0131": "i", "\u017f": "s", "\u0307": None})


def folded(text: str) -> str:
    """`text` in lower case, such that every word a `flexible` pattern matches in it is a substring.

    The cheap test before the pattern (`may_contain`): most texts carry no marking at all.
    """
    low = text.lower()
    return low if low.isascii() else low.translate(_FOLD)


def phrase_words(phrase: str) -> tuple[str, ...] | None:
    """The lower-case words `flexible(phrase)` matches in order; None when one is not ASCII (no cheap test)."""
    words = tuple(w.lower() for w in re.findall(r"[^\W_]+", phrase))
    return words if all(w.isascii() for w in words) else None


def may_contain(words: tuple[str, ...] | None, low: str) -> bool:
    """False only when `flexible`'s pattern for these words cannot match the text `low` was `folded` from."""
    return words is None or all(w in low for w in words)


def quote(text: str) -> str:
    return "'" + text.replace("'", "’")[:120] + "'"
