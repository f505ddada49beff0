"""Word lists read from the patient data files: the `WordList` that finds a list's entries in a text.

Each list lives in `gateway/detect/data/patient/<name>.txt` (one entry per
line, lines starting "# " are comments; see the README there). A `WordList` answers "is this
word in the list" for single words and finds every entry, phrases
included, on word boundaries in a text. `lexicon.py` builds the patient detector's lists on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

DATA_PACKAGE = "gateway.detect.data.patient"


#: words for look-ups: letters and digits, with inner apostrophes, ampersands and dots ("a&e", "d.o.b")
_WORD = re.compile(r"#?\w+(?:['’&.]\w+)*")


#: words with their positions, for `WordList.spans` (a hyphen joins nothing: "x-ray" is two words)
_SPAN_WORD = re.compile(r"#?\w+(?:['’&.]\w+)*")

#: text is read in blocks of about this many characters
_BLOCK = 2000


def entry_words(entry: str) -> tuple[str, ...]:
    """An entry or a text as lower-case words; hyphens separate words ("x-ray" = "x ray")."""
    return tuple(_WORD.findall(entry.lower().replace("-", " ").replace("’", "'")))


@dataclass(frozen=True)
class WordList:
    """Lower-case entries, single words and phrases, matched on word boundaries.

    `distinct` and `search` look words and word n-grams up in a set (one
    pass over the text, whatever the list's size); `find` and `pattern`
    give positions, for short texts.
    """

    name: str
    entries: frozenset[str]
    grams: frozenset[tuple[str, ...]] = frozenset()
    singles: frozenset[str] = frozenset()
    phrase_lengths: tuple[tuple[str, tuple[int, ...]], ...] = ()  # first word -> lengths of phrases

    @classmethod
    def of(cls, name: str, entries: list[str] | tuple[str, ...] | frozenset[str]) -> WordList:
        clean = frozenset(e.strip().lower() for e in entries if e.strip())
        if not clean:
            return cls(name, clean)
        grams = frozenset(g for g in (entry_words(e) for e in clean) if g)
        lengths: dict[str, set[int]] = {}
        for g in grams:
            if len(g) > 1:
                lengths.setdefault(g[0], set()).add(len(g))
        return cls(
            name,
            clean,
            grams,
            frozenset(g[0] for g in grams if len(g) == 1),
            tuple((k, tuple(sorted(v))) for k, v in lengths.items()),
        )

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Every entry as one regular expression, not inside a longer word on either side (compiled when first
        used: the long lists are only looked up by words, and compiling them costs seconds per worker)."""
        if not self.entries:
            return re.compile(r"(?!x)x")
        body = "|".join(_entry_regex(e) for e in sorted(self.entries, key=len, reverse=True))
        return re.compile(rf"(?<![\w]){'(?:' + body + ')'}(?![\w])", re.IGNORECASE)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word.lower() in self.entries

    @cached_property
    def _phrases(self) -> dict[str, tuple[int, ...]]:
        """First word of a phrase -> the lengths of the phrases it starts (built once per list, not per text)."""
        return dict(self.phrase_lengths)

    @cached_property
    def _keys(self) -> frozenset[str]:
        """Every word a look-up starts from: the single-word entries and the first words of phrases."""
        return self.singles | self._phrases.keys()

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, entry) for every entry found in `text`."""
        return [(m.start(), m.end(), m.group().lower()) for m in self.pattern.finditer(text)]

    def search(self, text: str) -> bool:
        return next(self._iter(text), None) is not None

    def distinct(self, text: str, at_most: int = 0) -> set[str]:
        """The entries found in `text` (stopping once `at_most` different ones are found, if given)."""
        if not at_most:
            return set(self._iter(text))
        out: set[str] = set()
        for entry in self._iter(text):
            out.add(entry)
            if len(out) >= at_most:
                break
        return out

    def spans(self, text: str, suffixes: tuple[str, ...] = ()) -> list[tuple[int, int, str]]:
        """(start, end, entry) for every entry in `text`, by word look-ups: one pass, any list size.

        Overlapping entries are all returned ("diagnosed" and "diagnosed with"). A word ending in one of
        `suffixes` is returned too, with "" for its entry. Words are listed by one C-level `findall`; the
        positions are only worked out when some word is worth it.
        """
        low = text.lower().replace("’", "'")
        if len(low) != len(text):  # a few characters grow when lower-cased ("İ"): keep offsets exact
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text).replace("’", "'")
        tokens = _SPAN_WORD.findall(low)
        phrases = self._phrases
        keys = self._keys
        wanted = [i for i, w in enumerate(tokens) if w in keys or (suffixes and w.endswith(suffixes))]
        if not wanted:
            return []
        spans = [m.span() for m in _SPAN_WORD.finditer(low)]
        out = []
        for i in wanted:
            w = tokens[i]
            s, e = spans[i]
            if w in self.singles:
                out.append((s, e, w))
            elif suffixes and w.endswith(suffixes) and w not in keys:
                out.append((s, e, ""))
            for n in phrases.get(w, ()):
                gram = tuple(tokens[i : i + n])
                if len(gram) == n and gram in self.grams:
                    out.append((s, spans[i + n - 1][1], " ".join(gram)))
        return out

    def _iter(self, text: str) -> Iterator[str]:
        singles, grams = self.singles, self.grams
        phrases = self._phrases
        # a block at a time (cut at a line end), so a caller that stops early reads little
        pos = 0
        while pos < len(text):
            end = len(text) if len(text) - pos <= _BLOCK else text.find("\n", pos + _BLOCK) + 1 or len(text)
            words = entry_words(text[pos:end])
            pos = end
            for i, w in enumerate(words):
                if w in singles:
                    yield w
                for n in phrases.get(w, ()):
                    g = words[i : i + n]
                    if g in grams:
                        yield " ".join(g)


def _entry_regex(entry: str) -> str:
    # words of a phrase may be separated by any whitespace, or a hyphen where the entry has a space
    parts = [re.escape(p) for p in entry.split()]
    return r"[\s-]+".join(parts)


def read_list(name: str) -> list[str]:
    """The entries of data file `name`.txt, comments and blank lines dropped."""
    text = resources.files(DATA_PACKAGE).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not (line == "#" or line.startswith("# ")):  # "#nof" is an entry, "# ..." a comment
            out.append(line)
    return out


def load_list(name: str) -> WordList:
    return WordList.of(name, read_list(name))


#: endings that make a word a procedure or a condition: "mastectomy", "appendicitis", "carcinoma"


@cache
def english_words() -> frozenset[str]:
    """Words that are not a name on their own (`english_words.txt`, made by scripts/make_english_words.py); an
    eponym that is also one ("Bell's", "Graves'") is not read as a condition alone either."""
    return frozenset(read_list("english_words"))
