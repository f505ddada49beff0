"""A patient's home address: a UK postcode (the official format) and/or a house number and street.

An address is a patient's only when the passage around it is about a
patient (a visit, a patient, a condition); the university's own
postcodes (config), addresses in signature blocks, organisations'
addresses (a line naming a hospital, practice, university or building)
and the writer's own address ("my flat", a CV under their name) are not.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from gateway.detect.letters import CAP, LOWER
from gateway.detect.patient.context import (
    MessageContext,
    postcode_key,
    writers_own,
)
from gateway.detect.patient.recognizer import Candidate, SegmentScan, clamp
from gateway.detect.presidio_engine import PatternSpec, RecognizerSpec

POSTCODE_ENTITY = "POSTCODE"
STREET_ENTITY = "STREET_ADDRESS"
TYPE = "PATIENT_ADDRESS"

_OUTWARD = (
    r"(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
)
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
#: "(?<!\w)" rather than "\b" before the first letter: the `regex` engine then scans fast for it
POSTCODE = rf"(?<!\w)(?:{_OUTWARD}[ \t]?{_INWARD}|GIR[ \t]?0AA)\b"
_STREET_WORD = rf"{CAP}[{LOWER}'’]+(?:-{CAP}[{LOWER}'’]+)?"


def street_regex(suffixes: Sequence[str]) -> str:
    """House number (and flat), one to three capitalised words, a street suffix."""
    names = "|".join(sorted({s.capitalize() for s in suffixes}, key=len, reverse=True))
    return (
        # digits first (fast to scan for); a "Flat 3," before the number is added by the recognizer
        rf"(?<![\w/.,])\d{{1,4}}[A-Za-z]?,?[ \t]+(?:{_STREET_WORD}[ \t]+){{1,3}}(?:{names})\b\.?"
    )


class AddressRecognizer:
    """Postcodes and street addresses in a passage about a patient."""

    name = "address"

    def __init__(self, street_suffixes: Sequence[str]) -> None:
        self.street_suffixes = tuple(street_suffixes)

    def specs(self) -> list[RecognizerSpec]:
        return [
            RecognizerSpec(
                POSTCODE_ENTITY, (PatternSpec("uk_postcode", POSTCODE, 0.3),), case_sensitive=True
            ),
            RecognizerSpec(
                STREET_ENTITY,
                (PatternSpec("house_and_street", street_regex(self.street_suffixes), 0.3),),
                case_sensitive=True,
            ),
        ]

    def find(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        view = scan.view
        postcodes = scan.hits_of(POSTCODE_ENTITY)
        streets = scan.hits_of(STREET_ENTITY)
        groups: list[tuple[int, int, bool, bool]] = []  # start, end, has postcode, has street
        used: set[int] = set()
        # streets by where they end, so that each postcode looks only at those ending just before it
        by_end = sorted(range(len(streets)), key=lambda i: streets[i].end)
        ends = [streets[i].end for i in by_end]
        for pc in postcodes:
            if postcode_key(view.text[pc.start : pc.end]) in msg.own_postcodes:
                continue
            start, has_street = pc.start, False
            lo = bisect.bisect_left(ends, pc.start - 60)
            hi = bisect.bisect_right(ends, pc.start)
            for i in by_end[lo:hi]:
                st = streets[i]
                if "\n\n" not in view.text[st.end : pc.start]:
                    start, has_street = min(start, st.start), True
                    used.add(i)
            groups.append((start, pc.end, True, has_street))
        groups.extend((st.start, st.end, False, True) for i, st in enumerate(streets) if i not in used)
        groups = [(_with_flat(view.text, s), e, pc, st) for s, e, pc, st in groups]
        out = []
        for start, end, has_pc, has_street in groups:
            cand = self._judge(scan, msg, start, end, has_pc, has_street)
            if cand:
                out.append(cand)
        return out

    def _judge(
        self, scan: SegmentScan, msg: MessageContext, start: int, end: int, has_pc: bool, has_street: bool
    ) -> Candidate | None:
        view = scan.view
        if view.in_signature(start) or view.in_attribution(start) or view.in_greeting(start):
            return None
        lo, hi = view.neighbours(start, 1)
        near = bool(scan.found_near(start, end, 300))
        if not near and (
            not _cue_around(scan, _HOME_CUE, lo, start, end, hi)
            or _cue_around(scan, _HOUSING, lo, start, end, hi)
        ):
            return None  # nobody's home is being talked about, or it is a flat to rent, a parcel...
        if _organisation_line(scan, start, end, msg):
            return None
        if writers_own(view.text, start, msg, cue=near):
            return None  # "my flat at 9 Elm Road", or under the writer's own name (a CV)
        score = (
            0.5
            + (0.2 if has_pc else 0.0)
            + (0.15 if has_street else 0.0)
            + (0.1 if msg.clinical > 1 else 0.0)
        )
        reasons = ("postcode" if has_pc else "street", "patient context")
        return Candidate(TYPE, start, end, clamp(score), reasons)


#: words that put a person at an address: a patient, a home visit, someone who lives there
_HOME_CUE = re.compile(
    r"\b(?:patient|pt|man|lady|woman|gentleman|gent|chap|boy|girl|baby|child|elderly|old|lives|living|lived|"
    r"housebound|home\s+visits?|visit(?:s|ed|ing)?|district\s+nurses?|care\s+package|carers?|discharged|"
    r"next\s+of\s+kin|(?:his|her|their)\s+(?:house|home|flat|address|bungalow))\b"
    # a label, with no word boundary after its colon ("Address: 27 Elm Road")
    r"|\baddress\s*:",
    re.IGNORECASE,
)
#: renting, buying, deliveries: addresses in students' own lives
_HOUSING = re.compile(
    r"\b(?:viewing|landlord|letting|tenant|tenancy|rent|deposit|lease|house\s*share|flatmates?|housemates?|"
    r"moving\s+in|move\s+in|estate\s+agent|parcel|delivery|deliver|post\s+it|send\s+it|party|bbq)\b",
    re.IGNORECASE,
)


def _cue_around(scan: SegmentScan, cue: re.Pattern[str], lo: int, start: int, end: int, hi: int) -> bool:
    """`cue` matches in [lo, start) or in [end, hi): the passage around an address, without it.

    The cue's matches are found once per segment and looked up by bisection, so a segment with
    thousands of addresses costs one pass of each cue, not one per address.
    """
    key = f"address cue {cue.pattern[:40]}"
    found = scan.notes.get(key)
    if found is None:
        found = [(m.start(), m.end()) for m in cue.finditer(scan.view.text)]
        scan.notes[key] = found
        scan.notes[key + " starts"] = [s for s, _ in found]
    starts = scan.notes[key + " starts"]
    for a, b in ((lo, start), (end, hi)):
        i = bisect.bisect_left(starts, a)
        if i < len(found) and found[i][1] <= b:
            return True
    return False


_FLAT_BEFORE = re.compile(r"(?:Flat|Apartment|Apt|Unit)[ \t]+\d{1,4}[A-Za-z]?,?[ \t]*$")


def _with_flat(text: str, start: int) -> int:
    """Start of "Flat 3, 41 Canal Street" when the street match starts at "41"."""
    m = _FLAT_BEFORE.search(text[max(0, start - 24) : start])
    return start - (len(text[max(0, start - 24) : start]) - m.start()) if m else start


def _organisation_line(scan: SegmentScan, start: int, end: int, msg: MessageContext) -> bool:
    """The address's own clause (or, when the address starts its line, a short line above it) names an
    organisation."""
    view = scan.view
    ls, le = view.line_at(start)
    # the clause before the address, and only its last two comma-separated parts ("Kings Hospital, 1 Rd")
    before = re.split(r"[.;!?]\s", view.text[max(ls, start - 60) : start])[-1]
    before = ",".join(before.split(",")[-2:])
    after = re.split(r"[.;!?\n]", view.text[end : min(le, end + 40)])[0]
    clause = before + " " + after
    if msg.lexicon.institution_words.search(clause) or re.search(r"www\.|@|https?://", clause):
        return True
    if ls > 0 and not view.text[ls:start].strip():
        # an address block: the line above, found by its break (the view's line list also holds an empty
        # line at each break, so line_at(ls - 1) would read that)
        prev = view.text[view.text.rfind("\n", 0, ls - 1) + 1 : ls - 1]
        if (
            len(prev) < 60
            and not re.search(r"[.!?]\s*$", prev)
            and msg.lexicon.institution_words.search(prev)
        ):
            return True
    return False
