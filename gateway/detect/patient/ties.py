"""How a sentence ties a health fact to a person: the context stage's notion of "about them".

A possessive or a verb right after the name ("X's biopsy", "X was
admitted"), a label dash ("X - MRI shows..."), the fact first and the name
after a copula or "for" ("results came back for Mr A", "the girl with the
eczema is Lily T"), a bed before the name, list details between the name
and the fact ("Ann Lee 4/4/52 AF"), and a third-person pronoun that
carries a fact to a name in a nearby sentence (coreference, roughly). Each
pattern is a fixed sequence of bounded runs, so its cost grows linearly.
"""

from __future__ import annotations

import re

from gateway.detect.letters import CAP, LOW
from gateway.detect.patient.lexicon import HealthFact
from gateway.detect.patient.mentions import Mention
from gateway.detect.patient.text import SegmentView

#: the person and the fact are tied: a possessive, a pronoun that refers back, a verb of being told/admitted
_TIE_AFTER = re.compile(
    r"^(?:['’]s?\b|(?:[ ]*\([^()\n]{1,60}\)|[ ]*,[ ]*(?:who|the|a|an|our|my|your)[ ][^,.!?\n]{1,60},"
    r"|[ ]+who[ ][^,.!?\n]{1,50}?(?=[ ])"
    # where they are from: "Kasia from the deli on Weaver Street has", "Kacper from the first-year halls died"
    r"|[ ]+(?:from|at|off|in)[ ][^,.!?\n]{1,50}?(?=[ ])"
    # set off by commas, with nothing or an age between: "Our guide, Colin, has had", "Hodan Abdi, 12, may be"
    r"|[ ]*,(?:[ ]*\d{1,3}(?:[ ]?(?:yo|y/o|years?[ ]old))?[ ]*,)?(?=[ ]+(?:has|had|was|is|are|were|got|may|might|"
    r"will|can['’]t|cannot|won['’]t|could|needs|needed|died|collapsed|came|went|started|attended|fell|slipped|broke)\b))?"
    r"[ ]+(?:[\w'’]+[ ]+){0,4}?(?:has|had|was|is|are|were|got|rang|called|came|went|died|passed|started|"
    r"needs|needed|been|tested|collapsed|underwent|developed|attended|slipped|fell|broke|suffered|suffers|"
    r"took|tried|spent|overdosed|keeps|kept|cut|may|might|will|could|can['’]t|cannot|won['’]t))",
    re.IGNORECASE,
)
#: a label dash after where the person is from: "Janice from the Co-op in Pennock - 3rd round of chemo"
_FROM_THEN_LABEL = re.compile(
    r"[ ]+(?:from|at|off)[ ][^,.!?\n:–—]{1,50}?(?:[ \t]{1,3}[-–—]|[ \t]{0,3}:)[ \t]{1,3}"
)
#: "Malcolm Tennant - MRI shows metastases", "Colin Marsh: biopsy results", "Janet Okafor MRI brain report"
_TIE_LABEL = re.compile(r"[ \t]{0,3}[-–—:(][ \t]{0,3}")
#: characters after a name read for a verb that ties it (an aside in brackets or commas may come first)
_TIE_REACH = 120
PRONOUN = re.compile(r"\b(?:he|she|his|her|him|they|their|them)\b", re.IGNORECASE)
#: how far after a health fact's sentence a pronoun may carry it to a name (characters)
CARRY_REACH = 160
#: the fact comes first and the name is what it is about: "results came back for Mr Abernethy",
#: "the girl with the eczema is Lily Tregothnan", "her name's Bethan Ilsley"
_TIE_BEFORE = re.compile(
    r"\b(?:is|was|called|named|name['’]s|name[ \t]+is|name[ \t]+was)[ \t]+$", re.IGNORECASE
)
#: "the lady with sickle cell in bed 8, Mrs Adebayo": the name stands for the patient in the bed
_BED_BEFORE = re.compile(
    r"\b(?:bed|bay|side[ ]?room|cubicle)[ ]*\d{1,3}[a-z]?[ \t]*[-,:–][ \t]*$", re.IGNORECASE
)
#: "results came back for Mr Abernethy", "the biopsy on Jean Moss": a result or test, then whose it is
_FOR_BEFORE = re.compile(r"\b(?:for|of|on|about|re|regarding)[ \t]+(?:the[ \t]+)?$", re.IGNORECASE)
#: a health word inside an organisation's or a campaign's name: "Cancer Research UK", "Stroke Association"
ORGANISATION_AFTER = re.compile(
    r"['’]?s?[ ](?:Research|Society|Foundation|Support|Trust|UK|Association|Charity|Awareness|Week|Month|Day|"
    r"Appeal|Fund|Institute|Network|Campaign|Alliance|Action|Care|Now|Matters|Connect)\b"
    r"|['’]?s?[ ](?i:charity|charities|appeal|fundraiser|fundraising|awareness|research|campaign|foundation|"
    r"walk|run|marathon|bake[ ]sale|association|society|helpline|trust)\b"
)
#: a health word naming a thing to learn or use: "ECG book", "diabetes lecture", "ECG machine"
OBJECT_AFTER = re.compile(
    r"[ ](?:books?|notes|slides|lectures?|teaching|workshops?|sessions?|machines?|course|exams?|quiz|helplines?|"
    r"textbooks?|app|tutorials?|practicals?|stations?|module|revision|posters?|leaflets?|guidelines?|audit|"
    r"project|sim|simulation|skills|training|interpretation|society|week|prize|placement|block|rotation|"
    r"firm|team|nurse|consultant|department|unit|service|ward\s+round|rounds?)\b"
    # one subject word between: "thyroid physiology book", "stroke association helpline"
    r"|[ ](?!(?:last|next|this|that|every|each|the|and|for|was|is|has|had|on|in|at)[ ])[a-z]{3,20}[ ]"
    r"(?:books?|notes|slides|textbooks?|helplines?|lectures?|revision|exams?|quiz|posters?|leaflets?|training)\b",
    re.IGNORECASE,
)
#: "showed me how to scrub": a person shown something, not a result
OBJECT_PRONOUN = re.compile(r"[ ]+(?:me|us|you|him|her|them)\b", re.IGNORECASE)
#: a teaching word that only says when something happened: "went into DKA during the exam", "collapsed halfway
#: through the lecture" (what befell someone, not what is taught)
DURING = re.compile(
    r"\b(?:during|mid|midway[ ]+through|halfway[ ]+through|in[ ]+the[ ]+middle[ ]+of)[ ]+"
    r"(?:(?:the|my|our|his|her|their|an?|today['’]s|this[ ]+morning['’]s)[ ]+)?(?:[\w-]+[ ]+)?$",
    re.IGNORECASE,
)
#: what is said of a person makes them a patient, whatever their job: "(the GP) is a patient on our ward"
PATIENT_STATUS = re.compile(
    r"[^.!?\n]{0,40}?\b(?:(?:is|was)[ ]+(?:now[ ]+)?(?:a[ ]+patient|an[ ]+inpatient|admitted|being[ ]+treated)"
    r"|(?:has|have)[ ]+been[ ]+(?:admitted|taken[ ]+in|rushed[ ]+in|diagnosed|hospitali[sz]ed)"
    r"|(?:is|was|has[ ]+been|got)[ ]+(?:brought|taken|rushed|blue[ -]?lighted)[ ]+(?:in|into)\b)\b",
    re.IGNORECASE,
)
#: what follows a titled or role-given name is their own care, not their work: "has been coming to the fertility
#: unit", "they're on their second cycle of IVF", "is off for his own surgery"
OWN_CARE = re.compile(
    r"[^.!?\n]{0,70}?(?:\b(?:has|have|had)[ ]+been[ ]+(?:coming|going)[ ]+(?:in[ ]+)?(?:to|into)[ ]+(?:the[ ]+)?"
    r"(?:[\w&-]+[ ]+){0,2}(?:clinic|unit|ward|hospital|hospice)\b(?![ ]+to[ ]+[a-z])"
    r"|\b(?:on|started|starting|having|had|finished|begun|began)[ ]+(?:her|his|their|a|the)[ ]+"
    r"(?:first|second|third|fourth|fifth|sixth|next|last|final)[ ]+(?:cycle|round|course|dose)[ ]+of[ ]+"
    r"(?:chemo\w*|radio\w*|ivf|icsi|treatment|antibiotics|steroids|immunotherapy|dialysis|ect|injections|infusions?)\b"
    r"|\bfor[ ]+(?:her|his|their)[ ]+own[ ]+[a-z])",
    re.IGNORECASE,
)
#: details a list puts between a name and its health fact: a date, an age, a bed ("Ann Lee 4/4/52 AF")
_DETAILS = re.compile(
    r"[ \t,(]{1,3}(?:\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,3}[ ]?(?:yo|y/o|[MF])|(?:bed|bay)[ ]?\d{1,3}[a-z]?"
    r"|\d{1,3}(?=[ \t]*[,;]))"  # a bare age between commas in a list row: "Len Okoro, 79, chest sepsis"
    r"[ \t,)]{0,3}(?:(?:\w+[ \t]+){0,2}(?:ward|unit)[ \t,]+)?(?:(?:has|had|with|w/)[ \t]+(?:an?[ \t]+)?)?",
    re.IGNORECASE,
)


def carry_by_pronoun(
    text: str,
    sentences: list[tuple[int, int]],
    by_sentence: dict[int, list[HealthFact]],
    out: dict[int, list[HealthFact]],
) -> None:
    """Coreference, roughly: a person named in one sentence and a health fact in a nearby one are
    joined by a third-person pronoun. "Did you hear about Bethany Cole? She's in ICU..." (the fact's
    sentence refers back); "...came into GUM clinic today. Chlamydia. (Her name's Bethan Ilsley)" (the
    name's sentence refers to the person the facts were about)."""
    for i, facts in list(out.items()):
        s, e = sentences[i]
        p = i - 1
        while p > 0 and i - p < 3 and not text[sentences[p][0] : sentences[p][1]].strip():
            p -= 1  # a line break the sentence splitter kept as a sentence of its own
        if (
            p >= 0
            and p not in by_sentence
            and PRONOUN.search(text, s, min(e, s + 300))
            and not _paragraph_break(text, sentences[p][1], s, e)
        ):
            out.setdefault(p, facts)
        for j in range(i + 1, min(i + 5, len(sentences))):
            js, je = sentences[j]
            if j in by_sentence or js - e > CARRY_REACH or _paragraph_break(text, e, js, je):
                break  # a paragraph break ends what a pronoun can carry
            if PRONOUN.search(text, js, min(je, js + 300)):
                out.setdefault(j, facts)


def _paragraph_break(text: str, end: int, start: int, stop: int) -> bool:
    """A blank line between one sentence's `end` and the next one's first word (at or after `start`)."""
    k = start
    while k < stop and text[k].isspace():
        k += 1
    return text.count("\n", end, k) >= 2


def tied_to(view: SegmentView, m: Mention, facts: list[HealthFact]) -> bool:
    """The sentence says the health fact about this person (or a pronoun carries it to them)."""
    text = view.text
    sentence_start, sentence_end = view.sentence_at(m.start)
    return (
        bool(_TIE_AFTER.match(text[m.end : m.end + _TIE_REACH]))
        or all(f.start >= sentence_end for f in facts)  # carried back by a pronoun ("She's in ICU")
        or all(f.end <= sentence_start for f in facts)  # carried forward to a pronoun ("Her name's X")
        or _tied_before(text, m.start, sentence_start, facts)
        or (_TIE_LABEL.match(text, m.end) is not None and fact_within(facts, m.end, 40))
        or _label_after_aside(text, m.end, facts)
        or fact_within(facts, m.end + 1, 0)  # "Janet Okafor MRI report": the fact is the next word
        or _after_details(
            text, m.end, facts
        )  # "Rashid Karim 1/5/88 diabetic foot", "jeffries bed 11 ... has"
        or _pronoun_after(text, m.end, sentence_end, facts)  # "X in our group told me she's been ..."
    )


#: a third-person pronoun that takes the person up again: "X in our PBL group told me she's been self-harming"
_PRONOUN_AGAIN = re.compile(r"\b(?:he|she|his|her|they|their)\b", re.IGNORECASE)
#: another person between the name and the pronoun: the pronoun may be theirs
_OTHER_PERSON = re.compile(
    rf"\b(?:{CAP}{LOW}{{2,}}|(?:mum|dad|mother|father|brother|sister|wife|husband|partner|son|daughter|friend|"
    r"boyfriend|girlfriend)\b)"
)


def _pronoun_after(text: str, end: int, sentence_end: int, facts: list[HealthFact]) -> bool:
    """Within the sentence, the first pronoun after the name takes it up again and the fact follows it, with
    no other person in between ("Ifeoma in our PBL group told me she's been self-harming")."""
    p = _PRONOUN_AGAIN.search(text, end, min(sentence_end, end + 100))
    if p is None or _OTHER_PERSON.search(text, end, p.start()):
        return False
    return any(p.start() <= f.start <= p.end() + 60 for f in facts)


def _tied_before(text: str, pos: int, sentence_start: int, facts: list[HealthFact]) -> bool:
    """The fact comes first in the sentence and the name is what it is about: a copula or a naming verb
    ("the girl with the eczema is Lily T", "her name's Bethan I"), or a result or test just before "for",
    "of", "on" ("results came back for Mr A")."""
    before = text[max(sentence_start, pos - 30) : pos]
    if _TIE_BEFORE.search(before) or _BED_BEFORE.search(before):
        return any(sentence_start <= f.start < pos for f in facts)
    if _FOR_BEFORE.search(before):
        return any(f.kind in ("result", "test") and pos - 60 <= f.start < pos for f in facts)
    return False


def _label_after_aside(text: str, end: int, facts: list[HealthFact]) -> bool:
    """Where the person is from, then a label dash, then the fact: "Janice from the Co-op - 3rd round of chemo"."""
    m = _FROM_THEN_LABEL.match(text, end, end + 80)
    return m is not None and fact_within(facts, m.end(), 40)


def _after_details(text: str, end: int, facts: list[HealthFact]) -> bool:
    """After the name come a date, an age or a bed, then the health fact: a list row or a handover line."""
    m = _DETAILS.match(text, end, end + 60)
    return m is not None and fact_within(facts, m.end(), 12)


def fact_within(facts: list[HealthFact], pos: int, chars: int) -> bool:
    """A health fact starts within `chars` characters after `pos`."""
    return any(pos <= f.start <= pos + chars for f in facts)
