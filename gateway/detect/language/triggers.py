"""Cheap pre-checks for pattern files: which sentences a regular expression can possibly match.

Split out of lexicon.py (reading the data files); see the comment below for the idea.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import Any

# --- cheap pre-checks for patterns ---------------------------------------------------------------
#
# Most sentences can match no pattern at all. Running every regular expression
# on every sentence costs more than the rest of the detector together, so each
# pattern gets "trigger keys": the first three letters of every word it can
# start with ("i know where ..." -> "i", "stealing ..." -> "ste"). A sentence
# whose words share no key with a pattern cannot match it. The keys are read
# from the compiled pattern by Python's own regular-expression parser; when a
# pattern's start cannot be read that way (it starts with "\w+", or the parser
# is not available) it simply runs on every sentence.

_MAX_PATHS = 1000
_PREFIX = 4  # letters of a literal start worth collecting


def trigger_keys(pattern: str) -> list[list[frozenset[str]]]:
    """What a sentence's words must offer for the pattern to have a chance.

    A list of alternatives (one per top-level branch of the pattern, when
    there are not too many); each alternative is a list of key sets, one for
    each word that branch must contain ("is a ... thief" gives {is, was,
    are} and {thi, cro, ...}). A sentence passes when, for some alternative,
    its words meet every set. [[]] (no sets) means: always run the pattern.
    """
    try:
        C = importlib.import_module("re._constants")
        P = importlib.import_module("re._parser")
        items = list(P.parse(pattern))
    except Exception:  # private parser API changed: no pre-check
        return [[]]
    try:
        return _requirements(items, C)
    except Exception:  # an unusual pattern: no pre-check
        return [[]]


def passes(requirements: list[list[frozenset[str]]], words: frozenset[str]) -> bool:
    """Does a sentence with these keys meet one alternative of the requirements?"""
    for sets in requirements:
        for keys in sets:
            if keys.isdisjoint(words):
                break
        else:
            return True
    return False


class KeyIndex:
    """`passes` for every pattern of a file at once: which patterns a sentence's keys let through.

    Checking each candidate pattern's alternatives one key set at a time cost more than the
    regular expressions it spared. Here each key set of each alternative is one bit; a sentence's
    keys switch on the bits of every set they meet, and an alternative passes when all of its
    bits are on. Only alternatives whose first (most selective) set the sentence meets are
    looked at, since no other can pass. The answer is exactly `passes`, pattern by pattern.
    """

    def __init__(self, requirements: Sequence[list[list[frozenset[str]]]]) -> None:
        self._always = [i for i, alts in enumerate(requirements) if any(not sets for sets in alts)]
        always = set(self._always)
        self._bits: dict[str, int] = {}  # key -> the bits of every key set holding it
        self._first: dict[str, list[tuple[int, int]]] = {}  # key -> (pattern, bits its alternative needs)
        bit = 1
        for i, alts in enumerate(requirements):
            if i in always:
                continue
            for sets in alts:
                need = 0
                for keys in sets:
                    for key in keys:
                        self._bits[key] = self._bits.get(key, 0) | bit
                    need |= bit
                    bit <<= 1
                for key in sets[0]:
                    self._first.setdefault(key, []).append((i, need))
        self._known = frozenset(self._bits)
        self._firsts = frozenset(self._first)

    def passing(self, words: frozenset[str]) -> list[int]:
        """The indexes of the patterns whose requirements `words` meet, in ascending order."""
        present = self._known.intersection(words)
        if not present:
            return list(self._always)
        have = 0
        for key in present:
            have |= self._bits[key]
        found = set(self._always)
        for key in self._firsts.intersection(present):
            for i, need in self._first[key]:
                if have & need == need:
                    found.add(i)
        return sorted(found)


# keys of the commonest English words: a key set made only of these rules out few sentences
COMMON_KEYS = frozenset(
    [
        "i",
        "you",
        "the",
        "a",
        "an",
        "and",
        "to",
        "of",
        "in",
        "is",
        "was",
        "are",
        "be",
        "it",
        "he",
        "she",
        "we",
        "they",
        "my",
        "you",
        "your",
        "his",
        "her",
        "him",
        "our",
        "at",
        "on",
        "for",
        "not",
        "do",
        "did",
        "so",
        "but",
        "or",
        "if",
        "thi",
        "tha",
        "wit",
        "hav",
        "wil",
        "wou",
        "can",
        "jus",
        "get",
        "got",
        "all",
        "wha",
        "the",
    ]
)


def _selective_first(sets: list[frozenset[str]]) -> list[frozenset[str]]:
    """The key set least made of common words goes first: the pre-check index uses it."""
    return sorted(sets, key=lambda ks: (sum(k in COMMON_KEYS for k in ks) / len(ks), len(ks)))


_MAX_ALTERNATIVES = 64  # branches looked at
_MAX_CHECKED = 8  # alternatives kept: each costs a check per sentence


def _requirements(items: list[Any], C: Any) -> list[list[frozenset[str]]]:
    """One alternative per branch of the first top-level alternation (when that stays cheap), else one."""
    items = _spliced(items, C)
    whole = [_conjunction(items, C)]
    for i, (op, av) in enumerate(items):
        if op is C.BRANCH:
            if len(av[1]) > _MAX_ALTERNATIVES:
                break
            split = [_conjunction(_spliced([*items[:i], *branch, *items[i + 1 :]], C), C) for branch in av[1]]
            split = _minimal(split)
            return split if len(split) <= _MAX_CHECKED else whole
    return whole


def _minimal(alternatives: list[list[frozenset[str]]]) -> list[list[frozenset[str]]]:
    """Alternatives without repeats, and without any that demands more than another one does."""
    unique = list({frozenset(sets): sets for sets in alternatives}.values())
    keep = []
    for sets in unique:
        mine = frozenset(sets)
        if not any(frozenset(other) < mine for other in unique):
            keep.append(sets)
    return keep


def _spliced(items: list[Any], C: Any) -> list[Any]:
    """Groups' contents laid out in the sequence (they match in place)."""
    out: list[Any] = []
    for op, av in items:
        if op is C.SUBPATTERN:
            out.extend(_spliced(list(av[-1]), C))
        else:
            out.append((op, av))
    return out


def _conjunction(items: list[Any], C: Any) -> list[frozenset[str]]:
    """One key set per word this sequence must contain, where a word starts at a known boundary."""
    sets: list[frozenset[str]] = []
    # a word starts at a word boundary, and at the start of the view (which holds no line breaks:
    # "^" is its first character, and a word there is its first token)
    word_start = bool(items) and items[0] in (
        (C.AT, C.AT_BOUNDARY),
        (C.AT, C.AT_BEGINNING),
        (C.AT, C.AT_BEGINNING_STRING),
    )
    for i, (op, av) in enumerate(items):
        if op is C.AT:
            continue
        if word_start:
            keys = _keys_of(_prefixes(items[i:], "", C, [0]))
            if keys is not None and keys not in sets:
                sets.append(keys)
        if op is C.LITERAL and av == ord(" "):
            word_start = True
        elif (
            op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] == 0 and list(av[2])[-1:] == [(C.LITERAL, ord(" "))]
        ):
            pass  # an optional "word " group: the next word starts at a boundary either way
        else:
            word_start = False
    return _selective_first(sets)


def _keys_of(paths: list[tuple[str, bool]] | None) -> frozenset[str] | None:
    if paths is None:
        return None
    keys: set[str] = set()
    for prefix, _ended in paths:
        word = re.match(r"[a-z0-9_]*", prefix).group()  # type: ignore[union-attr]
        if len(word) >= 3:
            keys.add(word[:3])
        elif word and len(word) < len(prefix):  # a space or other literal follows: the whole word
            keys.add(word)
        else:
            return None
    return frozenset(keys)


def _never_word(members: list[Any], C: Any) -> bool:
    """Does a character class match only spaces and punctuation?"""
    for kind, value in members:
        if kind is C.CATEGORY and value is C.CATEGORY_SPACE:
            continue
        if kind is C.LITERAL and not (chr(value).isalnum() or chr(value) == "_"):
            continue
        return False
    return True


def _prefixes(items: list[Any], prefix: str, C: Any, count: list[int]) -> list[tuple[str, bool]] | None:
    """Literal prefixes of a parsed sequence: (prefix, the pattern ended there)."""
    i = 0
    while i < len(items):
        if len(prefix) >= _PREFIX:
            return [(prefix, False)]
        op, av = items[i]
        rest = items[i + 1 :]
        if op is C.AT:
            i += 1
            continue
        if op is C.LITERAL:
            prefix += chr(av)
            i += 1
            continue
        paths: list[list[Any]]
        if op is C.SUBPATTERN:
            paths = [list(av[-1]) + rest]
        elif op is C.BRANCH:
            paths = [list(b) + rest for b in av[1]]
        elif op is C.IN and all(k is C.LITERAL for k, _ in av):
            paths = [[(C.LITERAL, c), *rest] for _, c in av]
        elif op is C.IN and _never_word(av, C):  # "[\s-]+" between words: the first word is complete
            return [(prefix + " ", False)]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            low, high, body = av
            once = list(body) + (rest if high == 1 else [(C.ANY, None)])
            paths = [once] if low >= 1 else [once, rest]
        else:
            return [(prefix, False)]
        out: list[tuple[str, bool]] = []
        for path in paths:
            sub = _prefixes(path, prefix, C, count)
            if sub is None:
                return None
            out.extend(sub)
            count[0] += len(sub)
            if count[0] > _MAX_PATHS:
                return None
        return out
    return [(prefix, True)]


class Keyed:
    """A regular expression with its trigger keys: searched only in sentences that can match it."""

    def __init__(self, regex: re.Pattern[str]) -> None:
        self.regex = regex
        self.keys = trigger_keys(regex.pattern)

    def search(self, view: str, words: frozenset[str]) -> re.Match[str] | None:
        """The first match in a sentence view whose word keys are `words`, if the keys allow one."""
        return self.regex.search(view) if passes(self.keys, words) else None

    def finditer(self, view: str, words: frozenset[str]) -> list[re.Match[str]]:
        return list(self.regex.finditer(view)) if passes(self.keys, words) else []


class KeyedSet:
    """Keyed patterns and the `KeyIndex` of their keys: which of them a sentence's words can match."""

    def __init__(self, patterns: list[Keyed]) -> None:
        self.patterns = patterns
        self._passing = KeyIndex([p.keys for p in patterns])

    def candidates(self, words: frozenset[str]) -> list[int]:
        """Indexes of the patterns (in order) whose keys the words meet."""
        return self._passing.passing(words)
