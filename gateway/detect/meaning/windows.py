"""Sentence windows: the pieces of a text the meaning classifier scores, with their offsets.

A sentence ends at ".", "!" or "?" followed by white space, or at a line
break; one longer than `MAX_SENTENCE` characters is cut at a space. A
window is a run of up to `MAX_SENTENCES` consecutive sentences of at most
`WINDOW_CHARS` characters in all (about the length of the short emails
the model learned from); one window starts at each sentence, and a window
inside the one before it is dropped. A text is flagged when any window
scores above the threshold, and the finding points at that window.

One pass over the text and a bounded amount of work per sentence: linear
in the text, whatever it holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SENTENCE = 400
MAX_SENTENCES = 3
WINDOW_CHARS = 320
_END = re.compile(r"[.!?]+(?=\s)|\n")


@dataclass(frozen=True)
class Window:
    """Sentences first..last (indices into the sentence list), text[start:end]."""

    start: int
    end: int
    first: int
    last: int


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank sentence of `text`, white space trimmed."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _END.finditer(text):
        _add(text, pos, m.end(), out)
        pos = m.end()
    _add(text, pos, len(text), out)
    return out


def _add(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE:
        cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
        cut = cut if cut > start else start + MAX_SENTENCE
        out.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start and any(ch.isalnum() for ch in text[start:end]):
        out.append((start, end))


def windows(spans: list[tuple[int, int]]) -> list[Window]:
    """Windows over sentence spans: from each sentence, as many as fit; none inside the one before."""
    out: list[Window] = []
    for i, (s, _) in enumerate(spans):
        j = i
        while j + 1 < len(spans) and j + 1 - i < MAX_SENTENCES and spans[j + 1][1] - s <= WINDOW_CHARS:
            j += 1
        if out and out[-1].last >= j:
            continue
        out.append(Window(s, spans[j][1], i, j))
    return out
