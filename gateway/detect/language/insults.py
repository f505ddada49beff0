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
useless") it is not an insult. The frames themselves are in framing.py,
shared with the slur check in discrimination.py, which asks the same
question about words that have an innocent sense ("a chink of light").
"""

from __future__ import annotations

from gateway.detect.language.frame_words import INTERJECTIONS, MODIFIERS
from gateway.detect.language.framing import (
    HEDGED,
    Aim,
    Framer,
    boundaries,
    comma_before,
)
from gateway.detect.language.lexicon import Hit, WordList
from gateway.detect.language.signals import Document, Signal, mask
from gateway.detect.language.targets import NAMED, SECOND_PERSON
from gateway.detect.language.text import Sentence

INSULT = "INSULT"

WEIGHTS = {"strong": 1.0, "medium": 1.0, "weak": 0.5}


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
                if strength == "medium" and (friendly or HEDGED.search(s.view, aim.begin, hit.begin + 1)):
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
            weak = strength == "weak"
            aim = self.framer.aimed_at(
                doc.sentences, k, hit.start, hit.end, noun=False, modifiers=modifiers, weak=weak
            )
            if aim is None and nouns_after:
                noun = nouns_after[0]
                if all(i in modifiers or s.words()[i] in MODIFIERS for i in range(hit.end, noun.start)):
                    aim = self.framer.aimed_at(
                        doc.sentences,
                        k,
                        noun.start,
                        noun.end,
                        noun=True,
                        modifiers=modifiers,
                        weak=noun.entry.get("weight", "medium") == "weak",
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
            weak=strength == "weak",
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
        while j >= 0 and not hard[j + 1] and words[j] in INTERJECTIONS:
            j -= 1
        if j < 0 or hard[j + 1] or comma_before(s, j + 1):
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
