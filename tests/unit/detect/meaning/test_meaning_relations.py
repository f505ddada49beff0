"""The relation features: a person reference and a health fact in one clause, their kinds, holder and tense."""

from __future__ import annotations

import pytest

from gateway.detect.meaning.features import Featurizer
from gateway.detect.meaning.relations import FAMILIES, WordClasses, relation_features

CLASSES = WordClasses.load()
FEAT = Featurizer(["Karen", "Tom"], ["Karen", "Gareth"], CLASSES, FAMILIES)


def rel(text: str, families: frozenset[str] = FAMILIES) -> set[str]:
    return relation_features(text, FEAT.placed(text), CLASSES, families)


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("The lady from the bridal shop came to the ball.", {"c:p0:described"}, {"c:ph:described"}),
        (
            "The lady from the bridal shop was diagnosed with cancer.",
            {"c:ph:described:diagnosis", "c:t:past:described", "c:h:diagnosis"},
            {"c:p0:described"},
        ),
        ("A 67-year-old man presented with chest pain", {"c:ph:anon:symptom"}, {"c:ph:described"}),
        ("Karen's biopsy came back", {"c:ph:name:test", "c:ps:name:test"}, set()),
        ("my mum has dementia", {"c:ph:myrel:diagnosis", "c:t:present:myrel"}, set()),
        ("his wife died", {"c:ph:rel:death"}, {"c:ph:myrel:death"}),
        ("I have asthma", {"c:ph:writer:diagnosis"}, set()),
        ("the receptionist has a scan tomorrow", {"c:ph:role:test", "c:t:future:role"}, set()),
        ("a receptionist has a scan", {"c:ph:none:test"}, {"c:ph:role:test"}),
        ("the one with the tattoos is in hospital", {"c:ph:described:admission"}, set()),
        ("one of them is in hospital", {"c:ph:none:admission"}, {"c:ph:described:admission"}),
        ("a person with diabetes", {"c:ph:none:diagnosis"}, {"c:ph:anon:diagnosis"}),
        ("someone is pregnant", {"c:ph:described:pregnancy"}, set()),
        ("Chemotherapy again", {"c:ph:none:treatment", "c:t:none:none"}, set()),
        ("Tom came round, the chemo started", {"c:ph:none:treatment", "c:ps:name:treatment"}, {"c:ph:name"}),
        ("diagnosed: Gareth", {"c:ph:none:diagnosis"}, set()),
        ("Gareth diagnosed", {"c:ph:name:diagnosis"}, set()),
        ("she was admitted, will be discharged tomorrow", {"c:t:past:third", "c:t:future:none"}, set()),
        ("Thanks for the lovely evening", set(), {"c:h:result"}),
    ],
)
def test_relations_by_kind_holder_and_tense(text: str, present: set[str], absent: set[str]) -> None:
    """A health fact's holder is the nearest person reference in its clause (before it, else after it), with
    its kind and the clause's tense; a person without a health fact says so."""
    got = rel(text)
    assert present <= got, sorted(got)
    assert not (absent & got), sorted(got)


def test_a_holder_is_looked_for_a_bounded_distance_away() -> None:
    """A person twelve words or more before the health fact, in the same clause, is not its holder."""
    far = "Gareth " + "and " * 12 + "diagnosed"
    near = "Gareth " + "and " * 11 + "diagnosed"
    assert "c:ph:none:diagnosis" in rel(far)
    assert "c:ph:name:diagnosis" in rel(near)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_family_can_be_switched_on_alone(family: str) -> None:
    """Each family gives only its own features (cross-validation compares them one by one)."""
    text = "Karen's biopsy came back." if family != "p0" else "Karen came round."
    got = rel(text, frozenset({family}))
    assert got
    assert all(f.startswith(f"c:{family}:") for f in got)


def test_no_families_no_features() -> None:
    """With no family switched on the sentence gives no relation feature at all."""
    assert rel("Karen's biopsy came back.", frozenset()) == set()


def test_relation_features_are_part_of_a_sentence_s_features() -> None:
    """The featurizer adds the relation features to the words and pairs, and leaves them out without classes."""
    assert "c:ph:name:test" in FEAT.features("Karen's biopsy came back.")
    plain = Featurizer(["Karen"], ["Karen"])
    assert not any(f.startswith("c:") for f in plain.features("Karen's biopsy came back."))


@pytest.mark.parametrize(
    ("lines", "token", "kind"),
    [
        (["test: scan biopsy"], "biopsy", "test"),
        (["diagnosis: diagnos*"], "diagnosed", "diagnosis"),
        (["diagnosis: diagnos*"], "diagnos", "diagnosis"),
        (["diagnosis: diagnos*"], "diagno", ""),
        (["# test: scan", "", "death: died"], "scan", ""),
        (["death: died"], "die", ""),
    ],
)
def test_word_classes(lines: list[str], token: str, kind: str) -> None:
    """A class file names whole words and prefixes ("diagnos*"); comments and blank lines are skipped."""
    assert WordClasses.parse(lines).of(token) == kind


def test_the_shipped_model_reads_relation_features() -> None:
    """The shipped featurizer has the word classes and the shipped model weighs the relation features it gives."""
    from gateway.detect.meaning.model import MeaningModel, featurizer

    feat = featurizer()
    assert feat.classes is not None and feat.families == FAMILIES
    model = MeaningModel.load(feat)
    given = feat.features("The lady from the bridal shop was diagnosed with breast cancer.")
    assert any(f.startswith("c:") and f in model.weights for f in given)


def test_remembered_lookups_are_bounded_and_right() -> None:
    """Looked-up tokens are remembered up to a bound; past it a token is still classed, just not remembered."""
    from gateway.detect.meaning import relations

    classes = WordClasses.parse(["diagnosis: diagnos*", "death: died"])
    for i in range(relations._CACHED + 10):
        classes.of(f"word{i}")
    assert len(classes.seen) == relations._CACHED
    assert classes.of("diagnosed") == "diagnosis"
    assert classes.of("died") == "death"
    assert "died" not in classes.seen
