"""Round 8 clearing cases: each everyday message with its twin that must still be held.

Families read from the clean entries the gateway held across several writers' files: a
victim or a witness asking for advice in words the report cues lacked, an insult word the
writer says of themselves (a second verb after "and", a trailing word after their own
news), reassurance that quotes the reader's self-talk, a machine sworn at, and the
laughing faces that mark banter.
"""

from __future__ import annotations

import pytest

from tests.unit.detect.language.conftest import OUTSIDE, STAFF, Judge, keyed_matches

# (own words, forwarded or quoted text): a report that asks for guidance, or names who was told
REPORTS = [
    (
        "The message below came to my phone at midnight. I would really appreciate some advice about it.",
        "Keep talking about me and you'll regret it, I know where you sleep.",
    ),
    (
        "A girl on my course showed me what she was sent and said I could pass it on. We'd value your guidance"
        " on the next steps.",
        "Tell anyone about Saturday and I'll post the photos everywhere, your family will see them.",
    ),
    (
        "My daughter was sent the message below. Can the school advise what support there is?",
        "Tell anyone about Saturday and I'll post the photos everywhere, your family will see them.",
    ),
    (
        "I really didn't know who else to turn to, so I'm sending you what he wrote.",
        "you grassed me up, watch your back when you walk home, I know which way you go",
    ),
    (
        'A porter told me to "go back to your own country" in the lift. I have told my educational supervisor.',
        "",
    ),
    (
        'Someone wrote "go back where you came from" on my locker. I would like to know my options.',
        "",
    ),
]


@pytest.mark.parametrize(("own", "quoted"), REPORTS)
def test_a_report_in_other_words_gives_no_finding(judge: Judge, own: str, quoted: str) -> None:
    """Abuse cited by someone asking for guidance or saying who they told gives no severe finding."""
    for to in (STAFF, OUTSIDE):
        assert [f.type for f in judge(own, quoted=quoted, to=to) if f.severity == "severe"] == []


# the same cues beside the writer's own abuse: an attack, held
REPORT_TWINS = [
    ("I would appreciate some advice, you spineless coward.", "", "INSULT"),
    ("I have told my supervisor. Honestly the ward clerk on 12 is nicking the petty cash.", "", "DEFAMATION"),
    ("Could the school please advise? I know where you live and you'll regret it.", "", "THREAT"),
    ("I didn't know who else to turn to. You're a pathetic loser.", "", "INSULT"),
]


@pytest.mark.parametrize(("own", "quoted", "type_"), REPORT_TWINS)
def test_the_writers_own_abuse_beside_a_report_cue_is_held(
    judge: Judge, own: str, quoted: str, type_: str
) -> None:
    """A report cue does not excuse what the writer says themselves."""
    assert type_ in {f.type for f in judge(own, quoted=quoted) if f.severity == "severe"}


def test_the_new_report_cues_keep_their_trigger_keys(judge: Judge) -> None:
    """The key pre-check never skips a sentence the new cues match."""
    texts = [own for own, _ in REPORTS]
    assert keyed_matches(judge.detector, judge.detector.reports.cues, texts) >= len(texts)  # type: ignore[attr-defined]


# an insult word said of the writer, of a machine, or in reassurance: no insult
SAID_OF_NO_ONE_ELSE = [
    "Sorry for all the texts last night, I was tired and being a complete idiot.",
    "Left my stethoscope on the train again, idiot.",
    "Forgot my own birthday drinks booking, absolute idiot.",
    "You're a brilliant student. Stop saying you're useless.",
    "Never think you're stupid for asking a question in teaching.",
    "This laptop is an absolute piece of shit, it crashed twice during my presentation.",
    "The printer is an absolute piece of shit, it ate my poster.",
]


@pytest.mark.parametrize("text", SAID_OF_NO_ONE_ELSE)
def test_an_insult_word_said_of_the_writer_or_a_thing_is_not_an_insult(judge: Judge, text: str) -> None:
    """Said of oneself, of a machine, or quoting the reader's self-talk to contradict it: no INSULT."""
    assert "INSULT" not in judge.types(text)


SAID_OF_SOMEONE = [
    "He was drunk again and being a complete prick to the nurses.",
    "You were late and being a total idiot about it.",
    "You forgot to book my leave, idiot.",
    "Cheers for nothing, idiot.",
    "Stop pretending, you are a useless idiot.",
    "The registrar on nights is a useless piece of shit.",
    "Left my notes with you and you lost them, idiot.",
    "The new porter from the 3rd floor keeps taking our chairs, lazy slag.",
    "Nicked my charger again, idiot.",
    "I reported the porter twice already, the useless prick.",
    "I'm saying you're useless, because you are.",
    "The bloke at the photocopier is a prick.",
]


@pytest.mark.parametrize("text", SAID_OF_SOMEONE)
def test_the_same_words_aimed_at_someone_stay_an_insult(judge: Judge, text: str) -> None:
    """The reader, a person or a role is still insulted by the same words."""
    assert "INSULT" in judge.types(text)


# laughing and teasing faces the banter markers lacked: a joking threat or tease counts half
BANTER = [
    "I'll stab you with a biro if you don't stop humming that song in the library \U0001f643",
    "ha ha ha very clever, whoever hid my lab coat, you absolute clowns",
    "Spoil the finale for me and I'll kill you \U0001f605",
]


@pytest.mark.parametrize("text", BANTER)
def test_a_joke_marked_by_a_laughing_face_is_not_held(judge: Judge, text: str) -> None:
    """Banter marked by a laughing face or spaced laughter gives no severe finding."""
    assert [f.type for f in judge(text) if f.severity == "severe"] == []


BANTER_TWINS = [
    "I'll stab you with a biro if you don't stop humming that song in the library",
    "I'll strangle you if you report me \U0001f643 I know where you live.",
    "ha ha ha, you disgusting p*ki, go home",
    "Spoil it again and I'll kill you \U0001f605 and I know which bus you take home.",
]


@pytest.mark.parametrize("text", BANTER_TWINS)
def test_real_menace_or_a_slur_with_a_laughing_face_is_still_held(judge: Judge, text: str) -> None:
    """A laughing face does not soften a slur or menace with a second sign."""
    assert [f.type for f in judge(text) if f.severity == "severe"] != []
