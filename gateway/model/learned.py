"""What reviewers taught the detectors: the marks' reasons, and the accepted entries the workers get.

A reviewer marks each finding of a message they release or reject right or
wrong; a wrong mark gives one of `REASONS`. The first three name a value
(the text of the finding's span) and become a proposed entry of the kind
the reason says; an administrator accepts or declines it. `LearnedEntries`
is what the inspection workers receive of the accepted ones: plain values,
no ids, no names of who proposed them.

Pure: no database, no detector. Values are compared normalised (`normal`):
case and runs of white space do not make two values different.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STAFF_NAME = "staff_name"
PUBLIC_FIGURE = "public_figure"
ALLOWED_VALUE = "allowed_value"

#: entry kind -> how the pages name it
KINDS = {
    STAFF_NAME: "staff name",
    PUBLIC_FIGURE: "public figure",
    ALLOWED_VALUE: "allowed code or word",
}


@dataclass(frozen=True)
class Reason:
    key: str
    label: str
    kind: str = ""  # the entry a wrong mark with this reason proposes ("" = none: precision only)


REASONS: tuple[Reason, ...] = (
    Reason("staff", "a member of staff", STAFF_NAME),
    Reason("public", "a public or historical figure", PUBLIC_FIGURE),
    Reason("code", "not an identifier / ordinary code", ALLOWED_VALUE),
    Reason("fine", "a word that is fine here"),
    Reason("other", "other"),
)
REASON_BY_KEY = {r.key: r for r in REASONS}

RIGHT = "right"
WRONG = "wrong"

#: longest value an entry may hold (a name or a code, never a passage)
MAX_VALUE = 120


def normal(value: str) -> str:
    """A value as entries compare it: case-folded, white space collapsed."""
    return " ".join(value.split()).casefold()


@dataclass(frozen=True)
class LearnedEntries:
    """The accepted entries, as the detectors use them (one version of the registry)."""

    version: int = 0  # the store's counter: moves on every accept and withdrawal
    staff_names: tuple[str, ...] = ()
    public_figures: tuple[str, ...] = ()
    allowed: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # (finding type, normal value)

    def allows(self, finding_type: str, value: str) -> bool:
        """An administrator accepted this exact value as not a finding of this type."""
        return (finding_type, normal(value)) in self.allowed

    @property
    def size(self) -> int:
        return len(self.staff_names) + len(self.public_figures) + len(self.allowed)


NO_ENTRIES = LearnedEntries()
