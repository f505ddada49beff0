"""Round 7 families: insinuation, allegations made to the person's face, and coercive control, with their innocent twins."""

from __future__ import annotations

import pytest

from gateway.detect.language import LanguageDetector
from tests.unit.detect.language.conftest import Judge, keyed_matches

# a person set beside a loss or a gain, with the writer's nudge: (text, the parts the finding names)
INSINUATIONS = [
    (
        "Funny how the raffle takings came up £40 short the same week Dr Orme started counting them.",
        "suggestion + loss",
    ),
    (
        "Strange that the ketamine keeps going missing on the nights Marek from pharmacy is on.",
        "suggestion + loss",
    ),
    ("Ask yourself why Professor Lyle's tutees always get distinctions.", "nudge + gain"),
    (
        "I'm not saying Gemma in the bursary office took it, but the tin was full when she locked up.",
        "denial + deed",
    ),
    ("Everyone on the ward knows what Dr Quayle gets up to with the new nurses.", "knowing"),
    (
        "Our treasurer has a brand new Audi the month the ball money vanished. Draw your own conclusions.",
        "suggestion + loss",
    ),
    ("Funny how the float went missing the week she started on the desk.", "suggestion + loss"),
]

# the same word classes with no person, no loss or gain, a deserved gain, a news report, a patient
NOT_INSINUATIONS = [
    "Funny how the printer always jams on a Friday afternoon.",
    "Strange that my stethoscope went missing after the ball, I must have left it in the taxi.",
    "Interesting that Dr Orme got the consultant post, she really deserved it.",
    "According to the BBC, funny how the trust's funds went missing the week the new chief executive started.",
    "Ask yourself why the patient's potassium keeps dropping.",
    "I'm not saying the lecture was bad, but it ran over.",
    "We all know what the OSCE examiners look for: structure.",
    "Funny how the weather always turns on a Friday.",
]

# an allegation said to the reader: (text, the wrongdoing the finding names)
TO_FACE = [
    ("You fiddled your logbook and the whole firm knows it.", "fraud"),
    ("Everyone knows you are a thief, Kieran.", "theft"),
    ("You faked your attendance record all term.", "fraud"),
    ("You were drunk on the ward round on Tuesday, the nurses smelled it.", "drink or drugs"),
    ("You cheated in the anatomy spotter, I watched you.", "cheating"),
    ("You have been pocketing £300 a month from the kitty.", "theft"),
]

# the reader in a rule for anyone, a question, a denial, a victim, a joke between friends
NOT_TO_FACE = [
    "If you copy in the exam you will be thrown out.",
    "You can be struck off for falsifying your logbook.",
    "When you falsify your logbook you put patients at risk.",
    "You were assaulted by a patient's relative, I am so sorry.",
    "Did you cheat in the OSCE?",
    "You cheated in the pub quiz again lol x",
    "I never said you stole anything.",
    "You are not a thief and nobody thinks so.",
]

# checking, isolating and ruling aimed at the reader: (text, the parts the finding names)
COERCION = [
    (
        "Send me a selfie of where you are every hour tonight. And you're not seeing your sister this weekend.",
        "isolate + monitor",
    ),
    ("I go through your phone every night. Who were you texting at 2am?", "monitor"),
    ("You will do as I say. You don't need your friends, you have me.", "command + isolate"),
    ("You're not allowed out without asking me first. You will be home by ten.", "command"),
]

# one part alone, or checking with a kind purpose
NOT_COERCION = [
    "Send me a pic of where you are so I can find you in the crowd x",
    "Share your location when you get home so I know you got back safe.",
    "You are not allowed to use your phone in the OSCE, the examiners are strict.",
    "Who were you with at the conference? The poster looked great.",
    "Stop talking to her about the rota and email the coordinator instead.",
]


@pytest.mark.parametrize(("text", "parts"), INSINUATIONS)
def test_an_insinuation_about_a_person_is_defamation(judge: Judge, text: str, parts: str) -> None:
    """A suggestion, an identifiable person and a loss, a gain or a deed make DEFAMATION that names its parts."""
    found = judge.one(text, "DEFAMATION")
    assert f"insinuates wrongdoing ({parts})" in found.evidence, found.evidence


@pytest.mark.parametrize("text", NOT_INSINUATIONS)
def test_a_suggestion_without_a_person_and_an_act_is_nothing(judge: Judge, text: str) -> None:
    """'Funny how', 'ask yourself why' about things, deserved gains, news or a patient give no DEFAMATION."""
    assert "DEFAMATION" not in judge.types(text), text


@pytest.mark.parametrize(("text", "kind"), TO_FACE)
def test_an_allegation_to_the_persons_face_is_defamation(judge: Judge, text: str, kind: str) -> None:
    """Wrongdoing asserted of the reader ('you fiddled your logbook') is DEFAMATION aimed at the reader."""
    found = judge.one(text, "DEFAMATION")
    assert found.target == "second_person"
    assert kind in found.evidence and "to the person's face" in found.evidence, found.evidence


@pytest.mark.parametrize("text", NOT_TO_FACE)
def test_the_reader_in_a_rule_question_denial_or_joke_is_not_accused(judge: Judge, text: str) -> None:
    """'If you copy ...', 'did you cheat?', a denial, a victim or banter gives no DEFAMATION."""
    assert "DEFAMATION" not in judge.types(text), text


@pytest.mark.parametrize(("text", "parts"), COERCION)
def test_coercive_control_is_harassment(judge: Judge, text: str, parts: str) -> None:
    """Two kinds of control part, or one kind in two sentences, aimed at the reader is HARASSMENT."""
    found = judge.one(text, "HARASSMENT")
    assert found.target == "second_person"
    assert f"coercive control: {parts}" in found.evidence, found.evidence


@pytest.mark.parametrize("text", NOT_COERCION)
def test_one_control_part_or_kind_checking_is_nothing(judge: Judge, text: str) -> None:
    """One part alone, or checking with a kind purpose ('so I can find you'), gives no HARASSMENT."""
    assert "HARASSMENT" not in judge.types(text), text


@pytest.mark.parametrize(
    ("text", "threat"),
    [
        ("If you leave me you will walk away with nothing, I'll take the kids.", True),
        ("Unless you drop it, you won't see the children again.", True),
        ("I'll take the kids to the park on Saturday if you want a lie-in.", False),
        ("The charity helps families left with nothing after a fire.", False),
    ],
)
def test_leaving_someone_with_nothing_is_a_harm(judge: Judge, text: str, threat: bool) -> None:
    """Leaving the reader with nothing is a harm beside a condition; an outing or a charity is not."""
    assert ("THREAT" in judge.types(text)) is threat, text


def test_a_single_control_part_adds_to_another_hint(judge: Judge) -> None:
    """One control part weighs less than a finding alone but adds to a hint of harassment or menace."""
    alone = "Who were you texting at 2am?"
    assert "HARASSMENT" not in judge.types(alone)
    with_hint = "Who were you texting at 2am? I can see you're online right now."
    assert judge.types(with_hint) & {"HARASSMENT", "THREAT"}


def test_pre_checks_never_skip_a_round_seven_match(language: LanguageDetector) -> None:
    """Every insinuation and coercion pattern that matches a table sentence passes its trigger-key pre-check."""
    texts = [t for t, _ in INSINUATIONS + COERCION] + NOT_INSINUATIONS + NOT_COERCION
    insinuation = language.defamation.insinuation
    patterns = [p for ps in insinuation.parts.values() for p in ps] + [insinuation.not_saying]
    patterns += language.coercion.patterns
    assert keyed_matches(language, patterns, texts) >= 20


# from the survivors of scripts/mutate.py on allegations.py (round 7)
@pytest.mark.parametrize(
    "text",
    [
        # the reader is not straight before the wrongdoing: the writer is its subject
        "You told everyone I stole the raffle money.",
        # the sentence opens by denying it
        "Nobody thinks you fiddled your logbook.",
        # the writer, not the colleague named first, is who the wrongdoing is about
        "Dr Rowe keeps telling people I fiddled the audit figures.",
    ],
)
def test_the_subject_must_be_the_person_straight_before_the_wrongdoing(judge: Judge, text: str) -> None:
    """An allegation counts about the reader or a named person only as its subject, and not when denied."""
    assert "DEFAMATION" not in judge.types(text), text


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("Dr Pike has been fiddling the timesheets for months.", "named"),
        ("The ward clerk on Ward 4 has been fiddling the timesheets for months.", "role"),
        ("You have been fiddling the timesheets for months.", "second_person"),
        ("The guy who runs the OSCE rota takes backhanders from the agency.", "role"),
    ],
)
def test_an_allegation_names_the_kind_of_person_it_is_about(judge: Judge, text: str, target: str) -> None:
    """A name gives target 'named', a role 'role', the reader 'second_person'."""
    assert judge.one(text, "DEFAMATION").target == target


def test_he_finds_a_person_named_three_sentences_back(judge: Judge) -> None:
    """He/she looks back up to three sentences for a person described (only the meaning reader knows them)."""
    text = (
        "The guy who runs the OSCE rota sent the list. It is due in May. The template changed. "
        "He takes backhanders from the agency."
    )
    assert "DEFAMATION" in judge.types(text)


@pytest.mark.parametrize(
    ("text", "alleged"),
    [
        # the reader suffered it: a passive form is not an allegation to their face
        ("You were groped on the night bus, I saw it happen.", False),
        # he/she looks past the writer's own sentence to the person described before it
        (
            "The guy who runs the OSCE rota sent the list. I asked him about it. He takes backhanders from the agency.",
            True,
        ),
    ],
)
def test_victims_and_antecedents(judge: Judge, text: str, alleged: bool) -> None:
    """Passive forms and the search back for he/she (from mutation survivors)."""
    assert ("DEFAMATION" in judge.types(text)) is alleged, text


@pytest.mark.parametrize(
    ("text", "alleged"),
    [
        ("Funny how the tin always comes up short on your shifts.", True),
        ("Funny how the tin always comes up short on your shifts lol x", False),
    ],
)
def test_an_insinuation_to_the_reader_is_teasing_between_friends(
    judge: Judge, text: str, alleged: bool
) -> None:
    """The reader is the person of an insinuation only outside banter."""
    assert ("DEFAMATION" in judge.types(text)) is alleged, text


def test_kind_checking_adds_nothing_to_another_hint(judge: Judge) -> None:
    """Checking with a kind purpose weighs nothing, so it does not lift a weak hint to a finding."""
    text = "Send me a pic of where you are so I can find you in the crowd. I can see you're online now."
    assert "HARASSMENT" not in judge.types(text)
