"""A generated clinical email of a given size: handover prose, a ward table, a few identifiers.

Invented from templates and a seeded random generator, so every run
measures the same text. About one paragraph in six names a patient with a
title, one in eight carries an NHS number (valid check digit), and the
table lists beds with hospital numbers; the rest is anonymised clinical
discussion, which is what most of a long clinical email is.
"""

from __future__ import annotations

import random
from email.message import EmailMessage

_GIVEN = [
    "Alma",
    "Bernard",
    "Cora",
    "Dennis",
    "Elsie",
    "Fergus",
    "Gladys",
    "Horace",
    "Ivy",
    "Jasper",
    "Kitty",
    "Leopold",
    "Mabel",
    "Norris",
    "Olive",
    "Percival",
    "Queenie",
    "Rufus",
    "Sybil",
    "Tobias",
]
_FAMILY = [
    "Abernathy",
    "Brackenbury",
    "Cottingham",
    "Dunwoody",
    "Eversleigh",
    "Fairweather",
    "Gosforth",
    "Hollingworth",
    "Inchbald",
    "Jessop",
    "Kettlewell",
    "Longbottom",
    "Mountjoy",
    "Netherwood",
]
_CONDITIONS = [
    "community-acquired pneumonia",
    "an infective exacerbation of COPD",
    "decompensated heart failure",
    "a urinary tract infection with delirium",
    "an upper GI bleed",
    "diabetic ketoacidosis",
    "cellulitis of the left leg",
    "a fractured neck of femur after a fall",
    "acute kidney injury",
    "new atrial fibrillation",
    "a lower respiratory tract infection",
    "a pulmonary embolism",
]
_PLANS = [
    "repeat bloods in the morning and chase the microbiology",
    "switch to oral antibiotics if afebrile for 48 hours",
    "review the fluid balance chart and weigh daily",
    "discuss escalation with the family tomorrow",
    "refer to the frailty team and physiotherapy",
    "chase the echo and the cardiology opinion",
    "start the VTE prophylaxis once the platelets are back",
    "book the OGD on the next list",
]
_PROSE = [
    "The {age}-year-old {sex} in the side room presented with {cond}; observations have settled overnight and "
    "the plan is to {plan}.",
    "We discussed the case at the board round: {cond} with a background of hypertension and type 2 diabetes, "
    "and the consultant wants us to {plan}.",
    "A {age}-year-old {sex} was admitted through the emergency department with {cond}. The chest X-ray was "
    "unremarkable, the lactate was 1.8 and the CURB-65 score was 2, so we will {plan}.",
    "Teaching point from the ward round: in {cond} always check the drug chart for nephrotoxic medication and "
    "review the urine output; the registrar asked us to {plan}.",
    "Remember that the NEWS2 score can be falsely reassuring in older patients; the {age}-year-old {sex} with "
    "{cond} looked well but had a rising respiratory rate, so we will {plan}.",
]


def _nhs_number(rng: random.Random) -> str:
    while True:
        first = [rng.choice("467")] + [str(rng.randrange(10)) for _ in range(8)]
        total = sum(int(d) * w for d, w in zip(first, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check != 10:
            d = "".join(first) + str(check)
            return f"{d[:3]} {d[3:6]} {d[6:]}"


def clinical_text(size: int = 25_000, seed: int = 7) -> str:
    """About `size` characters of handover text."""
    rng = random.Random(seed)
    parts = ["Hi all,", "", "Handover from the night team below, then the jobs list for tomorrow.", ""]
    length = sum(len(p) + 1 for p in parts)
    n = 0
    while length < size - 1500:
        n += 1
        sentences = []
        for _ in range(rng.randint(3, 5)):
            sentences.append(
                rng.choice(_PROSE).format(
                    age=rng.randint(19, 97),
                    sex=rng.choice(["man", "woman"]),
                    cond=rng.choice(_CONDITIONS),
                    plan=rng.choice(_PLANS),
                )
            )
        if n % 6 == 0:
            sentences.insert(
                0,
                f"Mr{rng.choice(['', 's'])} {rng.choice(_GIVEN)} {rng.choice(_FAMILY)} in bed {rng.randint(1, 28)} "
                f"is the one the family keep ringing about.",
            )
        if n % 8 == 0:
            sentences.append(f"Their NHS no is {_nhs_number(rng)} if pharmacy ask.")
        para = " ".join(sentences)
        parts.extend([para, ""])
        length += len(para) + 2
    parts.append("Bed | Hosp no | Issue | Jobs")
    for bed in range(1, 13):
        if length > size - 60:
            break
        row = f"{bed} | K{rng.randint(1000000, 9999999)} | {rng.choice(_CONDITIONS)} | {rng.choice(_PLANS)}"
        parts.append(row)
        length += len(row) + 1
    parts.extend(["", "Thanks,", "Sam", "", "Sam Example", "FY1, Acute Medicine"])
    return "\n".join(parts)


def clinical_email(size: int = 25_000, seed: int = 7) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Sam Example <sam.example@student.example.ac.uk>"
    msg["To"] = "Night Team <night.team@example.ac.uk>"
    msg["Subject"] = "Handover and jobs for tomorrow"
    msg.set_content(clinical_text(size, seed))
    return bytes(msg)
