"""PROFANITY: swearing aimed at no one ("the exam was ..."), reported as mild.

Swearing that is aimed at a person ("you ... idiot", "... off") is an
insult; `InsultRecogniser` claims those words first and hands over the
rest. Allow-listed phrases ("bloody diarrhoea", "skin prick test") never
reach this module: they are ``_ok_`` in the view.
"""

from __future__ import annotations

from gateway.detect.language.lexicon import WordList
from gateway.detect.language.signals import Document, Signal, mask
from gateway.detect.language.targets import NONE

PROFANITY = "PROFANITY"


class ProfanityRecogniser:
    """Finds swear words; the detector reports them unless an insult already claimed them."""

    def __init__(self, words: WordList, insults: WordList | None = None) -> None:
        self.words = words
        self.insults = insults  # its entries marked "profane" ("prick") are swearing when aimed at no one

    def scan(self, doc: Document, claimed: set[tuple[int, int]]) -> list[Signal]:
        """Signals for swear words not in `claimed` ((sentence, view offset) of words aimed at someone)."""
        out = []
        for k, s in enumerate(doc.sentences):
            hits = list(s.find(self.words))
            if self.insults is not None:
                taken = {i for h in hits for i in range(h.start, h.end)}
                hits.extend(
                    h
                    for h in s.find(self.insults)
                    if h.entry.flag("profane") and not taken.intersection(range(h.start, h.end))
                )
            for hit in hits:
                if (k, hit.begin) in claimed:
                    continue
                out.append(
                    Signal(
                        PROFANITY,
                        "word:" + " ".join(hit.text.split()),
                        1.0,
                        NONE,
                        f"{mask(hit.text)} (profanity)",
                        k,
                        reported=s.is_reported(hit.begin, hit.finish),
                        begin=hit.begin,
                        end=hit.finish,
                    )
                )
        return out
