"""Hostility turns ambiguous hints into threats; abuse in voices the first tables did not use; their traps.

The same words ("you've been warned", "I'd keep an eye on your car", "I
know you cycle home along the river") are advice between friends and menace
from someone with a grievance against the reader. These tables are written
in the project's own words, apart from the blind development set, to check
that the mechanisms and not the set's phrases do the work.
"""

from __future__ import annotations

import pytest

from gateway.detect.language.defamation import DEFAMATION
from gateway.detect.language.discrimination import DISCRIMINATION
from gateway.detect.language.harassment import HARASSMENT
from gateway.detect.language.threats import THREAT

SEVERE = {THREAT, HARASSMENT, DISCRIMINATION, DEFAMATION, "INSULT", "OBSCENE"}

HOSTILE_HINTS = [
    "You got me kicked off the rota. I'd keep an eye on your bike if I was you.",
    "After what you said about me at the panel, you've been warned.",
    "How dare you mark me down. I know you cycle home along the river.",
    "You grassed me up to the year lead. Sleep well.",
    "You reported me to the dean. You've been warned.",
    "After what you did to my marks, I'd keep an eye on your car.",
    "You reported me to the dean. I know you take the canal path home.",
]

HINTS_ALONE = [
    "You've been warned.",
    "I'd keep an eye on your car.",
    "I know you take the canal path home on Fridays.",
    "I know you walk home alone late, want me to come with you?",
    "You reported the broken printer to IT, thanks. Sleep well!",
    "I'd keep an eye on your car, there have been a lot of break-ins on Elm Road lately.",
    "You've been warned: the library closes at six on Fridays.",
]


@pytest.mark.parametrize("text", HOSTILE_HINTS)
def test_a_hint_in_a_hostile_message_is_a_threat(judge, text: str) -> None:
    """A grievance against the reader turns a warning, a watched car or a known route into a THREAT."""
    assert judge.one(text, THREAT).target == "second_person"


@pytest.mark.parametrize("text", HINTS_ALONE)
def test_the_same_hint_alone_is_not_a_threat(judge, text: str) -> None:
    """Without hostility the same hints are advice or care: no THREAT."""
    assert THREAT not in judge.types(text)


NEW_VOICES = [
    (
        "If Mr Patel marks my essay down again I'll be waiting for him after his clinic and he'll regret it.",
        THREAT,
    ),
    ("Someone ought to teach that porter some manners. Properly this time.", THREAT),
    ("I swear I'm battering him if he says one more word.", THREAT),
    ("Tell Sanjay he'd better start looking over his shoulder.", THREAT),
    ("She's going to get what she deserves, mark my words.", THREAT),
    ("The locum will be dealt with, one way or another.", THREAT),
    ("Keep quiet about the party or the videos go online. Your call.", THREAT),
    (
        "I'm not threatening you, I'm just saying it'd be a shame if your placement report went missing.",
        THREAT,
    ),
    ("Told you Jack would grass. He's getting it now.", THREAT),
    ("Connor's gonnae get his heid kicked in at this rate.", THREAT),
    ("I hope your mum gets cancer.", HARASSMENT),
    ("I hope you fail your resit, you deserve it.", HARASSMENT),
    ("Do the world a favour and quit medicine.", HARASSMENT),
    ("I've shared Tom's home address in the group chat so everyone can pay him a visit.", HARASSMENT),
    ("I refuse to be taught by a gay lecturer.", DISCRIMINATION),
    ("He only got onto the academic foundation programme because he's black.", DISCRIMINATION),
    ("She should be deported, honestly.", DISCRIMINATION),
    ("They shouldn't let women become surgeons.", DISCRIMINATION),
    ("Dr Hughes is always off his face on a Friday.", DEFAMATION),
    ("Craig's been pocketing the society's ticket money all year.", DEFAMATION),
    ("Rumour is the year rep slept with her supervisor to get the distinction.", DEFAMATION),
    ("Mia's a thief, she took money from the RAG collection tin.", DEFAMATION),
    # threats against a third person: by name or role, with the writer's reach or a condition
    (
        "If the admin in the exams office loses my coursework again she'll wish she'd never taken the job.",
        THREAT,
    ),
    ("The porter who reported me had better not walk through the basement car park on his own.", THREAT),
    ("My brother knows where the ward clerk parks, just so you know.", THREAT),
    ("Mrs Hall from finance will be sorry she ever crossed me.", THREAT),
    ("Someone needs to give that registrar a proper kicking.", THREAT),
    (
        "Funny how Dr Baines always leaves by the back door after nine. Shame if he slipped on those steps.",
        THREAT,
    ),
    ("Tell the receptionist she'd better change my appointment or I'll be waiting by her car.", THREAT),
    ("I've found out where the tutor who failed me lives. Watch this space.", THREAT),
    ("If I fail this resit, Dr Rowe is going to regret the day he met me.", THREAT),
    ("You pathetic loser, Gareth, no wonder nobody sits with you.", "INSULT"),
    ("Aaron is a nonce, keep him away from the freshers.", DEFAMATION),
    ("Heads up: Josh is a thief, he had the float from the ball.", DEFAMATION),
    # allegations in any voice: passive with the person after "by", a cleft, seen doing it, a habit
    ("The petty cash was taken by Dr Wilson, I saw him do it.", DEFAMATION),
    ("It was Dr Wilson who took the petty cash.", DEFAMATION),
    ("The nurse was bullied by the consultant on Ward 9 for months.", DEFAMATION),
    ("Our GP tutor has been signing off procedures he never watched.", DEFAMATION),
    ("Dr Singh was seen taking diazepam from the drug trolley.", DEFAMATION),
    ("Everyone knows the F2 on nights is off her head on ketamine half the time.", DEFAMATION),
    ("Professor Grey copied his whole grant from a PhD student's thesis.", DEFAMATION),
]


@pytest.mark.parametrize(("text", "type_"), NEW_VOICES)
def test_abuse_in_new_voices(judge, text: str, type_: str) -> None:
    """Threats, harassment, discrimination and allegations phrased unlike the first tables are found."""
    assert type_ in judge.types(text)


TRAPS = [
    "I hope the registrar gets sick pay sorted for the locums.",
    "I hope he dies peacefully, he has been suffering for weeks.",
    "I hope she suffers no side effects from the new chemo.",
    "Do everyone a favour and leave the microwave clean.",
    "I've shared her number on the WhatsApp group so everyone can wish her happy birthday.",
    "I shared Tom's number with the rota coordinator so she can sort the swap.",
    "I'm hitting him up later about the notes.",
    "I'm killing him at FIFA tonight.",
    "Nobody would notice if you didn't come in today, take the day off, you look exhausted.",
    "If the registrar asks again, I will send the notes over.",
    "She is getting it done next week at the travel clinic.",
    "Your room's on the second floor, isn't it? I'll bring the notes up.",
    "We should not let women do the heavy lifting on their own.",
    "You failed me on the OSCE but your feedback was fair.",
    "Keep an eye on your kids, there's a bug going round the nursery.",
    "I'd keep an eye on your inbox, the results are out soon.",
    "Dr Shah will sort you out with a new rota.",
    "Nobody wants you to burn out, take the weekend off.",
    "Things happen to people who work nights, like burnout and weight gain.",
    "If you ever need a lift again, I'm here for you.",
    "She won't be working for a while, she's on maternity leave.",
    "He'll get what he deserves: a promotion, finally.",
    "The man in bed 3 said his son had been stealing his money.",
    "My flatmate ate my yoghurt again, I'm going to kill him lol.",
    "ffs I'm going to murder my flatmate",
    "You're dead meat in the pub quiz tonight.",
    "Emma's been amazing on the ward this week.",
    "Dan's a legend, he covered my shift.",
    "Someone stole Sarah's bike from outside the library.",
    "I'm throwing a surprise party at her flat on Saturday.",
    "I'd prefer a female examiner for the intimate examination station please.",
    "Disabled students should not be allowed to fall behind because of inaccessible rooms.",
    "Steven's bringing the pizza cutter, you know what you did with the last one lol",
    "Reuben I will literally end you if you spoil the finale.",
    "Dr Wilson's bag was stolen from the mess.",
    "The bloods were taken by the F1 this morning.",
    "The controlled drugs were removed by the pharmacist for destruction.",
    "Sarah took the takings to the bank after the ball.",
    "Dr Singh was seen taking bloods from the patient in bay 2.",
    "Dr Singh was seen smoking in the car park.",
    "The morphine was taken by the patient as prescribed.",
    "You absolute muppet, Gareth, you forgot the keys again lol",
    "Thank you Gareth, see you Monday.",
    "Revision is a nightmare.",
    "Karma is a bitch.",
    "Note: Tom is a legend, he covered my shift.",
    # the same words with an innocent reason
    "You'd better not walk home alone in this weather, text me and I'll meet you.",
    "She'll wish she'd never signed up for the marathon, it's brutal.",
    "My brother knows where the ward clerk parks, he can give you a lift in.",
    "He'll be sorry he missed the ball, it was amazing.",
    "Someone needs to give that printer a proper kicking, it's jammed again.",
    "Shame if he slipped on those steps, they're lethal when it's icy, I've told estates.",
    "Hurry or I'll be waiting at your house all morning, the taxi comes at ten!",
    "I've found out where the tutor lives, we're sending her a thank-you card.",
    "Dr Baines always leaves by the back door after nine, so catch him before then.",
    # groups named in care, teaching and logistics
    "This is a typical female pattern of hair loss.",
    "The dyslexic student should be given extra time in the exam.",
    "The deaf patient should not be left without an interpreter.",
    "Can't believe they let us out early today!",
    "The old man in bed 6 should not be allowed home until the OT has seen him.",
    "Black people are more likely to have sickle cell trait.",
    "The Polish cleaner on Ward 3 found my badge, so kind.",
    "I refuse to be examined by a male doctor for the smear, is that OK?",
    "Please don't put me with a foreign student for the presentation, they never turn up.",
    "Do Muslim students get prayer space during the OSCE?",
    "I'm not sharing a room with her, she snores like a train lol",
    "He only got the job because he's brilliant at ultrasound.",
    "Rate the food at the ball out of 10 on the feedback form.",
    "The patient was deported last year and came back on a visitor visa.",
    # everyday student mail with the round-2 rules' words
    "Hi Dr Khan, thanks for marking my essay. I know you're busy, but could I get feedback by Friday? If not, no worries.",
    "Can someone swap with me on Thursday? I'll be at the library at the same table as usual if you want to talk it through.",
    "My mum says you're welcome to stay over, she knows where you park, it's fine.",
    "If you ever need notes again, I've got them all saved. Just so you know.",
    "Sorry I blanked you in the corridor, I was late for clinic! You can't avoid me at the ball though haha.",
    "I've kept copies of every email for my portfolio.",
    "There will be consequences for patient safety if the rota isn't fixed.",
    "The registrar said the patient won't be walking for a while after the hip surgery.",
    "Let's give Dr Evans a send-off he won't forget, I've booked the curry house!",
    "Everyone bring cake for when Priya leaves the ward on Friday.",
    "Nobody will believe how much I've revised for this.",
    "Next time you answer back in a viva, remember to smile and breathe.",
    "I hope the consultant who taught us gets the teaching award.",
    "Do the world a favour and drink some water today x",
    "I'll make sure he never misses teaching again, I'll drag him out of bed myself lol",
    "We should all ignore the group chat until after exams.",
    "I've been outside your office twice, are you in today?",
    "You heard me, drinks are on me tonight!",
    "Told you she'd pass. Right, she's getting it framed.",
    # clinical and everyday mail beside the round-2 rules
    "Mr Jones, 74, was admitted after a fall down the stairs at home; he ended up in hospital with a hip fracture.",
    "The patient needs a visit from the district nurse on Tuesday.",
    "He deserves a break after that night shift, honestly.",
    "She will get what she needs from the pharmacy later.",
    "If the patient vomits again, I will call the registrar.",
    "Please bring the bats and balls for Sunday's cricket.",
    "The bloods go to the lab or the results go missing, your call.",
    "I'll sort him out with a bed on Ward 5.",
    "The consultant will deal with it personally.",
    "Nobody will believe how busy A&E was tonight.",
    "There will be consequences if you miss the deadline: a late penalty under the regulations.",
    "I've been outside your office twice but you were in clinic, I'll email instead.",
    "Your car won't be the same after the MOT, they're replacing the clutch.",
    "We're slashing prices on the society hoodies this week.",
    "She'll make sure he never misses a dose again.",
    "I'll make sure the patient is in hospital overnight for observation.",
    "The registrar was assaulted by a patient last night, she's shaken.",
    "Can we put him down for the Thursday rota?",
    "The dog was put down last week, I'm gutted.",
    "I know about your sister's wedding, congratulations!",
    "Rate the lectures out of 10 in the feedback form.",
    "I hope Dr Mills gets the consultant job, she deserves it.",
    "I hope the registrar gets better soon.",
    "Enjoy your evening, see you tomorrow!",
    "You heard me right, the OSCE is moved to Friday.",
    "Mark my words, this rota will fall apart by Christmas.",
]


@pytest.mark.parametrize("text", TRAPS)
def test_traps_beside_the_new_rules(judge, text: str) -> None:
    """Care, sport, hyperbole, logistics and patients' stories near the new rules give no severe finding."""
    assert not judge.types(text) & SEVERE
