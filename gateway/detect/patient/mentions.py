"""The candidate stage for people: every way a person may be mentioned in a sentence.

High recall on purpose: a spaCy PERSON span, a courtesy title and a
surname ("Mrs Okafor"), a given name from the
first-name list followed by capitalised words ("Karen Mbatha"), a given
name alone ("Gareth from my street"), two capitalised words that are not
common words ("Edna Fairweather"), a given name in lower case
("karen mbatha's smear"), dotted initials ("J.K."). Whether a mention is
a patient is not decided here: `person_health` asks what the sentence
says happened to them, who they are and where the sentence stands.

Every pattern here is a single character class run or a fixed sequence
of them, with no nested repetition, so its cost grows linearly with the
text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import islice

from gateway.detect.letters import CAP, LOW, LOWER, UPPER
from gateway.detect.patient.context import name_tokens
from gateway.detect.patient.lexicon import Lexicon, english_words

#: mentions looked at per sentence (a sentence that is nothing but names is a list, not prose)
MAX_PER_SENTENCE = 40

#: a surname: "Mbatha", "Wójcik", "O'Neill", "D’Souza", "Smith-Jones", and after a Gaelic particle
#: ("Ó Briain", "Ní Bhriain", "Mac Giolla"); the letters are the Latin scripts' (`gateway.detect.letters`)
_SURNAME = (
    rf"(?:(?:Ó|Ní|Nic|Mac|Mhic|Ua|Uí)[ ](?={CAP}))?(?:{CAP}['’](?={CAP}))?"
    rf"{CAP}[{LOWER}'’]{{0,30}}{LOW}(?:-{CAP}{LOW}{{1,30}})?"
)
#: a capitalised word, then up to two more capitalised words or initials ("Karen Mbatha", "Tom J. Ridley")
_CAPITALISED = re.compile(rf"(?<![\w'’]){CAP}{LOW}{{1,20}}(?:[ ]{{1,3}}(?:{_SURNAME}|{CAP}\.)){{0,2}}")
#: a courtesy title and a surname ("Mrs Okafor", "Mr. J Lee")
_TITLED = re.compile(
    rf"(?<![\w'’])(?:Mr|Mrs|Ms|Miss|Mx|Master)\.?[ ]{{1,3}}(?:{CAP}\.?[ ]{{1,3}})?{_SURNAME}"
)
#: a doctor's title and a surname: staff, unless the sentence makes them a patient ("Dr Pike is a patient")
_DOCTOR = re.compile(rf"(?<![\w'’])(?:Dr|Prof|Doctor)\.?[ ]{{1,3}}({_SURNAME})")
#: a courtesy title and a surname typed in lower case ("mrs jeffries bed 11")
_TITLED_LOWER = re.compile(rf"(?<![\w'’])(?:mr|mrs|ms|miss)\.?[ ]{{1,3}}({LOW}[{LOWER}'’-]{{2,30}})(?![\w])")
#: a name set after a word for a person, as its apposition: "a 34yo man, Dean Halloran, admitted with..."
_APPOSED = re.compile(
    r"(?<![\w'’])(?:man|woman|lady|gentleman|guy|lad|girl|boy|chap|patient|pt)[ ]?,[ ]{1,3}"
    rf"({CAP}{LOW}{{1,20}}[ ]{{1,3}}{_SURNAME})(?=[ ]?,)"
)
#: words for someone by who they are to another person: kin, partners, friends, the people one lives or works
#: with ("my neighbour's daughter Chantelle", "bro zayd", "thabo's dad")
_KIN_WORDS = (
    r"friend|mate|pal|bestie|neighbour|neighbor|cousin|flatmate|housemate|classmate|boyfriend|girlfriend|colleague|"
    r"bro|brother|sis|sister|son|daughter|mum|mam|mom|dad|father|mother|wife|husband|partner|fiancée?|nephew|niece|"
    r"grandson|granddaughter|stepdad|stepmum|stepson|stepdaughter|nan|gran|grandma|grandad|uncle|aunt|auntie|aunty|"
    r"lad|kid|baby|twin|boss|landlord|landlady|lodger|carer"
)
#: a capitalised word after a word for someone the writer knows: "ur friend Matty", "my neighbour Pat", "her son
#: Liam", "my son's classmate Minh"
_KNOWN_AS = re.compile(rf"(?<![\w'’])(?:{_KIN_WORDS}|called|named)[ ]{{1,3}}({CAP}{LOW}{{1,20}})(?![\w'’])")
#: a name in apposition after a definite word for a person, set off by commas: "The drummer, Stu, might be late",
#: "Our guide, Colin, has had", "Next door's son, Liam, got out"
_APPOSED_ONE = re.compile(
    r"(?<![\w'’])(?:[Tt]he|[Oo]ur|[Mm]y|[Yy]our|[Hh]is|[Hh]er|[Tt]heir|[\w]+['’]s)[ ]+(?:[a-z-]+[ ]+){0,2}?[a-z-]{2,20}"
    rf"[ ]?,[ ]{{1,3}}({CAP}{LOW}{{1,20}}(?:[ ]{{1,3}}{_SURNAME})?)(?=[ ]?,)"
)
#: a name no list knows, in lower case, where only a name stands: before "'s" and a word for kin ("thabo's dad",
#: "mo's little bro"), or after one ("bro zayd", "my mate d'arcy")
_LOWER_WORD_SHAPE = rf"{LOW}(?:['’]{LOW})?{LOW}{{1,19}}"
_LOWER_PLACED = (
    re.compile(
        rf"(?<![\w'’])({_LOWER_WORD_SHAPE})['’]s[ ]+(?:(?:little|big|older|younger|baby|twin|new|old)[ ]+)?"
        rf"(?:{_KIN_WORDS})\b"
    ),
    re.compile(rf"(?<![\w'’])(?:{_KIN_WORDS})[ ]+({_LOWER_WORD_SHAPE})(?![\w'’])"),
    # opening a sentence or a line, then where they are from: "maddie from netball is pregnant"
    re.compile(rf"(?m)(?:^|(?<=[.!?][ ]))[ \t>]*({_LOWER_WORD_SHAPE})[ ]+from[ ]+[a-z]{{3,}}\b"),
)
#: a capitalised word no list knows after a verb that takes a person: "had to take Florin to A&E", "visiting
#: Ottilie twice a day", "heard about Brendan"
_OBJECT = re.compile(
    r"(?<![\w'’])(?:take|took|taking|drive|drove|driving|visit|visiting|visited|see|saw|seen|seeing|met|meet|"
    r"about|with|know|knew|found|checked[ ]on|looking[ ]after|look[ ]after)[ ]+"
    rf"({CAP}{LOW}{{2,14}})(?![\w'’])"
)
#: a lone capitalised word that no list knows, standing where a person stands: "Kemi's scan", "Paddy from the
#: rugby team is in with ...", "Ifeoma in our PBL group", "Olu was in Ward 21", "Alina (the Romanian one)"
_LONE = re.compile(
    rf"(?<![\w'’.&-])({CAP}{LOW}{{2,14}}|(?:Mc|Mac|{CAP}['’]){CAP}{LOW}{{2,12}})"
    r"(?=['’]s[ ]|[ ]+(?:from|in)[ ]+(?:the|my|our|ur|your|his|her|school|uni|(?i:year)|halls|work)\b"
    # where they are from, by what they do there: "Omari from hockey", "Nell from church"
    r"|[ ]+from[ ]+[a-z]{3,}\b"
    r"|[ ]+(?:is|was|are|were|has|had|got|went|came|needs|needed|started|fainted|collapsed|died|tested|ended|"
    r"slipped|fell|broke|cut|took|tried|lost|suffered|overdosed|attended|keeps|kept|can['’]t|cannot|won['’]t|"
    r"might|may|will|could|just|also|finally|rang|called|passed|spent|who)\b"
    r"|[ ]?[(,][ ]?(?:the|our|my|who)[ ]|[ ]?[-–:][ ][a-z])"
)
#: a name after a word of kinship or affection: "Aunty Folasade", "auntie Mei", "Uncle Dev", "big Tomasz",
#: "old Fergus" (group 1: the word before, group 2: the name)
_KIN_NAMED = re.compile(
    r"(?<![\w'’])((?i:aunty|auntie|aunt|uncle|nan|nana|nanna|nanny|gran|granny|grandma|grandad|grandpa|nonna|"
    r"nonno|babcia|dziadek|abuela|abuelo|big|little|old|young|wee))"
    rf"[ ]{{1,3}}({CAP}{LOW}{{1,20}})(?![\w])"
)
#: words of kinship before a name; the others ("big", "old") are adjectives, before a word only a name can be
_KIN = frozenset(
    [
        "aunty",
        "auntie",
        "aunt",
        "uncle",
        "nan",
        "nana",
        "nanna",
        "nanny",
        "gran",
        "granny",
        "grandma",
        "grandad",
        "grandpa",
        "nonna",
        "nonno",
        "babcia",
        "dziadek",
        "abuela",
        "abuelo",
    ]
)
#: a family by its surname: "the Oyelowo family", "the Delacroix sisters", "the Nowaks' baby"
_FAMILY = re.compile(
    rf"(?<![\w'’])[Tt]he[ ]{{1,3}}({CAP}{LOW}{{2,20}})(?:s['’][ ]{{1,3}}[a-z]+|[ ]{{1,3}}(?:(family|sisters|brothers|"
    r"twins|household)|lad|boy|girl|kids|children|baby|couple))(?![\w])"
)
_SAINT_BEFORE = re.compile(r"\b(?:St|ST|Saint)\.?[ ]$")
#: chat abbreviations that open a sentence capitalised
_NOT_LONE = frozenset(
    ["omg", "lol", "tbh", "fyi", "btw", "ngl", "idk", "imo", "tho", "pls", "plz", "thx", "lmao", "smh"]
)
#: a lower-case word and the word after it ("karen mbatha's")
_LOWER = re.compile(rf"(?<![\w'’])({LOW}{{3,15}})(?!{LOW})(?=([ ]{{1,3}}{LOW}[{LOWER}'’-]{{1,24}})?)")
_LOWER_WORD = re.compile(rf"(?<![\w'’]){LOW}{{3,15}}(?!{LOW})")
#: dotted initials: "J.K.", "A.B.C.", "Ł.W."
_INITIALS = re.compile(rf"(?<![\w.]){CAP}\.[ ]?{CAP}\.(?:[ ]?{CAP}\.)?(?![\w])")
#: one word of a name as spaCy found it: "Lee", "McAteer", "O'Brien", "Adebayo-Price", "Lee's", "Wójcik"
_NAME_WORD = re.compile(rf"{CAP}[{UPPER}{LOWER}'’-]{{0,30}}{LOW}[{LOWER}'’]{{0,2}}")
_NOT_INITIALS = frozenset({"uk", "us", "eg", "ie", "nb", "ps", "am", "pm", "gp", "ok", "dr", "dob", "rip"})
#: words that follow a lower-case given name without being a surname
_FUNCTION_WORDS = frozenset(
    """a an the and or but nor from in on at to of for with by about into onto over under after before
    is was has had have will would can could should may might must did does do be been being are were
    said says rang called told asked went came got gets just also still now then again who which that
    he she they him her them his hers their its it i we you me us my our your s
    thanks thank hi hello hey dear cheers congrats congratulations sorry welcome""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Mention:
    """A possible person: where, how it was found, and its lower-case name words."""

    start: int
    end: int
    kind: str  # ner, titled, full_name, capitalised, first_name, unknown_name, lower_case, initials
    tokens: tuple[str, ...]


def mentions(text: str, start: int, end: int, persons: list[tuple[int, int]], lex: Lexicon) -> list[Mention]:
    """Person mentions in text[start:end] (segment offsets); `persons` are spaCy's PERSON spans."""
    out: list[Mention] = []
    for s, e in persons:
        if s >= start and e <= end and _name_shaped(text[s:e], lex):
            out.append(Mention(s, e, "ner", tuple(name_tokens(text[s:e]))))
    window = text[start:end]
    for m in islice(_CAPITALISED.finditer(window), MAX_PER_SENTENCE):
        words = m.group().split()
        first = words[0].lower()
        s = start + m.start()
        if not given_name(first, lex) and (
            # "Sadly Edna Fairweather": an everyday word opening the sentence; not "Nguyễn Thị Hoa"
            (len(words) == 3 and (first in english_words() or common_word(first, lex)))
            or (
                len(words) == 2
                and first in _FUNCTION_WORDS  # "Is Dominic", "Has Norah"; not "Queen Adelaide"
                and given_name(re.sub(r"['’]s$", "", words[1].lower()), lex)
            )
        ):
            # "Sadly Edna Fairweather", "Today Karen Mbatha", "Is Dominic": the first word may open the sentence
            s += m.group().index(words[1], len(words[0]))
            words = words[1:]
            first = words[0].lower()
        if first in ("st", "saint"):
            continue  # "St Oswald's", "St Aldric's Hospital": a church, a hospital, a school
        if not given_name(first, lex):
            # two or three capitalised words, none of them a common word: a name the lists do not know
            if (
                len(words) in (2, 3)
                and not any(common_word(w.lower().rstrip("'’s"), lex) for w in words)
                and not all(w.lower().rstrip("'’s") in english_words() for w in words)  # "Blue Badge"
                and not any(w.lower() in lex.institution_words for w in words)
                and not any("." in w for w in words[1:])
            ):
                out.append(Mention(s, start + m.end(), "capitalised", tuple(name_tokens(" ".join(words)))))
            continue
        rest = [w for w in words[1:] if not common_word(w.lower().rstrip("'’s"), lex)]
        if rest and len(rest) == len(words) - 1:
            out.append(Mention(s, start + m.end(), "full_name", tuple(name_tokens(" ".join(words)))))
        else:
            out.append(Mention(s, s + len(words[0]), "first_name", (first,)))
    for m in islice(_TITLED.finditer(window), MAX_PER_SENTENCE):
        toks = [t for t in name_tokens(m.group()) if t not in lex.patient_titles and len(t) > 1]
        if toks and not common_word(toks[-1], lex):
            out.append(Mention(start + m.start(), start + m.end(), "titled", tuple(toks)))
    for m in islice(_DOCTOR.finditer(window), MAX_PER_SENTENCE):
        if not common_word(m.group(1).lower(), lex):
            out.append(Mention(start + m.start(1), start + m.end(1), "titled", (m.group(1).lower(),)))
    for m in islice(_TITLED_LOWER.finditer(window), MAX_PER_SENTENCE):
        surname = m.group(1).rstrip("'’s")
        if (
            surname not in _FUNCTION_WORDS
            and not common_word(surname, lex)
            and surname not in lex.first_names
        ):
            out.append(Mention(start + m.start(), start + m.end(), "titled", (surname,)))
    for m in islice(_APPOSED.finditer(window), MAX_PER_SENTENCE):
        words = m.group(1).split()
        if not common_word(words[-1].lower().rstrip("'’s"), lex):
            out.append(
                Mention(start + m.start(1), start + m.end(1), "full_name", tuple(name_tokens(m.group(1))))
            )
    for m in islice(_KNOWN_AS.finditer(window), MAX_PER_SENTENCE):
        if not common_word(m.group(1).lower(), lex) and m.group(1).lower() not in lex.institution_words:
            out.append(Mention(start + m.start(1), start + m.end(1), "first_name", (m.group(1).lower(),)))
    for m in islice(_APPOSED_ONE.finditer(window), MAX_PER_SENTENCE):
        words = m.group(1).split()
        if not any(common_word(w.lower(), lex) or w.lower() in lex.institution_words for w in words):
            kind = "first_name" if len(words) == 1 else "full_name"
            out.append(Mention(start + m.start(1), start + m.end(1), kind, tuple(name_tokens(m.group(1)))))
    for placed in _LOWER_PLACED:
        for m in islice(placed.finditer(window), MAX_PER_SENTENCE):
            if _lower_unknown(m.group(1), lex):
                out.append(Mention(start + m.start(1), start + m.end(1), "lower_case", (m.group(1),)))
    for m in islice(_OBJECT.finditer(window), MAX_PER_SENTENCE):
        if unknown_name(m.group(1), lex):
            out.append(Mention(start + m.start(1), start + m.end(1), "unknown_name", (m.group(1).lower(),)))
    for m in islice(_KIN_NAMED.finditer(window), MAX_PER_SENTENCE):
        low = m.group(2).lower()
        if common_word(low, lex) or low in lex.institution_words:
            continue
        # "old Fergus", "big Davie": a capital after a small adjective is a name; "Old Trafford" need not be
        if (
            m.group(1).lower() in _KIN
            or m.group(1).islower()
            or given_name(low, lex)
            or low not in english_words()
        ):
            out.append(Mention(start + m.start(2), start + m.end(2), "first_name", (low,)))
    for m in islice(_FAMILY.finditer(window), MAX_PER_SENTENCE):
        low = m.group(1).lower()
        if common_word(low, lex) or low in lex.institution_words or low in ("royal", "crown"):
            continue
        # "the Smith family" is a surname even when it is a word; "the Latvian lad" is a description
        if m.group(2) or low not in english_words():
            out.append(Mention(start + m.start(1), start + m.end(), "capitalised", (low,)))
    for m in islice(_LONE.finditer(window), MAX_PER_SENTENCE):
        if _SAINT_BEFORE.search(window, max(0, m.start() - 7), m.start()):
            continue  # "St Aldric's Hospital", "St Enda's": a hospital, a church, a school
        if unknown_name(m.group(1), lex):
            out.append(Mention(start + m.start(1), start + m.end(1), "unknown_name", (m.group(1).lower(),)))
    lower_names = not lex.first_names.entries.isdisjoint(_LOWER_WORD.findall(window))
    for m in islice(_LOWER.finditer(window) if lower_names else (), 8 * MAX_PER_SENTENCE):
        first = m.group(1)
        if first not in lex.first_names:
            continue
        s = start + m.start()
        second = m.group(2) or ""
        nxt = second.strip().rstrip("'’s")
        if nxt and nxt not in _FUNCTION_WORDS and not common_word(nxt, lex):
            out.append(Mention(s, s + len(first) + len(second), "lower_case", (first, nxt)))
        else:
            out.append(Mention(s, s + len(first), "lower_case", (first,)))
    for m in islice(_INITIALS.finditer(window), MAX_PER_SENTENCE):
        letters = "".join(c for c in m.group() if c.isupper()).lower()
        if letters not in _NOT_INITIALS:
            out.append(Mention(start + m.start(), start + m.end(), "initials", (letters,)))
    return _one_per_place(out)


def unknown_name(word: str, lex: Lexicon) -> bool:
    """A capitalised word that can only be a name no list knows: not an English word, a place, a brand or a
    nationality the word list knows, not a given name (found as such), a clinical or common word."""
    low = word.lower()
    return not (
        low in english_words()
        or low in _NOT_LONE
        or given_name(low, lex)
        or common_word(low, lex)
        or low in lex.institution_words
        or low in lex.eponyms
    )


def _lower_unknown(word: str, lex: Lexicon) -> bool:
    """A lower-case word that can only be a name: a listed given name, or no English, common or chat word."""
    bare = word.replace("’", "'")
    if bare in lex.first_names or bare in lex.given_names:
        return True
    return not (
        bare in english_words()
        or bare.replace("'", "") in english_words()
        or bare in _NOT_LONE
        or common_word(bare, lex)
        or bare in lex.institution_words
        or bare in lex.relations
        or bare in lex.everyday_roles
    )


def _name_shaped(span: str, lex: Lexicon) -> bool:
    """What spaCy called a person looks like a name: capitalised words, no digits, none of them common;
    a single word only when it is a known given name ("Tremor", "SGLT2", "max" are not people)."""
    words = span.split()
    if not words or "\n" in span or not all(_NAME_WORD.fullmatch(w) for w in words):
        return False
    if words[0].lower().rstrip(".") in ("st", "saint"):
        return False  # "St Brigid's": a hospice, a church, a school
    bare = [w.lower().rstrip("'’s") for w in words]
    if any(common_word(w, lex) for w in bare):
        return False
    return len(words) >= 2 or given_name(bare[0], lex)


def given_name(word: str, lex: Lexicon) -> bool:
    """A capitalised word that is a given name: the curated list, or the census list of given names; the lists
    are written without accents, so "siân", "zoë" and "renée" are looked up as "sian", "zoe", "renee"."""
    if word in lex.first_names or word in lex.given_names:
        return True
    if word.isascii():
        return False
    bare = unaccented(word)
    return bare in lex.first_names or bare in lex.given_names


def unaccented(word: str) -> str:
    """The word without its accents ("zoë" -> "zoe"); letters with no base letter ("ł", "ß") stay."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def common_word(word: str, lex: Lexicon) -> bool:
    """A word that is not a surname: a clinical term, a place of care, a title or a role."""
    return (
        word in lex.not_names
        or word in lex.clinical_terms
        or word in lex.staff_roles
        or word in lex.staff_titles
        or word in lex.patient_titles
        or word in _FUNCTION_WORDS
        or word in lex.health_facts.words.singles
    )


def _one_per_place(found: list[Mention]) -> list[Mention]:
    """Overlapping mentions: the longest is kept (spaCy's span wins a tie)."""
    rank = {
        "titled": -1,
        "ner": 0,
        "full_name": 1,
        "capitalised": 2,
        "first_name": 3,
        "unknown_name": 4,
        "lower_case": 5,
        "initials": 6,
    }
    out: list[Mention] = []
    for m in sorted(found, key=lambda m: (-(m.end - m.start), rank[m.kind], m.start)):
        if not any(m.start < o.end and o.start < m.end for o in out):
            out.append(m)
    return sorted(out, key=lambda m: m.start)
