"""The data files: they load, their patterns compile, and the pre-checks never skip a match."""

from __future__ import annotations

import pytest

from gateway.detect.language.lexicon import (
    DATA_DIR,
    WordList,
    expand_braces,
    form_variants,
    load_list,
    parse_line,
)
from gateway.detect.language.triggers import passes, trigger_keys
from gateway.errors import ConfigError

CLINICAL = [
    "rectal",
    "rectum",
    "anal",
    "anus",
    "penile",
    "penis",
    "vaginal",
    "vagina",
    "vulva",
    "breast",
    "breasts",
    "nipple",
    "testicular",
    "testicle",
    "testes",
    "scrotum",
    "scrotal",
    "erectile",
    "erection",
    "ejaculation",
    "semen",
    "sperm",
    "sexual",
    "sex",
    "intercourse",
    "orgasm",
    "genital",
    "genitals",
    "clitoris",
    "labia",
    "cervix",
    "uterus",
    "bowel",
    "stool",
    "faeces",
    "urine",
    "vomit",
    "died",
    "death",
    "kill",
    "kills",
    "killed",
    "stab",
    "gay",
    "lesbian",
    "black",
    "asian",
    "muslim",
    "jewish",
    "nigerian",
    "women",
    "disabled",
    "autistic",
]
RUDE_LISTS = ["profanity.txt", "insults.txt", "slurs.txt", "sexual_slang.txt"]


@pytest.mark.parametrize("name", RUDE_LISTS)
def test_no_clinical_or_identity_word_is_on_a_rude_list(name: str) -> None:
    """Anatomy, clinical events and the names of groups are never rude words on their own."""
    assert not set(CLINICAL) & set(load_list(name).vocabulary())


def test_every_list_and_pattern_file_loads(language) -> None:
    """All lists parse and all patterns compile (the detector fixture loaded them)."""
    files = {p.name for p in DATA_DIR.iterdir()}
    assert {"macros.yaml", "threats.yaml", "defamation.yaml", "medical_allow.txt"} <= files
    assert language.patterns and language.defamation.allegations


def test_list_line_format() -> None:
    """Braces expand, alternatives split, attributes parse, hyphens match both ways."""
    forms, entry = parse_line("bloody {stool,stools} | gore-fest ; strength=mild pred", "x.txt")
    assert forms == ["bloody stool", "bloody stools", "gore-fest"]
    assert entry.get("strength") == "mild" and entry.flag("pred") and entry.canonical == "bloody stool"
    assert expand_braces("f{a,b}{,s}") == ["fa", "fas", "fb", "fbs"]
    assert form_variants("dick-head") == [("dickhead",), ("dick", "head")]
    assert parse_line("# a comment", "x.txt") is None


def test_bad_list_line_is_a_config_error() -> None:
    """An entry with attributes but no words names the file."""
    with pytest.raises(ConfigError, match=r"x\.txt"):
        parse_line(" ; kind=noun", "x.txt")


def test_word_list_matches_whole_words_longest_first() -> None:
    """ "waste of space" beats "waste"; prefixes of other words never match."""
    wl = WordList([parse_line("waste | waste of space ; kind=noun", "t")], name="t")  # type: ignore[list-item]
    hits = wl.find("what a waste of space, wasted effort")
    assert [h.text for h in hits] == ["waste of space"]


@pytest.mark.parametrize(
    ("pattern", "alternatives"),
    [
        (
            r"\bi know where (?:you|ya) (?:park|live)",
            [
                [{"i"}, {"kno"}, {"whe"}, {"you"}, {"par", "liv"}],
                [{"i"}, {"kno"}, {"whe"}, {"ya"}, {"par", "liv"}],
            ],
        ),
        (r"\b(?:stealing|steals|stole)\b", [[{"ste"}], [{"sto"}]]),
        (r"\b\w+ xyz", [[{"xyz"}]]),
        (r"\b(?:go and )?kill yourself", [[{"go", "kil"}, {"kil"}, {"you"}]]),
        (r"(?:no|boundary)-start", [[]]),
    ],
)
def test_trigger_keys(pattern: str, alternatives: list[list[set[str]]]) -> None:
    """Each branch of the first alternation lists the words it must contain; unknown starts give none."""
    got = [sorted(map(sorted, sets)) for sets in trigger_keys(pattern)]
    assert sorted(got) == sorted(sorted(map(sorted, sets)) for sets in alternatives)


SAMPLES = [
    "I know where you park and you'll regret this.",
    "He is 100% stealing the fentanyl and turned up to the list stinking of booze.",
    "Those tits in scrubs should be illegal, I'd get her drunk and have a go on her.",
    "Go back to your own country, half of them shouldn't even be here.",
    "You've blocked my number so I'll keep emailing every single day until you answer.",
    "The registrar is definitely nicking morphine and everyone knows it.",
    "Dr _name_ is a danger to patients and should be struck off.",
    "Immigrants are taking our places from British students.",
    "I'd smash her. She's well fit. Bend her over.",
]


def test_pre_checks_never_skip_a_sentence_that_matches(language) -> None:
    """For every pattern and sample sentence: a regex match implies the key check lets it through."""
    recognisers = [*language.patterns, language.defamation._allegations, language.defamation._support]
    sentences = [s for text in SAMPLES for s in language.sentences(text)]
    checked = 0
    for rec in recognisers:
        for pattern, requirements in zip(rec.patterns, rec._keys, strict=True):
            for s in sentences:
                if pattern.regex.search(s.view):
                    checked += 1
                    assert passes(requirements, s.keys), (pattern.id, s.view)
    assert checked >= 15
