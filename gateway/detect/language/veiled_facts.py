"""THREAT without a future: facts about a person's life, told to them, beside a weak spot or the writer's watching.

future_harm.py reads a bad future; most veiled threats tell none. "Your
husband's on nights all week, isn't he? So you're on your own at home." and
"Your bike's chained outside the library every morning. Quick release
wheels are so easy to loosen." are statements of fact in the present tense.
What makes them threats is a shape, read here from word classes on the
sentence views:

- life: the person's family, home, car, pet or routine, told to them ("your
  girls have swimming at ten", "you run along the towpath every morning",
  "that Audi you love", "..., isn't it?");
- weak spot: what makes them or theirs easy to harm ("on your own",
  "nobody about", "doesn't lock", "easy to loosen", "a tinderbox", "can't
  hear a thing behind you", "go missing");
- means: an instrument of harm mentioned idly, with nobody in the sentence
  ("Petrol's cheap this month.", "Brakes are funny things.");
- presence: the writer watching or near them now or lately ("I've been
  parked outside your building", "I was two rows behind you", "I can see
  your car from my window"); an arrival still to come ("I'll be outside")
  is future_harm.py's to read;
- hostile: what the intent reader calls a grievance, a demand, an exposure
  or a veiled framing ("you reported me", "withdraw it", "just saying").

Two kinds within three sentences of the writer's own words, aimed at someone
(the reader, a person named or described), make a THREAT: a weak spot
beside a life, a presence or a hostile part; a means beside a life or a
hostile part; a presence beside a hostile part or a life told in detail
(a time, a place). A life beside a hostile part alone is left to the intent
reader (a landlord's complaint about a car is not a threat). Care and
offers clear the window ("be careful, text me when you're home", "want a
lift?"), as do a proper process (the council, the police) and teaching.
Between friends (banter markers) nothing here counts: friends know each
other's routines and tease.

Only sentences whose word keys meet a part's keys are read, so everyday
mail pays a set intersection per sentence. The finding names the parts
("threat by veiled facts: life + weak spot"), never the words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gateway.detect.language.intent import IntentReader
from gateway.detect.language.signals import Document, Signal
from gateway.detect.language.targets import NAMED, ROLE, SECOND_PERSON, TargetResolver
from gateway.detect.language.text import Sentence
from gateway.detect.language.triggers import Keyed, KeyedSet

THREAT = "THREAT"
RULE = "veiled-facts"
WINDOW = 3

# --- word classes ---------------------------------------------------------------------------------

_OWNER = r"(?:your|ur|his|her|_name_ 's|_name_'s)"
_LIFE_NOUN = (
    r"(?:mum|mother|mam|dad|father|wife|husband|partner|boyfriend|girlfriend|fiance|fiancee|son|daughter|"
    r"kids?|children|boys|girls|little one|lad|baby|sister|brother|gran|granny|grandad|grandma|nan|parents|"
    r"family|flat|house|home|bungalow|address|front door|back door|door|windows?|back gate|garden|street|"
    r"room|halls|letterbox|car|bike|van|motorbike|scooter|tyres|dog|cat|horse|pony|fish|rabbit|hamster|pet|"
    r"office|locker|route|commute|bus|train|shift|timetable|routine|lock|samples|boathouse|allotment)"
)
_DAYS = r"(?:mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?|weekdays?)"
_PARTS: dict[str, list[str]] = {
    "life": [
        rf"\b{_OWNER} (?:[\w-]+ ){{0,2}}?{_LIFE_NOUN}\b",
        r"\bwhich (?:[\w-]+ ){0,2}?(?:is|are) (?:yours|his|hers)\b",
        r"\b(?:that|this|lovely|nice|such a nice|such a lovely) (?:[\w-]+ ){0,3}?(?:you (?:love|have got|have|drive|own|"
        r"keep)|of yours)\b",
        # a fact put as a question the writer already knows the answer to: "St Mary's, isn't it?"
        r"\b(?:is not it|is not she|is not he|does not she|does not he|do not you|do not they|are not you|"
        r"are not they|has not she|has not he|have not you|will not she|is that right|right)\W*(?:_name_\W*)?$",
    ],
    # a routine: when and where the person (or what is theirs) can be found
    "routine": [
        rf"\b(?:you|u|(?:your|ur) (?:[\w-]+ ){{0,2}}?{_LIFE_NOUN}) (?:always |still |usually |also )?(?:run|runs|walk|walks|"
        r"cycle|cycles|drive|drives|leave|leaves|finish|finishes|start|starts|get|gets|take|takes|catch|catches|park|parks|"
        r"sit|sits|sleep|sleeps|work|works|pick|picks|lock up|locks up|stand|stands|cut|cuts|go|goes|wander|wanders|"
        r"come|comes|train|trains|swim|swims|jog|jogs)\b"
        rf"(?=.{{0,80}}\b(?:every|each|at \d|\d{{1,2}}[.:]\d{{2}}|around (?:six|seven|eight|nine|ten|eleven|\d)|on {_DAYS}|"
        rf"{_DAYS}|mornings?|evenings?|nights|after dark|in bay \d+|alone|on (?:your|his|her|its) own|"
        r"by (?:yourself|himself|herself)))",
    ],
    "weak spot": [
        r"\b(?:all )?(?:alone|on (?:your|ur|her|his|their|its) own|by (?:yourself|herself|himself|themselves))\b",
        r"\b(?:nobody|no one|noone) (?:is |is ever |around |about )?(?:about|around|would (?:hear|find|see|know|notice)|"
        r"will (?:hear|find|see|notice)|to hear)\b",
        r"\b(?:can not|cannot|could not|would not) (?:hear|see) (?:a thing|anything|anyone|who)\b",
        r"\b(?:unlocked|(?:do|does|did) not lock|(?:do|does) not (?:close|shut) properly|no locks?|(?:cheap|flimsy) "
        r"(?:lock|locks|door|doors|gate)|(?:lock|locks|padlock|latch|catch|gate|door)(?:'s| is| are) (?:so |very |really )?(?:cheap|flimsy|broken|rubbish))\b",
        r"\b(?:so |very |really |too )?easy to (?:open|loosen|hit|break|get into|get in|climb|reach|cut|find|start|"
        r"damage|tamper|force|lift|push)\b|\bnot hard to find\b|\beasy to find\b",
        r"\b(?:so |very |rather |quite )?(?:fragile|breakable|flammable|tinderbox)\b",
        r"\banything (?:could|can|might) happen\b|\b(?:cats|dogs|pets|animals|horses|people|kids|children|bikes|cars) (?:[\w-]+ ){0,2}?(?:go|goes|went) missing\b|\bvery trusting\b|\bpeople fall\b|"
        r"\bbehind (?:you|u|her|him)\b(?= *(?:[.!?,]|$|on|in|at))|\btight ships sink\b|\blightning can strike\b",
        r"(?<!it )(?<!this )(?<!things )\b(?:(?:so|very|really|pretty) )?(?:quiet|dark|deserted|isolated|lonely)(?= *(?:[.!?]|$| at night| after dark| at that time| at that hour))",
        # the place or the work is dangerous, not the person ("she is dangerous" is an allegation)
        r"\b(?:it|that|this|there|road|lanes?|paths?|stairs|steps|job|walk|route|street|bridge|canal|river|towpath|"
        r"car park|alley|underpass) (?:is|are|was|gets|get) (?:very |so |really |pretty )?(?:dangerous|risky|steep)\b|"
        r"\bseems risky\b|\bdangerous job\b|\b(?:very|so|really) steep\b",
    ],
    "means": [
        r"\b(?:brakes|petrol|bleach|antifreeze|anti-freeze|matches|a match|lighter fluid|accelerant|white spirit|"
        r"rat poison|weedkiller|shotgun|crowbar|baseball bat|cricket bat|bricks?|needles)\b",
        r"🔪|🔫|\bfunny things\b|\bgo astray\b",
    ],
    "presence": [
        r"\b(?:i|we) (?:have |had |has )?(?:been )?(?:was |were |am |are |keep )?"
        r"(?:watching|watched|following|followed|parked|sat|sitting|standing|waiting|outside|behind)\b"
        r"(?=.{0,40}\b(?:you|u|your|ur|him|her|his|_name_|building|house|flat|door|window|road|street))",
        r"\b(?:i|we) (?:can|could) see (?:you|u|your|ur|him|her|his)\b",
        r"\b(?:i|we) (?:have |had )?(?:saw|seen|noticed|spotted|clocked) (?:you|u|your|ur|him|her|his)\b",
        r"^(?:followed|saw|seen|noticed|spotted|clocked|watched) (?:you|u|your|ur|him|her|his)\b",
        r"\b(?:took|taken|got) (?:these|photos|pictures|pics) of (?:you|u|her|him)\b|\bi waved\b|\bwatching (?:you|u)\b",
    ],
}
# what a hostile writer brings beside the facts (from the intent reader's parts); its knowledge of the
# person's life ("I know which window is yours") is a life
_HOSTILE = frozenset(["grievance", "leverage", "exposure", "veiled"])
_KNOWLEDGE = "knowledge"
# a demand or a grievance, not a framing: what a family told in detail needs beside it
_DEMAND = frozenset(["grievance", "leverage"])
# a demand or a grievance the intent lists do not phrase: an order about the reader's own conduct, a
# mistake held against them, a sinister afterthought
_HOSTILE_MORE = re.compile(
    r"^(?:withdraw|reconsider|drop|back off|keep (?:that|this|it) in mind|remember (?:that|this)|be nice to me|"
    r"think about (?:that|this|it|how|what|who)|stop (?:telling|talking|reporting|complaining|messaging))\b|"
    r"\b(?:(?:voted|kicked|kicking|reporting|reported|sacking|sacked|failing|banning|banned|blocking) me|"
    r"(?:wise|sensible|smart|best|better) (?:of you |for you )?to (?:reconsider|think again|drop|withdraw|keep quiet|"
    r"stay quiet|back off)|people (?:remember|talk|notice) things|(?:you|u) (?:still )?owe me|(?:you|u) (?:binned|broke|wrecked|took|stole|nicked) my|(?:you|u) (?:got|had) me (?:[\w-]+ ){0,2}?(?:thrown|kicked|taken|removed|sacked|banned|dropped|suspended|"
    r"struck|reported|fired|failed)|was a mistake|about me|against me|crossed me|sleep well|just mentioning it|good to know|i noticed today|"
    r"thought you would (?:like|want) to know|when you (?:gave|give) me)\b"
)
# the person's own family, told in detail (a place, a time, a tag question): with a demand or a grievance it
# is a threat to them ("your son is at Castlemere Grammar. Think about how you speak to students.")
_FAMILY = re.compile(
    r"\b(?:your|ur) (?:[\w-]+ ){0,2}?(?:mum|mother|dad|father|wife|husband|partner|boyfriend|girlfriend|sons?|"
    r"daughters?|kids|children|twins|boys|girls|little one|baby|sister|brother|gran|granny|grandad|grandma|nan|parents)\b"
    rf"(?=.*(?:_name_|\d|\?|\b(?:every|{_DAYS}|at school|school|nursery|swimming|works|drives|walks|is at|goes to|is not)\b))"
)
# care, an offer, a proper process, teaching: the window is not menace
_CLEAR = re.compile(
    r"\b(?:be careful|be safe|stay safe|take care|look after|text me|message me when|let me know|ring me|call me|"
    r"worried|worry|want (?:me|a lift|company)|walk (?:you|with you)|come with you|give (?:you|u) a lift|"
    r"happy to|i can (?:come|walk|drive|pick)|pick (?:you|u) up|lift home|would you like|do you want|fancy|"
    r"join us|come (?:over|round) for|welcome|police|council|landlord|security|safeguarding|report (?:it|this)|"
    r"lecture|seminar|teaching|module|case study|scenario|patients?|novel|film|story|episode|game|"
    r"insurance (?:form|quote|company)|for sale|selling|viewing|"
    # a remedy: the weak spot is being fixed, or the person is told how to be safe
    r"estates|maintenance|repair|repairs|fixed|fixing|fit|fits|fitting|logged|lock it|smoke alarm|fire service|"
    r"(?:get|buy|use|invest in) (?:a |an |some |the |your )?(?:new |better |proper |decent |good )?(?:d-lock|locks?|chain|alarm|"
    r"camera|doorbell|padlock|bolt)|tip|tips|advice|safety|with a friend|together|then we can|"
    # a practical reason ("on its own, so she might not hear the door"): advice, not menace
    r"so (?:she|he|they|you|it) (?:might|may|can not|could not|will not|does not|do not|would not))\b"
)


class VeiledFactsReader:
    """Reads facts about a person's life beside a weak spot, a means or the writer's presence: one THREAT at most."""

    def __init__(self, resolver: TargetResolver, intent: IntentReader) -> None:
        self.resolver = resolver
        self.intent = intent
        pairs = [(name, Keyed(re.compile(p))) for name, ps in _PARTS.items() for p in ps]
        self._keyed = KeyedSet([p for _, p in pairs])
        self._names = [name for name, _ in pairs]

    def parts_of(self, sentence: Sentence) -> dict[str, tuple[int, int]]:
        """The parts of this module a sentence holds in the writer's own words, each at its first match."""
        found: dict[str, tuple[int, int]] = {}
        view = sentence.view
        for i in self._keyed.candidates(sentence.keys):
            name = self._names[i]
            if name in found:
                continue
            m = self._keyed.patterns[i].regex.search(view)
            if m is None or sentence.is_reported(m.start(), m.end()):
                continue
            if name == "means" and _personal(view, m):
                continue  # "my brakes failed", "your brakes need checking": not an idle remark
            found[name] = (m.start(), m.end())
        return found

    def scan(self, doc: Document) -> list[Signal]:
        if doc.context.friendly:
            return []  # friends know each other's routines and tease; a real threat has other signs
        sentences = doc.sentences
        parts = [self.parts_of(s) for s in sentences]
        if not any(p.keys() - {"life"} for p in parts) and not any("life" in p for p in parts):
            return []  # the cheap exit: no weak spot, means, presence or life anywhere
        hostile = [self._hostile(s) for s in sentences]
        for k, here in enumerate(parts):
            window = range(max(0, k - WINDOW + 1), min(len(sentences), k + WINDOW))
            if not here.keys() - {"life"} and "family" not in hostile[k]:  # a life alone, or nothing
                continue
            kinds = {name for j in window for name in parts[j]}
            for j in window:
                # a framing in the watching sentence itself ("I'll be waiting at your house") is its own words
                same = "presence" in parts[j] and "demand" not in hostile[j]
                kinds |= hostile[j] - {"hostile"} if same else hostile[j]
            met = _met(kinds)
            if not met:
                continue
            if any(_CLEAR.search(sentences[j].view) for j in window):
                continue
            target = self._aimed(sentences, window)
            if target is None:
                continue
            name = next((n for n in ("weak spot", "means", "presence", "routine", "life") if n in here), "")
            begin, end = here.get(name, (0, len(sentences[k].view)))
            return [
                Signal(
                    THREAT,
                    RULE,
                    1.0,
                    target,
                    "threat by veiled facts: " + " + ".join(sorted(met)),
                    k,
                    begin=begin,
                    end=end,
                )
            ]
        return []

    def hostility(self, sentence: Sentence) -> set[str]:
        """ "grievance" (a grievance or a demand about the reader's conduct) and "hostile" (any hostile part)."""
        found = self.intent.parts_of(sentence).keys() & _HOSTILE
        out = {"hostile"} if found else set()
        if "grievance" in found or _HOSTILE_MORE.search(sentence.view):
            out |= {"hostile", "grievance"}
        return out

    def _hostile(self, sentence: Sentence) -> set[str]:
        """The intent parts that make the window hostile or tell the writer's knowledge, and a family told."""
        found = self.intent.parts_of(sentence).keys() & (_HOSTILE | {_KNOWLEDGE})
        out = {"hostile" if name in _HOSTILE else "life" for name in found}
        if found & _DEMAND or _HOSTILE_MORE.search(sentence.view):
            out |= {"hostile", "demand"}
        if _FAMILY.search(sentence.view) and not sentence.is_reported(0, len(sentence.view)):
            out.add("family")
        return out

    def _aimed(self, sentences: Sequence[Sentence], window: range) -> str | None:
        """Whom the facts are about: the reader first, else a person named or described."""
        kinds = {m.kind for j in window for m in self.resolver.mentions(sentences[j])}
        if "second" in kinds:
            return SECOND_PERSON
        if "named" in kinds or "third" in kinds:
            return NAMED
        if "role" in kinds:
            return ROLE
        return None


def _met(kinds: set[str]) -> set[str]:
    """The pair of kinds that makes a threat, or an empty set."""
    if "routine" in kinds:
        kinds = kinds | {"life"}  # a routine is a life told in detail
        if "hostile" in kinds:
            return {"routine", "hostile"}
    if "weak spot" in kinds and kinds & {"life", "presence", "hostile"}:
        return {"weak spot", *(kinds & {"life", "presence", "hostile"})}
    if "means" in kinds and kinds & {"life", "hostile"}:
        return {"means", *(kinds & {"life", "hostile"})}
    if "presence" in kinds and "hostile" in kinds:
        return {"presence", "hostile"}
    if "family" in kinds and "demand" in kinds:
        return {"family", "hostile"}
    return set()


_PERSONAL = re.compile(r"\b(?:i|we|my|our|me|you|u|your|ur|he|she|his|her|they|their|_name_)\b")
_TAGS = re.compile(r"\b(?:you know|did you know(?: that)?|just saying|of course)\b")


def _personal(view: str, means: re.Match[str]) -> bool:
    """Does the sentence of a means speak of anyone ("my brakes failed")? An idle remark speaks of no one."""
    return _PERSONAL.search(_TAGS.sub(" ", view)) is not None
