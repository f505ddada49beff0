"""Threats by intent: a harm, knowledge of a life, a condition and a veiled framing, innocent alone, together."""

from __future__ import annotations

import pytest

from gateway.detect.language import LanguageDetector
from tests.unit.detect.language.conftest import STAFF, Judge, keyed_matches

# (text, the parts that must meet): none of these is a stock phrase
THREATS = [
    (
        "Carry on complaining about my marking and see what happens to that bike of yours.",
        {"harm", "leverage"},
    ),
    ("Leave my brother alone or you will end up in A&E, simple as.", {"harm", "leverage"}),
    (
        "Your husband's car is the silver Astra, yes? Be a shame if the brakes went on the bypass.",
        {"harm", "veiled"},
    ),
    ("I've still got your shift pattern, Dr Venn. I've got nothing to lose now.", {"harm", "knowledge"}),
    ("I know your rota for December. Withdraw the statement before Friday.", {"knowledge", "leverage"}),
    (
        "Slippery floors on that ward, Sister Doyle. Accidents happen all the time. Be careful.",
        {"harm", "veiled"},
    ),
    ("Nice flat on Elmfield Road, Dr Venn. Just so we understand each other.", {"knowledge", "veiled"}),
    (
        "I kept the screenshots of your messages. Would be a shame if your placement lead saw them.",
        {"exposure"},
    ),
    ("One more word from you to the panel and your parents get a very long email.", {"exposure", "leverage"}),
    ("You've had your warning. Next time it won't just be your tyres.", {"harm"}),
    ("Zac, you better watch yourself on the towpath. It's dark by half four now.", {"harm", "veiled"}),
    ("Pass my regards to your son at Hollybank Primary, Mrs Orme.", {"knowledge", "veiled"}),
    (
        "Say nothing about the ward round and nobody has to find out about your resit.",
        {"exposure", "leverage"},
    ),
    ("Mr Dale, you will be hurt if you mark me down again.", {"harm", "leverage"}),
    ("If your flatmate comes near my sister again he'll go home in an ambulance.", {"harm", "leverage"}),
    ("Whoever keyed my car: when I find out, I'll break your fingers.", {"harm", "hunt"}),
    ("Settle the £300 by Monday or your new employer is getting a long email. Last warning.", {"exposure"}),
]


@pytest.mark.parametrize(("text", "parts"), THREATS)
def test_parts_of_a_threat_together_are_a_threat(judge: Judge, text: str, parts: set[str]) -> None:
    """Two kinds of part aimed at someone make a severe THREAT, held even when sent to staff only."""
    found = [f for f in judge(text, to=STAFF) if f.type == "THREAT"]
    assert len(found) == 1 and found[0].severity == "severe" and not found[0].quoted
    rules = " ".join(found[0].details["rules"])
    if "intent:" in rules:
        met = {p for r in found[0].details["rules"] if r.startswith("intent:") for p in r[7:].split("+")}
        assert parts <= met


# the same parts alone, or with an innocent purpose, or in someone else's words
NOT_THREATS = [
    "Be careful walking home tonight, it gets dark by 5 now.",  # care
    "I know which bus you get, I'll save you a seat.",  # knowledge alone
    "I have your address now so I can post the birthday card, see you around!",  # a purpose
    "Would be a shame if you missed the ball, I know where you sit so I'll bring you a ticket.",  # regret for them
    "Accidents happen on the ward when people rush, so think carefully before you draw up insulin.",  # advice
    "My car got scratched in the multi-storey again, just so you know to avoid level 3.",  # the writer's car
    "If you keep skipping lectures you won't pass, just saying.",  # a consequence, not the writer's doing
    "Everyone will hear about your promotion on Friday, just so you know.",  # news
    "I still have the photos from the ball, want me to send them?",  # an offer
    "Sam was in a serious accident on the ring road, if you see his mum send our love.",  # news of a friend
    "he texted me 'I know where you live, drop the complaint or else'. What should I do?",  # reported
    "Abusers often say things like 'I know where your kids go to school, drop the case'.",  # teaching
    "Lovely garden you've got! Just saying, the roses are amazing.",  # a compliment
    "Nobody has to find out what I got you for Christmas, just so you know.",  # a surprise
    "Give my regards to your mum, I hope her hip is mending.",  # good wishes
    "Press reset once more and see what happens to the trace on the monitor.",  # a machine
    "Whoever keeps eating my yoghurts: when I find out, the whole flat will know.",  # no harm
]


@pytest.mark.parametrize("text", NOT_THREATS)
def test_parts_alone_or_innocent_are_no_threat(judge: Judge, text: str) -> None:
    """One part, a part with an innocent purpose, or parts in someone else's words are not the writer's threat."""
    assert not [f for f in judge(text, to=STAFF) if f.type == "THREAT" and not f.quoted]


def test_between_friends_knowledge_and_a_framing_stay_care(judge: Judge) -> None:
    """With banter markers, knowledge and a framing alone are care; a harm still makes a threat."""
    assert "THREAT" not in judge.types(
        "I know your shifts this week, just so you know I'll cover Friday lol x"
    )
    assert "THREAT" in judge.types("Stay away from my girlfriend or you'll end up in A&E lol")


def test_the_finding_names_the_parts_never_the_words(judge: Judge) -> None:
    """The evidence says which parts met; no word of the message is in it."""
    found = judge.one("Drop the complaint. I know which car park you use.", "THREAT")
    assert "complaint" not in found.evidence and "car park" not in found.evidence
    assert found.evidence.startswith("threat by intent: knowledge + leverage")


def test_a_threat_in_the_subject_line_alone(judge: Judge) -> None:
    """The parts may stand in the subject line and the body together, or in the subject line alone."""
    found = judge("", subject="Drop the appeal or you'll end up in hospital")
    assert [f.type for f in found] == ["THREAT"] and found[0].where == "header:Subject"


def test_pre_checks_of_the_meaning_rules_never_skip_a_match(language: LanguageDetector) -> None:
    """For every allegation, intent and report pattern: a match in a table sentence implies its key check passes."""
    from tests.unit.detect.language.test_language_allegations import ALLEGED
    from tests.unit.detect.language.test_language_reports import ATTACKS, REPORTS

    texts = (
        [t for t, _ in THREATS] + NOT_THREATS + [t for t, _ in ALLEGED] + [o + " " + q for o, q in REPORTS]
    )
    texts += [o for o, _, _ in ATTACKS]
    keyed = [p for k in language.defamation.described.kinds for p in k.patterns]
    keyed += [p for ps in language.intent.parts.values() for p in ps]
    keyed += [*language.reports.cues, *language.reports.cited]
    assert keyed_matches(language, keyed, texts) >= 40


def test_the_parts_may_come_after_innocent_sentences(judge: Judge) -> None:
    """Sentences without a part before the threat do not stop the reading."""
    text = "Hi Tom. Hope the rota is OK. Keep reporting me and see what happens to your car."
    assert "THREAT" in judge.types(text)


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("Drop the complaint or you'll end up in A&E.", "second_person"),
        ("Tell Dr Loach that one more time and she'll go home in an ambulance.", "named"),
        ("Tell the porter on nights that one more time and he'll go home in an ambulance.", "role"),
    ],
)
def test_the_threat_is_aimed_at_whom_the_sentences_name(judge: Judge, text: str, target: str) -> None:
    """The reader first, else a person named, else a role: the finding's target says whom."""
    assert judge.one(text, "THREAT").target == target


def test_a_later_threat_is_read_after_an_excused_window(judge: Judge) -> None:
    """Care between friends early in a message does not stop a harm later in it from being read."""
    text = (
        "I know your shifts this week, just so you know lol. Pizza Friday? Film after? "
        "Stay away from my girlfriend or you'll end up in A&E x"
    )
    assert "THREAT" in judge.types(text)


def test_finding_out_who_did_it_needs_a_harm(judge: Judge) -> None:
    """Knowing the person's flat and finding out who did it, with no harm, is no threat."""
    text = "I know which flat is yours, Jo. When I find out who took the parcel I'll let you know."
    assert "THREAT" not in judge.types(text)
