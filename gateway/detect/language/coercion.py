"""HARASSMENT by coercive control: checking, isolating and ruling, read as parts (coercion.yaml).

"Send me a pic of where you are at 10", "you're not seeing your friends this
weekend", "you'll do as I say": each is innocent alone or between friends
meeting up, and together they are a partner's control. coercion.yaml lists
three kinds of part: monitor (checking where the person is, whom they see,
their phone), isolate (cutting them off from friends and family) and command
(ruling what they may do). Parts of two kinds, or of one kind in two
sentences, within a few consecutive sentences of the writer's own words,
aimed at the reader, are HARASSMENT (1.0, "coercive control: command +
isolate"). One part alone weighs less and needs company. A kind purpose
("so I can find you", "let me know you got home safe") makes checking care.
"""

from __future__ import annotations

from pathlib import Path

from gateway.detect.language.harassment import HARASSMENT
from gateway.detect.language.lexicon import DATA_DIR, MacroSet, compile_regexes, load_pattern_file
from gateway.detect.language.signals import Document, Signal
from gateway.detect.language.targets import SECOND_PERSON
from gateway.detect.language.text import Sentence
from gateway.detect.language.triggers import Keyed, KeyedSet

SOURCE = "coercion.yaml"


class CoercionReader:
    """Reads coercion.yaml; `scan` gives at most one HARASSMENT signal per document."""

    def __init__(self, macros: MacroSet, data_dir: Path = DATA_DIR) -> None:
        raw = load_pattern_file(SOURCE, macros, data_dir)
        self.window = int(raw.get("window", 3))
        self.alone = float(raw.get("alone", 0.5))
        self.innocent = compile_regexes([raw.get("innocent", "(?!)")], macros, SOURCE)[0]
        pairs = [
            (name, Keyed(r))
            for name, items in (raw.get("parts") or {}).items()
            for r in compile_regexes(items, macros, f"{SOURCE}:{name}")
        ]
        self._keyed = KeyedSet([p for _, p in pairs])
        self._names = [name for name, _ in pairs]
        self.patterns = self._keyed.patterns  # every part's patterns, in file order

    def parts_of(self, sentence: Sentence) -> dict[str, tuple[int, int]]:
        """The parts a sentence holds in the writer's own words, each at its first match."""
        found: dict[str, tuple[int, int]] = {}
        for i in self._keyed.candidates(sentence.keys):
            name = self._names[i]
            if name in found:
                continue
            m = self._keyed.patterns[i].regex.search(sentence.view)
            if m is not None and not sentence.is_reported(m.start(), m.end()):
                found[name] = (m.start(), m.end())
        return found

    def scan(self, doc: Document) -> list[Signal]:
        sentences = doc.sentences
        parts = [self.parts_of(s) for s in sentences]
        first: Signal | None = None
        for k, here in enumerate(parts):
            if not here or self.innocent.search(sentences[k].view):
                continue
            window = [j for j in range(k, min(len(sentences), k + self.window)) if parts[j]]
            window = [j for j in window if not self.innocent.search(sentences[j].view)]
            kinds = sorted({name for j in window for name in parts[j]})
            strong = len(kinds) >= 2 or len(window) >= 2
            name = min(here)
            begin, end = here[name]
            sig = Signal(
                HARASSMENT,
                "coercion:" + "+".join(kinds) if strong else "coercion:" + name,
                1.0 if strong else self.alone,
                SECOND_PERSON,
                "coercive control: " + " + ".join(kinds),
                k,
                begin=begin,
                end=end,
            )
            if strong:
                return [sig]
            first = first or sig
        return [first] if first is not None else []
