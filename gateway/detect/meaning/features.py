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

Two more kinds of feature tell a report, a quotation or a request for
help from an attack or a disclosure (round 5; each kept because
cross-validation on all eleven training files supported it):

- a word in someone else's voice, inside quotation marks or after a
  reporting verb ("he called me ...", "she said ...", "messaged me
  saying ...", to the end of the clause), gives `q:word` or `r:word`
  instead of `w:word` (its pairs and stem stay as they are): a victim
  quoting an insult does not use the insult's word feature;
- `m:help` when the sentence asks for help or addresses staff about
  something ("I want to report", "can I make a complaint", "what should
  I do", "is it ok to send"), or the writer reports or tells someone
  whose job is to act ("I've reported it", "I reported him to the
  deanery", "I have told my supervisor", "should I go to the police";
  round 6): a report to staff, not the attack it reports.

A third kind says who and what (round 7, relations.py): a person reference
and a health fact in one clause, with the kind of each, who holds the fact
and the clause's tense (`c:` features, from the word classes in
`gateway/detect/data/meaning/word_classes.txt`); a featurizer made without
word classes gives none.

Every step is a single pass over the text with bounded per-token work, so
the cost grows linearly with the text (a quotation's closing mark is
looked for within its sentence, and a sentence is at most 400 characters:
windows.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gateway.detect.meaning.relations import FAMILIES, WordClasses, relation_features

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

    def __init__(
        self,
        given_names: Iterable[str],
        first_names: Iterable[str],
        classes: WordClasses | None = None,
        families: frozenset[str] = FAMILIES,
    ) -> None:
        #: capitalised words that are names ("Karen", "Tom"): census lists and the curated list
        self.given = frozenset(n.lower() for n in given_names) | frozenset(n.lower() for n in first_names)
        #: lower-case words that are names ("karen mbatha's smear"): the curated list, no everyday words
        self.first = frozenset(n.lower() for n in first_names)
        #: the word classes of the relation features (relations.py); None: no relation features
        self.classes = classes
        self.families = families

    def tokens(self, sentence: str) -> list[str]:
        """Normalised tokens of one sentence."""
        return [tok for tok, _ in self.voiced(sentence)]

    def voiced(self, sentence: str) -> list[tuple[str, str]]:
        """Normalised tokens of one sentence, each with its voice: "" (the writer's own), QUOTED or REPORTED."""
        return [(tok, voice) for tok, voice, _ in self.placed(sentence)]

    def placed(self, sentence: str) -> list[tuple[str, str, int]]:
        """Normalised tokens of one sentence with their voice and the offset of the word they come from."""
        out: list[tuple[str, str, int]] = []
        cited = cited_spans(sentence)
        k = 0
        prev = ""
        first = True
        for m in _TOKEN.finditer(sentence):
            while k < len(cited) and cited[k][1] <= m.start():
                k += 1
            voice = cited[k][2] if k < len(cited) and cited[k][0] <= m.start() else ""
            raw = m.group()
            possessive = False
            if raw[-2:] in ("'s", "’s") and len(raw) > 2:
                raw, possessive = raw[:-2], True
            low = raw.lower().replace("’", "'")
            at = m.start()
            if _DIGIT.search(raw):
                out.append(("#" + _DIGIT.sub("0", low[:_MAX_SHAPE]), voice, at))
            elif (raw[0].isupper() and (low in self.given or prev in _TITLES) and low not in _TITLES) or (
                raw.islower() and low in self.first
            ):
                out.append((NAME, voice, at))
            else:
                out.append((low[:_MAX_WORD], voice, at))
                if not first and raw[0].isupper() and not raw.isupper() and low not in _TITLES and low != "i":
                    out.append((CAP, voice, at))
            if possessive:
                out.append(("'s", voice, at))
            prev = low
            first = False
        return out

    def features(self, sentence: str) -> frozenset[str]:
        """The feature strings of one sentence."""
        feats: set[str] = set()
        prev = "<s>"
        before = ""  # the word before prev
        placed = self.placed(sentence)
        if self.classes is not None:
            feats |= relation_features(sentence, placed, self.classes, self.families)
        for tok, voice, _ in placed:
            feats.add((voice or "w:") + tok)
            if tok == CAP:
                continue
            feats.add("b:" + prev + " " + tok)
            if before:
                feats.add("s:" + before + " " + tok)
            if len(tok) > STEM and tok[0].isalpha():
                feats.add("p:" + tok[:STEM])
            before = prev if prev != "<s>" else ""
            prev = tok
        if _HELP.search(sentence.lower().replace("’", "'")):
            feats.add(HELP)
        return frozenset(feats)


#: the voice of a word inside quotation marks, and after a reporting verb
QUOTED = "q:"
REPORTED = "r:"
#: the marker of a sentence that asks for help or reports to staff
HELP = "m:help"
#: the writer, with an auxiliary and an adverb: "i", "we've", "i have just", "i'd already", "i'm going to"
_FIRST = (
    r"(?:i|we)(?:'ve| have|'d| had|'m| am|'ll| will| did)?(?: just| already| now| finally| also| then| eventually)?"
    r"(?: going to| gonna)?"
)
#: telling or going to someone, in any tense ("told", "have spoken to", "went to", "rang")
_TELL = (
    r"(?:tell|told|telling|inform(?:ed|ing)?|contact(?:ed|ing)?|e-?mail(?:ed|ing)?|messag(?:e|ed|ing)|call(?:ed|ing)?"
    r"|r[ai]ng|phon(?:e|ed|ing)|alert(?:ed)?|notif(?:y|ied)|ask(?:ed)?|involv(?:e|ed)"
    r"|(?:speak|spoke|spoken|speaking|talk|talked|talking|go|went|gone|been|going|reach(?:ed)? out|turn(?:ed)?) to)"
)
#: whom a report goes to, after at most three words that only say which one ("my educational supervisor")
_AUTHORITY = (
    r"(?:(?:the|my|our|a|an|his|her|their|uni|university|medical|med|school|student|clinical|educational|personal"
    r"|academic|course|module|year|site|placement|ward|practice|senior|local|hospital|trust|foundation) ){0,3}"
    r"(?:supervisor|tutor|mentor|lead|dean|deanery|police|hr|union|welfare|wellbeing|support|counsell?or|counselling"
    r"|security|manager|registrar|consultant|director|guardian|ombudsman|gp|advis[eo]r|officer|office|staff|head"
    r"|department|faculty|university|helpline|matron|chaplain|gmc|nmc|bma|safeguarding|pastoral|someone|somebody)\b"
)
_HELP = re.compile(  # read in lower case; the look-ahead skips the positions no alternative can start at
    r"\b(?=[wlnmfprcsiaodh])(?:(?:want|like|need|wish|writing|write) to (?:report|complain|raise|flag"
    r"|make a (?:formal )?complaint|let you know)"
    r"|(?:make|made|making|file|filed|lodge|lodged|put in|submit|submitted) a (?:formal )?(?:complaint|report)"
    r"|raise (?:a|my|this) concern|report (?:this|it|him|her|them)|what (?:should|do|can|would) i do"
    r"|(?:should|shall|can|could|do) i (?:report|tell|speak|complain|go)"
    r"|(?:should|shall|can|could|do|must) (?:i|we) (?:report|flag|escalate|raise|involve|inform|contact|complain)"
    r"|(?:do|would|will) (?:i|we) (?:need|have) to (?:report|tell|flag|escalate|raise|inform|contact|go)"
    r"|(?:is|would) (?:this|it|that) (?:be )?ok(?:ay)? to|is it worth (?:reporting|telling|flagging|raising|mentioning)"
    r"|how (?:do|can|should|would) (?:i|we) (?:report|complain|raise|flag|escalate|deal with|handle)"
    r"|who (?:should|do|can) i (?:tell|speak|report|contact|go)|what are my options|where do i stand"
    rf"|am i overreacting|{_FIRST} (?:reported|flagged|escalated|logged|screenshotted|documented|complained)\b"
    rf"|{_FIRST} {_TELL} {_AUTHORITY}"
    r"|(?:any|some) (?:advice|help)|(?:need|want|appreciate) (?:some |any )?(?:advice|help|support)"
    r"|don'?t know what to do|screenshot)"
)
#: an opening quotation mark: a double one, or a single one before a word and after none (the look-ahead
#: lets the scan skip every other character quickly)
_OPEN = re.compile(r"(?=[\"“”'‘])(?:[\"“”]|(?<![^\W_])['‘](?=[^\W_]))")
#: a reporting verb: what follows, to the end of the clause, is someone else's words
_REPORT = re.compile(
    r"(?i)\b(?=[cstmwpyg])(?:call(?:ed|s|ing)? (?:me|us|him|her|them)|sa(?:id|ys|ying)|told (?:me|us|him|her|them)"
    r"|text(?:ed|s|ing)|messag(?:ed|es|ing)(?: me| us)?|wr(?:ote|ites)|shout(?:ed|s|ing)|yell(?:ed|s|ing)"
    r"|scream(?:ed|s|ing)|post(?:ed|s|ing)|comment(?:ed|s|ing)|(?:went|goes|going) like)\b"
)
#: reported words run to the end of the clause (or a quotation mark), at most this far
_REPORT_REACH = 80
_CLAUSE_END = re.compile(r"[.;:!?()\"“”]")


def cited_spans(sentence: str) -> list[tuple[int, int, str]]:
    """(start, end, voice) of the parts of a sentence in someone else's words, in order, none overlapping."""
    spans = _quoted(sentence)
    for m in _REPORT.finditer(sentence):
        stop = _CLAUSE_END.search(sentence, m.end(), m.end() + _REPORT_REACH)
        spans.append(
            (m.end(), stop.start() if stop else min(len(sentence), m.end() + _REPORT_REACH), REPORTED)
        )
    spans.sort()
    out: list[tuple[int, int, str]] = []
    for s, e, v in spans:
        if not out or s >= out[-1][1]:
            out.append((s, e, v))
    return out


def _quoted(sentence: str) -> list[tuple[int, int, str]]:
    """Words inside quotation marks: a double quotation runs to the next double mark (or the sentence's end), a
    single one to the next single mark that ends a word; an unclosed single mark is an apostrophe."""
    spans: list[tuple[int, int, str]] = []
    pos = 0
    while (m := _OPEN.search(sentence, pos)) is not None:
        if m.group() in '"“”':
            ends = [j for j in (sentence.find(c, m.end()) for c in '"“”') if j >= 0]
            stop = min(ends, default=len(sentence))
        else:
            stop = _single_close(sentence, m.end())
            if stop < 0:
                pos = m.end()
                continue
        spans.append((m.end(), stop, QUOTED))
        pos = stop + 1
    return spans


def _single_close(sentence: str, start: int) -> int:
    """The closing single quotation mark from start: one not followed by a letter or digit (-1: none)."""
    pos = start
    while True:
        ends = [j for j in (sentence.find(c, pos) for c in "'’") if j >= 0]
        if not ends:
            return -1
        j = min(ends)
        if j + 1 >= len(sentence) or not sentence[j + 1].isalnum():
            return j
        pos = j + 1
