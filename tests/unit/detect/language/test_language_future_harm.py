"""Threats read by structure (future_harm.py): a person, a bad future for them, the writer or a plain harm."""

from __future__ import annotations

import pytest

from gateway.detect.language import LanguageDetector
from gateway.detect.language.future_harm import _FUTURE, FUTURE_KEYS, FutureHarmReader
from gateway.detect.language.signals import Document
from tests.unit.detect.language.conftest import STAFF, Judge

READER = FutureHarmReader()

# (text, parts the threatening sentence must show): no stock phrase among them
THREATS = [
    ("Touch my bike once more and I will put you through the common room window.", {"agent", "physical"}),
    ("If the panel fails me, my cousins will come looking for you, Dr Marsh.", {"agent", "harm"}),
    ("Your cat is going to end up in the river if it digs up my borders again.", {"physical"}),
    ("Keep ignoring my emails and you will be leaving campus in an ambulance.", {"physical"}),
    ("One of these nights your van is going to be on fire, Mr Dale.", {"physical"}),
    ("Withdraw the grade or I will make sure you never set foot in a hospital.", {"agent", "harm"}),
    ("You will not be walking out of that seminar room in one piece.", {"physical"}),
    ("My brothers know your address. They will come for you after the exam.", {"agent", "harm"}),
    ("Mark me down again and I promise you will regret the day you met me.", {"agent", "harm"}),
    ("Report me once more and your dog will not come back from its walk.", {"physical"}),
    ("If she gives evidence at the hearing she is getting glassed on the way out.", {"physical"}),
    ("Next time I am kept waiting at that desk someone is getting hurt.", {"agent", "physical"}),
    ("Move my kit off the bench again and you will not be rowing anywhere for a long while.", {"physical"}),
    ("If the keys are not returned by Monday I will take something of yours, Mr Pike.", {"agent", "harm"}),
]

# the same shape where the consequence is proper, kind, safe, taught, played, promised away or past
CLEARED = [
    "If my deposit is not back by Friday I will make sure you hear from the council's housing team.",
    "If you are struggling I will make sure you get help from the wellbeing service.",
    "Please take care on the ice tonight, you will end up in A&E if you run for the bus.",
    "In the simulation the actor will say he is going to break your nose, and you practise calming him.",
    "Tonight in the campaign my character will set your castle on fire, bring dice.",
    "Nobody is going to hurt you here, you are safe with us.",
    "I heard he said they will burn your car, so I have told the security desk.",
    "We got battered in the final, so if you want a rematch next week just say.",
    "I think you will pay for the broken lamp out of your deposit.",
    "Keep lifting like that and you will end up in hospital with your back, look after yourself.",
    "I will be late for the ward round tomorrow because of my own hospital appointment.",
    "I did not hurt anyone on my first night shift, so I will call it a win.",
    "honestly the printer jammed again, i am going to kill him",  # frustration at no one named
    "Somebody is going to get hurt on that staircase if the rail is not fixed soon.",
    "'I will kill you' is the line from that thriller we watched, and it is how I feel about the printer.",
]


def _parts(language: LanguageDetector, text: str) -> set[str]:
    sentences = language.sentences(text)
    found: set[str] = set()
    for k, s in enumerate(sentences):
        found |= set(READER.parts_of(s, sentences[k - 1] if k else None))
    return found


@pytest.mark.parametrize(("text", "parts"), THREATS)
def test_a_person_a_future_and_a_harm_make_a_threat(
    language: LanguageDetector, text: str, parts: set[str]
) -> None:
    """A sentence aimed at someone that tells them a harm to come is read by its parts, whatever its words."""
    found = _parts(language, text)
    assert {"person", "future"} | parts <= found, (text, found)


@pytest.mark.parametrize(("text", "parts"), THREATS)
def test_the_structure_alone_is_a_severe_threat(judge: Judge, text: str, parts: set[str]) -> None:
    """Each of these is held as a severe THREAT in the writer's own words, even to staff only."""
    found = [f for f in judge(text, to=STAFF) if f.type == "THREAT" and not f.quoted]
    assert len(found) == 1 and found[0].severity == "severe", text


@pytest.mark.parametrize("text", CLEARED)
def test_the_same_shape_with_an_innocent_consequence_clears(language: LanguageDetector, text: str) -> None:
    """A process, a benefit, safety advice, teaching, a game, a promise of no harm, reported or past harm."""
    assert _parts(language, text) == set(), text


@pytest.mark.parametrize("text", CLEARED)
def test_cleared_mail_makes_no_structural_finding(judge: Judge, text: str) -> None:
    """None of the cleared sentences gives a finding by the structural rule."""
    for f in judge(text, to=STAFF):
        assert "future-harm" not in f.details["rules"], (text, f)


def test_the_finding_names_its_parts_never_the_words(judge: Judge) -> None:
    """The evidence lists the parts found; no word of the message is in it."""
    text = "Keep ignoring my emails and you will be leaving campus in an ambulance."
    found = judge.one(text, "THREAT", to=STAFF)
    assert "threat by structure: person + future + physical" in found.evidence
    assert "ambulance" not in found.evidence and "campus" not in found.evidence


def test_between_friends_it_counts_half(language: LanguageDetector) -> None:
    """Banter markers halve the weight: a joking threat between friends needs another hint to be held."""
    sentences = language.sentences("If you eat my chips again I will put you through the window lol")
    doc = Document(sentences)
    doc.context.friendly = True
    (signal,) = READER.scan(doc)
    assert signal.weight == 0.5


def test_quoted_speech_is_not_the_writers(judge: Judge) -> None:
    """A threat the sender quotes from someone else is marked quoted, not the sender's own."""
    found = judge(
        "Hi, just flagging this text I got.",
        quoted="You will be leaving in an ambulance next time.",
        to=STAFF,
    )
    assert all(f.quoted for f in found if f.type == "THREAT")


def test_the_key_never_skips_a_future_marker(language: LanguageDetector) -> None:
    """Every sentence of these tables in which a future marker stands passes the cheap key check."""
    checked = 0
    for text in [t for t, _ in THREATS] + CLEARED:
        for s in language.sentences(text):
            if _FUTURE.search(s.view):
                checked += 1
                assert not s.keys.isdisjoint(FUTURE_KEYS), s.view
    assert checked >= len(THREATS)


def test_everyday_sentences_are_skipped_by_the_key(language: LanguageDetector) -> None:
    """A sentence with no future or conditional marker is not read at all."""
    for text in ["Thanks for the notes from Monday.", "The clinic moved to room 4."]:
        (s,) = language.sentences(text)
        assert s.keys.isdisjoint(FUTURE_KEYS)
