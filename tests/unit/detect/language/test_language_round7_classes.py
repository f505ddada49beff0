"""Round 7 word classes found from fresh training text: wider insinuation, coercion and threat parts, with innocent twins."""

from __future__ import annotations

import pytest

from gateway.detect.language import LanguageDetector
from tests.unit.detect.language.conftest import Judge, keyed_matches

# (text, the finding type it must give): each sentence is ours, one per general family
FOUND = [
    # insinuation: people leaving someone's charge, a tin that runs dry whenever one person counts it,
    # an insinuation said to the reader
    ("Ask yourself why every registrar Dr Moran supervised moved trusts within a year.", "DEFAMATION"),
    ("Funny how the tombola tin always runs dry whenever Kev counts it.", "DEFAMATION"),
    ("I keep wondering why the stock counts go wrong on your shifts and nobody else's.", "DEFAMATION"),
    ("Dr Ilves only got the fellowship because his aunt chairs the panel.", "DEFAMATION"),
    # coercive control: going through the phone, taking keys and cards, forbidding contact and checking
    (
        "I've been through your phone. Who is Lewis? From now on you don't go to netball unless I take you.",
        "HARASSMENT",
    ),
    ("I've taken your car keys and your bank card. You know the rules.", "HARASSMENT"),
    ("Don't message your sister again. I'll be checking.", "HARASSMENT"),
    # threats: belongings thrown out, a home taken away, damage after an order, a false report to the ward,
    # material sent to someone who matters, a family member's routine with a veiled wish
    ("Clear the hallway by tonight or your bike goes in the skip.", "THREAT"),
    ("Go to the party and don't bother coming back, I'll have changed the locks.", "THREAT"),
    ("Speak up at the hearing and you'll have your tyres let down.", "THREAT"),
    ("Back me up at the panel or I'll ring the ward and tell them you're a thief.", "THREAT"),
    ("One more complaint and your boss gets the lot.", "THREAT"),
    (
        "Your son plays for the under-10s at Meadow Park, doesn't he. Would hate for anything to happen to him.",
        "THREAT",
    ),
]

# the same words from a victim, a friend or a colleague: (text, the type it must not give)
NOT_FOUND = [
    (
        "Funny how the quiz float came up twenty quid short the week the bank changed its machine. "
        "Luckily our treasurer has asked them to recount.",
        "DEFAMATION",
    ),
    ("Interesting that Dr Moran's registrars all passed their exams this year.", "DEFAMATION"),
    ("Don't message your sister until Friday, she's got exams.", "HARASSMENT"),
    ("If you message me again I'll go to the police.", "THREAT"),
    ("If you keep shouting at my sister I'll report you to the warden.", "THREAT"),
    ("I'll ring the ward and tell them you're running late.", "THREAT"),
    ("Your daughter plays at Meadow Park on Sundays? Mine too, see you there!", "THREAT"),
    ("Go to the careers fair and you'll find loads of placements.", "THREAT"),
    ("Keep going and you'll pass, I promise.", "THREAT"),
]


@pytest.mark.parametrize(("text", "type_"), FOUND)
def test_round_seven_classes_are_found(judge: Judge, text: str, type_: str) -> None:
    """Each wider word class gives its finding in a sentence no earlier list held."""
    assert type_ in judge.types(text), text


@pytest.mark.parametrize(("text", "type_"), NOT_FOUND)
def test_round_seven_classes_leave_victims_friends_and_colleagues_alone(
    judge: Judge, text: str, type_: str
) -> None:
    """A victim going to the police, a friend's plan, a remark beside a loss or a kind order give no finding."""
    assert type_ not in judge.types(text), text


def test_pre_checks_never_skip_a_round_seven_class_match(language: LanguageDetector) -> None:
    """Every intent, insinuation and coercion pattern matching a table sentence passes its trigger-key pre-check."""
    texts = [t for t, _ in FOUND + NOT_FOUND]
    patterns = [p for ps in language.intent.parts.values() for p in ps]
    patterns += [p for ps in language.defamation.insinuation.parts.values() for p in ps]
    patterns += language.coercion.patterns
    assert keyed_matches(language, patterns, texts) >= 20


# a victim's or a witness's report in words round 6 did not know, a rumour corrected, a bill to settle
REPORTS_AND_CORRECTIONS = [
    'Dear Mr Kerr, I have raised a formal grievance about Dr Lowe, who called me "a stupid little girl" on the ward round.',
    'Dear Dr Amis, a visitor on Ward 9 shouted at me today, calling me "a useless foreign cow". I wanted it on record.',
    'Dear Mrs Hale, your daughter keeps calling our Sam a "dirty gyppo" at football. If it carries on I will speak to the school.',
    'I just want you to know Lee has been calling me a "freak" in the group chat. I\'ve saved screenshots. What should I do?',
    "People have been saying Dr Osei was arrested for drink driving. He wasn't, he doesn't even drive.",
    "Whoever broke the blender again, I'll make them pay for every single part, with interest.",
]


@pytest.mark.parametrize("text", REPORTS_AND_CORRECTIONS)
def test_reports_corrections_and_bills_give_no_finding(judge: Judge, text: str) -> None:
    """A grievance raised, abuse put on record, a rumour corrected or a bill settled gives no finding of the writer's."""
    assert not judge.types(text) - {"PROFANITY"}, text
