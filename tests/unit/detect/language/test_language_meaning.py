"""Threats and allegations found by what they mean, not by a stock phrase; and the traps that stay clean.

Each table is one kind from the detection brief: threats that name no
weapon, threats against staff by name or role, abuse carried only in the
subject line, sexist abuse written in a reply, and allegations about an
identifiable person by kind. The traps beside them must give no finding.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gateway.config import DomainSettings, Settings
from gateway.detect.language import LanguageDetector
from gateway.detect.language.defamation import DEFAMATION
from gateway.detect.language.discrimination import DISCRIMINATION
from gateway.detect.language.harassment import HARASSMENT
from gateway.detect.language.insults import INSULT
from gateway.detect.language.threats import THREAT
from gateway.inspector import Inspector
from gateway.model import Envelope, Verdict
from gateway.policy import load_policy

from .conftest import STAFF

# --- threats without a stock phrase --------------------------------------------------------------

VEILED_THREATS = [
    "Folk who go running to the welfare office about me seem to end up in A&E.",
    "The last tutor who crossed me had a very unlucky fall on the stairs.",
    "Anyone who reports us should remember how quiet that underpass is at night.",
    "Students who complain about me never seem to make it to final year.",
    "If you go to the dean about this, you might find your bike in a state.",
    "Funny how everyone who speaks out against me ends up leaving the course.",
    "My cousins would love to pay you a visit some evening.",
    "I heard your little girl starts at Oakfield nursery this week. Such a sweet nursery.",
    "It would be a real pity if those new tyres of yours ended up slashed.",
    "Ever wondered what happens to people who grass on me?",
    "I know a lot of people round here. Accidents happen.",
    "Think how fast a career can be ruined. Yours would be first.",
    "Mention me to the panel again and you'll be picking your teeth up off the floor.",
    "I've got mates who don't take kindly to people messing me about.",
    "Be careful. People who make complaints about me have a habit of getting hurt.",
    "Careful, Helen. Not everyone who crosses me gets off lightly.",
    "I've still got your address from the society list. Just so you know.",
    "You'd be amazed what can happen to people who stick their nose into my business.",
    "Funny how accidents seem to follow people who report me.",
]


@pytest.mark.parametrize("text", VEILED_THREATS)
def test_threat_without_a_stock_phrase_is_severe(judge, text: str) -> None:
    """Harm tied to crossing the writer, their friends' reach, or knowledge of family is a THREAT."""
    finding = judge.one(text, THREAT, to=STAFF)
    assert finding.severity == "severe" and not finding.quoted


def test_a_threat_explains_itself(judge) -> None:
    """The evidence names why: harm to those who stand against the writer."""
    finding = judge.one("Students who complain about me tend to have accidents.", THREAT)
    assert "stand against the writer come to harm" in finding.evidence


def test_route_knowledge_and_a_hint_of_harm_add_up(judge) -> None:
    """Knowing the reader's lonely route home and hinting at accidents is a threat together."""
    text = "Accidents happen. You walk back through the park alone every Thursday night, don't you?"
    assert judge.one(text, THREAT).target == "second_person"


NOT_THREATS = [
    # care and advice
    "You walk home through the park alone on Thursdays, don't you? Text me when you're back.",
    "I know your parents are visiting this weekend. Such a lovely family.",
    "Your son goes to Oakfield too? Small world! Lovely school.",
    "I'd hate for anything to happen to you on the ice, wear proper boots.",
    "Watch your back when you lift patients, always use the slide sheet.",
    # teaching and reporting
    "Our safeguarding lecture explained that stalkers learn a victim's route home.",
    'Abusers often say things like "people who cross me have accidents", so take it seriously.',
    'A typical veiled threat is "it would be a shame if something happened to your car".',
    "Examples of menacing messages include I know where you live and watch your back.",
    "Coercive partners often say things like you will regret it if you leave me.",
    # idioms, sport and hyperbole
    "I'd kill for a coffee before the ward round.",
    "Our five-a-side team is going to batter the registrars on Sunday.",
    "Someone should shoot the registrar an email about the rota.",
    "If the registrar doesn't sign my form, I will ask the consultant.",
    "It's a long way down from the top of Snowdon, isn't it? What a view.",
    "I've got your address now, I'll post the invitation this week.",
    "I'd keep an eye on your bike if I were you, there have been thefts on campus.",
    "The registrar won't be around for long, she rotates in April.",
    "The consultant will teach you a lesson on ECGs on Friday.",
    "People who complain about me tend to be right, to be fair.",
    "Everyone who voted for us ended up with free pizza.",
    "You have been warned about the fire alarm test at ten.",
    "Watch your back on the ward today, the new consultant is strict about notes.",
    "I know some people in the year above who could help with OSCE practice.",
    "Students who ask me for help with pharmacology tend to struggle with the maths.",
    "If you borrow my car you'll regret it, the brakes are dodgy.",
    # clinical
    "Patients who fall at home often end up in hospital for weeks.",
    "He had a nasty accident on his bike and ended up in A&E.",
]


@pytest.mark.parametrize("text", NOT_THREATS)
def test_not_a_threat(judge, text: str) -> None:
    """Care, advice, teaching, sport, idioms and clinical harm are not threats."""
    assert THREAT not in judge.types(text)


# --- threats against staff by name or role -------------------------------------------------------

STAFF_THREATS = [
    ("Tell Marion in the exams office that if my mark isn't changed she'll regret it.", "named"),
    ("Derek from student finance had better watch his back.", "named"),
    ("Marion from registry: if she doesn't fix my marks, I know where she lives.", "named"),
    ("Mr Grant from admissions won't be smiling for long.", "named"),
    ("Somebody ought to break that receptionist's nose for losing my form.", "role"),
    ("My mates will pay the placement coordinator a visit after work.", "role"),
    ("Someone should teach that admin Gail a lesson she won't forget.", "named"),
    (
        "I know Gemma from the registry gets the last train home. It would be awful if she missed her "
        "stop and ended up somewhere dark.",
        "named",
    ),
]


@pytest.mark.parametrize(("text", "target"), STAFF_THREATS)
def test_threat_against_staff_names_its_target(judge, text: str, target: str) -> None:
    """A threat against an administrator, by name or role, is held whoever reads it."""
    assert judge.one(text, THREAT, to=STAFF).target == target


# --- abuse only in the subject line --------------------------------------------------------------

SUBJECT_ONLY = [
    ("Re: my resit - watch your back", "Thanks.", THREAT),
    ("Pauline you will pay for this", "Form attached.", THREAT),
    ("You pathetic excuse for a tutor", "See below.", INSULT),
    ("I know where you live", "Regards, Sam", THREAT),
    ("Useless idiot", "Thanks for nothing.", INSULT),
    ("Re: Re: Placement - your days here are numbered", "ok", THREAT),
    ("I'll get you for this", "No message.", THREAT),
    ("Die", "ok", HARASSMENT),
]

SUBJECT_TRAPS = [
    ("Meeting about the DIE exam", "Room 4 at two."),
    ("Re: Kill list for the quiz", "Our picks for round three."),
    ("Dying to see you at the ball!", "Tickets attached."),
    ("Watch your back (manual handling refresher)", "Slides attached."),
]


@pytest.mark.parametrize(("subject", "body"), SUBJECT_TRAPS)
def test_harmless_subject_lines(judge, subject: str, body: str) -> None:
    """Subjects that only sound violent give no severe finding."""
    assert not [f for f in judge(body, subject=subject, to=STAFF) if f.severity == "severe"]


@pytest.mark.parametrize(("subject", "body", "type_"), SUBJECT_ONLY)
def test_abuse_in_the_subject_alone_is_found_there(judge, subject: str, body: str, type_: str) -> None:
    """A threat or insult carried only by the subject line is a severe finding located in the subject."""
    finding = judge.one(body, type_, subject=subject, to=STAFF)
    assert (finding.where, finding.severity) == ("header:Subject", "severe")


def test_a_bare_insult_after_talking_about_oneself_is_self_talk(judge) -> None:
    """ "I left my badge at home again. Idiot." is the writer scolding themselves."""
    assert INSULT not in judge.types("I left my badge at home again. Idiot.")


# --- sexist abuse in a reply ---------------------------------------------------------------------

SEXIST_REPLIES = [
    "Shouldn't you be in the kitchen making dinner for your husband?",
    "Women like you should stay in the kitchen and leave surgery to the men.",
    "Calm down love, is it that time of the month again?",
    "Stick to making the tea, sweetheart.",
    "Nobody asked for your opinion. Know your place.",
    "No wonder she failed, women can't interpret ECGs.",
    "Go back to nursing, love, surgery is a man's job.",
    "Maybe if you smiled more the consultants would listen to you, darling.",
    "She's obviously sleeping her way to the top.",
    "She only got the registrar post because she's pretty.",
]


@pytest.mark.parametrize("text", SEXIST_REPLIES)
def test_sexist_reply_is_severe_and_the_writers_own(judge, text: str) -> None:
    """Sexist abuse written above a quoted message is the sender's own, and severe."""
    finding = judge.one(text, DISCRIMINATION, quoted="Please send your firm preferences by Friday.", to=STAFF)
    assert finding.severity == "severe" and not finding.quoted


NOT_SEXIST = [
    "The Women in Surgery society meets on Tuesdays in the Hartley room.",
    "I'm going to leave surgery to the men in my family, GP suits me better.",
    "Is it that time of year again? The rota for March is due.",
    "Calm down, it's only a formative quiz!",
    "Typical presentation of gallstones: female, forty, fertile.",
    "Women cannot take valproate in pregnancy without a prevention programme.",
    "Female doctors are underrepresented in surgery, which the network is working on.",
    "Is your husband OK with you coming to the dinner? Partners are welcome.",
    "Surgery was seen as a man's job historically, but that is changing fast.",
    "Smile more in the OSCE, the examiners like rapport.",
]


@pytest.mark.parametrize("text", NOT_SEXIST)
def test_not_sexist(judge, text: str) -> None:
    """Societies, plans, rotas and textbook mnemonics are not sexist abuse."""
    assert DISCRIMINATION not in judge.types(text)


# --- defamation: an allegation about an identifiable person, by kind ----------------------------

ALLEGATIONS = [
    # cheating
    ("Dr Rowe cheated in her membership exams, she had the answers written on her arm.", "named"),
    ("Our clinical tutor is cheating on his wife with one of the SHOs.", "role"),
    # theft
    ("The ward clerk on Ward 4 has been pocketing the tips from the relatives' tin.", "role"),
    ("Dr Quinn takes cash out of the patients' comfort fund.", "named"),
    ("Our anatomy demonstrator was sacked from his last post for stealing.", "role"),
    # fraud
    ("Dr Benn signs off procedures that he never observed.", "named"),
    ("The practice manager fiddles the timesheets every month.", "role"),
    ("My supervisor Dr Okoro forged my signature on the audit.", "named"),
    # abuse and misconduct
    ("Dr Fry groped a fourth-year student at the summer ball.", "named"),
    ("The head of year bullies the female students in every tutorial.", "role"),
    ("Professor Hale sends creepy messages to first years.", "named"),
    ("Mr Boyd the charge nurse sexually harassed two of the HCAs.", "role"),
    # drink and drugs at work
    ("Dr Pike comes in hungover most mornings.", "named"),
    ("The locum reeks of vodka on every night shift.", "role"),
    ("Dr Wade snorts coke in the on-call room before nights.", "named"),
    ("Our registrar is always off his face at weekends and on Monday ward rounds.", "role"),
    ("Our GP tutor drinks between patients, there's vodka in his desk.", "role"),
    # more ways of saying it
    ("The new dean is a thieving liar.", "role"),
    ("Carla, the clinic receptionist, has been selling patients' records to a claims firm.", "role"),
    ("Ryan Hollis got his training number by sleeping with the panel chair.", "named"),
    # passed on as gossip: repeating an allegation is making it
    ("Apparently Dr Li on the renal firm is a raging alcoholic.", "named"),
    ("Rumour has it Dr Sloane is sleeping with one of the fourth years.", "named"),
    ("Did you know Dr Adams was struck off abroad for killing a patient?", "named"),
    ("Dr Patel isn't even qualified, he bought his degree.", "named"),
    ("Nadia from my PBL group cheats on every assignment.", "named"),
    ("Our registrar lies on the discharge summaries to cover himself.", "role"),
    ("Dr Kaur is a racist, she marks every black student down.", "named"),
    ("FYI the registrar on Ward 5 has been taking morphine out of the CD cupboard.", "role"),
]


@pytest.mark.parametrize(("text", "target"), ALLEGATIONS)
def test_allegation_about_an_identifiable_person(judge, text: str, target: str) -> None:
    """An allegation of cheating, theft, fraud, abuse or substance use about a named person or role is held."""
    for recipients in (STAFF, ("friend@gmail.com",)):
        finding = judge.one(text, DEFAMATION, to=recipients)
        assert (finding.severity, finding.target) == ("severe", target)


NOT_ALLEGATIONS = [
    # about nobody in particular, or about a patient
    "Someone stole Sarah's bike from the rack outside the library.",
    "Mrs Dale, 58, drinks a bottle of wine a night and smokes cannabis at weekends.",
    "Gary came in drunk on Saturday night and needed stitches on arrival.",
    "The patient assaulted a nurse on the ward, so we filled in a Datix.",
    "Dr Jones was assaulted by a relative in the emergency department.",
    # teaching
    "In the ethics seminar we discussed a case where a GP fabricated results.",
    "The lecture covered doctors who were struck off for sexual misconduct.",
    "Dr Ahmed is giving a talk on how to spot students cheating in online exams.",
    # ordinary life
    "Tom stole my chips at lunch lol",
    "I cheated on my diet this weekend.",
    "Dr Khan forged ahead with the new rota despite the complaints.",
    "My registrar harassed me for the discharge summary all afternoon.",
    "The nurse covered up the wound with a clean dressing.",
    "The receptionist takes money from patients for private prescriptions.",
    "Dr Gray drinks coffee between patients, she says it keeps her going.",
    "The nurse takes the morphine from the CD cupboard and checks it with a second nurse.",
    "The thieving seagulls took my sandwich again.",
    "Our society sells cakes every Friday for charity.",
    "Mr Patel told us his previous GP stole his medication, so we raised a safeguarding alert.",
    # public proceedings and the news
    "The court heard the surgeon falsified records for years before he was jailed.",
    "According to the BBC, the GP was struck off after he forged prescriptions.",
    # a heated but legitimate complaint
    "Dr Hale has lost my logbook twice and ignored four emails; I am making a formal complaint.",
]


@pytest.mark.parametrize("text", NOT_ALLEGATIONS)
def test_not_an_allegation(judge, text: str) -> None:
    """Victims, patients, teaching, everyday phrases and civil complaints accuse no identifiable colleague."""
    assert DEFAMATION not in judge.types(text)


REPORTS = [
    "I would like to raise a concern in confidence: Dr Pike comes in hungover most mornings.",
    "Dear Professionalism team, I want to report Dr Pike. He comes in drunk every Monday.",
    "I need to make you aware that the registrar on Ward 5 has been taking morphine out of the CD cupboard.",
]


@pytest.mark.parametrize("text", REPORTS)
def test_a_concern_raised_with_staff_is_not_defamation(judge, text: str) -> None:
    """Reporting a colleague to staff only is privileged; the same words sent outside are held."""
    assert DEFAMATION not in judge.types(text, to=STAFF)
    assert DEFAMATION in judge.types(text, to=("friend@gmail.com",))


def test_quoting_a_threat_is_marked_quoted(judge) -> None:
    """A threat the student received and quotes, with no request for help, is marked quoted (annotated for staff)."""
    text = 'He texted me "people who report me have accidents, you walk home alone don\'t you".'
    found = judge(text, to=STAFF)
    assert found and all(f.quoted for f in found if f.type == THREAT)


def test_asking_for_help_with_a_threat_gives_no_finding(judge) -> None:
    """The same quotation in a request for help is the victim's report: no finding, to staff or to a friend."""
    text = 'He texted me "people who report me have accidents, you walk home alone don\'t you". What do I do?'
    assert judge(text, to=STAFF) == []
    assert judge(text, to=("friend@gmail.com",)) == []


# --- through the pipeline and the default policy ------------------------------------------------

POLICY = load_policy([Path(__file__).parents[4] / "policies" / "default.yaml"])
SETTINGS = dataclasses.replace(
    Settings(), domains=DomainSettings(internal=("uni.ac.uk",), secure=("nhs.net",))
)


def _mail(subject: str, body: str) -> bytes:
    return (
        "From: Student <s@uni.ac.uk>\r\nTo: admin@uni.ac.uk\r\n"
        f"Subject: {subject}\r\nMessage-ID: <m@uni.ac.uk>\r\n\r\n{body}\r\n"
    ).encode()


REPLY = (
    "Shouldn't you be at home cooking for your husband, love?\r\n\r\n"
    "On Mon, 1 Dec 2026, Dr Amy Shaw wrote:\r\n> Please confirm your firm preferences by Friday.\r\n"
)


@pytest.mark.parametrize(
    ("subject", "body", "verdict"),
    [
        ("Re: my appeal - watch your back", "Thanks for the update.", Verdict.HOLD),
        ("=?utf-8?B?WW914oCZcmUgYSBwYXRoZXRpYyBleGN1c2UgZm9yIGEgdHV0b3I=?=", "See attached.", Verdict.HOLD),
        ("Re: firm allocation", REPLY, Verdict.HOLD),
        ("Re: marks", "People who report me tend to have accidents.", Verdict.HOLD),
        ("Re: marks", "Dr Pike comes in hungover most mornings.", Verdict.HOLD),
        ("Re: marks", "Thanks, I will chase the exams office about my resit.", Verdict.PASS),
    ],
)
def test_internal_mail_is_held_for_severe_abuse(
    language: LanguageDetector, subject: str, body: str, verdict: Verdict
) -> None:
    """Threats, subject-line insults (encoded too), sexist replies and allegations are held to internal staff."""
    inspector = Inspector(SETTINGS, [language], POLICY)
    outcome = inspector.inspect(Envelope("s@uni.ac.uk", ("admin@uni.ac.uk",)), _mail(subject, body))
    assert outcome.verdict is verdict, outcome.findings


NEUTRAL = [
    "the ward round starts at nine and the clinic ends at five.",
    "please send me the slides from today's lecture on renal physiology.",
    "_name_ and i are swapping shifts on thursday, if that is ok with you.",
]


def test_no_pattern_matches_plain_sentences(language: LanguageDetector) -> None:
    """Every weighted pattern needs words of its own: none matches an ordinary sentence (no empty branch)."""
    recognisers = [*language.patterns, language.defamation._allegations]
    for recogniser in recognisers:
        for pattern in recogniser.patterns:
            for view in NEUTRAL:
                assert pattern.regex.search(view) is None, (pattern.id, view)


# --- whole messages ------------------------------------------------------------------------------

HELD_MESSAGES = [
    (
        "Dear Ms Carter,\n\nMy extenuating circumstances form has now waited three weeks. I know you leave "
        "at half five and walk to the bus station through the back lane. Shame if something went wrong "
        "on that walk. Process my form.\n\nSam",
        THREAT,
    ),
    ("Fine, block me. People like you who think they can ignore me always learn the hard way.", THREAT),
    ("Hi, tell Brenda in registry to fix my marks. If she doesn't, I know where she parks.", THREAT),
    (
        "Hi Lorraine,\n\nYou rejected my extension again. I've noticed you park in bay 14 and leave at six. "
        "I'd hate for your lovely red Fiat to get damaged. Reconsider.\n\nDan",
        THREAT,
    ),
    (
        "Some of us remember who reported the party to the warden. Karma has a way of catching up with "
        "people like that.",
        THREAT,
    ),
    ("You know Lucy Pratt from fourth year? She paid someone to write her dissertation.", DEFAMATION),
    (
        "Not sure if you heard but Dr Imran is being investigated for harassing a trainee. Keep it quiet.",
        DEFAMATION,
    ),
    (
        "Just so the whole year knows, Dr Malik has been giving the real station content to his tutees "
        "before the OSCE. Everyone knows he does it. Pass it on.",
        DEFAMATION,
    ),
    (
        "Honestly sweetheart, leave the rota to the grown-ups. Women your age should be thinking about "
        "babies, not trauma lists.",
        DISCRIMINATION,
    ),
]


@pytest.mark.parametrize(("body", "type_"), HELD_MESSAGES)
def test_whole_message_is_held(judge, body: str, type_: str) -> None:
    """The menace, allegation or put-down is found inside an ordinary-looking email to staff."""
    assert type_ in judge.types(body, to=STAFF)


CLEAN_MESSAGES = [
    "Hey Jess,\n\nYou walk back from the library on your own really late most nights, don't you? I worry, "
    "the canal path is so dark after ten. Text me when you get in.\n\nMia x",
    "Hi all,\n\nFriday's professionalism session covers the Shipman inquiry. We will discuss how Harold "
    "Shipman forged patients' records and how whistleblowers who raised concerns were treated.\n\nDr Ellis",
    "Hi Sam,\n\nA patient on Ward 9 assaulted one of the HCAs last night and security were called. Please be "
    "careful on nights, the car park by the maternity block is badly lit.\n\nAna",
    "Case for Thursday: John, 52, brought in after a fall. He smells strongly of alcohol, GCS 14, and was "
    "arrested for drink driving last year. Read up on alcohol withdrawal.",
    "If the exams office doesn't sort my resit date by Monday I'll go to the student union. People who "
    "complain about the exams office tend to get nowhere, honestly.",
    "Lads, we are going to destroy the dentists in the varsity match. Jake, watch your back in the scrum, "
    "their number 8 is massive.",
    "Hi Lorraine, thanks for sorting my extension. I noticed you park in bay 14 too, we're neighbours!",
    "I reported the broken lift to the warden and it was fixed the same day.",
    "Lucy Pratt paid for everyone's pizza at the revision session, legend.",
]


@pytest.mark.parametrize("body", CLEAN_MESSAGES)
def test_whole_message_is_clean(judge, body: str) -> None:
    """Worry, teaching, incident reports, case notes, complaints and sport give no severe finding."""
    assert not [f for f in judge(body, to=STAFF) if f.severity == "severe"]
