"""Public-source framing: people in news, obituaries, statements and essays are not patients the message identifies,
unless the writer met them first-hand in care."""

from __future__ import annotations

import pytest

from tests.unit.detect import patientfixtures as pf

PUBLIC = [
    (
        "a club's statement",
        "Brackley Rovers striker Danny Oduya is out with an ACL tear, the club confirmed on Friday.",
    ),
    ("a team's player, no name", "Brackley Rovers' striker is out with an ACL tear, the club confirmed."),
    (
        "told in a statement",
        "The bassist Rhian Tolley has leukaemia and is having chemo, she said in a statement.",
    ),
    (
        "reports say",
        "Reports say the actor Hugo Pellingham had a heart attack on set and was taken to hospital.",
    ),
    (
        "the family asked for privacy",
        "The singer Marla Voss has died of motor neurone disease; her family asked for privacy.",
    ),
    ("the news as heard", "Did you see the news? The TV chef has spoken openly about his bowel cancer."),
    ("the news, a role", "Did you watch the news about the Health Secretary being admitted with pneumonia?"),
    ("spoken in Parliament", "The MP for Westford talked in Parliament about her own IVF, so brave."),
    ("went public", "The weather presenter went public with her breast cancer diagnosis on Monday."),
    ("a book about it", "The guy off that quiz show has written a book about his prostate cancer."),
    (
        "an obituary",
        "It is with great sadness that we share the death of Ivor Penhale, former dean, who died of pancreatic"
        " cancer at home aged 81. A celebration of his life will follow.",
    ),
    ("a funeral notice", "The funeral will be held on Friday for the village postman, who had lung cancer."),
    (
        "an announcement",
        "The Prime Minister's surgery was announced this morning; a full recovery is expected.",
    ),
]


@pytest.mark.parametrize("body", [b for _, b in PUBLIC], ids=[i for i, _ in PUBLIC])
def test_public_source_is_not_a_patient(detector, body: str) -> None:
    """A person whose health a public source told (news, statement, obituary, Parliament) gives no finding."""
    assert not pf.found(detector, pf.inspection(body))


FIRST_HAND = [
    (
        "seen in clinic",
        "Guess who we saw in the eye clinic this morning: Kitty Brandreth, the Olympic rower, retinal detachment.",
    ),
    ("on our ward", "Kitty Brandreth was on our ward last night with a retinal detachment, she's lovely."),
    (
        "the striker in resus",
        "You'll never guess who we had in resus today, the Brackley Rovers captain, broken tibia, off to theatre.",
    ),
]


@pytest.mark.parametrize("body", [b for _, b in FIRST_HAND], ids=[i for i, _ in FIRST_HAND])
def test_first_hand_encounter_still_found(detector, body: str) -> None:
    """The same kind of person met first-hand in a clinical setting is a patient being identified."""
    assert pf.found(detector, pf.inspection(body))
