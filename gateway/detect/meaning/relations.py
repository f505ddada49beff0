"""Who and what: a person reference and a health fact in one clause, as features a bag of words cannot give.

The model confuses a described person without a health fact ("the lady from
the bridal shop came to the ball") with the same description beside one.
Words and word pairs cannot say that the two stand together; these features
can. From the word classes in `gateway/detect/data/meaning/word_classes.txt`
(classes, not phrases) each sentence's tokens (features.py) are read as

- health facts by kind: result, test, diagnosis, admission, clinic,
  treatment, death, symptom, pregnancy;
- person references by kind: `name` (features.py's `_name_`), `myrel` (the
  writer's relation or friend, "my mum"), `rel` (anyone else's, "his wife",
  "Karen's dad"), `described` (a person by a noun, "the lady", "that guy"),
  `anon` (an anonymised case, "a woman"), `role` ("the receptionist"),
  `patient`, `third` (he, she, his, her), `writer` (I, me, my);
- the tense of a clause (future, past, present), from its auxiliaries and
  time words.

A clause is the part of a sentence between commas, semicolons, colons,
brackets and dashes. The features (prefix `c:`), each family switchable for
cross-validation (`FAMILIES`):

- `h`: `c:h:KIND` for each kind of health fact in the sentence;
- `ph`: the holder of each health fact (the nearest person reference before
  it in its clause, else after it, else `none`): `c:ph:HOLDER:KIND` and
  `c:ph:HOLDER`;
- `t`: `c:t:TENSE:HOLDER` for each health fact's clause;
- `p0`: `c:p0:PERSON` for each kind of person reference in a sentence with
  no health fact at all;
- `ps`: `c:ps:PERSON:KIND` for each person kind and health kind in one
  sentence, whatever the clauses.

Linear in the sentence: one pass over its tokens, a bounded look for each
health fact's holder within its clause.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources

DATA_PACKAGE = "gateway.detect.data.meaning"
CLASSES_FILE = "word_classes.txt"
HEALTH = ("result", "test", "diagnosis", "admission", "clinic", "treatment", "death", "symptom", "pregnancy")
PERSONS = ("relation", "described", "role", "patient", "third", "writer")
TENSES = ("future", "past", "present")
FAMILIES = frozenset({"h", "ph", "t", "p0", "ps"})
#: the token features.py writes for a person's name
NAME = "_name_"
_CLAUSE = re.compile(r"[,;:()\[\]–—]|\s-\s")
_MINE = frozenset({"my", "our"})
_INDEFINITE = frozenset({"a", "an"})
_DEFINITE = frozenset({"the", "this", "that", "these", "those"})
_DETERMINERS = _MINE | _INDEFINITE | _DEFINITE
#: person classes that are their own kind of reference
_SELF_NAMED = frozenset({"patient", "third", "writer"})
#: a described noun that only refers with a determiner before it ("the one with the tattoos")
_NEEDS_DETERMINER = frozenset({"one", "person"})
#: a determiner counts for a noun at most this many tokens after it ("a 67-year-old man": a, #00, year, old)
_DETERMINER_REACH = 4
#: how many looked-up tokens are remembered
_CACHED = 50_000
#: how far (in tokens) a holder is looked for on either side of a health fact
_REACH = 12


@dataclass(frozen=True)
class WordClasses:
    """Word -> class, for whole words and for prefixes ("diagnos*")."""

    words: dict[str, str]
    prefixes: dict[int, dict[str, str]]
    #: tokens already looked up, and their class (at most `_CACHED` of them: hostile text has no end of new words)
    seen: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def parse(cls, lines: list[str]) -> WordClasses:
        words: dict[str, str] = {}
        prefixes: dict[int, dict[str, str]] = {}
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, rest = line.partition(":")
            for w in rest.split():
                if w.endswith("*"):
                    prefixes.setdefault(len(w) - 1, {})[w[:-1]] = name.strip()
                else:
                    words[w] = name.strip()
        return cls(words, prefixes)

    @classmethod
    def load(cls) -> WordClasses:
        text = resources.files(DATA_PACKAGE).joinpath(CLASSES_FILE).read_text(encoding="utf-8")
        return cls.parse(text.splitlines())

    def of(self, token: str) -> str:
        """The class of a token ("" for none)."""
        got = self.seen.get(token)
        if got is not None:
            return got
        got = self.words.get(token)
        if got is None:
            got = ""
            for n, table in self.prefixes.items():
                if len(token) >= n and token[:n] in table:
                    got = table[token[:n]]
                    break
        if len(self.seen) < _CACHED:
            self.seen[token] = got
        return got


def relation_features(
    sentence: str, tokens: Sequence[tuple[str, str, int]], classes: WordClasses, families: frozenset[str]
) -> set[str]:
    """The relation features of one sentence from its tokens (token, voice, offset in the sentence:
    `Featurizer.placed`). Most tokens have no class: for them the loop only notes a determiner."""
    if not families:
        return set()
    seen = classes.seen
    person = [""] * len(tokens)
    health: list[tuple[int, str]] = []  # (token index, kind)
    tenses: list[tuple[int, str]] = []  # (offset, tense)
    prev = ""
    det, det_at = "", -_DETERMINER_REACH - 1  # the last determiner, and its token index
    for i, (tok, _, pos) in enumerate(tokens):
        kind = seen.get(tok)
        if kind is None:
            kind = NAME if tok == NAME else classes.of(tok)
        if kind:
            d = det if i - det_at <= _DETERMINER_REACH else ""  # "a 67-year-old man", "the new receptionist"
            if kind == NAME:
                person[i] = "name"
            elif kind == "relation":
                person[i] = "myrel" if prev in _MINE else "rel"
            elif kind == "described":
                if d in _INDEFINITE:
                    person[i] = "" if tok in _NEEDS_DETERMINER else "anon"
                elif d in _DEFINITE or tok not in _NEEDS_DETERMINER:
                    person[i] = "described"
            elif kind == "role":
                person[i] = "role" if d in _DEFINITE or d in _MINE else ""
            elif kind in _SELF_NAMED:
                person[i] = kind
            elif kind in HEALTH:
                health.append((i, kind))
            elif kind in TENSES:
                tenses.append((pos, kind))
        if tok in _DETERMINERS:
            det, det_at = tok, i
        prev = tok
    out: set[str] = set()
    kinds_p = {p for p in person if p}
    if not health:
        if "p0" in families:
            out.update("c:p0:" + p for p in kinds_p)
        return out
    kinds_h = {k for _, k in health}
    if "h" in families:
        out.update("c:h:" + k for k in kinds_h)
    if "ps" in families:
        out.update(f"c:ps:{p}:{k}" for p in kinds_p for k in kinds_h)
    if "ph" in families or "t" in families:
        bounds = [m.start() for m in _CLAUSE.finditer(sentence)]
        tense: dict[int, str] = {}
        for pos, kind in tenses:
            c = bisect_right(bounds, pos)
            have = tense.get(c)
            if have is None or TENSES.index(kind) < TENSES.index(have):
                tense[c] = kind
        for i, k in health:
            holder = _holder(i, tokens, bounds, person)
            if "ph" in families:
                out.add(f"c:ph:{holder}:{k}")
                out.add(f"c:ph:{holder}")
            if "t" in families:
                out.add(f"c:t:{tense.get(bisect_right(bounds, tokens[i][2]), 'none')}:{holder}")
    return out


def _holder(i: int, tokens: Sequence[tuple[str, str, int]], bounds: list[int], person: list[str]) -> str:
    """The person reference nearest before token i in its clause, else the nearest after it, else "none"."""
    c = bisect_right(bounds, tokens[i][2])
    for j in range(i - 1, max(-1, i - 1 - _REACH), -1):
        if bisect_right(bounds, tokens[j][2]) != c:
            break
        if person[j]:
            return person[j]
    for j in range(i + 1, min(len(person), i + 1 + _REACH)):
        if bisect_right(bounds, tokens[j][2]) != c:
            break
        if person[j]:
            return person[j]
    return "none"
