"""DISCRIMINATION: slurs, and hostility to people for their race, faith, sex, sexuality or disability.

Two sources: the slurs in slurs.txt, which count wherever they name people
(words with an innocent sense, such as "a chink of light" or "faggots and
peas", only when they name a person); and the patterns of
discrimination.yaml for hostility without a slur ("go back to your own
country", "women shouldn't be surgeons"). Neutral mentions of a group
("South Asian patients", "Muslim students in Ramadan") match neither.
"""

from __future__ import annotations

import dataclasses

from gateway.detect.language.framing import Framer, boundaries
from gateway.detect.language.lexicon import MacroSet, WordList, compile_patterns, load_pattern_file
from gateway.detect.language.signals import Document, PatternRecogniser, Signal, mask
from gateway.detect.language.targets import GROUP, SECOND_PERSON, TargetResolver
from gateway.detect.language.text import Sentence

DISCRIMINATION = "DISCRIMINATION"

_KIND = {
    "race": "racial slur",
    "nationality": "xenophobic slur",
    "religion": "religious slur",
    "sexuality": "homophobic slur",
    "gender_identity": "transphobic slur",
    "disability": "ableist slur",
    "traveller": "anti-Traveller slur",
}
# words before a slur that make it name a person: "some ...", "that ...", "dirty ..."
_POINTING = frozenset(
    [
        "some",
        "that",
        "this",
        "those",
        "these",
        "little",
        "dirty",
        "filthy",
        "fucking",
        "bloody",
        "stupid",
        "typical",
        "bunch",
        "load",
        "lot",
        "another",
        "other",
        "fat",
    ]
)


class SlurRecogniser:
    """Slurs from slurs.txt; framed ones only when they name a person."""

    def __init__(self, slurs: WordList, framer: Framer) -> None:
        self.slurs = slurs
        self.framer = framer

    def scan(self, doc: Document) -> list[Signal]:
        out = []
        for k, s in enumerate(doc.sentences):
            for hit in s.find(self.slurs):
                target = GROUP
                aim = self.framer.aimed_at(doc.sentences, k, hit.start, hit.end, noun=True, strong=True)
                if aim is not None and aim.target == SECOND_PERSON:
                    target = SECOND_PERSON
                if hit.entry.flag("frame") and aim is None and not self._pointed(s, hit.start):
                    continue
                kind = _KIND.get(hit.entry.get("group"), "slur")
                out.append(
                    Signal(
                        DISCRIMINATION,
                        "word:" + " ".join(hit.text.split()),
                        1.0,
                        target,
                        f"{mask(hit.text)} ({kind})",
                        k,
                        reported=s.is_reported(hit.begin, hit.finish),
                        begin=hit.begin,
                        end=hit.finish,
                    )
                )
        return out

    def uses_slur(self, doc: Document) -> bool:
        return any(s.find(self.slurs) for s in doc.sentences)

    def _pointed(self, s: Sentence, start: int) -> bool:
        words = s.words()
        hard = boundaries(s)
        return start > 0 and not hard[start] and words[start - 1] in _POINTING


def hostility_recogniser(macros: MacroSet, resolver: TargetResolver) -> PatternRecogniser:
    raw = load_pattern_file("discrimination.yaml", macros)
    patterns = compile_patterns(raw.get("patterns"), macros, "discrimination.yaml")
    # hostility is aimed at a group, whoever else the sentence names
    return PatternRecogniser(
        DISCRIMINATION, [dataclasses.replace(p, target="group") for p in patterns], resolver
    )
