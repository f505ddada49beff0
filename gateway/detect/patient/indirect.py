"""Indirect identification: details that together point at one patient, with no name or number.

"Bed 14 on Ward 22 at the Royal Infirmary on Tuesday night", or "the
17-year-old from the stabbing that was all over the local news", or a
rare condition with an age and a town. Each detail alone is harmless
(anonymised cases have an age; timetables have wards and dates); the
combination is what identifies. A passage (paragraph) is scored by which
kinds of detail it holds, and only when it is about a patient. A news
story passed on (a public source tells it, and nobody in the message met
the person first-hand) identifies no one the news has not already named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.detect.letters import CAP, LOW, LOWER
from gateway.detect.patient.context import AGE, RECENT, MessageContext, care_bed, care_ward, patient_cue
from gateway.detect.patient.lexicon import Lexicon
from gateway.detect.patient.recognizer import Candidate, SegmentScan, clamp
from gateway.detect.patient.ties import ORGANISATION_AFTER
from gateway.detect.presidio_engine import RecognizerSpec

TYPE = "INDIRECT_IDENTIFICATION"

HOSPITAL = re.compile(
    rf"\b(?:{CAP}[{LOWER}'’]+[ \t]+){{1,3}}(?:Hospital|Infirmary|Hospice|Medical[ \t]Centre|Health[ \t]Centre|Surgery)\b"
    r"|\b(?:the|at|in)[ \t]+(?:[A-Z]{2,5})\b(?=[^.\n]{0,40}\b(?:ward|bed|theatre|ED|A&E|ICU)\b)"
)
WHEN = re.compile(
    r"\b(?:last|this|on)[ \t]+(?:night|morning|afternoon|evening|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(?:yesterday|today|tonight)\b"
    r"|\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*[ \t]+\d{1,2}(?:st|nd|rd|th)?\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[ \t]+\d{1,2}(?:st|nd|rd|th)?\b"
    r"|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b",
    re.IGNORECASE,
)
#: a care episode happened to someone
CARE = re.compile(
    r"\b(?:came\s+in(?:to)?|admitted|brought\s+in|rushed\s+in|blue[ -]lighted|in\s+resus|into\s+resus|"
    r"(?:in|into|to)\s+(?:A&E|ED|ICU|ITU|HDU|theatre)|went\s+(?:back\s+)?to\s+theatre|operated\s+on|"
    r"on\s+the\s+ward|was\s+treated|died|passed\s+away|re-?bled|arrested|intubated)\b",
    re.IGNORECASE,
)
#: the person told the public themselves, in public: "on TV", "has spoken openly about his bowel cancer",
#: "talked in Parliament about her IVF", "went public with", "has written a book about his vasectomy"
MEDIA_PUBLIC = re.compile(
    r"\b(?:on|in)[ \t]+(?:tv|the[ \t]+telly|the[ \t]+radio|a[ \t]+podcast|an[ \t]+interview|instagram|tiktok|youtube)\b"
    r"|\b(?:opened[ \t]+up|spoken?[ \t]+out|talking|talked|talks|speaks|spoke|spoken|written|wrote|writes|blogged)[ \t]+"
    r"(?:publicly|openly|candidly|frankly|movingly|bravely|honestly|in[ \t]+parliament|in[ \t]+the[ \t]+commons|"
    r"on[ \t]+air|on[ \t]+stage)[ \t]+about\b"
    r"|\b(?:opened[ \t]+up|spoken?[ \t]+out|blogged)[ \t]+about\b"
    r"|\bwent[ \t]+public[ \t]+(?:with|about)\b"
    r"|\b(?:written|wrote|writes|writing|released|releasing|published|made|making|filmed|done)[ \t]+(?:a|an|his|her|their)"
    r"[ \t]+(?:[\w-]+[ \t]+)?(?:book|memoir|column|documentary|programme|series|song|album|blog|vlog|video|post|article|"
    r"thread|podcast)[ \t]+(?:about|on)\b",
    re.IGNORECASE,
)
#: ... or talking about it at all, when the person is a public figure ("the guy from Love Island ... talking about
#: his ADHD diagnosis"); for anyone else "talking about" is gossip, not publication
MEDIA = re.compile(
    MEDIA_PUBLIC.pattern + r"|\b(?:talking|talked|talks|speaks|spoke|spoken)[ \t]+about\b", re.IGNORECASE
)
_DEATH = re.compile(r"died|passed\s+away", re.IGNORECASE)
#: a relation of a named person: "Councillor Bettany's mum", "Ffion Bowen's nan"
RELATION = re.compile(
    rf"\b{CAP}[{LOWER}'’-]+(?:[ \t]+{CAP}[{LOWER}'’-]+)?['’]s[ \t]+(?:mum|mother|dad|father|nan|nana|nanna|gran|granny|"
    r"grandma|grandad|grandpa|grandfather|grandmother|husband|wife|partner|boyfriend|girlfriend|fianc[ée]e?|son|"
    r"daughter|sister|brother|aunt|auntie|uncle|cousin|baby|kid|child|twins?)\b"
)
#: a named school, club or team the person belongs to: "from Farleigh Academy", "plays for Brackenholme Town"
NAMED_GROUP = re.compile(
    rf"\b(?:from|at|attends|attending|for|of|in)[ \t]+(?:the[ \t]+)?(?:{CAP}[{LOWER}'’]+[ \t]+){{1,3}}"
    r"(?:Academy|Primary|School|College|Sixth[ \t]Form|Grammar|Infants|Juniors|High|Town|United|FC|City|Rovers|"
    r"Athletic|Wanderers|Albion)\b"
)
#: the writer says the person is one of a kind or recognisable
UNIQUE = re.compile(
    r"\bthe[ \t]+only[ \t]+(?:\w+[ \t]+){0,3}(?:in|at|on)[ \t]+(?:the|our|this|that)\b"
    r"|\beveryone[ \t]+knows[ \t]+(?:him|her|them)\b|\byou['’]?(?:ll|d|[ \t]will|[ \t]would)[ \t]+recogni[sz]e\b"
    r"|\b(?:off|on|from)[ \t]+(?:the[ \t]+)?(?:telly|tv|love[ \t]+island|x[ \t]+factor|strictly|bake[ \t]+off)\b"
    r"|\b(?:she|he|they)(?:['’](?:s|re)|[ \t]+is|[ \t]+was|[ \t]+are)[ \t]+an?[ \t]+(?:[\w-]+[ \t]+){0,2}"
    r"(?:student|pupil)s?[ \t]+(?:at|in)[ \t]+(?:our|my|the|your|ur)[ \t]+(?:uni|university|school|college|year)\b",
    re.IGNORECASE,
)
#: what comes just before a role that describes someone: "the mayor", "a teacher at", "our old headteacher"
_ROLE_BEFORE = re.compile(
    r"\b(the|a|an|our|their|his|her|your|ur|village|local|school)[ \t]+(?:[\w-]+[ \t]+){0,2}$",
    re.IGNORECASE,
)
#: the role is the writer's or their family's: "I'm a teacher", "my dad, a retired postman"
_OWN_ROLE = re.compile(
    r"\b(?:i['’]m|i[ \t]+am|i[ \t]+was|my[ \t]+(?:\w+[ \t]+)?(?:mum|mom|mother|dad|father|nan|gran|granny|grandma|"
    r"grandad|grandpa|wife|husband|partner|boyfriend|girlfriend|brother|sister|son|daughter|aunt|auntie|uncle|"
    r"cousin|family))\b",
    re.IGNORECASE,
)
#: where someone works or plays, after the role: "a teacher at Pemberley Infants", "a pilot for Skyline Air"
_AFFILIATION_AFTER = re.compile(rf"[ \t]+(?:at|for|of|in)[ \t]+(?:the[ \t]+)?{CAP}")
#: the writer says the cases are real ("let's use real cases: the woman I clerked...")
_REAL_CASE = re.compile(r"\breal[ \t]+(?:cases?|patients?|people|person)\b", re.IGNORECASE)
#: a place named after "from / outside / in / near": a town, a street, a school, a ground
PLACE = re.compile(
    rf"\b(?:from|outside|in|near|at)[ \t]+(?:the[ \t]+)?{CAP}{LOW}+(?:[ \t]+{CAP}{LOW}+){{0,3}}\b"
)


@dataclass(frozen=True)
class Details:
    bed: bool
    ward: bool
    hospital: bool
    when: bool
    age: bool
    news: bool
    rare: bool
    place: bool
    patient: bool
    care: bool  # someone came in, was admitted, went to theatre: a care episode, not teaching
    known: bool = (
        False  # known beyond the care setting: a public role, a named school or club, someone's relative
    )
    reported: bool = (
        False  # a public source tells it (BBC, "a spokesperson said"), nobody met them first-hand
    )
    episode: bool = False  # a care episode or a health fact (a diagnosis, a result), not teaching
    told: bool = (
        False  # a public source tells it (not merely a public role: "the councillor" is no news desk)
    )

    @property
    def kinds(self) -> list[str]:
        return [
            k
            for k, v in self.__dict__.items()
            if v and k not in ("patient", "care", "reported", "episode", "told")
        ]


class IndirectRecognizer:
    """Combinations of ward, bed, hospital, date, age, place, a rare condition or a public event."""

    name = "indirect"

    def specs(self) -> list[RecognizerSpec]:
        return []

    def find(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        view = scan.view
        if view.segment.kind in ("name", "metadata"):
            return []
        if not msg.clinical and all(f.weak for f in scan.health_facts(msg.lexicon)):
            return []  # nothing clinical and no health fact: no care episode to point at
        out = []
        for start, end in _passages(view.text):
            if view.in_signature(start) or view.table_at(start):
                continue
            passage = view.text[start:end]
            if not _may_score(passage, msg.lexicon):
                continue  # none of the details any combination starts from: no need to read the rest
            real_case = _REAL_CASE.search(passage) and msg.lexicon.encounter_cues.search(passage)
            if msg.lexicon.fictional_context.search(passage) and not real_case:
                continue  # a role-play script or a scenario: invented details point at nobody
            strong = any(
                not f.weak
                and not msg.lexicon.institution_words.pattern.match(view.text, f.end + 1)
                and not ORGANISATION_AFTER.match(view.text, f.end)
                and (f.kind != "death" or _care_in_sight(passage, msg.lexicon))
                for f in scan.health_facts_in(msg.lexicon, start, end)
            )  # "the new cancer centre" names a place; "Amir's grandad passed away" tells no care
            d = self._details(passage, msg, strong)
            score = _score(d)
            if score >= 0.5 and (d.patient or (d.known and d.episode)):
                out.append(Candidate(TYPE, start, end, clamp(score), tuple(d.kinds)))
        return out

    def _details(self, passage: str, msg: MessageContext, strong_fact: bool = False) -> Details:
        lex = msg.lexicon
        real_case = bool(_REAL_CASE.search(passage) and lex.encounter_cues.search(passage))
        teaching = lex.teaching_cues.search(passage) and not real_case
        return Details(
            bed=care_bed(passage, lex),
            ward=care_ward(passage),
            hospital=bool(HOSPITAL.search(passage)),
            when=bool(WHEN.search(passage)),
            age=bool(AGE.search(passage)),
            news=len(lex.news_cues.distinct(passage)) >= 1,
            rare=lex.rare_conditions.search(passage),
            place=bool(PLACE.search(passage)),
            patient=(patient_cue(passage, lex) and len(lex.clinical_terms.distinct(passage)) >= 1)
            or len(lex.clinical_terms.distinct(passage, at_most=2)) >= 2,
            care=bool(CARE.search(passage)) and not teaching,
            reported=lex.public_sources.search(passage) and not lex.encounter_cues.search(passage),
            known=_known(passage, lex),
            told=not lex.encounter_cues.search(passage)
            and (
                any(r not in lex.known_roles for _s, _e, r in lex.public_sources.find(passage))
                or bool(MEDIA.search(passage))
            ),
            episode=(strong_fact or any(not _DEATH.fullmatch(m.group()) for m in CARE.finditer(passage)))
            and (not teaching or bool(RECENT.search(passage))),
        )


def _score(d: Details) -> float:
    """How strongly the details point at one person."""
    if d.bed and d.ward and (d.hospital or d.when):
        return 0.75 + (0.15 if d.hospital and d.when else 0.0)
    if d.bed and d.hospital and d.when:
        return 0.75
    public = [d.when, d.hospital, d.bed, d.ward, d.age, d.place]
    if d.news and d.care and any(public) and not d.reported:
        # a public event or a public figure: one more detail finds the person in the news
        return 0.7 + (0.1 if sum(public) >= 2 else 0.0)
    if d.known and d.episode and not d.told:
        # the mayor's husband, the village postman, a teacher at a named school: the role finds the person
        return 0.7 + (0.1 if d.age or d.bed or d.ward or d.when or d.hospital else 0.0)
    if d.rare and d.age and d.place:
        return 0.7 + (0.1 if d.when or d.hospital else 0.0)
    return 0.0


def _may_score(passage: str, lex: Lexicon) -> bool:
    """Whether `_score` can be above 0: every branch of it needs a bed, news, a known person or a rare
    condition. A pre-check only (it decides nothing `_details` would not): keep it in step with `_score`."""
    return bool(
        care_bed(passage, lex)
        or lex.rare_conditions.search(passage)
        or lex.news_cues.distinct(passage)
        or _known(passage, lex)
    )


def _care_in_sight(passage: str, lex: Lexicon) -> bool:
    """A clinical word besides the death itself: "died on the ward", not "passed away last week"."""
    return any(
        not _DEATH.fullmatch(t) and t not in ("death", "dead") for t in lex.clinical_terms.distinct(passage)
    )


def _known(passage: str, lex: Lexicon) -> bool:
    """Someone in the passage is known beyond the care setting: a public or local role, a named school
    or club, a named person's relative, or the writer says they are one of a kind."""
    if RELATION.search(passage) or NAMED_GROUP.search(passage) or UNIQUE.search(passage):
        return True
    return any(_known_role(passage, s, e) for s, e, _r in lex.known_roles.find(passage))


def _known_role(passage: str, s: int, e: int) -> bool:
    """A role describing someone else: "the mayor", "our old headteacher", "a teacher at Pemberley Infants";
    not the writer's own ("I'm a teacher") or their family's ("my dad is a teacher"), and "a manager" only
    with the place they work."""
    m = _ROLE_BEFORE.search(passage[max(0, s - 40) : s])
    if m is None or _OWN_ROLE.search(passage[max(0, s - 60) : s]):
        return False
    if m.group(1).lower() in ("a", "an"):
        return bool(_AFFILIATION_AFTER.match(passage, e))
    return True


def _passages(text: str) -> list[tuple[int, int]]:
    """Paragraphs (blank-line separated); long ones are cut into overlapping windows."""
    out = []
    for m in re.finditer(r"(?:[^\n]|\n(?![ \t>]*\n))+", text):
        s, e = m.start(), m.end()
        if e - s <= 1500:
            out.append((s, e))
            continue
        step = 1000
        for i in range(s, e, step):
            out.append((i, min(e, i + 1500)))
    return out
