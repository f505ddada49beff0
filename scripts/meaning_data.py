"""The meaning classifier's training data: the example files, their labels, and their twins.

Used by scripts/train_meaning.py. Every file is a YAML list of entries with
text, expect (flag or clean), kind and why.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]

#: the training data, in this order (files that do not exist yet are skipped)
TRAINING_FILES = (
    "tests/corpus/devset/patient_examples.yaml",
    "tests/corpus/devset/abuse_examples.yaml",
    "tests/corpus/train/patient_a.yaml",
    "tests/corpus/train/patient_b.yaml",
    "tests/corpus/train/abuse_a.yaml",
    "tests/corpus/train/abuse_b.yaml",
    "tests/corpus/train/mixed_c.yaml",
    "tests/corpus/train/clean_d.yaml",
    "tests/corpus/train/flag_e.yaml",
    "tests/corpus/train/emails_f.yaml",
    "tests/corpus/train/short_g.yaml",
    "tests/corpus/train/train_h.yaml",
    "tests/corpus/train/train_i.yaml",
    "tests/corpus/train/train_j.yaml",
    "tests/corpus/train/train_k.yaml",
    "tests/corpus/train/train_l.yaml",
    "tests/corpus/train/train_m.yaml",
    "tests/corpus/train/train_q.yaml",
    "tests/corpus/train/train_r.yaml",
)
#: entries whose word sets overlap this much (Jaccard) are twins ("fyi Dr X is off sick, chemo" / "fyi Dr X is off
#: for her daughter's graduation"): cross-validation keeps them in one fold
TWIN_SIMILARITY = 0.3

#: kinds are "family-detail"; these families are abuse (a patient may also be named in them)
ABUSE_FAMILIES = frozenset(
    {
        "threat",
        "harassment",
        "insult",
        "discrimination",
        "defamation",
        "coercion",
        "abuse",
        "outing",
        "bullying",
    }
)
#: in an abuse family, details that also disclose a patient or a person's health
_ALSO_PATIENT = re.compile(r"patient|health-(?:fact|harass|leverage)|blackmail-health|nhs|mocked|diagnos")
#: in any other family of a flagged entry (a patient family), details that are also abuse
_ALSO_ABUSE = re.compile(r"threat|harass|insult|discriminat|defam|abuse|mock|humiliat|slur|bully")


@dataclass
class Entry:
    text: str
    patient: int
    abuse: int
    clean: bool
    source: str
    kind: str = ""


def labels(entry: dict[str, Any], source: str) -> Entry:
    """An example's two labels: from its expect, and its file or its kind's family."""
    text = str(entry["text"])
    kind = str(entry.get("kind", "")).strip().lower()
    if str(entry.get("expect", "")).strip().lower() != "flag":
        return Entry(text, 0, 0, True, source, kind)
    name = Path(source).name
    if source.startswith("tests/corpus/train/") and name.startswith(("abuse", "patient")):
        # these training files hold one output's examples: the file's name says which
        if name.startswith("abuse"):
            return Entry(text, int(bool(_ALSO_PATIENT.search(kind))), 1, False, source, kind)
        return Entry(text, 1, int(bool(_ALSO_ABUSE.search(kind))), False, source, kind)
    # the development sets and the mixed file hold both: the kind's family says which
    if kind.split("-", 1)[0] in ABUSE_FAMILIES:
        return Entry(text, int(bool(_ALSO_PATIENT.search(kind))), 1, False, source, kind)
    return Entry(text, 1, int(bool(_ALSO_ABUSE.search(kind))), False, source, kind)


def load_entries(root: Path = ROOT) -> tuple[list[Entry], dict[str, str]]:
    """Every training entry, and the sha256 of each file read."""
    entries: list[Entry] = []
    digests: dict[str, str] = {}
    for rel in TRAINING_FILES:
        path = root / rel
        if not path.is_file():
            continue
        raw = path.read_bytes()
        digests[rel] = hashlib.sha256(raw).hexdigest()
        for item in yaml.safe_load(raw) or []:
            if isinstance(item, dict) and str(item.get("text", "")).strip():
                entries.append(labels(item, rel))
    return entries, digests


def twin_groups(entries: list[Entry], similarity: float = TWIN_SIMILARITY) -> list[int]:
    """A group number per entry: near-duplicates (a flagged text and its clean twin) share one.

    Two entries are near-duplicates when their sets of lower-case words
    overlap by at least `similarity` (Jaccard); groups are the connected
    pieces. Cross-validation keeps a group in one fold, so a model is never
    scored on the twin of a text it was fitted on.
    """
    words = [frozenset(re.findall(r"[^\W_]+", e.text.lower())) for e in entries]
    index: dict[str, list[int]] = {}
    for i, ws in enumerate(words):
        for w in ws:
            index.setdefault(w, []).append(i)
    parent = list(range(len(entries)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    common = max(50, len(entries) // 10)  # a word in more entries than this does not find twins
    for i, ws in enumerate(words):
        shared: dict[int, int] = {}
        for w in ws:
            ids = index[w]
            if len(ids) <= common:
                for j in ids:
                    if j > i:
                        shared[j] = shared.get(j, 0) + 1
        for j in sorted(shared):
            if shared[j] / len(ws | words[j]) >= similarity:
                parent[root(j)] = root(i)
    return [root(i) for i in range(len(entries))]
