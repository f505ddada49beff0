"""The traps of a medical school's mail: nothing here may produce any abusive_language finding.

Anatomy, procedures, clinical deaths, sexual-health clinic rotas, place names, surnames and civil but
strong complaints, written the way students write them.
"""

from __future__ import annotations

import pytest

TRAPS = {
    "anatomy": [
        "Had our intimate examination teaching today: rectal examination on the manikins, then how to ask "
        "about penile discharge without going red, and a breast lump station palpating all four quadrants.",
        "Anal fissures are usually posterior midline; if they're not, think Crohn's.",
        "Crohn's can affect anywhere from mouth to anus.",
        "Testicular torsion is a six-hour emergency, so examine the scrotum early.",
        "Cotton wool balls and gauze are in the top drawer of the clinical skills trolley.",
    ],
    "procedures": [
        "Skin prick test for the peanut allergy clinic tomorrow, then a needle prick audit.",
        "The fracture was fixed with a dynamic hip screw and she was up with the physios on day one.",
        "Chest compressions: pound the chest hard and fast, at least five centimetres deep.",
        "She presented with bloody diarrhoea and abdominal pain; stool sample sent for C. diff.",
        "Feel for the pulse with two fingers at the wrist, never the thumb.",
    ],
    "clinical deaths": [
        "The label on the pot said the tumour killed him within six months, which felt bleak.",
        "Pip-taz kills gram-negative bacteria including Pseudomonas, ceftriaxone doesn't.",
        "The patient died yesterday afternoon; everyone knew it was coming.",
        "He was stabbed outside the match on Saturday and went back to theatre at 1am.",
        "The man was punched in the face outside a pub and came in with a nasal fracture.",
    ],
    "sexual health": [
        "I'm on the sexual health clinic rota on Tuesday and Thursday afternoons this block.",
        "GUM clinic: chlamydia and gonorrhoea screening, then partner notification and PEP.",
        "Talk from the sexual health team on PrEP for men who have sex with men.",
        "Lecture on erectile dysfunction as an early marker of cardiovascular disease.",
        "Take a full sexual history, including oral and anal sex and condom use.",
    ],
    "place names": [
        "My placement is in Scunthorpe next block and then a GP surgery in Penistone.",
        "We drove through Cockermouth and Clitheroe on the way up to the Lakes.",
        "The rugby club is playing away at Twatt this weekend.",
    ],
    "surnames": [
        "Dr Cox said the ward round starts at eight sharp.",
        "Dick Whittington is the panto this year, tickets are a fiver.",
        "Professor Gay is giving the lecture on renal physiology.",
        "Mr Butt in bed 4 needs his bloods repeating before the scan.",
        "Please ask Sister Hoare or Dr Balls to sign the logbook.",
    ],
    "civil complaints": [
        "I want to be direct: the placement has been disorganised and is not meeting the outcomes.",
        "This is my third report of damp and mould. Your contractor did not arrive and nobody has "
        "contacted me since. If I do not hear from you by Friday I will contact the council.",
        "This is extremely poor service and frankly unacceptable. I will refer the matter to the ombudsman.",
        "I am disappointed that teaching was cancelled again and I intend to make a formal complaint.",
        "The consultant was dismissive on the ward round and I felt humiliated; I'd like to discuss it.",
    ],
}


@pytest.mark.parametrize(
    "text", [t for texts in TRAPS.values() for t in texts], ids=[k for k, v in TRAPS.items() for _ in v]
)
def test_medical_school_mail_is_not_abusive(judge, text: str) -> None:
    """Clinical words, places, surnames and firm complaints produce no abusive_language finding."""
    assert judge(text) == []


def test_social_media_guidance_quoted_word_for_word(judge) -> None:
    """Quoting the guidance's own list of forbidden things is not itself abusive."""
    text = (
        'Remember emails must not be "illegal, defamatory, libellous, offensive, obscene, threatening or '
        'otherwise likely to cause nuisance, harm or distress", so no funny patient stories.'
    )
    assert judge(text) == []
