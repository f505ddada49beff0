"""Harassment and discriminatory abuse in everyday words and slang (everyday.yaml), and run-on insults."""

from __future__ import annotations

import pytest

from gateway.detect.language import LanguageDetector
from gateway.detect.language.triggers import passes
from tests.unit.detect.language.conftest import STAFF, Judge

# (text, the type it must give): our own sentences in the words of a group chat
ABUSE = [
    ("I'll text you as often as I like, Maddie, you don't get to decide that.", "HARASSMENT"),
    ("Got your new number off your housemate. Change it and I'll only get it again.", "HARASSMENT"),
    ("I can see your bedroom light from the bus stop. I keep turning up at your seminars too.", "HARASSMENT"),
    ("Her home address is now on the year confessions page. Enjoy the visitors, Tasha.", "HARASSMENT"),
    ("Boys, rate the new freshers out of ten, spreadsheet is in the chat.", "HARASSMENT"),
    ("Nice legs in clinic today. Wear the short skirt on Friday.", "HARASSMENT"),
    ("Send me a pic tonight or I'll tell everyone what happened at the social.", "HARASSMENT"),
    ("Nobody can stand you, Jess. I can see your window from my flat.", "HARASSMENT"),
    ("Tell that nurse from microbiology to go back to Lagos.", "DISCRIMINATION"),
    ("The new registrar is a curry-muncher who can't take criticism.", "DISCRIMINATION"),
    ("Our PBL tutor is a bloke in a dress and I won't pretend otherwise.", "DISCRIMINATION"),
    ("Stop sulking, you autistic weirdo. Man up or get out of medicine.", "DISCRIMINATION"),
    ("Callum is a council estate chav, he'll never make a surgeon.", "DISCRIMINATION"),
    ("Women surgeons are a joke, she should stick to nursing.", "DISCRIMINATION"),
    ("The prayer group are a bunch of extremists and should be banned.", "DISCRIMINATION"),
    ("u fat ugly cow nobody on the firm can stand u", "INSULT"),
    ("you stupid ginger freak, no wonder you failed", "INSULT"),
    ("Mandy in the post room, you useless fat cow, sort my parcel out.", "INSULT"),
    ("I've been timing how long you take in the shower, Holly. I like knowing.", "HARASSMENT"),
]

# the same words where they abuse no one
CLEAN = [
    "I can see you're online, fancy a call about the anatomy quiz?",  # a friend
    "Got your new number from Dad, saving it now!",  # news of a number
    "We rate the new café out of ten every Friday, 8/10 this week.",  # rating a place
    "Nice legs day at the gym, I can barely walk.",  # exercise
    "Going back to India for the summer to see my grandparents.",  # the writer's own trip
    "The seminar on transphobia covered misgendering and phrases such as 'a man in a dress'.",  # teaching
    "Nobody cares about your anxiety is a thing patients hear too often; be kind in consultations.",  # advice
    "Lisa from the estate agents said the council estate flats are cheaper.",  # housing
    "Don't call the dog a stupid ginger freak, he's sensitive lol",  # a pet, banter
]


@pytest.mark.parametrize(("text", "type_"), ABUSE)
def test_everyday_abuse_is_found(judge: Judge, text: str, type_: str) -> None:
    """Harassment, discrimination and insults in everyday words give a severe finding, held even to staff."""
    found = [f for f in judge(text, to=STAFF) if f.type == type_ and not f.quoted]
    assert found and found[0].severity == "severe", (text, [(f.type, f.details) for f in judge(text)])


@pytest.mark.parametrize("text", CLEAN)
def test_the_same_words_abusing_no_one_give_no_severe_finding(judge: Judge, text: str) -> None:
    """A friend, a trip, teaching, a place or a pet gives no severe finding."""
    assert not [f for f in judge(text, to=STAFF) if f.severity == "severe" and not f.quoted], text


def test_a_victim_quoting_everyday_abuse_in_a_complaint_gives_no_finding(judge: Judge) -> None:
    """A formal complaint that cites the words in quotation marks is a report, not the writer's abuse."""
    text = (
        'I was told the examiner called me "a council estate chav who would never make a doctor". '
        "I would like to make a formal complaint about this remark."
    )
    assert not judge(text, to=("parent@gmail.com",))


def test_pre_checks_never_skip_an_everyday_match(language: LanguageDetector) -> None:
    """Every everyday.yaml pattern that matches a table sentence passes its trigger-key pre-check there."""
    from gateway.detect.language.everyday import everyday_recognisers
    from gateway.detect.language.lexicon import load_macros
    from gateway.detect.language.triggers import trigger_keys

    sentences = [s for text, _ in ABUSE for s in language.sentences(text)]
    checked = 0
    for rec in everyday_recognisers(load_macros(), language.resolver):
        for p in rec.patterns:
            keys = trigger_keys(p.regex.pattern)
            for s in sentences:
                if p.regex.search(s.view):
                    checked += 1
                    assert passes(keys, s.keys), (p.id, s.view)
    assert checked >= 12


# (subject, body): the insult or threat stands in the subject line only
SUBJECT_ONLY = [
    ("Re: handover - stupid cow", "Bloods chased, all done."),
    ("Re: rota swap – pathetic loser", "Tuesday for Thursday is fine."),
    ("final warning before your flat gets a visit", "Minutes of the meeting attached."),
]


@pytest.mark.parametrize(("subject", "body"), SUBJECT_ONLY)
def test_abuse_carried_only_in_the_subject_line_is_found_there(judge: Judge, subject: str, body: str) -> None:
    """An insult after the topic of a subject line, or a threat in it, is a severe finding at header:Subject."""
    found = [f for f in judge(body, subject=subject, to=STAFF) if f.severity == "severe"]
    assert found and found[0].where == "header:Subject", subject


def test_the_writer_calling_themselves_names_after_a_dash_is_no_insult(judge: Judge) -> None:
    """'I forgot my badge again - idiot' is said of the writer, not the reader."""
    assert "INSULT" not in judge.types("See you there.", subject="I forgot my badge again - idiot")
