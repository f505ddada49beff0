"""Names in the text as written: the people a message names, so that they are read as names.

`NameFinder` works on the text as written (capital letters matter): it
finds the people a message names ("Dr Cox", "Rhys Vaughan", the reader
greeted as "Marcus,", the display names in From/To/Cc) so that
`ViewBuilder` can replace them with ``_name_``. Rude words that are also
names ("Dick Whittington", "Mr Butt") are names when written as names.
Whom a remark is aimed at is `gateway.detect.language.targets`.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable

from gateway.detect.letters import LOW, LOWER, UPPER

_TITLES = frozenset(
    [
        "dr",
        "doctor",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "prof",
        "professor",
        "sister",
        "nurse",
        "sir",
        "dame",
        "lord",
        "lady",
        "rev",
        "revd",
        "father",
    ]
)
# words that make a capitalised word after them a place or a thing, not a person ("in Lagos", "his PhD")
_PLACE_WORDS = frozenset(
    [
        "in",
        "at",
        "to",
        "from",
        "near",
        "around",
        "through",
        "via",
        "into",
        "outside",
        "inside",
        "towards",
        "across",
        "of",
        "on",
        "for",
        "visit",
        "visiting",
        "visited",
        "moved",
        "live",
        "lives",
        "living",
        "his",
        "her",
        "my",
        "your",
        "our",
        "their",
        "its",
        "the",
        "a",
        "an",
        "this",
        "that",
    ]
)
_WORD = re.compile(r"[^\W\d_][\w'-]*")
_CAP_WORD = re.compile(rf"(?<![\w'-])(?!{LOW})[^\W\d_][\w'-]*")  # words not starting with a small letter
# read from the start of a whole text: possessive repeats keep it linear on any input
# what places a person after a name: where they work ("in the exams office", "from admissions") or
# an apposition ("Pauline, the course administrator,")
_PERSON_SETTING = re.compile(
    rf"\s+(?:in|from|at|on|over in|down in|up in)\s+(?:the\s+)?(?:[{UPPER}{LOWER}0-9&-]+\s+){{0,3}}?"
    r"(?:office|team|department|dept|registry|admissions|reception|finance|faculty|hr|unit|lab|library|"
    r"committee|exams|student services|student support|estates|it|security|secretariat)\b"
    r"|\s+(?:from|in|on)\s+(?:my|our|the|his|her|your)\s+(?:year|firm|group|team|course|class|cohort|block|flat|"
    r"halls|rotation|placement|lab|society|tutor group|pbl group)\b"
    rf"|,\s+(?:the|our|my|his|her|their|your)\s+{LOW}",
    re.IGNORECASE,
)
# "Gemma's been stealing ...", "Kai's a ...": a first word with "is"/"has" written into it is a
# person's name unless it is one of the everyday words that open sentences that way (not_names.txt)
_CONTRACTED_SUBJECT = re.compile(
    r"'s\s+(?:been|got|always|never|so|such|just|literally|totally|clearly|obviously|definitely|actually|"
    r"basically|still|only|a|an|the|not|now|also|apparently|honestly|going|gonna|gonnae|getting)\b",
    re.IGNORECASE,
)
# "Isaac is a junkie": a first word said to be a word that only describes a person is a name
_PERSON_LABEL = re.compile(
    r"\s+(?:is|was)\s+(?:a|an|such an?|a total|a complete|a known|basically a|literally a|definitely a|an absolute)"
    rf"\s+(?:[{LOWER}-]+\s+){{0,2}}?(?:junkie|thief|liar|cheat|fraud|fraudster|rapist|nonce|paedo|pedo|paedophile|bully|racist|"
    r"alcoholic|addict|predator|creep|pervert|slag|slut|whore|bitch|twat|prick|wanker|dickhead|cunt|psycho|loser|"
    r"idiot|moron|cokehead|crackhead|smackhead|sex pest|grass|snitch|bellend|knobhead|tosser|dick)\b",
    re.IGNORECASE,
)
_PHRASE_OPENERS = '":-*\u2022'  # after these a word opens a phrase of its own ("Note: Isaac is ...")
_GREETING = re.compile(
    r"^\s*+(?:(?:hi|hey|hiya|hello|dear|morning|afternoon|evening|yo|oi)\s++"
    r"(?:(?:dr|mr|mrs|ms|miss|prof|professor)\.?\s++)?([^\W\d_][\w'-]++)\s*+[,!:]"
    r"|([^\W\d_][\w'-]++)[ \t]*+[,!:]?[ \t\r]*+$)",
    re.IGNORECASE | re.MULTILINE,
)


def _capitalised(word: str) -> bool:
    return word[0].isupper() and (len(word) == 1 or any(c.islower() for c in word))


class NameFinder:
    """Finds person names in written text, so that views can replace them with `_name_`."""

    def __init__(self, not_names: set[str], name_words: set[str], rude: set[str]) -> None:
        self.not_names = not_names
        self.name_words = name_words
        # a rude word only joins a capitalised pair when it is also a name ("Dick Whittington",
        # not "Fucking Hell")
        self.not_pairable = (not_names | rude) - name_words

    def known_names(self, display_names: Iterable[str], texts: Iterable[str]) -> set[str]:
        """Name words (lower case) the message establishes: display names and greetings."""
        known: set[str] = set()
        for display in display_names:
            for word in _WORD.findall(display):
                if len(word) > 1 and _capitalised(word) and word.lower() not in self.not_names:
                    known.add(word.lower())
        for text in texts:
            m = _GREETING.match(text)
            word = m and (m.group(1) or m.group(2))
            if word and _capitalised(word) and word.lower() not in self.not_pairable:
                known.add(word.lower())
        return known

    def spans(self, sentence: str, known: set[str]) -> list[tuple[int, int]]:
        """Character ranges of the names in one sentence (titles are left in place)."""
        caps = _caps(sentence)
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(caps):
            start, _, word = caps[i]
            low = word.lower().rstrip(".")
            nxt = i + 1 < len(caps) and _joined(sentence, caps[i], caps[i + 1])
            if low in _TITLES and nxt:
                j = self._extend(sentence, caps, i + 1, limit=3)
                spans.append((caps[i + 1][0], caps[j - 1][1]))
                i = j
                continue
            if low not in self.not_names:
                next_cap = (
                    nxt and low not in self.not_pairable and caps[i + 1][2].lower() not in self.not_pairable
                )
                if (
                    low in known
                    or next_cap
                    or (
                        self._lone_name(sentence, start, low)
                        if start > 0 and sentence[:start].rstrip()[-1:] not in _PHRASE_OPENERS
                        else self._leading_name(sentence, caps[i])
                    )
                ):
                    j = self._extend(sentence, caps, i, limit=3)
                    end = caps[j - 1][1]
                    if _CONTRACTED_SUBJECT.match(sentence, end - 2):
                        end -= 2  # "Gemma's been ...": the name, then "has" (text.py writes it out)
                    spans.append((caps[i][0], end))
                    i = j
                    continue
            i += 1
        return spans

    def _leading_name(self, sentence: str, cap: tuple[int, int, str]) -> bool:
        """A capitalised word opening a sentence is a name when what follows places a person.

        "Kerry in the exams office ...", "Janet from admissions ...", "Pauline,
        the course administrator, ...": a first word is usually just capitalised,
        so it takes a person's setting after it to make it a name.
        """
        low = cap[2].lower().split("'", 1)[0]
        if low in self.not_pairable or len(low) < 3 or any(c.isupper() for c in cap[2][1:]):
            return False
        if _PERSON_SETTING.match(sentence, cap[1]) is not None or _PERSON_LABEL.match(sentence, cap[1]):
            return True
        word = cap[2]
        return word.lower().endswith("'s") and _CONTRACTED_SUBJECT.match(sentence, cap[1] - 2) is not None

    def _lone_name(self, sentence: str, start: int, low: str) -> bool:
        """A capitalised word inside a sentence ("honestly Jess is ..."): a name, unless it is a place.

        Places follow "in", "at", "to", "from"...; words after an opening
        quote, a bracket or a list dash start a phrase of their own.
        """
        low = low.split("'", 1)[0]  # "I've", "Jess's"
        if low in self.name_words:
            return True
        word = sentence[start : start + len(low)]
        mixed_capitals = any(c.isupper() for c in word[1:]) and not word.startswith(("Mc", "Mac", "O"))
        if low in self.not_pairable or len(low) < 2 or mixed_capitals:
            return False  # a pronoun, a rude word, or "PhD" / "iPhone"-style capitals
        before = sentence[:start].rstrip()
        if not before or before[-1] in "\"'(:-*\u2022" or not any(c.isalnum() for c in before):
            return False
        previous = before.rsplit(None, 1)[-1].lower().strip(",;")
        return previous not in _PLACE_WORDS

    def pair_names(self, sentence: str) -> set[str]:
        """Words of capitalised pairs ("Rhys Vaughan"): names the rest of the message may use alone."""
        out: set[str] = set()
        caps = _caps(sentence)
        for a, b in itertools.pairwise(caps):
            la, lb = a[2].lower(), b[2].lower()
            if (
                _joined(sentence, a, b)
                and la not in self.not_pairable
                and lb not in self.not_pairable
                and la not in _TITLES
            ):
                out.update((la, lb.removesuffix("'s")))
        return out

    def _extend(self, sentence: str, caps: list[tuple[int, int, str]], i: int, *, limit: int) -> int:
        j = i + 1
        while (
            j < len(caps)
            and j - i < limit
            and _joined(sentence, caps[j - 1], caps[j])
            and caps[j][2].lower() not in self.not_pairable
        ):
            j += 1
        return j


@functools.lru_cache(maxsize=4096)
def _caps(sentence: str) -> list[tuple[int, int, str]]:
    """The capitalised words of a sentence ("Rhys", "O'Brien", "Ó"), not those in capitals ("NHS")."""
    return [(m.start(), m.end(), m.group()) for m in _CAP_WORD.finditer(sentence) if _capitalised(m.group())]


def _joined(sentence: str, a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    """Only spaces (or an initial's full stop) between two words."""
    return sentence[a[1] : b[0]].strip() in ("", ".")
