"""Allow-lists: what looks rude to a naive filter but is medicine, a place, a name or banter.

- medical_allow.txt, places_allow.txt, everyday_allow.txt: phrases that
  are innocent whatever words they contain ("bloody diarrhoea", "spastic
  paraplegia", "Scunthorpe", "blue tits"). `ViewBuilder` replaces them with
  ``_ok_`` before any recogniser reads a sentence.
- name_words.txt: rude words that are also names ("Dick", "Cox", "Butt"),
  names when written as names; not_names.txt: capitalised words that are
  never a person ("Clinical Skills Centre"). Both feed `NameFinder`.
- affection.txt: banter markers ("lol", "x") that halve medium insults and
  joking threats.

Clinical anatomy needs no entry: words like "rectal", "penile", "breast",
"anal", "erectile" are on none of the rude lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from gateway.detect.language.lexicon import DATA_DIR, WordList, load_list, read_entries
from gateway.detect.language.text import Sentence

ALLOW_FILES = ("medical_allow.txt", "places_allow.txt", "everyday_allow.txt")
# emoji that mark a message as friendly; kept in code because word lists hold words
_EMOJI = (
    "\U0001f602\U0001f923\U0001f618\U0001f609\U0001f61c\U0001f61d\u2764\U0001f495\U0001f497\U0001f970\U0001f60a\U0001f92a"
    # round 8: the rest of the laughing and teasing faces (grinning, sweat smile, upside-down, hand over mouth,
    # see-no-evil, skull for "dead" laughing, face with tongue)
    "\U0001f606\U0001f601\U0001f605\U0001f643\U0001f92d\U0001f648\U0001f480\U0001f61b"
)
_KISSES = re.compile(r"(?mi)(?:^|\s)x{1,4}[ \t\r]*+$")  # reads whole texts: possessive, linear


@dataclass
class AllowLists:
    phrases: list[WordList]
    name_words: set[str]
    not_names: set[str]
    affection: WordList

    def friendly(self, sentences: list[Sentence], raw_texts: list[str]) -> bool:
        """Does the message carry banter markers ("lol", "haha", emoji, kisses at a line's end)?"""
        if any(s.find(self.affection) for s in sentences):
            return True
        return any(ch in text for text in raw_texts for ch in _EMOJI) or any(
            _KISSES.search(text) for text in raw_texts
        )


def load_allow_lists(data_dir: Path = DATA_DIR, extra: tuple[Path, ...] = ()) -> AllowLists:
    phrases = [load_list(name, data_dir) for name in ALLOW_FILES]
    phrases.extend(WordList(read_entries(path), name=path.name) for path in extra)
    return AllowLists(
        phrases=phrases,
        name_words=_words(data_dir / "name_words.txt"),
        not_names=_words(data_dir / "not_names.txt"),
        affection=load_list("affection.txt", data_dir),
    )


def _words(path: Path) -> set[str]:
    return {form for forms, _ in read_entries(path) for form in forms}
