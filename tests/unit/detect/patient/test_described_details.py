"""People picked out by a detail and not a name (a clause about what they do somewhere named, the place they
serve, a named business before their role, a thing they are always seen with), safeguarding concerns with no
diagnosis, and the clearing cases that stay clean."""

from __future__ import annotations

import pytest

from tests.unit.detect import patientfixtures as pf

REPORTED = [
    (
        "a clause naming where they do it",
        "The old boy who feeds the pigeons in Marlow Square every day died on the ward last night.",
    ),
    (
        "the role of a named place",
        "The warden of St Cuthbert's had a breakdown and is in the psych unit now.",
    ),
    (
        "a named business before the role",
        "The Kestrel Taxis driver came in with an overdose last night, he's on HDU.",
    ),
    ("a thing seen with them", "the man with the hot dog stall at the station is on the stroke unit"),
    ("one of a kind, when it happened", "the only Faroese student in Year 2 went into DKA during the exam"),
    (
        "they told of themselves",
        "The Kestrel Taxis driver told me on the way home he'd been in the crisis house after trying to take his life",
    ),
    ("safeguarding by a place in care", "social services came for the twins in bay 3 this afternoon"),
    ("safeguarding: bruises and a story", "bruises on the toddler in cubicle 2, mum's story didn't add up"),
    ("a pregnancy lost", "the lady who runs the Hollybush café lost her baby on Thursday"),
]


@pytest.mark.parametrize("body", [b for _, b in REPORTED], ids=[n for n, _ in REPORTED])
def test_reported(detector, body: str) -> None:
    """A person picked out by such a detail and told a health or safeguarding fact is reported."""
    assert pf.found(detector, pf.inspection(body)), body


DELIVERED = [
    ("a tutor speaking of a condition", "the tutor told me about renal tubular acidosis yesterday"),
    ("a clause with no named place", "the man who sells papers came round, his dog has a limp"),
    ("safeguarding as training", "safeguarding training for the twins' nursery staff is on Tuesday"),
    ("bruises alone", "bruises on the bananas again, the shop's delivery was late"),
    (
        "a royal in a debate",
        "Is Prince Aldous's prostate cancer diagnosis a good example for the screening essay?",
    ),
    ("a named business, no health", "The Kestrel Taxis driver told me he'd been to Whitby last month."),
    ("the one who does the harm", "the boy Tobiah in her class has been hitting her and I have photos of it"),
    (
        "a name before 'who' and a lost thing",
        "thanks to the porters on Ward 9, esp Danuta who found my lost badge",
    ),
    (
        "health words someone studies",
        "Remember Gruffydd from sixth form? He's doing a PhD on insulin pumps now.",
    ),
]


@pytest.mark.parametrize("body", [b for _, b in DELIVERED], ids=[n for n, _ in DELIVERED])
def test_not_reported(detector, body: str) -> None:
    """Speech about a condition, a trait with no health fact, training, fruit and a royal in an essay stay clean."""
    assert pf.found(detector, pf.inspection(body)) == [], body
