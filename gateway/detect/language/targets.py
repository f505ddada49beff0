"""Whom a remark is aimed at: the person mentions of a sentence, and the target of a match.

`TargetResolver` works on views (the text with the names `NameFinder`,
gateway.detect.language.names, found replaced by ``_name_``): it lists the
person mentions of a sentence (you, a name, a role such as "the
registrar", he/she, a patient, the writer) and decides whom a matched
remark is aimed at, following he/she back to the person last named.

Targets: "second_person" (the reader), "named" (a named person, or he/she
for one), "role" (a person identified by their job), "group", "self" (the
writer), "patient", "none".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.detect.language.lexicon import MacroSet
from gateway.detect.language.text import Sentence
from gateway.detect.letters import LOWER

SECOND_PERSON = "second_person"
NAMED = "named"
ROLE = "role"
GROUP = "group"
NONE = "none"
SELF = "self"
PATIENT = "patient"
PEOPLE = (SECOND_PERSON, NAMED, ROLE)  # targets an insult or an allegation can be aimed at

# courtesy titles that patients are given as often as staff: a name with one is not taken for a colleague
_PATIENT_TITLES = frozenset(["mr", "mrs", "ms", "miss", "mx"])


@dataclass(frozen=True)
class Mention:
    begin: int
    end: int
    kind: str  # second, named, role, third, self, patient, group
    staff: bool = False


@dataclass(frozen=True)
class Target:
    kind: str  # one of the module's target constants
    staff: bool = False  # a colleague: a role, or a name without a patient's courtesy title (Mr, Mrs...)
    explicit: bool = True  # False for he/she when no one was named or described before it


class TargetResolver:
    """Person mentions in views, and whom a matched remark is aimed at."""

    def __init__(self, macros: MacroSet) -> None:
        role_np = macros.expand("{ROLE_NP}", where="targets")
        named = macros.expand("{NAMED}", where="targets")
        group = macros.expand("{GROUP}", where="targets")
        self._mention = re.compile(
            r"(?P<second>\b(?:you|your|yours|yourself|yourselves)\b)"
            rf"|(?P<named>\b{named}\b)"
            rf"|(?P<patient>\b(?:the|this|that|a|an|our|my|one|his|her) (?:[{LOWER}0-9-]+ ){{0,2}}?"
            r"(?:patients?|man|woman|lady|gentleman|gent|lad|boy|girl|baby|infant|toddler|child|kid|resident"
            r"|service user|\d+[- ]?(?:year|yr)[- ]?old)\b)"
            rf"|(?P<role>\b{role_np}\b)"
            rf"|(?P<group>\b{group}\b)"
            r"|(?P<third>\b(?:he|she|him|her|his|himself|herself)\b)"
            r"|(?P<self>\b(?:i|me|my|myself|we|us|our|ourselves)\b)"
        )
        self._cache: dict[int, tuple[str, list[Mention]]] = {}

    def mentions(self, sentence: Sentence) -> list[Mention]:
        cached = self._cache.get(id(sentence))
        if cached is not None and cached[0] is sentence.view:
            return cached[1]
        out = []
        for m in self._mention.finditer(sentence.view):
            kind = m.lastgroup or ""
            text = m.group()
            staff = kind == "role" or (kind == "named" and text.split(" ", 1)[0] not in _PATIENT_TITLES)
            out.append(Mention(m.start(), m.end(), kind, staff))
        self._cache[id(sentence)] = (sentence.view, out)
        return out

    def clear(self) -> None:
        self._cache.clear()

    def resolve(
        self, sentences: Sequence[Sentence], k: int, begin: int, end: int, *, mode: str = "inside"
    ) -> Target:
        """Whom the remark at [begin, end) of sentence k is aimed at.

        mode "inside": a person inside the match first (the object of "I will
        hurt you"), else the nearest before it. mode "before": the nearest
        person before the match (the subject of "... is stealing drugs"),
        else one inside it. mode "subject": only a person before the match
        ("someone stole Sarah's bike" accuses no one).
        """
        mentions = self.mentions(sentences[k])
        inside = [m for m in mentions if begin <= m.begin and m.end <= end and m.kind != "self"]
        before = [m for m in mentions if m.end <= begin]
        if mode == "subject":  # "Sarah from my year cheats": "my" is not who cheats
            view = sentences[k].view
            before = [m for m in before if not (m.kind == "self" and view[m.begin : m.end] in ("my", "our"))]
        order: list[list[Mention]] = (
            [inside, before[::-1]]
            if mode == "inside"
            else [before[::-1]]
            if mode == "subject"
            else [before[::-1], inside]
        )
        for group in order:
            if mode == "inside" and group is inside:
                ranked = sorted(group, key=lambda m: _PRIORITY.get(m.kind, 9))
            else:
                ranked = group
            for m in ranked:
                return self._target_of(sentences, k, m)
        return Target(NONE)

    def _target_of(self, sentences: Sequence[Sentence], k: int, m: Mention) -> Target:
        if m.kind == "second":
            return Target(SECOND_PERSON)
        if m.kind == "named":
            return Target(NAMED, m.staff)
        if m.kind == "role":
            return Target(ROLE, True)
        if m.kind == "group":
            return Target(GROUP)
        if m.kind == "self":
            return Target(SELF)
        if m.kind == "patient":
            return Target(PATIENT)
        return self.antecedent(sentences, k, m.begin)

    def antecedent(self, sentences: Sequence[Sentence], k: int, before: int) -> Target:
        """He/she: the person last mentioned by name, role or as a patient (up to three sentences back)."""
        for back in range(k, max(-1, k - 4), -1):
            for m in reversed(self.mentions(sentences[back])):
                if back == k and m.begin >= before:
                    continue
                if m.kind == "named":
                    return Target(NAMED, m.staff)
                if m.kind == "role":
                    return Target(ROLE, True)
                if m.kind == "patient":
                    return Target(PATIENT)
        return Target(NAMED, explicit=False)  # he/she with no one named nearby: someone the reader knows

    def nearby_person(self, sentences: Sequence[Sentence], k: int) -> Target | None:
        """The first person (not the writer) mentioned in sentence k, else in the one before it."""
        for back in (k, k - 1):
            if back < 0:
                continue
            for m in self.mentions(sentences[back]):
                if m.kind not in ("self", "group"):
                    return self._target_of(sentences, back, m)
        return None

    def has_person(self, sentences: Sequence[Sentence], k: int) -> bool:
        """Does sentence k or the one before it mention a person other than the writer?"""
        for back in (k, k - 1):
            if back >= 0 and any(m.kind not in ("self", "group") for m in self.mentions(sentences[back])):
                return True
        return False

    def mentions_group(self, sentences: Sequence[Sentence]) -> bool:
        return any(m.kind == "group" for s in sentences for m in self.mentions(s))


_PRIORITY = {"second": 0, "named": 1, "role": 2, "third": 3, "patient": 4, "group": 5}
