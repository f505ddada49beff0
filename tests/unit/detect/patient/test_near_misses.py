"""Near-misses: the same people and words as a disclosure, without a health fact about the person."""

from __future__ import annotations

import pytest

from tests.unit.detect import patientfixtures as pf

NEAR_MISSES = [
    (
        "a ward where staff work, then a neighbour in the next paragraph",
        "Placement is fine. The registrar on our ward is lovely.\n\n"
        "I saw Mrs Trelawney from the bakery at the weekend, she asked after you.",
    ),
    ("a porter from A&E", "Guess what, that porter from A&E is Bronagh's cousin, small world."),
    (
        "shown how to do something",
        "Your cousin Fergal is on the surgical training scheme, he showed me how to scrub.",
    ),
    (
        "a book about an organ",
        "Does anyone know when Ms Ferreira's office is open? I have her thyroid physiology book.",
    ),
    (
        "a charity's helpline",
        "Mum, ring the stroke association helpline if Aunty Bisi has questions about the walk.",
    ),
    (
        "a permit with capitalised words",
        "I am writing to support my gran's Blue Badge application, she has arthritis.",
    ),
]


@pytest.mark.parametrize(("kind", "body"), NEAR_MISSES, ids=[k for k, _ in NEAR_MISSES])
def test_near_miss(detector, kind: str, body: str) -> None:
    """Places staff work, teaching objects, charities, permits and a new paragraph give no patient name."""
    assert not pf.found(detector, pf.inspection(body), "PATIENT_NAME"), kind


def test_pronoun_does_not_cross_a_paragraph(detector) -> None:
    """A pronoun in a new paragraph does not carry a health fact from the paragraph before to a name."""
    body = "The man in bed 3 was admitted with sepsis.\n\nI met Dervla Quigley at the gym, she says hi."
    assert not [
        f
        for f in pf.found(detector, pf.inspection(body), "PATIENT_NAME")
        if "Quigley" in body[f.details["spans"][0][0] : f.details["spans"][0][1]]
    ]
