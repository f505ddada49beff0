"""What the meaning classifier reads: a text as a set of feature strings.

The same function serves training (scripts/train_meaning.py) and the
gateway, so a model can only ever see features computed the way it was
trained on. A sentence becomes lower-case tokens with light normalisation:

- a person's name becomes `_name_`: a capitalised given name from the
  patient lists, a lower-case one from the curated first-name list, or a
  capitalised word after a courtesy or doctor's title ("Mrs Okafor");
  other capitalised words inside a sentence keep their word and add the
  shape `_cap_` ("Karen Mbatha" -> `_name_ mbatha _cap_`);
- a token with a digit becomes its shape, each digit a 0 ("07700" ->
  `#00000`, "K7734102" -> `#k0000000`): the model learns that a ten-digit
  run or a letter-and-digits code matters, never which number;
- "'s" is a token of its own ("Karen's" -> `_name_ 's`).

Features are word unigrams (`w:`), bigrams of consecutive tokens (`b:`,
the first one after a sentence start `<s>`), skip-bigrams of tokens two
apart (`s:`, "know where you" gives `s:know you`: one word between
them, whatever it is) and the first five letters of each longer word
(`p:`, a crude stem: "diagnosed" and "diagnosis" share `p:diagn`). On
cross-validation over the training data (2266 entries) the skip-bigrams
and stems together raised recall at the same 1% clean false-flag rate
from 0.46 to 0.52 (patient) and 0.40 to 0.44 (abuse); either alone did
little. Character n-grams inside words were tried and left out: they
lowered recall at the same false-flag rate (either output, by 3 to 6
points) and cost most of the scoring time. A text's features are the
union of its sentences' features; the classifier reads each distinct
feature once (binary), and scales by the square root of how many there
are.

Every step is a single pass over the text with bounded per-token work, so
the cost grows linearly with the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: tokens: runs of letters and digits, with one inner apostrophe ("o'brien", "karen's", "don't")
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_DIGIT = re.compile(r"\d")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sister", "nurse"})
NAME = "_name_"
CAP = "_cap_"
#: a token with digits keeps at most this much of its shape (hostile input: a 1 MB digit run)
_MAX_SHAPE = 14
#: a longer word also gives its first STEM letters as a feature
STEM = 5
#: a word keeps at most this many letters (hostile input: a 1 MB "word")
_MAX_WORD = 40


class Featurizer:
    """Sentence -> frozenset of feature strings."""

    def __init__(self, given_names: Iterable[str], first_names: Iterable[str]) -> None:
        #: capitalised words that are names ("Karen", "Tom"): census lists and the curated list
        self.given = frozenset(n.lower() for n in given_names) | frozenset(n.lower() for n in first_names)
        #: lower-case words that are names ("karen mbatha's smear"): the curated list, no everyday words
        self.first = frozenset(n.lower() for n in first_names)

    def tokens(self, sentence: str) -> list[str]:
        """Normalised tokens of one sentence."""
        out: list[str] = []
        prev = ""
        first = True
        for m in _TOKEN.finditer(sentence):
            raw = m.group()
            possessive = False
            if raw[-2:] in ("'s", "’s") and len(raw) > 2:
                raw, possessive = raw[:-2], True
            low = raw.lower().replace("’", "'")
            if _DIGIT.search(raw):
                out.append("#" + _DIGIT.sub("0", low[:_MAX_SHAPE]))
            elif (raw[0].isupper() and (low in self.given or prev in _TITLES) and low not in _TITLES) or (
                raw.islower() and low in self.first
            ):
                out.append(NAME)
            else:
                out.append(low[:_MAX_WORD])
                if not first and raw[0].isupper() and not raw.isupper() and low not in _TITLES and low != "i":
                    out.append(CAP)
            if possessive:
                out.append("'s")
            prev = low
            first = False
        return out

    def features(self, sentence: str) -> frozenset[str]:
        """The feature strings of one sentence."""
        feats: set[str] = set()
        prev = "<s>"
        before = ""  # the word before prev
        for tok in self.tokens(sentence):
            feats.add("w:" + tok)
            if tok == CAP:
                continue
            feats.add("b:" + prev + " " + tok)
            if before:
                feats.add("s:" + before + " " + tok)
            if len(tok) > STEM and tok[0].isalpha():
                feats.add("p:" + tok[:STEM])
            before = prev if prev != "<s>" else ""
            prev = tok
        return frozenset(feats)
