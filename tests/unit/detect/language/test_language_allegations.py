"""Allegations by meaning: a wrongdoing asserted about a person identified by name, role or description."""

from __future__ import annotations

import pytest

from tests.unit.detect.language.conftest import OUTSIDE, STAFF, Judge

# (text, the rule that reads it): a target the stock patterns miss, or a wrongdoing in words of its own
ALLEGED = [
    ("the man who does the Friday ward round is sleeping with one of the fourth years", "alleged-sexual"),
    ("mr k in the finance office takes backhanders from the catering firm", "alleged-fraud"),
    ("our physiology demonstrator is a known groper", "alleged-sexual"),
    ("pharmacist on 7 has been nicking fentanyl for months", "alleged-theft"),
    ("that woman who runs the skills lab inflates her expense claims every term", "alleged-fraud"),
    ("the guy in charge of the rota turns up to nights half-cut", "alleged-intoxication"),
    ("chaplain at St Olave's is always half-cut on the ward", "alleged-intoxication"),
    ("Dr Quennell is a bent examiner, a bottle of port and you pass", "alleged-fraud"),
    (
        "the tall one with the lanyard who covers Tuesdays is selling sick notes to freshers",
        "alleged-dealing",
    ),
    ("the receptionist at Harrowgate Surgery reads her neighbours' medical records", "alleged-privacy"),
    ("the lab manager was in prison for affray and still runs the open day", "alleged-offence"),
    ("the postdoc who runs our lab passed off a student's poster as her own", "alleged-cheating"),
    ("Professor Langridge beats his wife, everyone in the department knows", "alleged-violence"),
    ("the ward manager on Larch has been giving the overtime to her own sister", "alleged-theft"),
    ("honestly nadia cheated in the anatomy spotter, she had notes up her sleeve", "alleged-cheating"),
    ("the treasurer pocketed over £900 of the raffle money", "alleged-theft"),
    ("Our clinical supervisor examined her without consent while she was sedated", "alleged-violence"),
    ("I know the new lecturer, she marks the international students down on purpose", "alleged-fraud"),
    ("The Year 3 who ran the charity ball is a thief. She kept the float.", "alleged-theft"),
    ("Dr Pellow signs fit notes for his squash mates without seeing them", "alleged-fraud"),
    ("the ward manager on Rowan is signing off overtime for her boyfriend", "alleged-fraud"),
    ("our block lead bullies every SHO on the rota", "alleged-violence"),
    ("the porter on nights opens patients' post in the lift", "alleged-privacy"),
    ("that SHO on 12 is on something. always twitchy, never on the ward", "alleged-intoxication"),
    ("the new cleaner on Ash is here illegally, someone ring the Home Office", "alleged-offence"),
    (
        "the only Welsh anaesthetist at the Royal - you know the one - got done for drink driving",
        "alleged-offence",
    ),
    ("Our treasurer has been helping himself to the society account all year", "alleged-theft"),
]


@pytest.mark.parametrize(("text", "rule"), ALLEGED)
def test_allegation_about_an_identified_person_is_held(judge: Judge, text: str, rule: str) -> None:
    """A wrongdoing asserted about a named, described or role person is DEFAMATION, whoever the recipients."""
    for to in (OUTSIDE, STAFF):
        found = judge.one(text, "DEFAMATION", to=to)
        assert rule in found.details["rules"]
        assert found.severity == "severe" and found.target in ("named", "role")


# the same wrongdoings, not asserted about an identified person
NOT_ALLEGED = [
    "is the man who does the Friday ward round sleeping with one of the fourth years?",  # asked
    "the guy in charge of the rota is not a thief, whatever the group chat says",  # denied
    "nobody thinks the pharmacist on 7 is a thief",  # negated
    "if the treasurer pocketed over £900 of the raffle money we would know by now",  # supposed
    "the rumour that the bursar is a thief is untrue, he was cleared in March",  # denied
    "I pocketed over £20 of the raffle money by mistake and paid it back",  # the writer
    "my wallet was nicked on the bus",  # no one accused
    "the patient who was brought in drunk stole a bottle of hand gel",  # a patient in a history
    "Tom was so drunk at the summer ball he fell asleep in the cloakroom",  # a night out, not work
    "the registrar was groped by a relative on the ward last night",  # she suffered it
    "the tribunal found he was suspended for dishonesty in 2019",  # public proceedings
    "in the ethics seminar we discussed a doctor who was sleeping with a patient",  # teaching
    "how do we spot a colleague who is drunk on shift?",  # teaching, asked
    "the woman who runs the skills lab sold me her old stethoscope",  # no wrongdoing
    "the man in bed 6 is a functioning alcoholic, GCS 15, admitted with withdrawal",  # a patient
    "the guy who does our tutorials is a fraud expert, he used to work for the Serious Fraud Office",
    "the SHO on 12 is on something like her fourth night in a row, poor thing",  # no drink or drug
    "the rumour that the bursar is a thief is untrue, he was cleared in March",  # denied, stock words too
    "Sam was on something at the freshers party, he was hilarious",  # a party, not work
]


@pytest.mark.parametrize("text", NOT_ALLEGED)
def test_wrongdoing_not_asserted_about_an_identified_person_is_clean(judge: Judge, text: str) -> None:
    """Questions, denials, hypotheticals, the writer, patients, victims, a night out and teaching are no allegation."""
    assert "DEFAMATION" not in judge.types(text)


def test_the_finding_says_which_wrongdoing_and_which_target(judge: Judge) -> None:
    """The evidence names the kind of wrongdoing and of target, never the words or the person."""
    found = judge.one("the guy who runs the 3rd year timetable takes bribes", "DEFAMATION")
    assert found.evidence == "alleges fraud or bribery about a person described"
    assert "timetable" not in found.evidence and "bribes" not in str(found.details)


def test_he_follows_the_person_described_before(judge: Judge) -> None:
    """He/she stands for the person described in the sentence before, not for nobody."""
    text = "You know the bloke with the beard who teaches ECGs? He is on the take from the drug reps."
    assert "DEFAMATION" in judge.types(text)


def test_a_concern_raised_with_staff_is_privileged(judge: Judge) -> None:
    """A concern raised through the proper channel to staff only is a report, not defamation; outside it is held."""
    text = "I would like to raise a concern: the anatomy demonstrator has been fiddling his expenses."
    assert "DEFAMATION" not in judge.types(text, to=STAFF)
    assert "DEFAMATION" in judge.types(text, to=OUTSIDE)


# (text, held): who the person is decides, not the words of the wrongdoing
WHO_IT_IS = [
    ("the man in flat 4 is a thief and everyone in the block knows", True),  # described, not a patient
    ("Dr Kemp is always half-cut these days", True),  # a colleague's habit
    ("Mr Kemp is always half-cut these days", False),  # a courtesy title alone: may be a patient
    ("Case for Friday: Mr Boyd, 61, brought in after a fall. He was in prison for affray last year.", False),
    ("The old lady in bed 4 is lovely. She is a thief though, she hides the biscuits.", False),  # a patient
]


@pytest.mark.parametrize(("text", "held"), WHO_IT_IS)
def test_who_the_person_is_decides(judge: Judge, text: str, held: bool) -> None:
    """A described person is a target; a patient, or he/she standing for one, is not; drink as a habit needs staff."""
    assert ("DEFAMATION" in judge.types(text)) is held
