"""THREAT by structure: someone, a bad future for them, and the writer behind it (or a plain harm).

threats.yaml knows stock phrases and intent.yaml knows harms by phrase; most
threats are neither. "Park in my space again and I'll put my car through
yours, with you in it", "my brothers will come to find you", "it's going in
the canal in a bag" share no wording, but the same shape: a sentence that

- points at a person or what is theirs: the reader, he/she/they, a name, a
  person described ("that invigilator"), a pet, a car, a flat;
- tells a future for them: will, going to, is getting, won't ... again,
  "next time", "one of these days", "or else", an "if" clause;
- and either has the writer or the writer's side as its agent ("I", "we",
  "my brothers") with a bad outcome (regret, pay, wish, a bad day, "you'll
  know it was me"), or tells a physical harm, a loss or an exposure
  however worded (an ambulance, the canal, "on fire", "won't come back"); a
  loss or an exposure counts when a condition or the writer stands behind it.

It clears when the consequence is a proper process (a complaint, an
appeal, the council, the police), a benefit, advice for the person's own
safety, teaching or a hypothetical, fiction or a game, a promise of no harm
("nobody is going to hurt you"), or reported speech. Each of these is a
word class read on the sentence's view, not a phrase.

Only sentences whose word keys offer a future or conditional marker are
read at all, so most everyday sentences cost one set intersection. (The spaCy pipeline the patient detector loads is
its named-entity recogniser only, without tagger or parser, so there is no
dependency parse to reuse here; the word classes stand in for it.) The
finding names the parts it found ("threat by structure: person + future +
agent + harm"), never the words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from gateway.detect.language.signals import Document, Signal
from gateway.detect.language.targets import NAMED, ROLE, SECOND_PERSON
from gateway.detect.language.text import Sentence

THREAT = "THREAT"
RULE = "future-harm"
FRIENDLY_WEIGHT = 0.5  # between friends ("lol", kisses) a threat of this shape is often teasing

# --- the cheap key: the first three letters of a future or conditional marker ----------------------

# (each word of _FUTURE below starts with one of these; a test holds the two together)
FUTURE_KEYS = frozenset(
    [
        "wil",
        "goi",
        "sha",
        "wou",
        "abo",
        "get",
        "com",
        "nex",
        "one",
        "soo",
        "bef",
        "or",
        "if",
        "unl",
        "tom",
        "tmr",
        "ton",
        "aft",
        "by",
        "bet",
    ]
)

# --- the parts, as word classes on the view (lower case, contractions written out) -------------------

_PERSON = re.compile(
    r"\b(?:you|your|yours|yourself|yourselves|him|his|her|hers|he|she|they|them|their|_name_|"
    r"someone|somebody|anyone|anybody|(?:that|this|the|your|his|her|their) (?:[\w-]+ )?"
    r"(?:invigilator|tutor|lecturer|supervisor|consultant|registrar|nurse|sister|porter|landlord|agent|"
    r"neighbour|housemate|flatmate|boyfriend|girlfriend|husband|wife|partner|mum|mother|dad|father|son|"
    r"daughter|kids?|children|boys|girls|brother|sister|family|cat|dog|mutt|pet|horse|car|van|bike|flat|"
    r"house|home|office|shop|windows?))\b"
)
_FUTURE = re.compile(
    r"\b(?:will|shall|would|going to|about to|is coming|are coming|(?:is|are|am) (?:getting|going)|"
    r"next time|one (?:day|night|morning|of these)|sooner or later|before long|or else|if|unless|"
    r"tomorrow|tmrw|tonight|soon|after that|by (?:the end of|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|tomorrow)|better (?:hope|watch|pray))\b"
)
# the writer or the writer's side doing it
_AGENT = re.compile(
    r"\b(?:i|we|me|us|(?:my|our) (?:[\w-]+ )?(?:brothers?|cousins?|mates|friends|lads|boys|family|dad|"
    r"uncles?|people|crew|guys|contacts))\b"
)
_ANYONE = re.compile(r"someone|somebody|anyone|anybody")
_ROLE = re.compile(
    r"\b(?:the|that|this) (?:[\w-]+ )?(?:invigilator|tutor|lecturer|supervisor|consultant|registrar|nurse|porter|"
    r"landlord|agent|neighbour|housemate|flatmate|doctor|professor|manager|receptionist|administrator)\b"
)
_SIDE = re.compile(
    r"\b(?:my|our) (?:[\w-]+ )?(?:brothers?|cousins?|mates|friends|lads|boys|family|uncles?|people|crew)\b"
)
_NEGATED = re.compile(r"\b(?:did|does|do|have|has|had) not (?:[\w-]+ )?$|\bnever $")
_MONEY = re.compile(r"\b(?:items?|bills?|rent|deposit|share|damages?|invoice|fees?|interest|back|cash)\b|£")
_THEY = re.compile(r"\bthey\b")
# a bad outcome, when the writer is behind it
_BAD = re.compile(
    r"\b(?:regret|(?:be|feel|been) sorry|wish|(?:you|he|she|they|_name_) (?:will|are going to|is going to) pay|make (?:you|him|her|them) pay|"
    r"suffer|ruin|ruined|living hell|follow (?:you|him|her)|learn what it (?:feels|is) like|"
    r"(?:take|taking|break|breaking) something (?:of yours|from you)|destroy (?:your|his|their)|finish (?:you|him|her|them|what)|"
    r"(?:go|goes|going) wrong (?:for|with)|happens? to (?:you|your|him|his|her|them|their)|better (?:hope|watch|pray)|"
    r"not (?:be )?ask(?:ing)? nicely|stop being nice|"
    r"deal with|sort (?:you|him|her|them) out(?! with)|take it out (?:of|on)|hurt|find out where|"
    r"come (?:for|after|to find|looking for)|coming (?:for|after|looking for)|pay (?:you|him|her|them) a visit|visit (?:you|him|her|them)|a visit from|bad day|not enjoy|"
    r"never (?:work|forget|walk|see)|know it was me|make sure (?:(?:you|he|she|they|_name_) (?:never|do not|does not|will not|can not|lose|fail|regret|pay|"
    r"suffer|get what)|no one|nobody)|"
    r"wait(?:ing)? for (?:you|him|her|them)|personal project|pay for (?:it|this|that|what)|learn (?:your|the hard|a lesson)|teach (?:you|him|her|them))\b"
)
# a physical harm, a loss or an exposure, whoever brings it about
_PHYSICAL = re.compile(
    r"(?<!-)\b(?:hurt(?! a (?:bit|little))|injured|injury|ambulance|(?:end|ends|wind|land|lands|put|send|be) (?:up )?(?:you |him |her |them )?"
    r"in (?:hospital|a&e|intensive care)|glassed|stabbed|battered|beaten|"
    r"(?:break|broken|smash|smashed|snap|knock|knocked|kick|kicked|bust|busted|rearrange|wired|picking)"
    r"(?: [\w-]+){0,3}? (?:teeth|jaw|nose|bones?|skull|ribs|kneecaps?|face|legs?|arms?|fingers?)|(?:you|he|she|they|_name_|your) (?:are |is |will be |are going to be |is going to be )?"
    r"(?:so |well |totally )?dead|dead (?:man|meat)|"
    r"burn(?:s|t|ed)? (?:down|your|his|her|their|the|it)|on fire|in the (?:canal|river)|in a bag|"
    r"through (?:the|a|your|his|her) (?:[\w-]+ ){0,2}(?:doors?|window|windscreen|wall|table|floor)|through (?:yours|his|hers|"
    r"theirs|you|him|her)\b|physically|"
    r"in one piece|"
    r"stretcher|need(?:s|ing)? a hospital|in a different condition|(?:your|his|her|their) own blood|"
    r"kill (?:you|u)\b|(?:will|would) not come back|never come back|not be coming back|disappear|vanish|go missing|"
    r"(?<!to )(?:your|his|her|their) (?:own )?(?:grave|funeral|coffin)|bury (?:you|him|her|them)|in a wheelchair|limping|helmet|a very bad day)\b"
)

# a loss or an exposure: a threat when a condition or the writer stands behind it ("or", "again", "I")
_LOSS = re.compile(
    r"\b(?:(?:will not|would not) be [\w-]+ing (?:[\w-]+ ){0,4}?for (?:a|a long|some) (?:while|time)|fair game|"
    r"(?:he|she|it|they|you|_name_) (?:will not|will never|is never going to) (?!have to|need to|worry)(?:[\w-]+ ){1,4}?"
    r"(?:ever )?again|"
    r"(?:end|ended|ends) up (?:on|online|in the group)|(?:post|share|send|show) (?:them|it|those|these|the (?:photos?|pictures?|videos?|screenshots?|messages?)) "
    r"(?:to (?:everyone|your|his|her|their|the whole)|with (?:everyone|your|his|her|their)|online|everywhere|around)|everyone (?:will )?(?:know|see|hear)|whole (?:year|school|ward|"
    r"hospital|su|group) (?:will )?(?:know|see|hear|think))\b"
)
_CONDITION = re.compile(r"\b(?:if|unless|or|again|once more|one more|next time|otherwise)\b")
# arriving at the person or their place: a visit is a threat only from a hostile writer (a condition in the
# sentence, or a grievance, a demand or a veiled framing in the message): "if it's not in my account by the
# weekend I'll come round to your flat", "I'll be waiting when you come out" after "you banned me"
_ARRIVAL = re.compile(
    r"\b(?:come|coming|pop|popping) (?:round|over|up|down|by)\b|\b(?:come|coming) (?:to|and (?:see|find|visit)) "
    r"(?:you|u|your|ur|him|his|her|them|their)\b|\bbe (?:round|outside|waiting|there|at (?:your|ur|his|her))\b|"
    r"\blet myself in\b|\bbe seeing (?:you|u|him|her|them|the)\b|\bsee (?:you|u|him|her) (?:at|after|outside|there|"
    r"then)\b|\bturn up (?:at|to) (?:your|ur|his|her)\b|\bcome and get\b"
)

# --- what clears it ----------------------------------------------------------------------------------

_CLEAR = re.compile(
    r"\b(?:"
    # a proper process
    r"(?:i|we) (?:will|would|shall|am going to|are going to) (?:[\w-]+ ){0,3}?(?:report|complain|appeal|escalate|contact|"
    r"raise|take (?:it|this) to|go to|write to)|complaint|formally|formal (?:complaint|route|process|"
    r"appeal|letter|review)|officially|"
    r"police|council|ombudsman|tribunal|solicitor|lawyer|union|student services|human resources|"
    r"the dean|safeguarding|in writing|through the (?:faculty|school|university|proper|official)|the proper|"
    r"a second marker|"
    # a benefit
    r"(?<!not )(?<!able to )(?<!never )help|helping|support|lend|give (?:you|him|her) a lift|cover for|happy to|offer|treat (?:you|him|her)|"
    r"bring (?:you|him|her) (?:some|a|one)|cake|birthday|"
    # advice for their own safety
    r"careful|stay safe|take care|^make sure you|please|remember to|worried|be safe|look after|warm up|"
    r"stretch|wear|lock (?:your|the)|"
    # teaching, a hypothetical, fiction, a game
    r"patients? (?:may|might|often|who)|scenario|for example|e\.g|imagine|hypothetically|lecture|"
    r"simulation|role-?play|(?:line|quote|lyrics?|scene) from|the film|the book|the novel|the story|my character|campaign|the game|in game|"
    r"fifa|chess|d&d|debate|spoil|spoils|spoiler|spoilers|finale|episode|dungeon|boss fight|raid|level|quiz|match|five-a-side|\d+-\d+|"
    # reported speech being told to someone
    r"i heard|(?:has|have) been telling|(?:he|she|they) said|told me|(?:he|she|they|_name_|someone|somebody|son|daughter|"
    r"patient|relative|man|woman|guy) (?:[\w-]+ ){0,3}?(?:shouted|yelled|screamed|said|told|texted|messaged|wrote|threatened)|"
    # a promise of no harm
    r"(?:i|we) (?:would|will) never|no one (?:is|will)|nobody (?:is|will)|not let (?:anyone|anybody|them)|"
    r"not going to (?:hurt|harm|let)|safe with|kill (?:you|him|her|them) for [\w-]+ing"
    r")\b"
)


class FutureHarmReader:
    """Reads sentences for the structure of a threat; `scan` gives at most one THREAT signal per document."""

    def __init__(self, hostile: Callable[[Sentence], set[str]] | None = None) -> None:
        # the intent reader's parts a sentence holds that make a writer hostile (a grievance, a demand, a framing)
        self.hostile = hostile or (lambda _s: set())

    def parts_of(
        self, sentence: Sentence, before: Sentence | None = None, *, hostile: bool = False
    ) -> list[str]:
        """The parts a sentence holds ("person", "future", "agent", "harm", "physical", "arrival"), or [] if it clears.

        The person may stand in the sentence before ("Your dog barks all night. ... it never barks again").
        `hostile`: the message holds a grievance, a demand or a veiled framing (an arrival then counts).
        """
        found = _read(sentence, before, lambda: hostile)
        return found[0] if found else []

    def scan(self, doc: Document) -> list[Signal]:
        sentences = doc.sentences
        known: dict[int, set[str]] = {}

        def hostile_at(j: int) -> set[str]:  # read only when an arrival asks
            if j not in known:
                known[j] = self.hostile(sentences[j])
            return known[j]

        def hostile_for(k: int) -> Callable[[], bool]:
            # a grievance anywhere, or a demand or a framing in another sentence ("I'll be waiting" is itself a
            # framing the intent reader lists; "hurry or I'll be waiting at yours" is a condition of its own)
            return lambda: any(
                "grievance" in hostile_at(j) or (j != k and hostile_at(j)) for j in range(len(sentences))
            )

        for k, s in enumerate(sentences):
            found = _read(s, sentences[k - 1] if k else None, hostile_for(k))
            if found is None:
                continue
            parts, (begin, end) = found
            weight = FRIENDLY_WEIGHT if doc.context.friendly else 1.0
            evidence = "threat by structure: " + " + ".join(parts)
            return [Signal(THREAT, RULE, weight, _target(s.view), evidence, k, begin=begin, end=end)]
        return []


def _read(
    sentence: Sentence, before: Sentence | None, hostile: Callable[[], bool]
) -> tuple[list[str], tuple[int, int]] | None:
    """The parts of a threat a sentence holds and where its harm stands, or None."""
    if sentence.keys.isdisjoint(FUTURE_KEYS):
        return None
    view = sentence.view
    person = _PERSON.search(view) or (_PERSON.search(before.view) if before is not None else None)
    if person is None:
        return None
    future = _FUTURE.search(view)
    if future is None or sentence.is_reported(future.start(), future.end()):
        return None
    agent = _AGENT.search(view)
    if agent is None and before is not None and _SIDE.search(before.view) and _THEY.search(view):
        agent = _THEY.search(view)
    physical = _told(_PHYSICAL, view, future.start())
    if physical is None and (agent is not None or _CONDITION.search(view)):
        physical = _told(_LOSS, view, future.start())  # a loss or exposure, with a condition or the writer
    if physical is not None and agent is None and "yourself" in view:
        physical = None  # "keep pushing yourself and you will end up in hospital" is advice
    if physical is not None and agent is None and _ANYONE.fullmatch(person.group()):
        physical = (
            None  # "somebody is going to get hurt if 80 people come": a prediction about no one, by no one
        )
    bad = _told(_BAD, view, future.start()) if agent is not None else None
    if bad is not None and "pay" in bad.group() and _MONEY.search(view):
        bad = None  # paying for items, bills, a share: money, not retribution
    arrival = None
    if physical is None and bad is None and agent is not None:
        arrival = _told(_ARRIVAL, view, future.start())
        if arrival is not None and not hostile():
            arrival = None  # "I'll come round to yours after lectures": a visit, not a threat
    harm = physical or bad or arrival
    if harm is None or _CLEAR.search(view) or sentence.is_reported(harm.start(), harm.end()):
        return None
    parts = ["person", "future"]
    if agent is not None:
        parts.append("agent")
    if bad is not None:
        parts.append("harm")
    if physical is not None:
        parts.append("physical")
    if arrival is not None:
        parts.append("arrival")
    return parts, (harm.start(), harm.end())


def _told(harm: re.Pattern[str], view: str, future: int) -> re.Match[str] | None:
    """The first harm told after the future marker and not denied ("I did not hurt anyone": past, and no)."""
    for m in harm.finditer(view):
        if m.end() > future and not _NEGATED.search(view, 0, m.start()):
            return m
    return None


def _target(view: str) -> str:
    """Whom the sentence is aimed at: the reader first, then a name, a person described, he or she."""
    if re.search(r"\b(?:you|your|yours|yourself)\b", view):
        return SECOND_PERSON
    if "_name_" in view:
        return NAMED
    if _ROLE.search(view):
        return ROLE
    return NAMED
