"""The normalised views of sentences the language recognisers read (the cutting is in sentences.py).

A `Sentence` carries a *view* of what was written: lower case, curly
quotes straightened, contractions written out ("you'll" -> "you will"),
web and mail addresses dropped, disguised spellings undone ("f*ck",
"sh1t"), every person's name replaced by the token ``_name_`` and every
allow-listed phrase ("bloody diarrhoea", "Scunthorpe") by ``_ok_``. Word
lists and patterns only ever see views, so they never contain a name and
cannot be tripped by an allow-listed phrase.

The view also records which stretches are reported speech: words inside
quotation marks after "he said", or after "called me a". What a sender
reports others saying is marked quoted, like text quoted from an earlier
message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gateway.detect.language.lexicon import TOKEN, Hit, WordList

_APOSTROPHE = re.compile(r"\b([a-z]+)'(t|re|ll|ve|m|d|s)\b")
_NOT = {"won": "will", "can": "can", "shan": "shall", "ain": "is", "don": "do"}
_IS_AFTER = frozenset(
    [
        "he",
        "she",
        "it",
        "that",
        "there",
        "what",
        "who",
        "where",
        "here",
        "everyone",
        "everybody",
        "nobody",
        "someone",
        "somebody",
        "this",
    ]
)
_APOSTROPHE_SUFFIX = {"re": " are", "ll": " will", "ve": " have", "m": " am", "d": " would"}
# spellings without the apostrophe, and chat forms ("u", "ur", "gonna")
_INFORMAL = {
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "u": "you",
    "ur": "your",
    "ya": "you",
    "youre": "you are",
    "youll": "you will",
    "theyre": "they are",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "isnt": "is not",
    "wasnt": "was not",
    "arent": "are not",
    "cant": "can not",
    "wont": "will not",
    "im": "i am",
    "ive": "i have",
    "y'all": "you",
    "gonnae": "going to",  # Scots
    "heid": "head",
}
_YOU_R = re.compile(r"\byou r\b")  # "u r dead": "r" is "are" only after "you"
_INFORMAL_RX = re.compile(r"(?<![\w&/'])(" + "|".join(re.escape(w) for w in _INFORMAL) + r")(?![\w&/'])")


def _apostrophe(m: re.Match[str]) -> str:
    word, suffix = m.group(1), m.group(2)
    if suffix == "t":
        if not word.endswith("n"):
            return m.group()
        return _NOT.get(word, word[:-1]) + " not"
    if suffix == "s":
        if word == "let":
            return "let us"
        return word + " is" if word in _IS_AFTER else m.group()
    return word + _APOSTROPHE_SUFFIX[suffix]


# after a name, "'s" is "has" before "been"/"got" and "is" before an article or an adverb
# ("Gemma's been ...", "Kai's a ..."); before a noun it is a possessive and stays
_NAME_HAS = re.compile(r"_name_'s (?=(?:been|got) )")
_NAME_IS = re.compile(
    r"_name_'s (?=(?:a|an|so|such|always|never|just|literally|totally|clearly|obviously|definitely|actually|"
    r"basically|still|not|now|also|apparently|honestly|going|gonna|gonnae|getting) )"
)


def write_out(view: str) -> str:
    """Contractions and chat spellings written out: "you'll" -> "you will", "u r" -> "you r"."""
    if "'" in view:
        view = _APOSTROPHE.sub(_apostrophe, view)
        if "_name_'s " in view:
            view = _NAME_IS.sub("_name_ is ", _NAME_HAS.sub("_name_ has ", view))
    view = _INFORMAL_RX.sub(lambda m: _INFORMAL[m.group(1)], view)
    return _YOU_R.sub("you are", view) if "you r" in view else view


_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
# a word with a digit or symbol inside it ("sh1t", "f*ck", "@ss"), or a letter said three times ("fuuuck")
_DISGUISED = re.compile(r"(?<![\w@$*])(?=[a-z0-9@$!*]*[0-9@$!*])[a-z@$][a-z0-9@$!*]*[a-z*](?![\w@$*])")
# exam grades written with stars ("A*", "A**", "A*A*A", BTEC "D*D*D*"): capitals A-E, at most two stars each
_GRADE = re.compile(r"(?<![\w*])(?=[A-E*]*\*)(?:[A-E]\*{0,2}){1,6}(?![\w*])")
_STRETCHED_WORD = re.compile(r"\b[a-z]*([a-z])\1{2,}[a-z]*\b")
_SPACED = re.compile(r"(?<![\w])(?:[a-z][ .*_-]){2,}[a-z](?![\w])")
_STRETCHED = re.compile(r"([a-z])\1{2,}")
_ODD = re.compile(
    f"(?P<spaced>{_SPACED.pattern})|(?P<disguised>{_DISGUISED.pattern})"
    r"|(?P<stretched>\b[a-z]*(?P<letter>[a-z])(?P=letter){2,}[a-z]*\b)"
)
_SPACES = re.compile(r"\s+")

_SINGLE_QUOTED = re.compile(r"(?<![a-z0-9])'([^']{1,300})'(?![a-z0-9])")
_CALLED = re.compile(
    r"\b(?:called|calls|calling|call) (?:me|us|him|her|them|_name_|(?:the|a|an|my|his|her|our|their|this|that|one of the)"
    r" (?:[a-z_-]+ ){0,2}?[a-z_-]+) (?:a |an |the )?((?:[a-z_*]+ ){0,4}[a-z_*]+)"
)
_SAID_HINT = re.compile(r"\b(?:said|says|told|wrote|texted|messaged)\b")
_SAID_I_WAS = re.compile(
    r"\b(?:said|says|told (?:me|us|him|her|them)|wrote|texted|messaged) (?:that )?(?:i|we|he|she|they)"
    r" (?:was|were|am|is|are) (?:a |an |the )?((?:[a-z_*]+ ){0,4}[a-z_*]+)"
)


@dataclass
class Sentence:
    """One sentence as the recognisers read it."""

    view: str
    tokens: list[tuple[int, int, str]]
    reported: list[tuple[int, int]] = field(default_factory=list)  # view ranges of reported speech
    segment: int = 0  # index of the segment it came from, within its document
    index: int = 0  # position within its document

    def words(self) -> list[str]:
        cached = self.__dict__.get("_words")
        if cached is None:
            cached = [t[2] for t in self.tokens]
            self.__dict__["_words"] = cached
        return cached

    @property
    def keys(self) -> frozenset[str]:
        """The first three letters of each word: what pattern pre-checks compare with."""
        cached = self.__dict__.get("_keys")
        if cached is None:
            cached = frozenset(t[2][:3] for t in self.tokens)
            self.__dict__["_keys"] = cached
        return cached

    def find(self, words: WordList) -> list[Hit]:
        """The entries of a word list in this sentence (remembered: several recognisers ask)."""
        # keyed by the list itself (hashed by identity), not id(): id() raises an audit event, and
        # an audit hook installed by a dependency (filelock's, via Presidio) made it a Python call
        cache = self.__dict__.setdefault("_hits", {})
        hits = cache.get(words)
        if hits is None:
            hits = words.find(self.view, self.tokens, self.words())
            cache[words] = hits
        return hits

    def is_reported(self, begin: int, end: int) -> bool:
        return any(a <= begin and end <= b for a, b in self.reported)


class ViewBuilder:
    """Builds sentence views: names out, contractions written out, disguises undone, allow-list out.

    `allow` lists phrases that are innocent whatever they contain (clinical
    phrases, place names, everyday sayings). `vocabulary` is the set of rude
    single words a disguised spelling may stand for.
    """

    def __init__(self, allow: list[WordList], vocabulary: list[str]) -> None:
        self.allow = allow
        self.vocabulary = set(vocabulary)
        self._ordered = list(dict.fromkeys(vocabulary))  # list order decides what "s***" stands for
        self._by_shape: dict[tuple[str, int], list[str]] = {}
        for word in self._ordered:
            self._by_shape.setdefault((word[0], len(word)), []).append(word)

    def build(
        self, sentence: str, name_spans: Iterable[tuple[int, int]] = (), *, in_quote: bool = False
    ) -> Sentence:
        """The view of one sentence; `in_quote`: it starts inside a quotation opened earlier."""
        # allow-listed phrases first, on the text as written (lower case): a place such as
        # "Brown Willy" must be taken out whole, before its words are taken for a name
        low = sentence.lower()
        tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(low)]
        words = [t[2] for t in tokens]
        allowed = [(h.begin, h.finish) for allow in self.allow for h in allow.find(low, tokens, words)]
        allowed += [m.span() for m in _GRADE.finditer(sentence)]  # "A*", "A*A*A": grades, not censored words
        names = [n for n in name_spans if not any(a < n[1] and n[0] < b for a, b in allowed)]
        view = _replace_spans(
            low, [*((a, b, "_ok_") for a, b in allowed), *((a, b, "_name_") for a, b in names)]
        )
        view = _ODD.sub(self._odd, view)  # one pass for spaced, disguised and stretched words
        view = " ".join(write_out(view).split())
        tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(view)]
        return Sentence(view=view, tokens=tokens, reported=reported_spans(view, in_quote=in_quote))

    def _odd(self, m: re.Match[str]) -> str:
        if m.group("spaced"):
            return self._unspace(m)
        if m.group("disguised"):
            return self._undisguise(m)
        return self._unstretch(m)

    def _unspace(self, m: re.Match[str]) -> str:
        joined = re.sub(r"[ .*_-]", "", m.group())
        return joined if joined in self.vocabulary else m.group()

    def _undisguise(self, m: re.Match[str]) -> str:
        word = m.group()
        plain = word.translate(_LEET)
        if plain in self.vocabulary:
            return plain
        if "*" in plain and plain[0] != "*" and plain.strip("*"):
            return self._wildcard(plain) or word
        return word

    def _unstretch(self, m: re.Match[str]) -> str:
        word = m.group()
        for squeezed in (_STRETCHED.sub(r"\1\1", word), _STRETCHED.sub(r"\1", word)):
            if squeezed in self.vocabulary:
                return squeezed
        return word

    def _wildcard(self, word: str) -> str | None:
        """f*ck, f**k, s***: the first rude word of the same length and visible letters."""
        stripped = word.rstrip("*")
        letters = re.compile("^" + "".join("[a-z]" if c == "*" else re.escape(c) for c in word) + "$")
        for candidate in self._by_shape.get((word[0], len(word)), ()):
            if letters.match(candidate):
                return candidate
        # "fu**": trailing stars may stand for several letters, but one letter ("a*") is too little to go on
        if stripped != word and len(stripped) >= 2:
            loose = re.compile("^" + re.sub(r"\\\*+|\*+", "[a-z]+", re.escape(word)) + "$")
            for candidate in self._ordered:
                if candidate[0] == word[0] and loose.match(candidate):
                    return candidate
        return None


def _replace_spans(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """Each (start, end, token) span replaced by its token, kept apart from the words around it."""
    out, pos = [], 0
    for a, b, token in sorted(set(spans)):
        if a < pos:
            continue
        out.append(text[pos:a])
        before = " " if a > 0 and (text[a - 1].isalnum() or text[a - 1] == "_") else ""
        after = " " if b < len(text) and (text[b].isalnum() or text[b] == "_") else ""
        out.append(before + token + after)
        pos = b
    out.append(text[pos:])
    return "".join(out)


def reported_spans(view: str, *, in_quote: bool = False) -> list[tuple[int, int]]:
    """View ranges that report or mention what someone else said or wrote.

    Words in quotation marks are another's words, or a word talked about
    ("why the word '...' is offensive"); so are the words after "called me
    a" or "said I was a". A quotation may run over several sentences:
    `in_quote` says this one starts inside it.
    """
    spans: list[tuple[int, int]] = []
    if in_quote or '"' in view:
        spans.extend(_double_quoted(view, in_quote))
    if "'" in view:
        spans.extend((m.start(1), m.end(1)) for m in _SINGLE_QUOTED.finditer(view))
    if "call" in view:
        spans.extend((m.start(1), m.end(1)) for m in _CALLED.finditer(view))
    if _SAID_HINT.search(view):
        spans.extend((m.start(1), m.end(1)) for m in _SAID_I_WAS.finditer(view))
    return spans


def ends_in_quote(view: str, in_quote: bool) -> bool:
    """Is a quotation still open at the end of this sentence?"""
    return in_quote != (view.count('"') % 2 == 1)


def _double_quoted(view: str, in_quote: bool) -> list[tuple[int, int]]:
    spans = []
    marks = [i for i, ch in enumerate(view) if ch == '"']
    start = 0 if in_quote else None
    for i in marks:
        if start is None:
            start = i + 1
        else:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(view)))
    return spans


Prepare = Callable[[str], list[Sentence]]
