"""Allegations by word class (round 6): paraphrased wrongdoing, verdict sentences, and history and news frames."""

from __future__ import annotations

import pytest

from gateway.detect.language import LanguageDetector
from tests.unit.detect.language.conftest import STAFF, Judge, keyed_matches

# asserted about an identifiable person, in wording the round-5 lists did not hold
ALLEGED = [
    "Mr Penrose in the path lab fudges the potassium results whenever the machine is down.",
    "Gwen in the finance office fiddles the conference claims, everyone has seen it.",
    "Dr Haldane lets students in for cash, his brother-in-law runs the coaching firm.",
    "The physio tutor, the tall one with the beard, deals steroids to the rugby lads.",
    "Our year rep sold the mock paper to the tutoring agency in town.",
    "Dr Amadi gives the private-school students better marks, it is obvious.",
    "The night porter at Kingsmead got caught with his hand in the till at the hospital shop.",
    "Professor Idris assaulted his junior in theatre last spring and nothing happened.",
    "Mr Cole keeps a bottle of rum in his desk and drives home from clinic hammered.",
    "Dr Ferrand shagged the marker to get through her viva.",
    "Tobias Wren has been doctoring the audit figures. Proper fraud.",
    "If Dr Sykes fails me again I will tell the whole year he takes backhanders from the drug reps.",
    # not hedges: an expense claimed, a name given with an aside, a warning to colleagues
    "Mrs B in the deanery has been fiddling her expenses, claimed a hotel weekend as a conference.",
    "The man who runs the OSCE rota, Declan I think, takes backhanders from the locum agency.",
    "I want to warn colleagues that Wes from the porters has been stealing from the staff raffle.",
]

# the same words, not an allegation the writer makes about a colleague
NOT_ALLEGED = [
    # a patient's history
    "Mr Dunne, 58, brought in after a fall. Social history: lives alone. He was done for drink driving in 2019.",
    "Collateral from his daughter: he got arrested for drink driving last year and has been drinking since.",
    # a news report
    "Did you see the story about the GP in Hull? He was convicted last week of fiddling the practice accounts.",
    # asked, denied, supposed
    "Is it true Dr Haldane lets students in for cash?",
    "Nobody thinks Gwen fiddles the claims, that rumour is nonsense.",
    "If the treasurer ever fiddled the accounts we would find out at the audit.",
    # the writer as possessor or victim
    "My supervisor says I fudged the results, which is untrue and I have the raw data.",
    # a lab procedure, not a person
    "The technician showed us how the analyser fudges nothing: every reading is logged.",
    # still hedged
    "I think Wes might have taken the raffle money, but I'm not sure.",
]


@pytest.mark.parametrize("text", ALLEGED)
def test_paraphrased_wrongdoing_about_a_person_is_an_allegation(judge: Judge, text: str) -> None:
    """Wrongdoing in everyday words, about a person named, placed or described, is a DEFAMATION finding."""
    assert "DEFAMATION" in judge.types(text, to=("friend@gmail.com",)), text


@pytest.mark.parametrize("text", NOT_ALLEGED)
def test_history_news_questions_and_denials_accuse_no_one(judge: Judge, text: str) -> None:
    """A patient's history, a news report, a question, a denial or a supposition gives no DEFAMATION."""
    assert "DEFAMATION" not in judge.types(text, to=("friend@gmail.com",)), text


def test_a_verdict_sentence_takes_the_person_of_the_sentence_before(judge: Judge) -> None:
    """'Total fraud.' alone accuses the person named just before; with no one named it accuses no one."""
    assert "DEFAMATION" in judge.types("Marcus Hale still works on the ward. Total fraud.")
    assert "DEFAMATION" not in judge.types("The new timetable came out today. Total fraud.")


def test_the_writer_in_a_relative_clause_is_not_the_subject(judge: Judge) -> None:
    """'The manager at the home where I did my placement slaps the residents' is about the manager."""
    found = judge.one(
        "The manager at the care home where I did my placement slaps the residents.", "DEFAMATION"
    )
    assert found.severity == "severe"


def test_a_concern_raised_to_staff_stays_privileged(judge: Judge) -> None:
    """The new wordings do not undo the privilege of a concern raised through the proper channel."""
    text = (
        "I would like to raise a concern: Mr Penrose fudges the potassium results when the analyser is down."
    )
    assert "DEFAMATION" not in judge.types(text, to=STAFF)


def test_pre_checks_never_skip_a_round_six_allegation(language: LanguageDetector) -> None:
    """Every allegation pattern that matches a table sentence passes its trigger-key pre-check there."""
    patterns = [p for k in language.defamation.described.kinds for p in k.patterns]
    assert keyed_matches(language, patterns, ALLEGED + NOT_ALLEGED) >= 10
