"""What the language recognisers produce, and the engine for weighted pattern files.

A recogniser reads a `Document` (the sentences of one part of a message:
what the sender wrote, what they quoted, or one attachment) and returns
`Signal`s: "this sentence matches rule X of type THREAT, weight 0.6, aimed
at the reader". The detector adds up the weights of distinct rules per
type and reports a finding when they reach 1.0. Signals carry no message
text: evidence is a pattern's label or masked words.

`PatternRecogniser` runs one YAML pattern file (threats.yaml, ...) the same
way for every type; the modules named after each type configure it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from gateway.detect.language.lexicon import Pattern
from gateway.detect.language.targets import NONE, SECOND_PERSON, SELF, Target, TargetResolver
from gateway.detect.language.text import Sentence
from gateway.detect.language.triggers import KeyIndex, trigger_keys

THRESHOLD = 1.0  # the weights of distinct rules that make a finding


@dataclass(frozen=True)
class Signal:
    type: str  # PROFANITY, INSULT, THREAT, HARASSMENT, DISCRIMINATION, OBSCENE, DEFAMATION
    rule: str  # pattern id, or "word:" and the words matched (the detector masks them before they leave)
    weight: float
    target: str
    evidence: str  # a label, or masked words ("p****")
    sentence: int  # index in the document
    reported: bool = False  # inside reported speech ("he called me a ...")
    begin: int = 0  # view range, for recognisers that consume each other's words
    end: int = 0


@dataclass
class Context:
    """What the recognisers may need to know about the whole message."""

    friendly: bool = False  # banter markers: "lol", "haha", kisses
    group_named: bool = False  # a group of people is named, or a slur is used
    privileged: bool = False  # every recipient is internal or secure (reports to them are privileged)
    subject: frozenset[int] = frozenset()  # the sentences that come from the subject line


@dataclass
class Document:
    """The sentences of one part of a message, read together."""

    sentences: list[Sentence]
    quoted: bool = False
    context: Context = field(default_factory=Context)
    attachment: bool = False  # an attached document, read apart from the mail


def mask(words: str) -> str:
    """Each word's first letter and stars: never the word itself ("waste of space" -> "w**** o* s****")."""
    out = []
    for word in re.findall(r"[a-z0-9_']+", words.lower()):
        out.append(word if word in ("_name_", "_ok_") else word[0] + "*" * (len(word) - 1))
    return " ".join(out)


class PatternRecogniser:
    """Runs the weighted patterns of one file over a document.

    mode "inside": the target is a person inside the match first (threats:
    "I will hurt you"); mode "before": the person before it (allegations:
    "the registrar ... is stealing").
    """

    def __init__(
        self, type_: str, patterns: Sequence[Pattern], resolver: TargetResolver, *, mode: str = "inside"
    ) -> None:
        self.type = type_
        self.patterns = list(patterns)
        self.resolver = resolver
        self.mode = mode
        # which patterns a sentence can possibly match, decided from its words (see trigger_keys)
        self._keys = [trigger_keys(p.regex.pattern) for p in self.patterns]
        self._passing = KeyIndex(self._keys)

    def scan(self, doc: Document) -> list[Signal]:
        out: list[Signal] = []
        sentences = doc.sentences
        for k, s in enumerate(sentences):
            for i in self._passing.passing(s.keys):
                p = self.patterns[i]
                m = p.regex.search(s.view)
                if m is None or (p.unless is not None and p.unless.search(s.view)):
                    continue
                if p.needs_group and not doc.context.group_named:
                    continue
                if p.needs_person and not self.resolver.has_person(sentences, k):
                    continue
                target = self.target_of(p, sentences, k, m)
                if target is None:
                    continue
                weight = p.weight * (0.5 if p.soften and doc.context.friendly else 1.0)
                out.append(
                    Signal(
                        self.type,
                        p.id,
                        weight,
                        target.kind,
                        p.label,
                        k,
                        reported=s.is_reported(m.start(), m.end()),
                        begin=m.start(),
                        end=m.end(),
                    )
                )
        return out

    def target_of(self, p: Pattern, sentences: Sequence[Sentence], k: int, m: re.Match[str]) -> Target | None:
        """The target a pattern's match is aimed at; None when the match does not count."""
        if p.target == "second_person":
            return Target(SECOND_PERSON)
        if p.target in ("group", "none"):
            return Target(p.target if p.target == "group" else NONE)
        target = self.resolver.resolve(sentences, k, m.start(), m.end(), mode=self.mode)
        if target.kind in (SELF, NONE):  # "I want a go": aimed at whoever the sentences are about
            return self.resolver.nearby_person(sentences, k)
        return target
