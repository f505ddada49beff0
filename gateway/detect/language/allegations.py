"""Allegations by meaning: a kind of wrongdoing asserted about a person the message identifies.

The stock patterns of defamation.yaml read set phrasings about a person named
before them. This recogniser reads the two halves apart (allegations.yaml):

- a **target**: a person mention the `TargetResolver` knows (a name, a role
  with an article or possessive, he/she after one of them), a person
  described by who they are ("the guy who runs the 3rd year timetable", "the
  tall welsh one with the bike"), an initial with a title ("mrs h in
  admissions"), a lower-case role at its place ("chaplain at the Royal") or a
  lower-case first name from the curated list the patient detector keeps for
  lower-case mentions;
- a **wrongdoing**: theft, fraud and bribery, cheating, sexual misconduct,
  violence, drink or drugs at work, each a list of phrasings.

The wrongdoing counts when the target stands before it as its subject, in
the same sentence or followed back through he/she, and it is asserted: not
asked ("... ?"), negated or denied ("he is not a thief", "... which is not
true"), supposed ("if", "imagine"), relayed as an accusation ("accused of"),
about the writer, the reader, a group or a patient, or suffered ("she was
groped"). Drink and drugs count only about a colleague at work or as a
habit. The finding says which kind of wrongdoing and which kind of target
(never the words).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gateway.detect.language.lexicon import DATA_DIR, MacroSet, compile_regexes, load_pattern_file
from gateway.detect.language.signals import Document, Signal
from gateway.detect.language.targets import NAMED, ROLE, SECOND_PERSON, Mention, TargetResolver
from gateway.detect.language.text import Sentence
from gateway.detect.language.triggers import Keyed, KeyedSet
from gateway.detect.patient.lexicon import read_list

SOURCE = "allegations.yaml"
_NEAR = 25  # characters between a name of the longer list and its allegation
_REACH = 120  # characters between the target and its wrongdoing: one clause, not the next
_BACK = 3  # sentences he/she may look back for the person it stands for
# a first word that can be a participle: "was groped", "got hit" make the person the victim
_PARTICIPLES = frozenset(["hit", "beat", "put", "felt", "stole", "took", "got", "touched", "abused"])
# the writer as possessor or object ("my placement", "told me") is never who an allegation is about
_NOT_SUBJECT = frozenset(["my", "our", "me", "us"])
# the writer in an aside ("Kai, I think, is ...") or a relative clause ("where I did my placement")
_ASIDE = re.compile(r"i (?:think|reckon|believe|guess|heard|hear|swear)\b")
_RELATIVE = re.compile(r"\b(?:where|when) $")
# a sentence that is only a verdict ("Proper fraud.", "Total junkie.", "Corrupt.")
_VERDICT_WORDS = 4
# the reader written as a third person, so that every wrongdoing class reads an allegation made to
# their face: "you were" -> "he was", "your" -> "his"
_THIRD = re.compile(r"\b(?:you are|you were|you have|you do|you|u|yourself|urself|your|ur)\b")
_THIRD_OF = {"you are": "he is", "you were": "he was", "you have": "he has", "you do": "he does"}
_THIRD_OF |= {"yourself": "himself", "urself": "himself", "your": "his", "ur": "his"}
_WORD = re.compile(r"[\w'&-]+")
# the reader straight before the wrongdoing, with at most a few small words between
_FACE = re.compile(
    r"\bhe (?:(?:is|was|has|had|does|did|been|just|literally|clearly|obviously|basically|always|actually|"
    r"totally|blatantly|openly|still|even|also|then|really|deliberately|knowingly|constantly|secretly|"
    r"quietly|regularly|a|an|such a|total|complete|proper|known|bloody|fucking|utter) ){0,4}"
)
# a rule for anyone, not an allegation about the reader: "if you copy ...", "you can be struck off for ..."
_GENERIC_YOU = re.compile(
    r"\b(?:if|when|whenever|unless|before|once|in case|anyone|anybody|whoever|people who|students who|"
    r"can|could|would|should|might|may|must|will|never|do not|did not|not)\b[^,;:]*$"
)
# what each kind of mention is, in a finding's evidence
_WHO = {"named": "a named person", "role": "a person identified by role", "described": "a person described"}


@dataclass(frozen=True)
class Kind:
    """One kind of wrongdoing: its label, its phrasings, and whether it only counts at work."""

    name: str
    label: str
    patterns: tuple[Keyed, ...]
    duty: bool = False


@dataclass(frozen=True)
class Person:
    """A person mention in a sentence, with what identifies them."""

    begin: int
    end: int
    kind: str  # second, named, role, described, third, self, patient, group
    staff: bool = False
    near: bool = False  # counts only just before the allegation (a name of the longer list)
    sentence: int = -1  # where he/she found the person it stands for


class AllegationReader:
    """Reads allegations.yaml; `scan` gives DEFAMATION signals with the target already resolved."""

    def __init__(self, macros: MacroSet, resolver: TargetResolver, data_dir: Path = DATA_DIR) -> None:
        raw = load_pattern_file(SOURCE, macros, data_dir)
        self.resolver = resolver
        self.describers = compile_regexes(raw.get("describers", []), macros, SOURCE)
        one = {
            key: compile_regexes([raw[key]], macros, SOURCE)[0]
            for key in (
                "passive",
                "not_asserted",
                "not_before",
                "denied_after",
                "duty",
                "habit",
                "clinical",
                "history",
                "news",
                "denied_next",
            )
        }
        self.history, self.news = one["history"], one["news"]
        self.denied_next = one["denied_next"]  # read by DefamationRecogniser: a rumour corrected after it
        self.not_before = one["not_before"]  # read by DefamationRecogniser for every allegation
        self.passive, self.not_asserted, self.denied_after = (
            one["passive"],
            one["not_asserted"],
            one["denied_after"],
        )
        self.duty, self.habit, self.clinical = one["duty"], one["habit"], one["clinical"]
        self.kinds = [
            Kind(
                name,
                str(spec["label"]),
                tuple(Keyed(r) for r in compile_regexes(spec["match"], macros, f"{SOURCE}:{name}")),
                bool(spec.get("duty", False)),
            )
            for name, spec in (raw.get("wrongdoing") or {}).items()
        ]
        pairs = [(kind, p) for kind in self.kinds for p in kind.patterns]
        self._all = KeyedSet([p for _, p in pairs])  # every phrasing, found from a sentence's words
        self._kind_of = [kind for kind, _ in pairs]
        # first names from the patient detector's lists: the curated one for lower-case mentions
        # anywhere, the longer one for a name just before its allegation ("sam cheated")
        self.first_names = _one_word(read_list("first_names"))
        self.given_names = _one_word(read_list("given_names")) - self.first_names
        self._name_word = re.compile(r"\b[a-z]{3,}\b")

    def scan(self, doc: Document, type_: str) -> list[Signal]:
        out: list[Signal] = []
        sentences = doc.sentences
        for k, s in enumerate(sentences):
            view, words = s.view, s.keys
            if view.rstrip().endswith("?"):
                continue  # asked, not asserted
            done: set[str] = set()  # one signal per kind and sentence
            for i in self._all.candidates(words):
                kind = self._kind_of[i]
                if kind.name in done:
                    continue
                for m in self._all.patterns[i].regex.finditer(view):
                    sig = self._signal(sentences, k, kind, m, type_)
                    if sig is not None:
                        out.append(sig)
                        done.add(kind.name)
                        break
            if not done and "you" in words and not doc.context.friendly:
                sig = self._to_face(sentences, k, type_)
                if sig is not None:
                    out.append(sig)
        return out

    def _to_face(self, sentences: Sequence[Sentence], k: int, type_: str) -> Signal | None:
        """An allegation made to the person's face ("you fiddled your logbook", "everyone knows you are a thief").

        The sentence is read in the third person ("he fiddled his logbook"), so every wrongdoing
        class serves; it counts when the reader is its subject, close before it, and it is asserted:
        not a rule for anyone ("if you", "you can be struck off for ..."), not suffered ("you were
        groped"), not between friends (the caller checks), not in a history or a news report.
        """
        view = sentences[k].view
        third = _THIRD.sub(_third, view)
        if third == view:
            return None
        words = frozenset(w[:3] for w in _WORD.findall(third))
        for i in self._all.candidates(words):
            kind = self._kind_of[i]
            for m in self._all.patterns[i].regex.finditer(third):
                he = _FACE.search(third, 0, m.start())
                if he is None or he.end() != m.start():
                    continue
                before = third[: he.start()]
                if _GENERIC_YOU.search(before) or self.not_before.search(before[-100:]):
                    continue  # "if you copy in the exam ...", "nobody thinks you ..."
                if self.not_asserted.search(he.group()) or self.denied_after.search(third, m.end()):
                    continue
                first = m.group().split(" ", 1)[0]
                if (first.endswith("ed") or first in _PARTICIPLES) and self.passive.search(he.group()):
                    continue  # "you were groped": the reader suffered it
                if kind.duty and not self.duty.search(third):
                    continue  # drink or drugs to the reader's face count only about work
                if self.framed(sentences, k):
                    return None
                begin = view.find("you")
                return Signal(
                    type_,
                    f"alleged-{kind.name}",
                    1.0,
                    SECOND_PERSON,
                    f"{kind.label} to the person's face",
                    k,
                    reported=sentences[k].is_reported(max(0, begin), max(0, begin) + 3),
                    begin=max(0, begin),
                    end=len(view),
                )
        return None

    def _signal(
        self, sentences: Sequence[Sentence], k: int, kind: Kind, m: re.Match[str], type_: str
    ) -> Signal | None:
        view = sentences[k].view
        person = self.subject(sentences, k, m.start())
        if person is None and _verdict(view, m):
            person = self._antecedent(sentences, k, 0)  # "Proper fraud." after the sentence naming them
        if person is None:
            return None
        if self.framed(sentences, k):
            return None  # a patient's history or a news report: the writer accuses no one
        between = view[person.begin : m.start()]
        if self.not_asserted.search(between) or self.denied_after.search(view, m.end()):
            return None
        if 0 <= person.sentence < k and self.clinical.search(sentences[person.sentence].view):
            return None  # he/she is someone in a clinical history ("John, 52, brought in ... he was ...")
        first = m.group().split(" ", 1)[0]
        if (first.endswith("ed") or first in _PARTICIPLES) and self.passive.search(between):
            return None  # "she was groped": the person suffered it
        if kind.duty:
            if self.clinical.search(view):
                return None  # a clinical history: the drink is a patient's
            # the work or the habit may be told in the sentence after ("... is on something. always sweaty")
            near = view if k + 1 >= len(sentences) else view + " " + sentences[k + 1].view
            at_work = self.duty.search(near) is not None
            if not (at_work or (person.staff and self.habit.search(near))):
                return None  # a night out, not a shift; "Mr X" as a habit may be a patient
        target = NAMED if person.kind == "named" else ROLE
        return Signal(
            type_,
            f"alleged-{kind.name}",
            1.0,
            target,
            f"{kind.label} about {_WHO[person.kind]}",
            k,
            reported=sentences[k].is_reported(m.start(), m.end()),
            begin=m.start(),
            end=m.end(),
        )

    def framed(self, sentences: Sequence[Sentence], k: int) -> bool:
        """Is sentence k inside a patient's history (two sentences back) or beside a news report?"""
        if any(self.history.search(sentences[j].view) for j in range(max(0, k - 2), k + 1)):
            return True
        return any(
            self.news.search(sentences[j].view) for j in range(max(0, k - 1), min(len(sentences), k + 2))
        )

    # --- who it is about ---------------------------------------------------------------------

    def people(self, sentence: Sentence) -> list[Person]:
        """Every person mention of a sentence, the resolver's and the described ones, in order."""
        view = sentence.view
        found = [_person(m) for m in self.resolver.mentions(sentence)]
        for pattern in self.describers:
            for m in pattern.finditer(view):
                found.append(Person(m.start(), m.end(), "described", True))
        for m in self._name_word.finditer(view):
            if m.group() in self.first_names:
                found.append(Person(m.start(), m.end(), "named", True))
            elif m.group() in self.given_names:
                found.append(Person(m.start(), m.end(), "named", True, near=True))
        found.sort(key=lambda p: (p.begin, -p.end))
        # a mention inside a longer one ("the ward clerk" inside "the ward clerk on ash") is that one
        out: list[Person] = []
        for p in found:
            if out and p.begin < out[-1].end:
                if p.kind in ("described", "named", "role") and out[-1].kind in ("third", "self", "patient"):
                    out[-1] = p
                continue
            out.append(p)
        return out

    def subject(self, sentences: Sequence[Sentence], k: int, at: int) -> Person | None:
        """The identified person a remark at `at` of sentence k is about, if any."""
        view = sentences[k].view
        before = [
            p
            for p in self.people(sentences[k])
            if p.end <= at
            and not (p.kind == "self" and view[p.begin : p.end] in _NOT_SUBJECT)
            and not (
                p.kind == "self" and _ASIDE.match(view, p.begin)
            )  # "_name_ i think, is ...", "where i did"
            and not (p.kind == "self" and _RELATIVE.search(view, 0, p.begin))
            and not (p.kind == "second" and view.startswith("you know", p.begin))  # "- you know the one -"
        ]
        if not before:
            return None
        last = before[-1]
        if at - last.end > (_NEAR if last.near else _REACH):
            return None
        if last.kind == "third":
            found = self._antecedent(sentences, k, last.begin)
            if found is None:
                return None
            return Person(last.begin, last.end, found.kind, found.staff, sentence=found.sentence)
        return last if last.kind in ("named", "role", "described") else None

    def _antecedent(self, sentences: Sequence[Sentence], k: int, before: int) -> Person | None:
        """He/she: the person last named, given a role or described (a patient stops the search)."""
        for back in range(k, max(-1, k - _BACK - 1), -1):
            for p in reversed(self.people(sentences[back])):
                if back == k and p.begin >= before:
                    continue
                if p.kind in ("named", "role", "described"):
                    return Person(p.begin, p.end, p.kind, p.staff, sentence=back)
                if p.kind == "patient":
                    return None
        return None


def _person(m: Mention) -> Person:
    return Person(m.begin, m.end, m.kind, m.staff)


def _third(m: re.Match[str]) -> str:
    return _THIRD_OF.get(m.group(), "he")


def _one_word(entries: list[str]) -> frozenset[str]:
    """The single-word entries of a name list, lower-cased."""
    return frozenset(e.lower() for e in entries if " " not in e)


def _verdict(view: str, m: re.Match[str]) -> bool:
    """Is the sentence nothing but the allegation, a verdict on someone named just before?"""
    rest = (view[: m.start()] + view[m.end() :]).strip(" .!,")
    return len(view.split()) <= _VERDICT_WORDS and len(rest.split()) <= 2
