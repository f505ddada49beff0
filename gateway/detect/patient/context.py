"""What the whole message says about who is who, and the cues recognizers look for.

`MessageContext` is built once per message: the correspondents' names
(never a patient), the staff directory and the staff named in the message
itself ("Dr Lee", "Ann Lee (consultant)"), the university's own phone
numbers and postcodes, and how clinical the message is overall. The cue
functions below answer the local questions: is there a patient cue in
this sentence, an age, a bed, a sign that the passage is a
role-play.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from gateway.detect.letters import CAP, LETTER, LOW, LOWER, UPPER
from gateway.detect.patient.lexicon import Lexicon
from gateway.model import Inspection

#: ages: "71-year-old", "aged 71", "71 yo", "71M", "9-month-old" (not durations: "for 3 years")
AGE = re.compile(
    r"\b\d{1,3}[ -]?(?i:year|yr|month|week|day)s?[ -]?(?i:old)\b"
    r"|\b(?i:aged?)[ \t]+\d{1,3}\b"
    r"|\b\d{1,3}[ \t]?(?i:yo|y/o|y\.o\.)(?!\w)"
    r"|\b\d{1,3}[MF]\b"
)
#: beds and rooms: "bed 14", "bay 2 bed 3", "side room 4", "SR2", "cubicle 7"
BED = re.compile(r"\b(?:bed|bay|cubicle|side[ \t]?room|SR)[ \t]*[A-Z]?\d{1,3}[A-Z]?\b", re.IGNORECASE)
#: wards: "Ward 22", "ward 9", "Ward B", "Rowan Ward"; not a road named after one ("Castle Ward Road")
WARD = re.compile(
    rf"(?i:\bward)[ \t]+(?:\d{{1,3}}[A-Za-z]?|[A-Z]\d?)\b|\b{CAP}{LOW}+[ \t]Ward\b"
    r"(?![ \t]+(?i:road|rd|street|st|lane|ln|avenue|ave|close|drive|way|crescent|terrace|place|gardens|court|"
    r"house|estate|end|green|park|hill|row|walk|mews|square|grove)\b)"
)
#: a council's electoral ward: "the councillor for Abbey Ward", "a by-election in Riverside Ward"
_ELECTORAL = re.compile(
    r"\b(?:councill?ors?|council|electoral|election|by-election|elected|ballot|polling|constituency|mp|mayor)\b"
    r"[^.!?\n]{0,40}$",
    re.IGNORECASE,
)
#: what stands before a bed, bay or cubicle that is no patient's: "car park bay 14", "loading bay 2",
#: "raised bed 4"
_NOT_CARE_BAY = re.compile(
    r"\b(?:car[ \t-]?park|parking|park|loading|unloading|garage|bus|coach|taxi|delivery|deliveries|service|"
    r"drop[ \t-]?off|pick[ \t-]?up|cycle|bike|disabled|visitor|visitors|ambulance|staff|blue[ \t]badge|"
    r"workshop|storage|dock|docking|wash|charging|ev|toilet|changing|shower|flower|raised|garden|veg|"
    r"vegetable|bunk|dorm|hostel)[ \t]+$",
    re.IGNORECASE,
)
#: a place for vehicles or goods near a bay: it is parking unless a patient is near too
_VEHICLE_NEAR = re.compile(
    r"\b(?:car[ \t-]?parks?|parking|parked|park|multi-?storey|top[ \t]deck|garage|depot|loading|lorry|van|"
    r"bus|coach|taxi|mot|tyres?|mechanic|station|marina|warehouse)\b",
    re.IGNORECASE,
)
#: a patient near a bay or cubicle: a ward, a patient, staff at the bedside, a courtesy title
_CARE_NEAR = re.compile(
    r"\b(?:wards?|patients?|pts?|nurses?|hca|obs|admitted|admission|discharged?|"
    r"a&e|resus|majors|minors|icu|itu|hdu|ccu|amu|mau|cdu|sau|beds?|side[ \t]?rooms?|handover|"
    r"mr|mrs|ms|miss|mx|dob|nhs|doctor|dr|consultant|registrar|fy1|fy2|sho|bleep|cannula|commode|drip|"
    r"oxygen|sats|meds|drug[ \t]chart)\b",
    re.IGNORECASE,
)
#: a bed list: a bed or bay opening a line ("Bay 2: fall, ?NOF")
_ROW_START = re.compile(r"(?:^|\n)[ \t>*•-]*$")
#: how far either side of a bay its care setting is looked for
_CARE_REACH = 150
#: words that put a passage in the present, not in history
RECENT = re.compile(
    r"\b(?:today|tonight|yesterday|tomorrow|this (?:morning|afternoon|evening|week)|last (?:night|week)"
    r"|on the ward|on placement|at the moment|currently|right now)\b",
    re.IGNORECASE,
)
YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
#: the writer's own details: "my address", "I live at", "our flat"
OWN = re.compile(
    r"\b(?:my|our|I live|I'm at|we live|I am at|me on|call me|text me|ring me|reach me|contact me)\b",
    re.IGNORECASE,
)
#: distinct clinical terms that make a message clearly about clinical care
CLINICAL_ENOUGH = 3
_NAME_TOKEN = re.compile(rf"{LETTER}[{UPPER}{LOWER}'’-]+")


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def phone_key(text: str) -> str:
    """A phone number in one form for comparison: national digits, leading 0."""
    d = digits(text)
    if d.startswith("44") and len(d) >= 11:
        d = "0" + d[2:]
    if d.startswith("00"):
        d = d[1:]
    return d


def postcode_key(text: str) -> str:
    return re.sub(r"\s", "", text).upper()


def name_tokens(name: str) -> list[str]:
    return [t.lower().strip("'’-") for t in _NAME_TOKEN.findall(name)]


@dataclass
class MessageContext:
    """Facts about the whole message that every recognizer may use."""

    lexicon: Lexicon
    correspondent_tokens: frozenset[str] = frozenset()  # lower-case name tokens of sender and recipients
    correspondent_names: tuple[tuple[str, str], ...] = ()  # (first, last) of correspondents named in full
    staff_full: set[str] = field(
        default_factory=set
    )  # "ann lee": staff named in full (directory, this message)
    staff_surnames: set[str] = field(default_factory=set)  # "lee": every staff surname
    staff_bare: set[str] = field(
        default_factory=set
    )  # surnames of staff only ever named by surname ("Dr Lee")
    own_phones: frozenset[str] = frozenset()
    own_postcodes: frozenset[str] = frozenset()
    clinical_terms: frozenset[str] = frozenset()  # distinct clinical terms in the message
    today: _dt.date = field(default_factory=_dt.date.today)

    @classmethod
    def build(
        cls,
        inspection: Inspection,
        lexicon: Lexicon,
        *,
        staff_directory: tuple[list[str], ...] = (),
        own_phones: tuple[str, ...] = (),
        own_postcodes: tuple[str, ...] = (),
    ) -> MessageContext:
        tokens: set[str] = set()
        titles = set(lexicon.staff_titles.entries) | set(lexicon.patient_titles.entries)
        full: set[tuple[str, str]] = set()
        for display, address in inspection.correspondents:
            words = [t for t in name_tokens(display) if len(t) >= 2 and t not in titles]
            tokens.update(words)
            if len(words) >= 2:
                full.add((words[0], words[-1]))
            local = address.partition("@")[0]
            tokens.update(t for t in re.split(r"[._\-+\d]+", local.lower()) if len(t) >= 3)
        for seg in inspection.segments:
            if seg.kind == "name":
                tokens.update(t for t in name_tokens(seg.text) if len(t) >= 2)
        tokens -= set(lexicon.staff_titles.entries) | set(lexicon.patient_titles.entries)
        text = "\n".join(s.text for s in inspection.segments if s.kind != "name")
        ctx = cls(
            lexicon=lexicon,
            correspondent_tokens=frozenset(tokens),
            correspondent_names=tuple(sorted(full)),
            own_phones=frozenset(phone_key(p) for p in own_phones if digits(p)),
            own_postcodes=frozenset(postcode_key(p) for p in own_postcodes if p.strip()),
            # three different terms make a message clinical: no need to read further
            clinical_terms=frozenset(
                lexicon.clinical_terms.distinct(text[:2_000_000], at_most=CLINICAL_ENOUGH)
            ),
        )
        for name in staff_directory:
            ctx.learn_staff(name)
        return ctx

    @property
    def clinical(self) -> int:
        """0: nothing clinical; 1: a clinical word or two; 2: clearly about clinical care."""
        n = len(self.clinical_terms)
        return 0 if n == 0 else 1 if n < CLINICAL_ENOUGH else 2

    def is_correspondent(self, tokens: list[str]) -> bool:
        """A name is a correspondent's when its surname (or its only word) is one of theirs."""
        return bool(tokens) and tokens[-1] in self.correspondent_tokens

    def names_correspondent(self, text: str) -> bool:
        """`text` names a correspondent in full (first and last name), as a CV or a signed letter does."""
        low = text.lower()
        return any(
            re.search(rf"\b{re.escape(first)}\b", low) and re.search(rf"\b{re.escape(last)}\b", low)
            for first, last in self.correspondent_names
        )

    def is_staff(self, tokens: list[str]) -> bool:
        """Staff when named in full as staff, or by a surname that staff carry.

        "Mrs Jane Lee" is not taken for "Dr Ann Lee"; but when the message
        only ever says "Dr Lee", any Lee is.
        """
        if not tokens:
            return False
        if len(tokens) == 1:
            return tokens[0] in self.staff_surnames
        return " ".join(tokens) in self.staff_full or tokens[-1] in self.staff_bare

    def learn_staff(self, tokens: list[str]) -> None:
        if not tokens:
            return
        self.staff_surnames.add(tokens[-1])
        if len(tokens) == 1:
            self.staff_bare.add(tokens[0])
        else:
            self.staff_full.add(" ".join(tokens))


def clinical_count(text: str, lex: Lexicon) -> int:
    return len(lex.clinical_terms.distinct(text))


_ROUND_AFTER = re.compile(r"[ \t]+rounds?\b", re.IGNORECASE)
#: "patient" as an adjective: "been very patient with him", "so patient"
_ADJECTIVE_PATIENT = re.compile(
    r"\b(?:very|so|too|really|been|be|being|more|most|extremely|incredibly|remarkably|quite|ever)[ ]+patient\b"
    r"|\bpatient[ ]+(?:with|towards|about)\b",
    re.IGNORECASE,
)


def care_beds(text: str, lex: Lexicon, start: int = 0, end: int | None = None) -> list[re.Match[str]]:
    """The beds, bays, cubicles and side rooms in text[start:end] that are a patient's place.

    None is after a word that makes it parking, loading, a garden or a dormitory ("car park bay 14",
    "raised bed 4"). Otherwise a bed or side room number always is. A bay or a cubicle is one only with a
    patient near it in `text` (a ward, a patient, a nurse, a courtesy title), or, with no parking or vehicle
    near it, a hospital, a clinic or a clinical word other than "bay"; or in a bed list (beds or bays
    opening two lines)."""
    out = []
    stop = len(text) if end is None else end
    for m in BED.finditer(text, start, stop):
        if _NOT_CARE_BAY.search(text, max(0, m.start() - 20), m.start()):
            continue
        if m.group().lower().startswith(("bed", "side")):
            out.append(m)
            continue
        lo, hi = max(0, m.start() - _CARE_REACH), min(len(text), m.end() + _CARE_REACH)
        around = f"{text[lo : m.start()]} {text[m.end() : hi]}"
        if (
            _CARE_NEAR.search(around)
            or (not _VEHICLE_NEAR.search(around) and lex.clinical_terms.distinct(around) - {"bay", "cubicle"})
            or _bed_list(text, m, lo, hi)
        ):
            out.append(m)
    return out


def _bed_list(text: str, m: re.Match[str], lo: int, hi: int) -> bool:
    """The bay opens a line and another bed or bay opens a line near it: a bed list."""
    if not _ROW_START.search(text, max(0, m.start() - 8), m.start()):
        return False
    return any(
        o.start() != m.start() and _ROW_START.search(text, max(0, o.start() - 8), o.start())
        for o in BED.finditer(text, lo, hi)
    )


def care_bed(text: str, lex: Lexicon) -> bool:
    """`text` holds a bed, bay or cubicle that is a patient's place (see `care_beds`)."""
    return bool(care_beds(text, lex))


def care_ward(text: str) -> bool:
    """`text` names a hospital ward: not a road named after one, not a council's electoral ward."""
    return any(not _ELECTORAL.search(text, max(0, m.start() - 60), m.start()) for m in WARD.finditer(text))


def patient_cue(text: str, lex: Lexicon) -> bool:
    """Words, ages or beds that tie someone in `text` to a care episode."""
    if AGE.search(text) or care_bed(text, lex):
        return True
    # "on the ward round" is teaching and work, not a stay on the ward; "very patient with him" is a virtue
    return any(
        not _ROUND_AFTER.match(text, e)
        and not (c == "patient" and _ADJECTIVE_PATIENT.search(text, max(0, s - 14), e + 6))
        for s, e, c in lex.patient_cues.find(text)
    )


def writers_own(text: str, start: int, msg: MessageContext, *, cue: bool) -> bool:
    """Details at `start` are the writer's own: "my flat at ...", "call me on ...", or under their
    own full name (a CV), with nothing about a patient in between."""
    if cue:
        return False
    clause = re.split(r"[.!?;\n]\s", text[max(0, start - 40) : start])[-1]
    if OWN.search(clause):
        return True
    above = text[max(0, start - 400) : start]
    if re.search(r"curriculum vitae|\bcv\b|\bresum[eé]\b", above, re.IGNORECASE):
        return True
    return msg.names_correspondent(above)


#: where a forwarded or quoted block starts
_FORWARD_MARK = re.compile(
    r"^[ \t>]*(?:-{2,}[ ]*(?:Forwarded|Original)[^\n]*|Begin forwarded message:?|From:[^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)


def in_public_forward(text: str, pos: int, lex: Lexicon) -> bool:
    """`pos` is in a forwarded block whose head (its first lines) names a public source: a news
    story or an article sent on, not the writer's own account."""
    marks = [m for m in _FORWARD_MARK.finditer(text, max(0, pos - 20_000), pos)]
    if not marks:
        return False
    head = marks[-1].start()
    return bool(lex.public_sources.search(text[head : min(pos, head + 800)]))


def load_staff_directory(path: str, lexicon: Lexicon) -> tuple[list[str], ...]:
    """Staff names (lower-case tokens, titles dropped) from a file of names, one per line."""
    if not path:
        return ()
    from pathlib import Path

    lines = [line.split("#", 1)[0].strip() for line in Path(path).read_text(encoding="utf-8").splitlines()]
    return staff_names(lines, lexicon)


def staff_names(names: Iterable[str], lexicon: Lexicon) -> tuple[list[str], ...]:
    """Names as the staff directory holds them: lower-case tokens, titles dropped (empty ones left out)."""
    titles = set(lexicon.staff_titles.entries) | set(lexicon.patient_titles.entries)
    out: list[list[str]] = []
    for name in names:
        toks = [t for t in name_tokens(name) if t not in titles]
        if toks:
            out.append(toks)
    return tuple(out)
