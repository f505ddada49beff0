"""Sentence views: what the recognisers read instead of the raw text."""

from __future__ import annotations

import pytest

from gateway.detect.language.sentences import split_sentences
from gateway.detect.language.text import write_out


@pytest.mark.parametrize(
    ("text", "view"),
    [
        ("You'll regret this", "you will regret this"),
        ("I won't, you can't, they don't", "i will not, you can not, they do not"),
        ("he's lying and it's late", "he is lying and it is late"),
        ("u r gonna regret it", "you are going to regret it"),
        ("youre dead", "you are dead"),
        ("U&E results and the student's notes", "u&e results and the student's notes"),
    ],
)
def test_contractions_and_chat_spellings_are_written_out(text: str, view: str) -> None:
    """Patterns see one spelling of "you will", "do not", "you are"."""
    assert write_out(text.lower()) == view


def test_names_become_a_placeholder(language) -> None:
    """Titled names, known names and capitalised pairs are replaced; the title stays."""
    (s,) = language.sentences("Dr Cox told Rhys Vaughan that Imogen was late.", {"imogen"})
    assert s.view == "dr _name_ told _name_ that _name_ was late."


@pytest.mark.parametrize(
    ("text", "view"),
    [
        ("Honestly Jess is late again.", "honestly _name_ is late again."),
        ("We went to Leeds on Friday.", "we went to leeds on friday."),
        ("He finished his PhD in March.", "he finished his phd in march."),
        ("Sorry I've been quiet.", "sorry i have been quiet."),
    ],
)
def test_a_capitalised_word_inside_a_sentence_is_a_name_unless_a_place_or_thing(
    language, text: str, view: str
) -> None:
    """ "Jess" is a person; "Leeds" after "to", "PhD" after "his" and "I've" are not."""
    assert language.sentences(text)[0].view == view


def test_rude_words_that_are_names_stay_names_only_as_names(language) -> None:
    """ "Dick Whittington" is a name; "dick" in a sentence is a word; "Fucking hell" is not a name."""
    assert language.sentences("We saw Dick Whittington.")[0].view == "we saw _name_."
    assert language.sentences("Don't be a dick.")[0].view == "do not be a dick."
    assert language.sentences("Fucking Hell, the bus.")[0].view == "fucking hell, the bus."


@pytest.mark.parametrize(
    ("text", "view"),
    [
        ("She had bloody diarrhoea for three days.", "she had _ok_ for three days."),
        ("Placement in Scunthorpe.", "placement in _ok_."),
        ("He has spastic paraplegia.", "he has _ok_."),
        ("Skin prick test at ten.", "_ok_ test at ten."),
    ],
)
def test_allow_listed_phrases_are_taken_out(language, text: str, view: str) -> None:
    """Clinical phrases and place names never reach the rude lists."""
    assert language.sentences(text)[0].view == view


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("what the f*ck", "fuck"),
        ("sh1t show", "shit"),
        ("fuuuuck", "fuck"),
        ("f u c k this", "fuck"),
        ("@ss", "ass"),
    ],
)
def test_disguised_spellings_are_undone(language, text: str, word: str) -> None:
    """Stars, digits, stretched and spaced letters are read as the word they hide."""
    assert word in language.sentences(text)[0].words()


@pytest.mark.parametrize("text", ["b12 and hba1c", "covid-19 in 2020", "A1 grade", "T2DM on metformin"])
def test_ordinary_codes_are_left_alone(language, text: str) -> None:
    """Digits inside clinical codes are not taken for disguised letters."""
    assert language.sentences(text)[0].view == text.lower()


def test_reported_speech_is_marked(language) -> None:
    """Words in quotation marks, or after "called me a", are someone else's."""
    (s,) = language.sentences('He said "I know where you park" and called me a stupid cow.')
    assert s.is_reported(s.view.index("know"), s.view.index("park") + 4)
    assert s.is_reported(s.view.index("stupid"), s.view.index("cow") + 3)
    assert not s.is_reported(0, 2)


def test_wrapped_lines_join_but_short_lines_and_lists_do_not() -> None:
    """A sentence wrapped at 72 columns is one sentence; list items and short lines are separate."""
    wrapped = (
        "I know where you park on Foundry Lane and I know you are always the last one\n"
        "out of the library on a Thursday.\n\n- no photos on wards\n- no funny stories"
    )
    assert split_sentences(wrapped) == [
        "I know where you park on Foundry Lane and I know you are always the last one out of the library"
        " on a Thursday.",
        "- no photos on wards",
        "- no funny stories",
    ]


def test_titles_do_not_end_sentences() -> None:
    """ "Dr. Cox" stays in one sentence."""
    assert split_sentences("I saw Dr. Cox today. He was late.") == ["I saw Dr. Cox today.", "He was late."]
