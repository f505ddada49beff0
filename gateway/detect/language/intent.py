"""THREAT by intent: parts innocent alone (a harm, knowledge of a life, a condition, a veiled framing) together.

"People who cross me tend to regret it" and "I know where you park" are stock
phrases threats.yaml knows. Most threats are not: "Your wife's car is the
blue Fiesta, isn't it? Be a shame if the brakes went." is a knowledge of
someone's life, a veiled framing and a harm, none of them a threat alone.
intent.yaml lists the parts:

- harm: something bad that can befall the person or what is theirs;
- knowledge: the writer knows where they live, park, work, or where their
  children go to school;
- leverage: a condition or demand of the writer's own ("if you report me",
  "drop the complaint");
- veiled: a framing that turns the rest into a warning ("just so you know",
  "would be a shame if", "if I were you");
- hunt: the writer will find out who did it (a part only beside a harm);
- exposure: telling or showing what the writer holds to the people who matter
  to the person ("everyone sees those photos", "your employer gets an email").

Parts of two kinds within a few consecutive sentences of the writer's own
words, one of them a harm or a knowledge (or an exposure with a condition), aimed at someone (the reader, a
person named or described, their family), are a threat. Between friends
("lol", kisses) knowledge and a framing alone are care ("I know you walk home
late, be careful x"): it then takes a harm. Words in quotation marks or
reported speech are someone else's and are not read. The finding names the
parts that met ("threat by intent: harm + leverage"), never the words.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gateway.detect.language.lexicon import DATA_DIR, MacroSet, compile_regexes, load_pattern_file
from gateway.detect.language.signals import Document, Signal
from gateway.detect.language.targets import NAMED, ROLE, SECOND_PERSON, TargetResolver
from gateway.detect.language.text import Sentence
from gateway.detect.language.triggers import Keyed, KeyedSet

SOURCE = "intent.yaml"
THREAT = "THREAT"
#: parts that carry menace themselves; a threat needs one of them
_CORE = frozenset(["harm", "knowledge"])
#: parts that make a threat only beside a harm: a condition ("if you", "or else"), the writer's own
#: doing ("I will", "my mates"), finding out who did it
_WITH_HARM = frozenset(["condition", "agency", "hunt"])
#: parts read only within a window of a harm or an exposure, the only parts they pair with
_NEAR_HARM = frozenset(["condition", "agency", "hunt"])
#: parts that do not count between friends (banter markers): the threats friends joke with
_FRIENDLY_OFF = frozenset(["condition", "agency", "grievance"])
#: person mentions a threat can be aimed at, and the target each gives
_AIMED = {"second": SECOND_PERSON, "named": NAMED, "role": ROLE, "third": NAMED}
#: parts that keep an exposure unkind whatever else the sentence says: a shaming object, a condition
_UNKIND = frozenset(["shaming", "condition", "leverage", "harm"])
#: an exposure is a threat beside a demand of the writer's or a shaming object ("the pics of you drunk"); a
#: plain condition ("if you win, I'll tell everyone") is not enough
_EXPOSED = frozenset(["exposure", "leverage", "shaming"])
#: parts that, opening a sentence, are a demand made of the reader
_IMPERATIVE = ("leverage", "condition")


class IntentReader:
    """Reads intent.yaml; `scan` gives at most one THREAT signal per document."""

    def __init__(self, macros: MacroSet, resolver: TargetResolver, data_dir: Path = DATA_DIR) -> None:
        raw = load_pattern_file(SOURCE, macros, data_dir)
        self.resolver = resolver
        self.window = int(raw.get("window", 3))
        self.innocent = compile_regexes([raw.get("innocent", "(?!)")], macros, SOURCE)[0]
        self.benefit = compile_regexes([raw.get("benefit", "(?!)")], macros, SOURCE)[0]
        self.praise = compile_regexes([raw.get("praise", "(?!)")], macros, SOURCE)[0]
        self.parts: dict[str, list[Keyed]] = {
            name: [Keyed(r) for r in compile_regexes(items, macros, f"{SOURCE}:{name}")]
            for name, items in (raw.get("parts") or {}).items()
        }
        pairs = [(name, p) for name, ps in self.parts.items() for p in ps]
        # every part's patterns, found from a sentence's words; the parts that only count beside a
        # harm or an exposure (a condition, the writer's doing) are common words ("if", "or", "I will")
        # and are only read near one
        eager = [(name, p) for name, p in pairs if name not in _NEAR_HARM]
        near = [(name, p) for name, p in pairs if name in _NEAR_HARM]
        self._eager = (KeyedSet([p for _, p in eager]), [name for name, _ in eager])
        self._near = (KeyedSet([p for _, p in near]), [name for name, _ in near])

    def parts_of(self, sentence: Sentence) -> dict[str, tuple[int, int]]:
        """The parts a sentence holds in the writer's own words, each at its first match."""
        found = _search(*self._eager, sentence, {})
        return _search(*self._near, sentence, found)

    def scan(self, doc: Document) -> list[Signal]:
        sentences = doc.sentences
        parts = [_search(*self._eager, s, {}) for s in sentences]
        anchors = [k for k, here in enumerate(parts) if "harm" in here or "exposure" in here]
        for k, s in enumerate(sentences):
            if any(abs(k - a) < self.window for a in anchors):
                _search(*self._near, s, parts[k])
            if "exposure" in parts[k] and self._kind_telling(s.view, parts[k]):
                del parts[k]["exposure"]  # an offer or a benefit: "I'll tell everyone how brilliant you were"
        for k, here in enumerate(parts):
            if not here:
                continue
            window = range(k, min(len(sentences), k + self.window))
            kinds = {name for j in window for name in parts[j]}
            if not any("exposure" in parts[j] and "shaming" in parts[j] for j in window):
                kinds.discard("shaming")  # a shaming object counts only as what an exposure tells
            if "harm" not in kinds:
                # a condition, the writer's doing, a hunt: a threat only with a harm; a condition also
                # with an exposure ("do it or I tell your parents everything": blackmail)
                kinds -= _WITH_HARM - ({"condition"} if "exposure" in kinds else set())
            elif "agency" in kinds and not _agency_at_harm(parts, window):
                kinds.discard(
                    "agency"
                )  # "I will" outside the harm's sentence is a plan, not the harm's author
            if len(kinds) < 2 or not (kinds & _CORE or {"exposure"} < kinds & _EXPOSED):
                continue
            if doc.context.friendly:
                kinds -= _FRIENDLY_OFF  # "if you touch my laptop again I'll stab u. love u bro": teasing
                if "harm" not in kinds or len(kinds) < 2:
                    continue  # knowledge and a framing between friends is care
            if not kinds & {"harm", "exposure"} and any(
                self.innocent.search(sentences[j].view) for j in window
            ):
                continue  # an address known to post a card, a seat saved
            target = self._aimed(sentences, window, parts)
            if target is None and "hunt" in kinds:
                target = NAMED  # "when I find out who did it": whoever did it is a person
            if target is None:
                continue
            name = min(here)  # where the finding points: the first part of its first sentence
            begin, end = here[name]
            return [
                Signal(
                    THREAT,
                    "intent:" + "+".join(sorted(kinds)),
                    1.0,
                    target,
                    "threat by intent: " + " + ".join(sorted(kinds)),
                    k,
                    begin=begin,
                    end=end,
                )
            ]
        return []

    def _kind_telling(self, view: str, here: dict[str, tuple[int, int]]) -> bool:
        """Is what the sentence tells others praise, or an offer or a happy occasion with no shame or demand?"""
        if self.praise.search(view):
            return True
        return not here.keys() & _UNKIND and self.benefit.search(view) is not None

    def _aimed(
        self, sentences: Sequence[Sentence], window: range, parts: Sequence[dict[str, tuple[int, int]]] = ()
    ) -> str | None:
        """Whom the parts are aimed at: the reader first, else a person named, described or he/she.

        A demand that opens its sentence ("drop the complaint", "stay away from her") is said to the
        reader even when no "you" is written.
        """
        if any(parts[j].get(name, (1, 1))[0] == 0 for j in window if j < len(parts) for name in _IMPERATIVE):
            return SECOND_PERSON
        kinds = {m.kind for j in window for m in self.resolver.mentions(sentences[j])}
        for kind in ("second", "named", "role", "third"):
            if kind in kinds:
                return _AIMED[kind]
        return None


def _agency_at_harm(parts: Sequence[dict[str, tuple[int, int]]], window: range) -> bool:
    """Does the writer's own doing stand in a harm's sentence ("I'm going to key his car")?

    A vow in another sentence ("I'll make sure of it") is a veiled part of its own.
    """
    return any("agency" in parts[j] and "harm" in parts[j] for j in window)


def _search(
    keyed: KeyedSet, names: Sequence[str], sentence: Sentence, found: dict[str, tuple[int, int]]
) -> dict[str, tuple[int, int]]:
    """Add to `found` the parts of these patterns the sentence holds in the writer's own words."""
    for i in keyed.candidates(sentence.keys):
        name = names[i]
        if name in found:
            continue
        m = keyed.patterns[i].regex.search(sentence.view)
        if m is not None and not sentence.is_reported(m.start(), m.end()):
            found[name] = (m.start(), m.end())
    return found
