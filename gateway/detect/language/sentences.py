"""Cutting a text into sentences, and finding each sentence again in the text it came from.

`clean` straightens quotes, dashes and spaces and drops web and mail
addresses; `split_sentences` cuts the cleaned text at sentence ends, line
breaks and blank lines, in bounded pieces so every later pattern stays
linear; `sentence_spans` carries each sentence back to offsets in the
original text (the convention of a finding's ``details["spans"]``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": " - ",
        "\u2014": " - ",
        "\u00a0": " ",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\u00ad": "",
        "\ufeff": "",
    }
)
# Every pattern here that reads a whole text (not one bounded sentence) must stay linear on any
# input: a run of characters is scanned once, from its first character (the lookbehinds), and
# possessive repeats never give characters back. "a" * 100_000 took 26 s with "[\w.+-]+@", which
# tried every position of the run and scanned to its end each time.
_ADDRESS = re.compile(r"(?i)\b(?:https?://|www\.)\S++|(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)++")
_ABBREV = re.compile(
    r"(?i)(?:^|\s)(?:dr|mr|mrs|ms|mx|prof|st|vs|etc|e\.g|i\.e|eg|ie|no|nos|approx|fig|ref|dept|jr|sr|rev|revd|cf|al)\.$"
)
_SENTENCE_END = re.compile(r"(?<![.!?])[.!?]++[\"')\]]*+(?=\s)")
_PARAGRAPH = re.compile(r"\n[ \t>]*+\n")
_QUOTE_MARKER = re.compile(r"^[ \t]*+(?:>[ \t]?+)++")
_ABBREV_REACH = 10  # more than the longest abbreviation ("approx") and the space before it
_MAX_SENTENCE = 600


def clean(text: str) -> str:
    """Straight quotes, plain dashes and spaces, no web or mail addresses."""
    return _ADDRESS.sub(" ", text.translate(_TRANSLATE))


def split_sentences(text: str) -> list[str]:
    """Sentences of a cleaned text.

    Blank lines end paragraphs. A line break ends a sentence unless the line
    before it was long and open (a wrapped line). Quote markers ("> ") are
    dropped: quoting is known from the segment.
    """
    out: list[str] = []
    for para in _PARAGRAPH.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        chunk, last_len = "", 0
        for raw in para.split("\n"):
            line = _QUOTE_MARKER.sub("", raw).strip()
            if not line:
                continue
            if chunk and last_len >= 55 and not chunk.endswith((".", "!", "?", ":", ";")):
                chunk += " " + line
            else:
                if chunk:
                    out.extend(_split_chunk(chunk))
                chunk = line
            last_len = len(line)
        if chunk:
            out.extend(_split_chunk(chunk))
    return out


def _split_chunk(chunk: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(chunk):
        # only the few characters before the stop can make it an abbreviation ("Dr.", "e.g.")
        # (the window is longer than any abbreviation, so its start never passes for "^")
        if _ABBREV.search(chunk[max(start, m.start() - _ABBREV_REACH) : m.start() + 1]):
            continue
        pieces.append(chunk[start : m.end()])  # closing quotes and brackets stay with their sentence
        start = m.end()
    pieces.append(chunk[start:])
    out = []
    for p in pieces:
        out.extend(_cut(p.strip()))
    return out


def _cut(piece: str) -> list[str]:
    """Tables and run-on text in pieces of at most _MAX_SENTENCE characters, cut at a space.

    Every sentence-level pattern reads at most this much at a time, so even
    a pattern that backtracks costs a bounded amount per piece: linear in the text.
    """
    out, pos, n = [], 0, len(piece)
    while n - pos > _MAX_SENTENCE:
        cut = piece.rfind(" ", pos, pos + _MAX_SENTENCE)
        cut = cut if cut > pos + _MAX_SENTENCE // 2 else pos + _MAX_SENTENCE
        out.append(piece[pos:cut].strip())
        pos = cut
    rest = piece[pos:].strip()
    if rest:
        out.append(rest)
    return [p for p in out if p]


def sentence_spans(text: str, sentences: Sequence[str]) -> list[tuple[int, int]]:
    """Where each sentence of `split_sentences(clean(text))` stands in `text` itself, (start, end).

    Cleaning changes lengths (dashes, zero-width characters, addresses) and
    splitting drops quote markers and joins wrapped lines, so each sentence
    is found word by word, in order, in the cleaned text, and the offsets are
    carried back through a map of where each cleaned character came from.
    """
    cleaned, origin = _clean_with_origin(text)
    out: list[tuple[int, int]] = []
    pos = 0
    for sentence in sentences:
        first = last = -1
        for word in sentence.split():
            at = cleaned.find(word, pos)
            if at < 0:
                break
            if first < 0:
                first = at
            last, pos = at + len(word), at + len(word)
        if first < 0:
            out.append((0, 0))
            continue
        out.append((origin[first], origin[last - 1] + 1))
    return out


def _clean_with_origin(text: str) -> tuple[str, list[int]]:
    """`clean(text)` and, for each of its characters, the offset in `text` it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        out = ch.translate(_TRANSLATE)
        chars.extend(out)
        origin.extend([i] * len(out))
    translated = "".join(chars)
    pieces: list[str] = []
    kept: list[int] = []
    pos = 0
    for m in _ADDRESS.finditer(translated):
        pieces.append(translated[pos : m.start()] + " ")
        kept.extend(origin[pos : m.start()])
        kept.append(origin[m.start()])
        pos = m.end()
    pieces.append(translated[pos:])
    kept.extend(origin[pos:])
    return "".join(pieces), kept
