"""The candidate stage of the names recognizer: the patterns that propose patients' names (declared
for the one Presidio pass), the candidate they make, and one candidate per stretch of text.

A courtesy title and a name, a ward-list style name ("Ann LEE", "LEE,
Ann"), a bed or bay number (a surname is looked for beside it), and the
labels of a clerking ("Patient:", "Pt -", "Name:", "Patient surname:").
`patient_name` judges what they find; the field labels here tell it when a
bare "Name:" sits among a patient's details.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.detect.letters import CAP, LOW
from gateway.detect.patient.staff import NAME_WORD
from gateway.detect.presidio_engine import PatternSpec, RecognizerSpec, anycase

TITLED = "NAME_TITLED"
CAPS = "NAME_WARD_LIST"
BED = "NAME_BY_BED"
LABELLED = "NAME_LABELLED"

#: field labels of a clerking or a referral (one a line, or run on after a full stop): a "Name:" among
#: them is a patient's
_PATIENT_FIELDS = re.compile(
    r"(?im)(?:^[ \t>]*|[.;|][ \t]+)(?:age|ward|bed|bay|dob|d\.o\.b\.?|nhs(?:\s+no)?|hosp(?:ital)?\s*no|mrn|pc|hpc|pmh|"
    r"dh|sh|fh|diagnosis|dx|presenting\s+complaint|consultant|allergies|next\s+of\s+kin|gp|address|admitted|d/c|"
    r"discharged|reason)\s*:"
)
#: "Lee in bed 4" (before the bed hit) and "bed 4 - Lee" (after it)
_NAME_BEFORE_BED = re.compile(rf"(?<!\w)({CAP}{LOW}{{2,}})[ ]+(?:(?:in|on)[ ]+)?$")
_NAME_AFTER_BED = re.compile(rf"^[ \t]*[-:–,(][ \t]*({CAP}{LOW}{{2,}})\b")
_LABEL_PREFIX = re.compile(
    r"(?i:name)[ \t]*:[ \t]*|(?i:patient|pt)(?:['’]s)?(?:[ \t]+(?i:(?:sur|first[ \t]|given[ \t]|family[ \t])?name))?[ \t]*:[ \t]*|[ \t]*(?i:patient|pt)[ \t]*[–-][ \t]*"
)


@dataclass(frozen=True)
class NameCandidate:
    kind: str  # titled, caps, bed, labelled, ner
    start: int
    end: int
    tokens: tuple[str, ...]  # lower-case name words, title dropped


def name_specs(titled_regex: str) -> list[RecognizerSpec]:
    """The recognizer specs: `titled_regex` is the courtesy-title pattern built from the title list."""
    bed = r"(?:[Bb]ed|BED|[Bb]ay|BAY|[Ss]ide[ \t][Rr]oom|SR)[ \t]*[A-Z]?\d{1,2}\b"
    return [
        RecognizerSpec(TITLED, (PatternSpec("title_and_name", titled_regex, 0.3),), case_sensitive=True),
        RecognizerSpec(
            CAPS,
            (
                # "Ann LEE" and "LEE, Ann" ("(?<!\w)" before the first capital keeps `regex` fast)
                PatternSpec(
                    "given_SURNAME",
                    rf"(?<!\w){CAP}{LOW}+(?:-{CAP}{LOW}+)?[ ]+{CAP}{{3,}}(?:[-'’]{CAP}{{2,}})?\b(?!{LOW})",
                    0.3,
                ),
                PatternSpec(
                    "SURNAME_given", rf"(?<!\w){CAP}{{3,}}(?:[-'’]{CAP}{{2,}})?,[ ]*{CAP}{LOW}+\b", 0.3
                ),
            ),
            case_sensitive=True,
        ),
        # a bed or bay number; the recognizer looks for a surname just before or after it
        RecognizerSpec(BED, (PatternSpec("bed", rf"(?<!\w){bed}", 0.3),), case_sensitive=True),
        RecognizerSpec(
            LABELLED,
            (
                PatternSpec(
                    "patient_label",
                    rf"(?:(?<!\w)(?:{anycase('patient')}|{anycase('pt')})(?:['’]s)?(?:[ \t]+(?:{anycase('sur')}|{anycase('first')}[ \t]|{anycase('given')}[ \t]|{anycase('family')}[ \t])?{anycase('name')})?[ \t]*:"
                    rf"|^[ \t]*(?:{anycase('patient')}|{anycase('pt')})[ \t]*[–-])"
                    rf"[ \t]*(?:{NAME_WORD}[ ]+)?{NAME_WORD}(?:[ ]+{NAME_WORD}){{0,2}}",
                    0.5,
                ),
                # "Name: Ann Lee" counts only in a block of patient details (an identifier close by)
                PatternSpec(
                    "name_label",
                    rf"[Nn](?<!\w[Nn])(?:ame|AME)[ \t]*:[ \t]*(?:{NAME_WORD}[ ]+)?{NAME_WORD}(?:[ ]+{NAME_WORD}){{0,2}}",
                    0.3,
                ),
            ),
            case_sensitive=True,
        ),
    ]


def names_by_bed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    before = text[max(0, start - 30) : start]
    m = _NAME_BEFORE_BED.search(before)
    if m:
        out.append((start - len(before) + m.start(1), start - len(before) + m.end(1)))
    m = _NAME_AFTER_BED.match(text[end : end + 30])
    if m:
        out.append((end + m.start(1), end + m.end(1)))
    return out


def dedupe(cands: list[NameCandidate]) -> list[NameCandidate]:
    """One candidate per stretch of text, preferring the more specific kind."""
    rank = {
        "labelled": 0,
        "name_label": 1,
        "titled_full": 2,
        "caps": 3,
        "titled_surname": 4,
        "bed": 5,
        "ner": 6,
    }
    out: list[NameCandidate] = []
    cluster: list[NameCandidate] = []
    reach = -1
    # overlapping candidates form clusters; within one, the best-ranked that do not overlap are kept
    for c in [*sorted(cands, key=lambda c: c.start), None]:
        if c is not None and c.start < reach:
            cluster.append(c)
            reach = max(reach, c.end)
            continue
        kept: list[NameCandidate] = []
        for k in sorted(cluster, key=lambda k: (rank[k.kind], k.start)):
            if not any(k.start < o.end and o.start < k.end for o in kept):
                kept.append(k)
        out.extend(sorted(kept, key=lambda k: k.start))
        if c is not None:
            cluster, reach = [c], c.end
    return out


def end_of_tokens(rest: str, tokens: list[str]) -> int:
    """Where the last kept name word ends in `rest`."""
    pos = 0
    low = rest.lower()
    for t in tokens:
        i = low.find(t, pos)
        if i < 0:
            break
        pos = i + len(t)
    return pos or len(rest)


def sentence_initial(text: str, sentence_start: int, pos: int) -> bool:
    """Nothing but punctuation and space stands between the sentence's start and `pos`."""
    return not re.search(r"\w", text[sentence_start:pos])
