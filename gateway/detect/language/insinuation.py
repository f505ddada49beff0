"""DEFAMATION by insinuation: a person set beside a loss or a gain, and the writer's nudge to draw the line.

"Funny how the float went short the week she took over the desk", "ask
yourself why Dr X's tutees always pass", "I'm not saying he took it, but the
tin was full before he went in". Nothing is stated, so no wrongdoing class of
allegations.yaml reads it. insinuation.yaml gives word classes, each innocent
alone: a suggestion ("funny how", "draw your own conclusions"), a loss
(money, drugs or papers missing or short), a gain (a new car, the promotion,
marks that went up), a timing ("the week she", "right after"), a knowing
("we all know what Dr X gets up to") and a deed read only after "not saying
... but". Within a few consecutive sentences of the writer's own words, a
suggestion, a person the message identifies and an act (a loss, a gain with
a timing or a loss, a knowing, or a deed the writer pretends not to name)
make a DEFAMATION signal that says which parts met. The person is found as
allegations.py finds a subject (a name, a role, a person described, he/she
after one of them); a patient's history or a news report accuses no one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gateway.detect.language.allegations import AllegationReader
from gateway.detect.language.lexicon import DATA_DIR, MacroSet, compile_regexes, load_pattern_file
from gateway.detect.language.signals import Document, Signal
from gateway.detect.language.targets import NAMED, ROLE, SECOND_PERSON
from gateway.detect.language.text import Sentence
from gateway.detect.language.triggers import Keyed

SOURCE = "insinuation.yaml"
_PARTS = ("suggestion", "nudge", "loss", "gain", "timing", "knowing", "cause", "deed")
#: the parts that are the act an insinuation points at
_ACTS = frozenset(["loss", "gain", "timing", "knowing", "cause", "deed"])
#: kinds of person an insinuation can be about, as AllegationReader.people names them
_PEOPLE = frozenset(["named", "role", "described"])


class InsinuationReader:
    """Reads insinuation.yaml; `scan` gives at most one DEFAMATION signal per document."""

    def __init__(self, macros: MacroSet, allegations: AllegationReader, data_dir: Path = DATA_DIR) -> None:
        raw = load_pattern_file(SOURCE, macros, data_dir)
        self.allegations = allegations
        self.window = int(raw.get("window", 2))
        self.parts = {
            name: [Keyed(r) for r in compile_regexes(raw.get(name, []), macros, f"{SOURCE}:{name}")]
            for name in _PARTS
        }
        self.not_saying = Keyed(compile_regexes([raw["not_saying"]], macros, SOURCE)[0])

    def parts_of(self, sentence: Sentence) -> dict[str, tuple[int, int]]:
        """The parts a sentence holds in the writer's own words, each at its first match."""
        found: dict[str, tuple[int, int]] = {}
        view, words = sentence.view, sentence.keys
        for name in _PARTS:
            if name == "deed":
                continue
            for p in self.parts[name]:
                m = p.search(view, words)
                if m is not None and not sentence.is_reported(m.start(), m.end()):
                    found[name] = (m.start(), m.end())
                    break
        deny = self.not_saying.search(view, words)
        if deny is not None and not sentence.is_reported(deny.start(), deny.end()):
            for p in self.parts["deed"]:
                m = p.search(view[: view.find(" but ", deny.end()) + 1 or len(view)], words)
                if m is not None and m.start() > deny.end():
                    found["deed"] = (m.start(), m.end())
                    break
        return found

    def scan(self, doc: Document, type_: str) -> list[Signal]:
        sentences = doc.sentences
        parts = [self.parts_of(s) for s in sentences]
        for k, here in enumerate(parts):
            if not {"suggestion", "nudge", "knowing", "cause"} & here.keys():
                continue
            window = range(max(0, k - self.window + 1), min(len(sentences), k + self.window))
            kinds = {name for j in window for name in parts[j]}
            act = _act(kinds, here)
            if act is None:
                continue
            # the person stands in a sentence of the act itself, not in a remark beside it ("Priya has
            # already asked them to recount" after a float that came up short is not about Priya)
            acting = [j for j in window if parts[j].keys() & _ACTS]
            person = self._person(
                sentences, acting, placed="timing" in kinds, reader=not doc.context.friendly
            )
            if person is None or any(self.allegations.framed(sentences, j) for j in window):
                continue
            begin, end = here.get("suggestion") or here.get("nudge") or here.get("knowing") or here["cause"]
            return [
                Signal(
                    type_,
                    "insinuation:" + act,
                    1.0,
                    _TARGET[person],
                    f"insinuates wrongdoing ({act}) about {_WHO[person]}",
                    k,
                    begin=begin,
                    end=end,
                )
            ]
        return []

    def _person(
        self, sentences: Sequence[Sentence], window: Sequence[int], *, placed: bool, reader: bool
    ) -> str | None:
        """The kind of the first person the window identifies.

        He/she counts after one of them, or alone when a timing places the person ("the week she
        started on the desk" identifies her to anyone who works there); the reader counts when no
        one else is named and the writer is not among friends.
        """
        for j in window:
            for p in self.allegations.people(sentences[j]):
                if p.kind in _PEOPLE:
                    return p.kind
                if p.kind == "third":
                    found = self.allegations.subject(sentences, j, p.end)
                    if found is not None:
                        return found.kind
                    if placed:
                        return "described"
        if reader and any(p.kind == "second" for j in window for p in self.allegations.people(sentences[j])):
            return "second"  # said to the person's face: "I wonder why the counts go wrong on your nights"
        return None


_WHO = {
    "named": "a named person",
    "role": "a person identified by role",
    "described": "a person described",
    "second": "the reader",
}
_TARGET = {"named": NAMED, "role": ROLE, "described": ROLE, "second": SECOND_PERSON}


def _act(kinds: set[str], here: dict[str, tuple[int, int]]) -> str | None:
    """Which act the window's parts make with the suggestion, if any."""
    if "knowing" in here:
        return "knowing"
    if "cause" in here:
        return "cause"
    if "deed" in here:
        return "denial + deed"
    if "loss" in kinds:
        return "suggestion + loss"
    if "gain" in kinds and "timing" in kinds:
        return "suggestion + gain + timing"
    if "gain" in kinds and "nudge" in kinds:
        return "nudge + gain"
    return None
