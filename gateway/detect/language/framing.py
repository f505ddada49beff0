"""The frames that aim a word at a person: said of, called at, or pointed at someone.

`Framer` answers, for a word at a place in a sentence, whether it is said of a
person ("you are a ...", "the registrar is ..."), called out to the reader
("you useless ..."), or pointed at a named person or a role ("that ...
Marcus"); `boundaries` marks the hard breaks a frame never crosses. The
insult recogniser (insults.py) and the slur check (discrimination.py) both
ask this question; the word sets it needs live here too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.detect.language.frame_words import (
    AUXILIARIES,
    COORDINATION,
    COPULAS,
    DETERMINERS,
    MACHINES,
    MODIFIERS,
    NEGATIONS,
    NOT_PEOPLE,
    PREPOSITIONS,
    SECOND_WORDS,
    SELF_LAPSES,
    SELF_TALK_STOP,
    SELF_TALK_VERB,
    THINGS,
    VOCATIVE_NEXT,
)
from gateway.detect.language.lexicon import MacroSet
from gateway.detect.language.targets import NAMED, ROLE, SECOND_PERSON, TargetResolver
from gateway.detect.language.text import Sentence

HEDGED = re.compile(r"\b(?:a (?:bit|little bit|touch) of an?|kind of an?|sort of an?|slightly|a little)\b")
_HARD_BOUNDARY = re.compile(r'[.!?;:()"]| - ')


@dataclass(frozen=True)
class Aim:
    """A word aimed at someone: the target, and the view range of the frame (its words are claimed)."""

    target: str
    begin: int
    end: int


# a spaced dash or a colon between a topic and what follows ("Re: rota - ...")
_DASH = re.compile(r"\s[-\u2013\u2014]\s|:\s")
# the writer's own words: "I left my badge at home - idiot" is said of themselves
_SELF_WORDS = frozenset(["i", "me", "my", "myself", "we", "us", "our"])
_SUBJECT_SELF = frozenset(["i", "we", "me", "myself"])
# anyone else a trailing call-out could be said to or about: "I told him twice, idiot" is not self-talk
_OTHER_PEOPLE = SECOND_WORDS | {"he", "she", "him", "her", "his", "they", "them", "their", "_name_"}


def boundaries(s: Sentence) -> list[bool]:
    """For each token: does a hard boundary (. ! ? ; : quotes, dash) stand just before it?"""
    out = [True]
    for a, b in zip(s.tokens, s.tokens[1:], strict=False):
        out.append(bool(_HARD_BOUNDARY.search(s.view[a[1] : b[0]])))
    return out


class Framer:
    """Decides whether a word in a sentence is said of, called at, or pointed at a person."""

    def __init__(self, macros: MacroSet, resolver: TargetResolver) -> None:
        self.resolver = resolver
        role = macros.expand("{ROLE_NP}", where="insults")
        self._role_before = re.compile(rf"\b{role}\s*$")
        self._role_after = re.compile(
            rf"^\s*(?:[a-z0-9-]+ ){{0,2}}?{macros.expand('{ROLE}', where='insults')}\b"
        )

    def aimed_at(
        self,
        sentences: Sequence[Sentence],
        k: int,
        start: int,
        end: int,
        *,
        noun: bool,
        modifiers: set[int] | None = None,
        strong: bool = False,
        thing: bool = False,
        weak: bool = False,
    ) -> Aim | None:
        """Is the word at tokens [start, end) of sentence k aimed at a person?

        `modifiers`: token indexes that may also stand in the frame (other
        insult adjectives, swear words used as intensifiers). `noun`: the
        word names a person ("idiot") rather than describing one
        ("useless"). `strong`: strong words aimed by a pointing word alone
        ("that ..."). `thing`: the word can describe a thing too ("a joke").
        `weak`: a teasing word ("you daft git, ..."), not called out before a comma.
        """
        s = sentences[k]
        words = s.words()
        hard = boundaries(s)
        extra = modifiers or set()
        article = False
        negated = False
        j = start - 1
        while j >= 0 and not hard[j + 1]:
            w = words[j]
            if w in NEGATIONS:
                negated = True
            elif w in ("a", "an", "such", "one"):
                article = True
            elif w in COPULAS or not (w in MODIFIERS or w in COORDINATION or j in extra):
                break
            j -= 1
        if negated:
            return None
        if noun and not thing and comma_before(s, j + 1) and self._vocative_end(words, hard, end, s):
            if (
                self._own_lapse(s, words, hard, j)
                and not _OTHER_PEOPLE.intersection(words)
                and not DETERMINERS.intersection(words[j + 1 : start])  # "..., the absolute clown": someone
            ):
                return None  # "my daughter's christening, forgot to book leave, idiot.": said of the writer
            return Aim(SECOND_PERSON, s.tokens[start][0], s.tokens[end - 1][1])  # "Thanks, ...!"
        if j < 0 or hard[j + 1]:
            if thing:  # "a joke", "a disgrace": only when plainly said of someone
                return None
            if noun and article:  # a fragment that goes on about someone: "A lazy, entitled ... who ..."
                return self._fragment(sentences, k, start, end)
            if noun and j < 0 and (end >= len(words) or hard[end]):
                return self._called_out(sentences, k, start, end)
            if noun and self._after_dash(s, words, j, end):
                return self._called_out(sentences, k, start, end)  # "Re: placement - ...": a subject's tail
            return self._exclamation(sentences, k, start, end, noun=noun, strong=strong)
        w = words[j]
        begin = s.tokens[j][0]
        finish = s.tokens[end - 1][1]
        if w in ("you", "ya"):
            if j > 0 and words[j - 1] in ("are", "were") and not hard[j]:  # "are you stupid?"
                return Aim(SECOND_PERSON, begin, finish)
            if j > 0 and words[j - 1] in ("call", "called", "calling", "calls") and not hard[j]:
                return Aim(SECOND_PERSON, begin, finish)
            said = None if weak else s  # a comma ends the call ("you ..., sort it out"), not for teasing
            if noun and self._vocative_end(words, hard, end, said):
                return Aim(SECOND_PERSON, begin, finish)
            tail = end
            while tail < len(words) and not hard[tail] and (words[tail] in MODIFIERS or tail in extra):
                tail += 1  # "you useless fat ...,": the words that go on describing the person
            if not noun and (
                self._vocative_end(words, hard, tail, said) or self._vocative_end(words, hard, tail + 1)
            ):
                return Aim(SECOND_PERSON, begin, finish)  # "you useless ...!": one more word at most
            return None
        if w in ("him", "her", "_name_") and j > 0 and words[j - 1] in ("call", "called", "calling", "calls"):
            return Aim(NAMED, begin, finish)
        if w in COPULAS:
            if noun and not (article or strong or words[end - 1].endswith("s")):
                return None  # "she is in heart failure": a noun said of someone needs "a"/"such a"
            target = self._subject(sentences, k, j, person_noun=noun and not thing)
            return Aim(target, begin, finish) if target else None
        if w in ("what", "such"):  # "what a ... you are"
            return None if thing else self._exclamation(sentences, k, start, end, noun=noun, strong=strong)
        if noun and w in ("that", "this", "the", "those", "these"):
            after = s.view[s.tokens[end - 1][1] :]
            if after.lstrip().startswith("_name_"):
                return Aim(NAMED, begin, finish)
            if self._role_after.match(after):
                return Aim(ROLE, begin, finish)
            if strong and w in ("that", "this"):
                return Aim(NAMED, begin, finish)
        return None

    def _exclamation(
        self, sentences: Sequence[Sentence], k: int, start: int, end: int, *, noun: bool, strong: bool
    ) -> Aim | None:
        """ "What a ... he is", "... you are": the person named after the word."""
        s = sentences[k]
        words = s.words()
        if not noun:
            return None
        rest = words[end : end + 3]
        if rest[:2] in (["you", "are"], ["you", "were"]):
            return Aim(SECOND_PERSON, s.tokens[start][0], s.tokens[min(end + 1, len(words) - 1)][1])
        if rest[:2] in (["he", "is"], ["she", "is"], ["he", "was"], ["she", "was"]) or rest[:1] == ["_name_"]:
            return Aim(NAMED, s.tokens[start][0], s.tokens[min(end + 1, len(words) - 1)][1])
        return None

    @staticmethod
    def _after_dash(s: Sentence, words: list[str], j: int, end: int) -> bool:
        """Does the insult end the sentence after a dash, with no word of the writer's before it?"""
        if j < 0 or end < len(words) or not _DASH.search(s.view, s.tokens[j][1], s.tokens[j + 1][0]):
            return False
        return not _SELF_WORDS.intersection(words[: j + 1])

    def _called_out(self, sentences: Sequence[Sentence], k: int, start: int, end: int) -> Aim | None:
        """A sentence that is nothing but the insult ("Useless idiot.", a subject line "Moron"): said to
        the reader, unless the sentence before is the writer talking about themselves ("I left my keys
        at home. Idiot.")."""
        if k > 0:
            kinds = {m.kind for m in self.resolver.mentions(sentences[k - 1])}
            if "self" in kinds and not kinds & {"second", "named", "role", "third"}:
                return None
        s = sentences[k]
        return Aim(SECOND_PERSON, s.tokens[start][0], s.tokens[end - 1][1])

    def _fragment(self, sentences: Sequence[Sentence], k: int, start: int, end: int) -> Aim | None:
        """A verbless insult after a sentence about the reader or a named person."""
        s = sentences[k]
        span = (s.tokens[0][0], s.tokens[end - 1][1])
        for back in (k, k - 1):
            if back < 0:
                continue
            kinds = {m.kind for m in self.resolver.mentions(sentences[back])}
            if "second" in kinds:
                return Aim(SECOND_PERSON, *span)
            if "named" in kinds:
                return Aim(NAMED, *span)
        return None

    def _vocative_end(self, words: list[str], hard: list[bool], end: int, s: Sentence | None = None) -> bool:
        """Does the word end the call: the clause ends, or a pronoun or "and" follows?"""
        if end >= len(words) or hard[end] or words[end] in VOCATIVE_NEXT:
            return True
        return s is not None and comma_before(s, end)

    @staticmethod
    def _own_lapse(s: Sentence, words: list[str], hard: list[bool], j: int) -> bool:
        """The clause before a trailing call-out at token j+1 is the writer's own doing: it has "I"/"we" in
        it, or opens with a lapse and no subject ("forgot to book leave, ...", "left my keys on the bus, ...")."""
        k = j
        while k > 0 and not hard[k] and not comma_before(s, k):
            k -= 1
        clause = words[k : j + 1]
        return bool(clause) and (bool(_SUBJECT_SELF.intersection(clause)) or clause[0] in SELF_LAPSES)

    @staticmethod
    def _coordinated_subject(words: list[str], hard: list[bool], j: int) -> str | None:
        return _coordinated_subject_kind(words, hard, j)

    def _subject(
        self, sentences: Sequence[Sentence], k: int, verb: int, *, person_noun: bool = False
    ) -> str | None:
        """Who the verb at token `verb` is about; `person_noun`: the predicate can only be a person's."""
        s = sentences[k]
        words = s.words()
        hard = boundaries(s)
        j = verb - 1
        while j >= 0 and not hard[j + 1] and words[j] in AUXILIARIES:
            if words[j] in NEGATIONS:
                return None
            j -= 1
        if j < 0 or hard[j + 1]:
            return None
        w = words[j]
        if w in COORDINATION or w == "but":
            return self._coordinated_subject(
                words, hard, j
            )  # "I was drunk and being an ...": the first verb's
        if w in ("you", "ya", "yourself"):
            if j >= 2 and words[j - 1] in SELF_TALK_VERB and words[j - 2] in SELF_TALK_STOP:
                return None  # "stop saying you're useless": reassurance, not the writer's verdict
            return SECOND_PERSON
        if w == "lot" and j > 0 and words[j - 1] == "you":
            return SECOND_PERSON
        if w in ("stop", "quit"):
            return SECOND_PERSON
        if w in ("he", "she"):
            target = self.resolver.antecedent(sentences, k, s.tokens[j][0])
            return ROLE if target.kind == ROLE else NAMED
        if w == "_name_":
            return NAMED
        if self._role_before.search(s.view[: s.tokens[j][1]]):
            return ROLE
        if (
            w in MACHINES
            and j > 0
            and words[j - 1] in DETERMINERS
            and (j < 2 or words[j - 2] not in PREPOSITIONS)
        ):
            return None  # "this printer is a ...": a machine, not a person
        if person_noun and w not in THINGS and w not in NOT_PEOPLE:
            return NAMED  # "Marcus is a ...": only a person can be one
        return None


def _coordinated_subject_kind(words: list[str], hard: list[bool], j: int) -> str | None:
    """The subject of a predicate joined by "and"/"but" at token `j`: the nearest person word before it
    in its clause ("I was drunk and being ...": the writer, so no one else)."""
    k = j - 1
    while k >= 0 and not hard[k + 1]:
        w = words[k]
        if w in ("you", "ya"):
            return SECOND_PERSON
        if w in ("i", "we"):
            return None
        if w in ("he", "she", "_name_"):
            return NAMED
        k -= 1
    return None


def comma_before(s: Sentence, i: int) -> bool:
    if i <= 0 or i >= len(s.tokens):
        return False
    return "," in s.view[s.tokens[i - 1][1] : s.tokens[i][0]]
