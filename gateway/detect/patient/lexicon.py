"""The word lists the patient detector reasons with, read from data files once per worker.

Each list lives in `gateway/detect/data/patient/<name>.txt` (one entry per
line, lines starting "# " are comments; see the README there). A `WordList` answers "is this
word in the list" for single words and finds every entry, phrases
included, on word boundaries in a text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
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


def _norm(entry: str) -> tuple[str, ...]:
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
        grams = frozenset(g for g in (_norm(e) for e in clean) if g)
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
            words = _norm(text[pos:end])
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
            phrase = " ".join(_norm(_SLOT.sub(fill, fields[0]) if slot else fields[0]))
            if phrase:
                yield phrase, kind, flags


@cache
def english_words() -> frozenset[str]:
    """Words that are not a name on their own (`english_words.txt`, made by scripts/make_english_words.py); an
    eponym that is also one ("Bell's", "Graves'") is not read as a condition alone either."""
    return frozenset(read_list("english_words"))


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
        extra = [" ".join(_norm(c)) for c in conditions]
        for e in eponyms:
            extra += [
                " ".join(_norm(f"{e}{tail}"))
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
            for e in (" ".join(_norm(x)) for x in eponyms)
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
