"""A patient's phone number, rule by rule: each way a number is passed over, that passing one over does not stop
the next, whose table column counts, the score each tie gives, and when a pronoun points at staff."""

from __future__ import annotations

import pytest

from tests.unit.detect import patientfixtures as pf

PATIENTS = "07700 900222"
TIED = f"The patient's wife is on {PATIENTS} - his biopsy result is back."


def phones(detector, body: str) -> list[tuple[str, float]]:
    """(number, score) of every patient phone found in `body`."""
    return [(f.evidence, f.score) for f in pf.found(detector, pf.inspection(body), "PATIENT_PHONE")]


@pytest.mark.parametrize(
    "first",
    [
        pytest.param("Switchboard 0161 496 0000 for the ward.", id="switchboard line"),
        pytest.param("Call me on 07700 900111 after clinic.", id="the writer's own"),
        pytest.param("Dr Okafor is on leave this week; her mobile is 07700 900333.", id="staff pronoun"),
        pytest.param("The clinic desk number 0161 496 0123 is on the letter.", id="no tie"),
    ],
)
def test_a_number_passed_over_does_not_stop_the_next(detector, first: str) -> None:
    """A number that is not a patient's, earlier in the message, does not hide the patient's number after it."""
    found = phones(detector, f"{first}\n\n{TIED}")
    assert len(found) == 1 and "is on [PATIENT_PHONE]" in found[0][0]


def table(header: str, number: str, plan: str) -> str:
    return f"Row\t{header}\tPlan\n1\t{number}\t{plan}"


@pytest.mark.parametrize(
    ("header", "plan", "count"),
    [
        pytest.param("Patient mobile", "review", 1, id="patient column, no health word"),
        pytest.param("NOK tel", "review", 1, id="next of kin column"),
        pytest.param("Daughter's mobile", "chemo review", 1, id="relative column beside a health fact"),
        pytest.param("Daughter's mobile", "review", 0, id="relative column alone"),
        pytest.param("Mobile", "review", 0, id="a column of nobody's numbers"),
    ],
)
def test_table_columns(detector, header: str, plan: str, count: int) -> None:
    """A column of patients' numbers counts on its own; a relative's column beside a health fact; any other
    column by the heading alone never."""
    found = phones(detector, table(header, "07700 900888", plan))
    assert len(found) == count
    assert all(score == pytest.approx(0.7) for _, score in found)


@pytest.mark.parametrize(
    ("body", "score"),
    [
        pytest.param(
            "Please ring her on 0161 496 0733 about the scan results.", 0.75, id="tie, one clinical word"
        ),
        pytest.param(
            "Please ring her on 0161 496 0733 about the scan results from the ward round and her chemo.",
            0.8,
            id="tie, a clinical message",
        ),
        pytest.param(
            f"NHS no {pf.nhs_number('485')}. Please ring her on 0161 496 0733 about the scan results.",
            0.85,
            id="tie, an identifier near",
        ),
        pytest.param(
            "Seen on the ward today: the patient in bed 4 with chest pain.\nTel: 0161 496 0733\n"
            "Plan: bloods and an ECG, then home if clear.",
            0.7,
            id="Tel: under patient details",
        ),
    ],
)
def test_scores(detector, body: str, score: float) -> None:
    """A possessive tie scores 0.75, a Tel: field under a patient's details 0.65 (0.7 here, in a clearly clinical message); an identifier within 400
    characters adds 0.1 and a clearly clinical message 0.05."""
    ((_, got),) = phones(detector, body)
    assert got == pytest.approx(score)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            "Tel: 0161 496 0733\nThe scan results are back for the ward round.", id="Tel: with nothing above"
        ),
        pytest.param(
            "Robin Ashcombe, 4th year medical student, ward placements in chest medicine.\nTel: 0161 496 0733\n"
            "Plan: bloods and an ECG on the ward.",
            id="Tel: under the writer's own name",
        ),
        pytest.param(
            "Dr Siddiqui is covering the ward round today. Ring her on 0161 496 0733 about the rota.",
            id="her is a doctor",
        ),
    ],
)
def test_not_the_patients(detector, body: str) -> None:
    """A Tel: field with no patient above it, the writer's own details and a doctor's number are not a
    patient's."""
    assert phones(detector, body) == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            "Mrs Dunn's CT showed a bleed, Dr Patel saw her. Ring her on 0161 496 0733 today.",
            id="a health fact before: the patient",
        ),
        pytest.param(
            "Dr Patel spoke to the patient's daughter on the ward. Ring her on 0161 496 0733 today.",
            id="a relative named: the relative",
        ),
        pytest.param(
            "Dr Patel met the daughter yesterday. Ring her on 0161 496 0733 about her mum's biopsy result.",
            id="a relative alone, no patient cue",
        ),
    ],
)
def test_pronoun_after_staff_still_the_patients(detector, body: str) -> None:
    """A pronoun after a doctor's name still points at the patient or relative when the passage has a health
    fact about the patient or names a relative."""
    assert len(phones(detector, body)) == 1


RELATIVES = [
    "mum", "mother", "dad", "father", "wife", "husband", "son", "daughter", "partner", "carer", "sister", "brother",
    "niece", "nephew", "grandson", "granddaughter", "aunt", "uncle", "neighbour", "neighbor", "family",
]  # fmt: skip


@pytest.mark.parametrize("relative", RELATIVES)
def test_every_relative_word(detector, relative: str) -> None:
    """Each relative a family gives a number for ties it: "please ring her niece on ..." in a clinical message."""
    body = f"Please ring her {relative} on 0161 496 0733 about her biopsy result from the clinic."
    assert len(phones(detector, body)) == 1


@pytest.mark.parametrize(
    "body",
    [
        "His mobile is 07700 900123, re the biopsy result from clinic.",
        "Their landline is 0161 496 0733, re the biopsy result from clinic.",
        "The patient's number is 07700 900123, re the biopsy result from clinic.",
        "Pt's tel 07700 900123, re the biopsy result from clinic.",
        "Mum's phone is 07700 900123, re the biopsy result from clinic.",
        "Text them on 07700 900123 about the biopsy result from clinic.",
        "Contact her on 07700 900123 about the biopsy result from clinic.",
        "Reach him on 07700 900123 about the biopsy result from clinic.",
        "Phone the family on 07700 900123 about the biopsy result from clinic.",
        "Next of kin 07700 900123, re the biopsy result from clinic.",
        "Patient contact tel 07700 900123, re the biopsy result from clinic.",
        "Her son is on 07700 900123 about the biopsy result from clinic.",
        "Family at the bedside, son on 07700 900123, biopsy result from clinic awaited.",
        "The number for her carer is 07700 900123, re the biopsy result from clinic.",
        "His wife can be reached on 07700 900123 about the biopsy result from clinic.",
        "She would like a call back on 07700 900123 about the biopsy result from clinic.",
        "Ring 07700 900123 (patient's husband) about the biopsy result from clinic.",
        "Ring 07700 900123 - his wife - about the biopsy result from clinic.",
        "Ring 07700 900123 (NOK) about the biopsy result from clinic.",
    ],
)
def test_every_way_of_tying(detector, body: str) -> None:
    """Possessives, verbs with a pronoun, labels, "is on", "can be reached", call-back wishes, and whose it is
    said after the number each tie a number to the patient in a clinical message."""
    assert len(phones(detector, body)) == 1
