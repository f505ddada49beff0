"""Compositional signals: menace, watching, persistence and group-essentialising frames in new wordings.

Each positive below says the same kind of thing as a fixed pattern would, in
words no single phrase list anticipates: surveillance of the reader's places
and routines plus a consequence, persistence after being refused, "their
sort" and "women like her", veiled threats to belongings. The traps use the
same words in teaching, clinical and civil mail and must stay clean.
"""

from __future__ import annotations

import pytest

SEVERE_INTIMIDATION = [
    # surveillance of places and routines, with a consequence or warning
    "I know which room you're in at halls and I know what time your shift ends. Keep talking and you'll see what happens.",
    "I know what floor you live on and which entrance you use. Don't test me.",
    "I know you cycle home along the canal by yourself. Tell the tutors again and you'll learn what happens.",
    "I know which car park you use and when you finish on Fridays. This is your last warning.",
    "Go to the dean one more time and you will find out what I'm capable of.",
    "Mention my name to the welfare officer again and you'll find out the hard way.",
    "Consider this your final warning. I know which ward you're on this week.",
    "I know exactly which house is yours now. You won't get another warning.",
    # veiled threats to belongings and the person
    "Shame if your bike went missing. Or you did.",
    "Lovely new car you've got there. Would be a pity if something happened to it. Or to you.",
    "It would be such a shame if your windscreen got smashed one night.",
    "Be a shame if those tyres got slashed while you're on nights, wouldn't it.",
    # persistence after refusal or blocking, and watching
    "You can delete my number and mute me everywhere but you cannot stop me messaging you here.",
    "Blocking me won't work. I'll just keep writing from new addresses until you reply.",
    "I saw you at the bar on Friday with that guy from your year. I'll be waiting by your seminar room tomorrow.",
    "This is the twelfth message I've sent and I know you're reading them. You will talk to me.",
    "You don't get to just move on from me. I'll be at your lab door on Monday.",
    "I watched you leave the gym with her last night. I'm not going to stop until you speak to me.",
]


@pytest.mark.parametrize("text", SEVERE_INTIMIDATION)
def test_intimidation_in_new_wordings_is_severe(judge, text: str) -> None:
    """Watching, warnings, consequence frames and refusing to be blocked add up to a severe finding."""
    found = [f for f in judge(text) if f.type in ("THREAT", "HARASSMENT")]
    assert found and all(f.severity == "severe" for f in found), found


DISCRIMINATION_CASES = [
    "Their kind shouldn't be allowed anywhere near an operating theatre.",
    "His sort have no business being doctors.",
    "People like them should never have been let into medicine in the first place. Deport the lot.",
    "Women like her have no place in a cardiothoracic theatre.",
    "Girls like you aren't cut out for surgery.",
    "Honestly that lot should not be let near patients.",
    "The foreign doctors are useless. Ship them all back.",
    "She was only appointed to tick the equality box.",
    "He's a token hire, everyone knows it.",
    "She got the registrar post to make the numbers look diverse, nothing else.",
    "She should be at home looking after her children, not running a firm.",
    "Women should stick to having babies and leave operating to the men.",
    "Mr Adeyemi's type shouldn't be near our patients.",
]


@pytest.mark.parametrize("text", DISCRIMINATION_CASES)
def test_group_essentialising_frames_are_discrimination(judge, text: str) -> None:
    """'Their sort', 'women like her', 'send them home', token-hire sneers and role prescriptions are severe."""
    finding = judge.one(text, "DISCRIMINATION", names=("Tunde Adeyemi",))
    assert finding.severity == "severe"


TRAPS = [
    # clinical and teaching uses of the same words
    "If the obs are stable, send them all home with safety-netting advice.",
    "After the clinic we sent them home with a leaflet.",
    "Run the titration again and you'll see what happens to the pH.",
    "Press the button once more and you'll find out what happens to the pressure trace.",
    "I know which ward you're on, I'll bring the consent forms up after lunch.",
    "I know what time you finish, shall we get dinner after?",
    "I saw you at the conference with Dr Patel, great talk!",
    "I'll be outside your lecture at twelve with your charger.",
    "Would be a shame if the funding fell through, so please submit the form by Friday.",
    "It would be a pity if something happened to the samples, so label them carefully.",
    "We need to tick the diversity box on the ethics application.",
    "The diversity and inclusion team asked us to tick a box for each protected characteristic.",
    "People like him should not be allowed near patients until the GMC investigation is finished.",
    "Women like her are an inspiration to every student on the surgical rotation.",
    "Patients of that kind should not be let home without a care package.",
    "This is your final warning about library fines: please return the books.",
    "Consider this your only reminder to submit the audit.",
    "You cannot stop the infusion without speaking to the registrar.",
    "She should be at home with her kids this week, she's on annual leave.",
    "Please send them back to the ward once the scan is done.",
    "Predicted grades: A*A*A in biology, chemistry and maths; I also hold an A* in further maths.",
    "I achieved A* in chemistry and a D*D*D* in the BTEC extended diploma.",
]


@pytest.mark.parametrize("text", TRAPS)
def test_same_words_in_innocent_mail_give_no_finding(judge, text: str) -> None:
    """Clinical discharge, lab teaching, friendly plans, civil notices, quoted examples and grades stay clean."""
    assert judge.types(text, names=("Priya Patel",)) == set()


TEACHING_EXAMPLES = [
    'Safeguarding notes: abusers often use threats such as "if you leave I\'ll kill you" or '
    '"you\'ll never see the kids again"; ask about them directly.',
    'Examples of coercive control include phrases like "I know where you live" and "you\'ll regret this".',
    'Perpetrators may say things like "nobody would believe you" or "I\'ll make you pay".',
]


@pytest.mark.parametrize("text", TEACHING_EXAMPLES)
def test_quoted_examples_in_teaching_give_no_finding(judge, text: str) -> None:
    """Threats quoted as examples ("threats such as '...'") in teaching notes are not reported at all."""
    assert judge(text, to=("y4@lists.uni.ac.uk",)) == []


def test_quoted_threat_outside_a_teaching_frame_is_still_found(judge) -> None:
    """Reported speech that is not introduced as an example is still found and marked quoted."""
    found = judge(
        'He texted me "I know where you park, you\'ll regret this" last night.', to=("tutor@uni.ac.uk",)
    )
    assert found and all(f.quoted for f in found)
