"""INSULT: insults and swearing aimed at a person, and the frames that aim a word at someone.

A word from insults.txt (or a swear word that can be said of a person,
"you're ...") is an insult only in a frame that aims it at someone:

- said of someone: "you are a ...", "he is so ...", "the registrar is ...",
  "are you ...?", "you're acting like a ..." (not negated: "you're not ...");
- called out to the reader: "you useless ...", "you ...!";
- pointed at a named person or a role: "that ... Marcus", "that ... registrar";
- a set put-down that opens a sentence or names its target ("get lost",
  "... you").

Said of oneself ("I'm such an idiot") or of a thing ("this printer is
useless") it is not an insult. `aimed_at` is shared with the slur check in
discrimination.py, which asks the same question about words that have an
innocent sense ("a chink of light").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.detect.language.lexicon import Hit, MacroSet, WordList
from gateway.detect.language.signals import Document, Signal, mask
from gateway.detect.language.targets import NAMED, ROLE, SECOND_PERSON, TargetResolver
from gateway.detect.language.text import Sentence

INSULT = "INSULT"

WEIGHTS = {"strong": 1.0, "medium": 1.0, "weak": 0.5}

# words that may stand between a subject's verb and the insult: articles, intensifiers, "such a"
MODIFIERS = frozenset(
    [
        "a",
        "an",
        "the",
        "such",
        "so",
        "really",
        "very",
        "just",
        "literally",
        "actually",
        "absolutely",
        "absolute",
        "complete",
        "completely",
        "total",
        "totally",
        "utter",
        "utterly",
        "right",
        "proper",
        "real",
        "real",
        "fucking",
        "fuckin",
        "effing",
        "freaking",
        "bloody",
        "little",
        "big",
        "biggest",
        "most",
        "one",
        "of",
        "fat",
        "old",
        "stupid",
        "useless",
        "lazy",
        "pathetic",
        "dirty",
        "filthy",
        "silly",
        "daft",
        "ugly",
        "smug",
        "arrogant",
        "spoilt",
        "entitled",
        "selfish",
        "worthless",
        "massive",
        "huge",
        "bit",
        "kind",
        "sort",
        "like",
        "being",
        "ever",
        "such",
        "an",
        "absolutely",
        "genuinely",
        "honestly",
        "seriously",
        "clearly",
        "obviously",
        "basically",
        "officially",
        "now",
        "still",
        "always",
        "quite",
        "rather",
        "too",
        "bit",
        "even",
        "more",
        "than",
        "other",
        "another",
        "typical",
        "sad",
        "miserable",
    ]
)
COPULAS = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "am",
        "be",
        "been",
        "being",
        "seem",
        "seems",
        "seemed",
        "look",
        "looks",
        "looked",
        "sound",
        "sounds",
        "sounded",
        "act",
        "acts",
        "acted",
        "acting",
        "behave",
        "behaves",
        "behaving",
        "become",
        "becomes",
        "became",
        "remain",
        "remains",
        "get",
        "gets",
        "getting",
        "got",
        "turned",
        "turning",
    ]
)
# words between a subject and its verb that do not change who the subject is
AUXILIARIES = frozenset(
    [
        "are",
        "is",
        "was",
        "were",
        "am",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "always",
        "just",
        "still",
        "really",
        "so",
        "now",
        "literally",
        "actually",
        "honestly",
        "seriously",
        "clearly",
        "obviously",
        "genuinely",
        "such",
        "also",
        "basically",
        "will",
        "would",
        "can",
        "could",
        "must",
        "should",
        "might",
        "do",
        "does",
        "did",
        "getting",
        "got",
        "totally",
        "completely",
        "genuinely",
    ]
)
NEGATIONS = frozenset(("not", "never", "no", "hardly", "nt"))
_THINGS = frozenset(["it", "this", "that", "there", "which", "what", "who", "these", "those", "here"])
_NOT_PEOPLE = frozenset(
    ["i", "we", "me", "us", "they", "them", "everything", "something", "nothing", "anything"]
)
_COORDINATION = frozenset(("and", "or", "nor"))
_INTERJECTIONS = frozenset(
    [
        "oh",
        "so",
        "just",
        "now",
        "and",
        "go",
        "well",
        "please",
        "seriously",
        "honestly",
        "_name_",
        "mate",
        "right",
        "yeah",
        "look",
        "listen",
        "then",
        "ok",
        "okay",
        "frankly",
        "and",
        "but",
    ]
)
_VOCATIVE_NEXT = frozenset(
    [
        "and",
        "who",
        "you",
        "i",
        "he",
        "she",
        "why",
        "how",
        "what",
        "lol",
        "haha",
        "seriously",
        "honestly",
        "mate",
        "man",
        "or",
        "but",
        "that",
        "if",
        "_name_",  # "you pathetic loser, Gareth, ...": the name says who is called it
    ]
)
_HEDGED = re.compile(r"\b(?:a (?:bit|little bit|touch) of an?|kind of an?|sort of an?|slightly|a little)\b")
_HARD_BOUNDARY = re.compile(r'[.!?;:()"]| - ')


@dataclass(frozen=True)
class Aim:
    """A word aimed at someone: the target, and the view range of the frame (its words are claimed)."""

    target: str
    begin: int
    end: int


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
    ) -> Aim | None:
        """Is the word at tokens [start, end) of sentence k aimed at a person?

        `modifiers`: token indexes that may also stand in the frame (other
        insult adjectives, swear words used as intensifiers). `noun`: the
        word names a person ("idiot") rather than describing one
        ("useless"). `strong`: strong words aimed by a pointing word alone
        ("that ..."). `thing`: the word can describe a thing too ("a joke").
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
            elif w in COPULAS or not (w in MODIFIERS or w in _COORDINATION or j in extra):
                break
            j -= 1
        if negated:
            return None
        if noun and not thing and _comma_before(s, j + 1) and self._vocative_end(words, hard, end, s):
            return Aim(SECOND_PERSON, s.tokens[start][0], s.tokens[end - 1][1])  # "Thanks, ...!"
        if j < 0 or hard[j + 1]:
            if thing:  # "a joke", "a disgrace": only when plainly said of someone
                return None
            if noun and article:  # a fragment that goes on about someone: "A lazy, entitled ... who ..."
                return self._fragment(sentences, k, start, end)
            if noun and j < 0 and (end >= len(words) or hard[end]):
                return self._called_out(sentences, k, start, end)
            return self._exclamation(sentences, k, start, end, noun=noun, strong=strong)
        w = words[j]
        begin = s.tokens[j][0]
        finish = s.tokens[end - 1][1]
        if w in ("you", "ya"):
            if j > 0 and words[j - 1] in ("are", "were") and not hard[j]:  # "are you stupid?"
                return Aim(SECOND_PERSON, begin, finish)
            if j > 0 and words[j - 1] in ("call", "called", "calling", "calls") and not hard[j]:
                return Aim(SECOND_PERSON, begin, finish)
            if noun and self._vocative_end(words, hard, end):
                return Aim(SECOND_PERSON, begin, finish)
            if not noun and (
                self._vocative_end(words, hard, end) or self._vocative_end(words, hard, end + 1)
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
        if end >= len(words) or hard[end] or words[end] in _VOCATIVE_NEXT:
            return True
        return s is not None and _comma_before(s, end)

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
        if w in ("you", "ya", "yourself"):
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
        if person_noun and w not in _THINGS and w not in _NOT_PEOPLE:
            return NAMED  # "Marcus is a ...": only a person can be one
        return None


class InsultRecogniser:
    """Insults aimed at a person; also claims the swear words those insults use."""

    def __init__(self, insults: WordList, profanity: WordList, framer: Framer) -> None:
        self.insults = insults
        self.profanity = profanity
        self.framer = framer

    def scan(self, doc: Document) -> tuple[list[Signal], set[tuple[int, int]]]:
        """(signals, claimed): claimed are (sentence, view offset) of swear words used in an insult."""
        out: list[Signal] = []
        claimed: set[tuple[int, int]] = set()
        friendly = doc.context.friendly
        for k, s in enumerate(doc.sentences):
            insults = s.find(self.insults)
            swears = s.find(self.profanity)
            if not insults and not any(h.entry.flag("pred") for h in swears):
                continue
            modifiers = {i for h in swears for i in range(h.start, h.end)}
            modifiers |= {
                i for h in insults if h.entry.get("kind") != "phrase" for i in range(h.start, h.end)
            }
            candidates: list[tuple[Hit, str, str, bool]] = [
                (h, h.entry.get("kind", "noun"), h.entry.get("weight", "medium"), h.entry.flag("thing"))
                for h in insults
            ]
            covered = {i for h in insults for i in range(h.start, h.end)}
            for h in swears:  # "you're crap": a swear word said of a person (and often of things)
                if h.entry.flag("pred") and h.start not in covered:
                    candidates.append((h, "noun", "medium", True))
            for hit, kind, strength, thing in candidates:
                aim = self._aim(doc, k, hit, kind, strength, thing, modifiers, insults)
                if aim is None:
                    continue
                weight = WEIGHTS.get(strength, 1.0)
                if strength == "medium" and (friendly or _HEDGED.search(s.view, aim.begin, hit.begin + 1)):
                    weight *= 0.5  # "you idiot lol", "she's a bit of a cow": teasing, not abuse
                out.append(
                    Signal(
                        INSULT,
                        "word:" + " ".join(hit.text.split()),
                        weight,
                        aim.target,
                        f"{mask(hit.text)} (insult)",
                        k,
                        reported=s.is_reported(hit.begin, hit.finish),
                        begin=aim.begin,
                        end=aim.end,
                    )
                )
                claimed.add((k, hit.begin))
                for other in (*swears, *insults):
                    if aim.begin <= other.begin and other.finish <= aim.end:
                        claimed.add((k, other.begin))
        return out, claimed

    def _aim(
        self,
        doc: Document,
        k: int,
        hit: Hit,
        kind: str,
        strength: str,
        thing: bool,
        modifiers: set[int],
        insults: list[Hit],
    ) -> Aim | None:
        s = doc.sentences[k]
        if kind == "phrase":
            return self._phrase(s, hit)
        if kind == "adj":
            # an adjective counts when said of a person, or as part of an insulting noun that is aimed
            nouns_after = [h for h in insults if h.start >= hit.end and h.entry.get("kind") == "noun"]
            aim = self.framer.aimed_at(doc.sentences, k, hit.start, hit.end, noun=False, modifiers=modifiers)
            if aim is None and nouns_after:
                noun = nouns_after[0]
                if all(i in modifiers or s.words()[i] in MODIFIERS for i in range(hit.end, noun.start)):
                    aim = self.framer.aimed_at(
                        doc.sentences, k, noun.start, noun.end, noun=True, modifiers=modifiers
                    )
            return aim
        return self.framer.aimed_at(
            doc.sentences,
            k,
            hit.start,
            hit.end,
            noun=True,
            modifiers=modifiers,
            strong=strength == "strong",
            thing=thing,
        )

    def _phrase(self, s: Sentence, hit: Hit) -> Aim | None:
        words = s.words()
        inside = words[hit.start : hit.end]
        if any(w in ("you", "yourself", "yourselves", "ya") for w in inside):
            return Aim(SECOND_PERSON, hit.begin, hit.finish)
        if any(w in ("him", "her", "_name_") for w in inside):
            return Aim(NAMED, hit.begin, hit.finish)
        hard = boundaries(s)
        j = hit.start - 1
        while j >= 0 and not hard[j + 1] and words[j] in _INTERJECTIONS:
            j -= 1
        if j < 0 or hard[j + 1] or _comma_before(s, j + 1):
            return Aim(SECOND_PERSON, hit.begin, hit.finish)
        # "you can just get lost", "Marcus can ... off"
        modal = j
        while modal >= 0 and words[modal] in ("just", "go", "and", "off"):
            modal -= 1
        if modal >= 1 and words[modal] in ("can", "could", "should", "may", "might"):
            who = words[modal - 1]
            if who == "you":
                return Aim(SECOND_PERSON, s.tokens[modal - 1][0], hit.finish)
            if who in ("he", "she", "_name_"):
                return Aim(NAMED, s.tokens[modal - 1][0], hit.finish)
        return None


def _comma_before(s: Sentence, i: int) -> bool:
    if i <= 0 or i >= len(s.tokens):
        return False
    return "," in s.view[s.tokens[i - 1][1] : s.tokens[i][0]]
