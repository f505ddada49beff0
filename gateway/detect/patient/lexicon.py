"""The word lists the patient detector reasons with, read from data files once per worker.

The lists themselves are `WordList`s (`word_lists.py`); this module adds the health facts (a
phrase, its kind, and what must stand around it: a value after a measurement, a verb of being
before a weak fact, a care unit after a condition) and `Lexicon`, every list the detector uses.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from gateway.detect.patient.word_lists import (  # noqa: F401  (re-exported: the lists' names callers know)
    DATA_PACKAGE,
    WordList,
    english_words,
    entry_words,
    load_list,
    read_list,
)

_MEDICAL_SUFFIXES = (
    "ectomy",
    "ectomies",
    "otomy",
    "ostomy",
    "oplasty",
    "oscopy",
    "itis",
    "carcinoma",
    "sarcoma",
    "lymphoma",
    "myeloma",
    "glioma",
    "blastoma",
    "adenoma",
    "aemia",
    "opathy",
    "plegia",
    "osis",
    "algia",
    "toxicity",
)
_NOT_MEDICAL = frozenset(
    {
        "homeopathy",
        "osteopathy",
        "naturopathy",
        "hypnosis",
        "osmosis",
        "symbiosis",
        "metamorphosis",
        "apotheosis",
    }
    | {"nostalgia"}
)


def _suffix_kind(word: str) -> str:
    low = word.lower()
    if low.endswith(("ectomy", "ectomies", "otomy", "ostomy", "oplasty", "oscopy")):
        return "treatment"
    return "diagnosis"


@dataclass(frozen=True)
class HealthFact:
    """A health fact found in a text: where, what kind (result, diagnosis, death...), and whether it is weak."""

    start: int
    end: int
    kind: str
    weak: bool


#: a stay on a ward or a unit of care: "on the gastro ward", "in the spinal unit", "onto Heron ward",
#: "at the Lotus day unit"; not a visit ("came to the children's ward") or where staff are ("everyone at
#: Heron ward", "the ward reception"); a unit needs a word of care before it ("the storage unit" is none)
_CARE_UNIT = re.compile(
    r"\b(?:(?:on|in|onto|into)[ \t]+(?:the[ \t]+|a[ \t]+)?(?:[\w&'’-]+[ \t]+){0,3}?wards?(?![\w-])"
    r"(?![ \t]+(?:rounds?|party|parties|manager|clerk|sister|staff|meeting|team|christmas|social|night[ \t]out|do|"
    r"drinks|collection|fundraiser|reception|desk|fund|office|kitchen|phone|door|entrance|rota|handbook|induction)\b)"
    r"|(?:on|in|onto|into|at)[ \t]+(?:the[ \t]+|a[ \t]+)?"
    r"(?:[\w&'’-]+[ \t]+){0,3}?(?:renal|spinal|stroke|burns|day|dialysis|chemo|oncology|cancer|cardiac|coronary"
    r"|heart|intensive|high[ \t]dependency|neonatal|baby|maternity|labour|birth|birthing|psych|psychiatric"
    r"|mental[ \t]health|eating[ \t]disorders?|detox|rehab|rehabilitation|medical|surgical|assessment|acute"
    r"|trauma|ortho|orthopaedic|neuro|neurology|neurosurgical|liver|transplant|respiratory|gastro|elderly[ \t]care"
    r"|frailty|hospice|palliative|isolation|infectious[ \t]diseases|brain[ \t]injury|secure|mother[ \t]and[ \t]baby"
    r"|decision|observation|short[ \t]stay|admissions?)[ \t]+(?:units?|suites?|centre)\b)",
    re.IGNORECASE,
)
_UNIT = "\x00unit"  # the entry of a `_CARE_UNIT` match (no list entry has a NUL)
#: a product after an abbreviation in capitals: "MS Teams" is no diagnosis
_PRODUCT_AFTER = re.compile(
    r"[ \t]+(?:Teams|Word|Excel|Office|Outlook|Forms|PowerPoint|OneDrive|Paint|Access)\b"
)


#: a number straight after a measurement's name: "Hb 61", "ferritin of 4", "sats were 84%", "Na: 121"
_VALUE_AFTER = re.compile(
    r"[ \t]{0,3}(?:[:=-][ \t]{0,3}|(?:of|is|was|were|at|down[ \t]+to|only)[ \t]+){0,2}[<>]?\d"
)
#: nothing names a thing after an eponym's possessive: the condition itself ("Cushing's, and", "Cushing's.")
_ALONE_AFTER = re.compile(
    r"[ \t]*(?:[.,;:!?)\n]|$)|[ \t]+(?:and|or|but|so|too|again|now|is|was|has|had|which|that|for|since|from|"
    r"flare|flared|flaring|diagnosis|kicked|got|getting|playing|plays)\b"
)
#: a weak fact said of someone: a verb of being or having just before it ("she's pregnant", "had a termination",
#: "has the operation", "is in rehab", "came out of rehab", "is on steroids")
_TOLD_BEFORE = re.compile(
    r"\b(?:is|was|are|were|['’]s|has|had|have|got|been|having|needs|needed|needing|after|for|"
    r"(?:is|was|['’]s|been|are|were)[ \t]+(?:in|into|on)|out[ \t]+of|back[ \t]+(?:in|on|into)|went[ \t]+into)"
    r"[ \t]+(?:(?:an?|the|her|his|their|emergency|urgent|major|big|another|more|first|second|third|last|own|"
    r"just|now|still|really|very)[ \t]+){0,2}$",
    re.IGNORECASE,
)
#: kinds whose plural is the same fact ("heart attacks", "kidney stones"); a result's or a death's is not used
_PLURAL_KINDS = frozenset({"diagnosis", "treatment", "test"})
#: template slots in health_facts.txt, filled from body_parts.txt
_SLOT = re.compile(r"\{(organ|limb)\}")


def _body_parts() -> dict[str, list[str]]:
    """body_parts.txt by kind: {"organ": [...], "limb": [...]}."""
    out: dict[str, list[str]] = {}
    for line in read_list("body_parts"):
        word, _sep, kind = (p.strip() for p in line.partition(";"))
        if word and kind:
            out.setdefault(kind.lower(), []).append(word.lower())
    return out


def _expanded(
    lines: Iterable[str], parts: dict[str, list[str]]
) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(normalised phrase, kind, flags) for each line of health_facts.txt, templates filled in."""
    for line in lines:
        fields = [p.strip() for p in line.split(";")]
        if len(fields) < 2 or not fields[0]:
            continue
        kind, flags = fields[1].lower(), tuple(f.lower() for f in fields[2:])
        slot = _SLOT.search(fields[0])
        fills = parts.get(slot.group(1), []) if slot else [""]
        for fill in fills:
            phrase = " ".join(entry_words(_SLOT.sub(fill, fields[0]) if slot else fields[0]))
            if phrase:
                yield phrase, kind, flags


#: the words a stay ends with; `_CARE_UNIT` is tried only just before one (a pass of it, or of any
#: case-insensitive pattern, over every word of a long text costs more than the rest of the fact search)
_UNIT_WORDS = ("ward", "unit", "suite", "centre")


def _care_units(text: str) -> list[tuple[int, int, str]]:
    """The `_CARE_UNIT` matches of `text`, each ending at a ward, unit, suite or centre."""
    low = text.lower()
    if len(low) != len(text):  # a few characters grow when lower-cased ("İ"): keep offsets exact
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    out: dict[int, tuple[int, int, str]] = {}
    for word in _UNIT_WORDS:
        k = low.find(word)
        while k != -1:
            end = k + len(word) + (low.startswith("s", k + len(word)))
            if (k == 0 or not low[k - 1].isalnum()) and (end == len(low) or not low[end].isalnum()):
                for m in _CARE_UNIT.finditer(text, max(0, k - 90), min(len(text), end + 40)):
                    if m.end() == end:
                        out.setdefault(m.start(), (m.start(), m.end(), _UNIT))
            k = low.find(word, k + 1)
    return sorted(out.values())


def _overlaps(found: list[tuple[int, int, str]], starts: list[int], start: int, end: int) -> bool:
    """A span of `found` (sorted, no longer than a phrase) overlaps [start, end)."""
    i = bisect.bisect_left(starts, start - 200)
    j = bisect.bisect_left(starts, end)
    return any(start < e and s < end for s, e, _x in found[i:j])


def _names_unit(
    text: str, found: list[tuple[int, int, str]], starts: list[int], unit: tuple[int, int, str]
) -> bool:
    """Every listed fact inside the unit stands right before its last word: it names the unit, nothing more."""
    head = text.rfind(" ", unit[0], unit[1] - 1)
    i = bisect.bisect_left(starts, unit[0] - 200)
    j = bisect.bisect_left(starts, unit[1])
    inside = [f for f in found[i:j] if unit[0] < f[1] and f[0] < unit[1]]
    return bool(inside) and all(f[1] == head and f[0] > unit[0] for f in inside)


@dataclass(frozen=True)
class HealthFacts:
    """The health-fact list (`health_facts.txt`: "phrase ; kind [; weak] [; caps]") with each entry's kind.

    Besides the list: every rare condition (`rare_conditions.txt`) is a diagnosis, and so is every eponym
    (`eponyms.txt`) named with "disease" or "syndrome" ("Crohn's disease", "Marfan syndrome"); a stay on a
    ward or a unit of care is an admission. An entry marked "caps" counts only written in capitals: "MS",
    "CAP" and "AKI" are diagnoses, "ms" and "cap" are not.
    """

    words: WordList
    kinds: tuple[tuple[str, str, bool], ...]  # (normalised phrase, kind, weak)
    capitals: frozenset[str] = frozenset()  # entries that count only written in capitals
    values: frozenset[str] = frozenset()  # entries that count only with a number after them ("Hb 61")
    told: frozenset[str] = frozenset()  # weak entries that count when said of someone ("she's pregnant")
    alone: frozenset[str] = frozenset()  # eponyms' possessives that count only with no noun after them

    @classmethod
    def load(cls, conditions: Iterable[str] = (), eponyms: Iterable[str] = ()) -> HealthFacts:
        rows = []
        capitals = set()
        values = set()
        told = set()
        for phrase, kind, flags in _expanded(read_list("health_facts"), _body_parts()):
            rows.append((phrase, kind, "weak" in flags))
            if "caps" in flags:
                capitals.add(phrase)
            if "value" in flags:
                values.add(phrase)
            if "told" in flags:
                told.add(phrase)
        listed = {r[0] for r in rows}
        extra = [" ".join(entry_words(c)) for c in conditions]
        for e in eponyms:
            extra += [
                " ".join(entry_words(f"{e}{tail}"))
                for tail in ("'s disease", " disease", "'s syndrome", " syndrome")
            ]
        rows += [(x, "diagnosis", False) for x in dict.fromkeys(extra) if x and x not in listed]
        # a condition's plural is the condition ("two heart attacks", "kidney infections")
        listed = {r[0] for r in rows}
        rows += [
            (f"{phrase}s", kind, weak)
            for phrase, kind, weak in list(rows)
            if " " in phrase
            and kind in _PLURAL_KINDS
            and not weak
            and phrase not in values
            and not phrase.endswith(("s", "y", "ed"))
            and f"{phrase}s" not in listed
        ]
        # an eponymous condition by its possessive alone: "she's got Cushing's", "his Addison's and ..."
        listed = {r[0] for r in rows}
        everyday = english_words()
        alone = {
            f"{e}'s"
            for e in (" ".join(entry_words(x)) for x in eponyms)
            if e and " " not in e and e not in everyday and f"{e}'s" not in listed
        }
        rows += [(x, "diagnosis", False) for x in sorted(alone)]
        return cls(
            WordList.of("health_facts", [r[0] for r in rows]),
            tuple(rows),
            capitals=frozenset(capitals),
            values=frozenset(values),
            told=frozenset(told),
            alone=frozenset(alone),
        )

    @cached_property
    def _kind_of(self) -> dict[str, tuple[str, bool]]:
        """Normalised phrase -> (kind, weak), built once per lexicon rather than for every text."""
        return {phrase: (kind, weak) for phrase, kind, weak in self.kinds}

    def find(self, text: str) -> list[HealthFact]:
        """Every health fact in `text`; where entries overlap ("diagnosed", "diagnosed with"), the longest."""
        kinds = self._kind_of
        out: list[HealthFact] = []
        found = [x for x in self.words.spans(text, _MEDICAL_SUFFIXES) if x[2] or x[1] - x[0] > 6]
        # a unit is a fact of its own only where no listed fact is inside it ("on the stroke rehab unit": the
        # stroke is the fact, and says more)
        units = _care_units(text)
        if units:
            found.sort()
            starts = [f[0] for f in found]
            # ... but a fact that only names the unit ("the eating disorders unit", "the burns unit") is the stay
            found += [
                u
                for u in units
                if not _overlaps(found, starts, u[0], u[1]) or _names_unit(text, found, starts, u)
            ]
        for s, e, entry in sorted(found, key=lambda x: (x[0], -x[1])):
            if out and s < out[-1].end:
                continue
            if not entry and text[s:e].lower() in _NOT_MEDICAL:
                continue
            if entry in self.capitals and (not text[s:e].isupper() or _PRODUCT_AFTER.match(text, e)):
                continue  # "ms", "cap", "MS Teams": not the abbreviation
            if entry in self.values and not _VALUE_AFTER.match(text, e):
                continue  # "Hb 61" is a result; "hb" alone is a word in a lecture
            if entry in self.alone and (not text[s : s + 1].isupper() or not _ALONE_AFTER.match(text, e)):
                continue  # "Cushing's." is the condition; "Cushing's triad", "cushing's" are not
            if entry == _UNIT:
                out.append(HealthFact(s, e, "admission", False))
                continue
            kind, weak = kinds.get(entry, ("", True)) if entry else (_suffix_kind(text[s:e]), False)
            if weak and entry in self.told and _TOLD_BEFORE.search(text, max(0, s - 40), s):
                weak = False  # "she's pregnant", "he had the operation", "is in rehab": said of someone
            if kind:
                out.append(HealthFact(s, e, kind, weak))
        return out


@dataclass(frozen=True)
class Lexicon:
    """Every word list the patient recognizers use."""

    clinical_terms: WordList
    patient_cues: WordList
    person_nouns: WordList
    staff_titles: WordList
    patient_titles: WordList
    staff_roles: WordList
    teaching_cues: WordList
    fictional_cues: WordList
    fictional_context: WordList
    eponyms: WordList
    eponym_heads: WordList
    historical_figures: WordList
    greetings: WordList
    signoffs: WordList
    hospital_number_keywords: tuple[str, ...]
    number_labels_not_patient: WordList
    street_suffixes: tuple[str, ...]
    institution_words: WordList
    signature_words: WordList
    news_cues: WordList
    rare_conditions: WordList
    photo_words: WordList
    photo_subjects: WordList
    not_names: WordList
    first_names: WordList
    given_names: WordList
    known_roles: WordList
    public_figures: WordList
    public_sources: WordList
    encounter_cues: WordList
    schedule_cues: WordList
    everyday_roles: WordList
    relations: WordList
    local_places: WordList
    health_facts: HealthFacts

    @classmethod
    def load(cls) -> Lexicon:
        lists = {}
        for f in cls.__dataclass_fields__:
            if f in ("hospital_number_keywords", "street_suffixes", "health_facts"):
                continue
            lists[f] = load_list(f)
            lists[f].pattern  # noqa: B018  compiled while the worker loads, not on its first message
        return cls(
            hospital_number_keywords=tuple(read_list("hospital_number_keywords")),
            street_suffixes=tuple(read_list("street_suffixes")),
            health_facts=HealthFacts.load(lists["rare_conditions"].entries, lists["eponyms"].entries),
            **lists,
        )
