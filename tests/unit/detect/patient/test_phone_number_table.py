"""A patient's phone number, exactly: the number shapes read (and their spans), each relative, pronoun, label and
column that ties a number to a patient, and each word that marks one as the writer's own, staff's or a switchboard's."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.detect.patient import PatientDetector, PatientDetectorOptions
from tests.unit.detect import patientfixtures as pf

#: a clinical sentence that ties the number before it to the patient, around any number shape
TIE = "Please ring her on {number} about the biopsy result from clinic."
#: the patient's own number, later in a message whose earlier number is someone else's
TIED = "The patient's wife is on 07700 900222 - his biopsy result is back."
#: a patient's details, then a labelled field on its own line
DETAILS = "Seen on the ward today: the patient in bed 4 with chest pain.\n{label} 0161 496 0733\nPlan: bloods and an ECG."


def phones(detector: Any, body: str) -> list[str]:
    """The text of every patient phone number found in `body`, in order."""
    found = pf.found(detector, pf.inspection(body), "PATIENT_PHONE")
    return [body[a:b] for f in found for a, b in f.details["spans"]]


def finding(detector: Any, body: str) -> tuple[list[str], float, list[str], str]:
    """(numbers, score, reasons, evidence) of the one patient phone finding in `body`."""
    (f,) = pf.found(detector, pf.inspection(body), "PATIENT_PHONE")
    return [body[a:b] for a, b in f.details["spans"]], f.score, f.details["reasons"], f.evidence


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("07700 900123", id="mobile"),
        pytest.param("07700900123", id="mobile, no blanks"),
        pytest.param("07700 900 123", id="mobile in three groups"),
        pytest.param("07700-900-123", id="mobile with hyphens"),
        pytest.param("(07700) 900123", id="mobile in brackets"),
        pytest.param("+44 7700 900123", id="+44 mobile"),
        pytest.param("+447700900123", id="+44 mobile, no blanks"),
        pytest.param("+44 (0) 7700 900123", id="+44 (0) with blanks"),
        pytest.param("+44 (0)7700 900123", id="+44 (0) without a blank after"),
        pytest.param("0044 7700 900123", id="0044 mobile"),
        pytest.param("00 44 7700 900123", id="00 44 mobile"),
        pytest.param("0161 496 0733", id="landline, four-digit area code"),
        pytest.param("01614960733", id="landline, no blanks"),
        pytest.param("0113-496-0789", id="landline with hyphens"),
        pytest.param("020 7946 0123", id="London, two-digit area code"),
        pytest.param("01632 960123", id="five-digit area code, three-digit group last"),
        pytest.param("(0161) 496 0733", id="area code in brackets"),
        pytest.param("+44 161 496 0733", id="+44 landline"),
        pytest.param("0800 496 0733", id="freephone"),
    ],
)
def test_number_shapes(detector: Any, number: str) -> None:
    """Each UK mobile and landline shape is read whole: the finding's span is exactly the number as written."""
    assert phones(detector, TIE.format(number=number)) == [number]


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("+07700 900123", id="a plus before a domestic number"),
        pytest.param("07700 9001234", id="a digit too many"),
        pytest.param("07700 90012", id="a digit too few"),
        pytest.param("0161 496 07331", id="landline with a digit too many"),
        pytest.param("09001 234567", id="premium rate"),
        pytest.param("ID07700 900123", id="glued to a word"),
    ],
)
def test_not_a_number(detector: Any, number: str) -> None:
    """Digits that are not a UK number as written (too long, too short, glued to a word or a plus) are not read."""
    assert phones(detector, TIE.format(number=number)) == []


RELATIVES = [
    "Mum", "Mother", "Dad", "Father", "Wife", "Husband", "Son", "Daughter", "Partner", "Carer", "Sister", "Brother",
    "Niece", "Nephew", "Grandson", "Granddaughter", "Aunt", "Uncle", "Neighbour", "Neighbor", "Family",
]  # fmt: skip


@pytest.mark.parametrize("relative", RELATIVES)
def test_relative_word_right_before_the_number(detector: Any, relative: str) -> None:
    """A relative's word right before the number, as notes put it ("Bedside today: niece 07700 ..."), ties it."""
    body = f"Bedside today: {relative.lower()} 07700 900123, biopsy result from clinic discussed."
    assert phones(detector, body) == ["07700 900123"]


@pytest.mark.parametrize("word", ["porter", "taxi", "pharmacy"])
def test_other_word_right_before_the_number(detector: Any, word: str) -> None:
    """Any other word in that place ties nothing: the relative's word is what counts."""
    body = f"Bedside today: {word} 07700 900123, biopsy result from clinic discussed."
    assert phones(detector, body) == []


#: a doctor named, then a pronoun's number: a colleague's; the patient's number follows
STAFF = "Dr Okafor is on leave this week; {form} 07700 900333.\n\n" + TIED


@pytest.mark.parametrize(
    "form",
    [
        "her mobile is",
        "his number is",
        "their phone is",
        "her landline is",
        "her tel is",
        "her telephone is",
        "her contact is",
        "her no is",
        "her no. is",
        "her own mobile is",
        "her work  mobile is",
        "her  mobile is",
        "she asked for her call back on",
        "she asked for her callback on",
        "ring her on",
        "ring  her on",
        "ring him on",
        "ring them on",
        "call her on",
        "phone her on",
        "text her on",
        "contact her on",
        "reach her on",
    ],
)
def test_pronoun_after_a_doctor_is_staff(detector: Any, form: str) -> None:
    """Every pronoun form ("her mobile", "ring him", "her call back") after a doctor's name, with no patient or
    relative in the passage, points at the doctor: only the patient's number later in the message is reported."""
    assert phones(detector, STAFF.format(form=form)) == ["07700 900222"]


@pytest.mark.parametrize(
    ("passage", "count"),
    [
        pytest.param("Dr Patel spoke to the NOK yesterday.", 1, id="NOK"),
        pytest.param("Dr Patel spoke to the next of kin yesterday.", 1, id="next of kin"),
        pytest.param("Dr Patel spoke to the next of  kin yesterday.", 1, id="next of kin, doubled blank"),
        pytest.param(
            "Dr Patel spoke to the next  of kin yesterday.", 1, id="next of kin, doubled blank first"
        ),
        pytest.param("Dr Patel spoke to the ward sister yesterday.", 0, id="a ward sister is staff"),
        pytest.param("Dr Patel spoke to Sister Okafor yesterday.", 0, id="Sister and a name is staff"),
        pytest.param("Dr Patel spoke to the sister yesterday.", 1, id="a sister alone is a relative"),
    ],
)
def test_relative_in_the_passage(detector: Any, passage: str, count: int) -> None:
    """A relative (NOK, next of kin, a sister) named after a doctor makes "ring her" the relative's; a ward sister
    or Sister with a name is staff."""
    body = f"{passage} Ring her on 0161 496 0733 about the biopsy result."
    assert len(phones(detector, body)) == count


#: a tie ("her mobile") before the writer's own number
MINE = "If you cannot get her on her mobile, {form} 07700 900111 about the biopsy result."


@pytest.mark.parametrize(
    "form",
    [
        "call me on",
        "call  me on",
        "ring me on",
        "text me on",
        "reach me on",
        "contact me on",
    ],
)
def test_call_me(detector: Any, form: str) -> None:
    """ "Call me", "ring me", "text me", "reach me", "contact me": the writer's own number, even after a tie."""
    assert phones(detector, MINE.format(form=form)) == []


#: a relative's possessive before the writer's own number
OWN = "Ring her daughter; {form} 07700 900111 about the biopsy result."


@pytest.mark.parametrize(
    "form",
    [
        "my mobile is",
        "my  mobile is",
        "our number is",
        "my phone is",
        "my landline is",
        "my no is",
        "my no. is",
        "my work mobile is",
        "my work  mobile is",
    ],
)
def test_my_number(detector: Any, form: str) -> None:
    """ "My mobile", "our number", "my work mobile": the writer's own number, even after a relative is named."""
    assert phones(detector, OWN.format(form=form)) == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            "Her daughter asked for your number; ring her on 07700 900123 about the biopsy result.",
            id="your number",
        ),
        pytest.param(
            "Her son will bring me the forms; ring her on 07700 900123 about the biopsy result.",
            id="bring me",
        ),
        pytest.param("From my notes: ring her on 07700 900123 about the biopsy result.", id="my notes"),
        pytest.param(
            "Please contact medical records and ring her on 07700 900123 about the biopsy result.",
            id="contact medical",
        ),
    ],
)
def test_not_the_writers_own(detector: Any, body: str) -> None:
    """Words that only contain "our number", "ring me", "my no" or "contact me" do not make a number the writer's."""
    assert phones(detector, body) == ["07700 900123"]


@pytest.mark.parametrize(
    "word",
    [
        "switchboard",
        "bleep",
        "pager",
        "fax",
        "ext",
        "extension",
        "office",
        "secretary",
        "reception",
        "direct line",
        "enquiries",
        "helpline",
    ],
)
def test_service_line(detector: Any, word: str) -> None:
    """A switchboard, bleep, office or helpline word on the line before a number: a service's number, not the
    patient's, even after a tie."""
    body = f"Ring her back through the {word} on 0161 496 0000 about the biopsy result."
    assert phones(detector, body) == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("Text her on 0161 496 0733 about the biopsy result.", id="text"),
        pytest.param(
            "Before the extra dose tonight, ring her on 0161 496 0733 about the biopsy result.", id="extra"
        ),
        pytest.param("Officially, ring her on 0161 496 0733 about the biopsy result.", id="officially"),
    ],
)
def test_service_words_inside_other_words(detector: Any, body: str) -> None:
    """ "ext" in "text" or "extra", "office" in "officially": no service line."""
    assert phones(detector, body) == ["0161 496 0733"]


def column(header: str, plan: str = "review") -> str:
    return f"Row\t{header}\tPlan\n1\t07700 900888\t{plan}"


@pytest.mark.parametrize(
    ("header", "count"),
    [
        pytest.param("Patient mobile", 1, id="patient"),
        pytest.param("Patient's mobile", 1, id="patient's"),
        pytest.param("Patients mobile", 1, id="patients"),
        pytest.param("Pt tel", 1, id="pt"),
        pytest.param("Pt's tel", 1, id="pt's"),
        pytest.param("Pts tel", 1, id="pts"),
        pytest.param("NOK tel", 1, id="NOK"),
        pytest.param("Next of kin tel", 1, id="next of kin"),
        pytest.param("Dept tel", 0, id="Dept ends in pt"),
        pytest.param("PTA mobile", 0, id="PTA begins with pt"),
        pytest.param("Nokia mobile", 0, id="Nokia begins with nok"),
        pytest.param("Inpatient ward tel", 0, id="inpatient ward"),
        pytest.param("Daughter's mobile", 0, id="a relative's column alone"),
    ],
)
def test_patient_column(detector: Any, header: str, count: int) -> None:
    """A column headed for a patient's or next of kin's number counts with no health word near; a word that only
    contains "pt", "nok" or "patient" does not, nor a relative's column alone."""
    found = pf.found(detector, pf.inspection(column(header)), "PATIENT_PHONE")
    assert [(f.score, f.details["reasons"]) for f in found] == [(0.7, ["table column"])] * count


@pytest.mark.parametrize("header", ["Daughter's mobile", "Husband tel", "Mum's phone", "Carers number"])
def test_relative_column_beside_a_health_fact(detector: Any, header: str) -> None:
    """A relative's column beside a health fact counts, with the table column as its reason."""
    found = pf.found(detector, pf.inspection(column(header, "chemo review")), "PATIENT_PHONE")
    assert [(f.score, f.details["reasons"]) for f in found] == [(0.7, ["table column"])]


@pytest.mark.parametrize(
    "label",
    [
        "Tel:",
        "Tel:\t",
        "Tel -",
        "Telephone:",
        "Phone:",
        "Mobile:",
        "Mob:",
        "Contact:",
        "Contact number:",
        "Tel no:",
        "Tel no.:",
        "Tel No. -",
    ],
)
def test_field_label_under_patient_details(detector: Any, label: str) -> None:
    """Each label of a phone field ("Tel:", "Mob:", "Contact number:", "Tel no.:") under a patient's details ties
    the number, scored 0.7 (0.65 and 0.05 for a clearly clinical message)."""
    numbers, score, reasons, _ = finding(detector, DETAILS.format(label=label))
    assert (numbers, score, reasons) == (["0161 496 0733"], 0.7, ["patient details", "clinical context"])


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            "Seen on the ward today: the patient in bed 4 with chest pain; tel: 0161 496 0733", id="after ;"
        ),
        pytest.param(
            "Seen on the ward today: the patient in bed 4 with chest pain. Tel:0161 496 0733", id="no blank"
        ),
    ],
)
def test_field_label_in_a_line(detector: Any, body: str) -> None:
    """A label after a semicolon or a full stop in the same line, or glued to the number, still ties it."""
    assert phones(detector, body) == ["0161 496 0733"]


@pytest.mark.parametrize(
    "label",
    [
        pytest.param("Ward tel:", id="the ward's"),
        pytest.param("Tel: GP surgery", id="the GP's"),
        pytest.param("Telex:", id="not a phone label"),
    ],
)
def test_not_a_patient_field(detector: Any, label: str) -> None:
    """A ward's or GP surgery's number under a patient's details is not the patient's."""
    assert phones(detector, DETAILS.format(label=label)) == []


@pytest.mark.parametrize(
    ("body", "numbers"),
    [
        pytest.param(
            "Patient: Mrs Joan Dunn, bed 4, chest pain\nTel: 0161 496 0733\nPlan: bloods and an ECG.",
            ["0161 496 0733"],
            id="Tel: under a details line with no full stop",
        ),
        pytest.param(
            "Name: Joan Dunn\nWard: 4B\nMob: 07700 900123\nSeen in clinic with chest pain.",
            ["07700 900123"],
            id="Mob: in a block of fields",
        ),
        pytest.param(
            "Robin Ashcombe, 4th year medical student, ward placements in chest medicine\nTel: 0161 496 0733\n"
            "Plan: bloods and an ECG on the ward.",
            [],
            id="under the writer's own name",
        ),
        pytest.param(
            "Seen on the ward today: the patient in bed 4 with chest pain\nWard tel: 0161 496 0733\nPlan: bloods.",
            [],
            id="the ward's number",
        ),
    ],
)
def test_field_label_at_the_start_of_a_line(detector: Any, body: str, numbers: list[str]) -> None:
    """A "Tel:" field starts a line even when the line above has no full stop (a block of patient details)."""
    assert phones(detector, body) == numbers


@pytest.mark.parametrize(
    ("body", "numbers", "score"),
    [
        pytest.param(
            "Row\tPatient mobile\tPlan\n1\t07700 900888\treview\n\n" + TIED,
            ["07700 900888", "07700 900222"],
            0.75,
            id="a patient column, then a tied number",
        ),
        pytest.param(
            "His mobile is 07700 900333, he wants to join the five-a-side team.\n\n"
            "Could you call him back on 0161 496 0733 about his kidney function results?",
            ["0161 496 0733"],
            0.75,
            id="a number with no health fact near, then one beside a result",
        ),
        pytest.param(
            "Could you call him back on 0161 496 0733 about his kidney function results?",
            ["0161 496 0733"],
            0.75,
            id="a health fact in a message that is not otherwise clinical: no clinical bonus",
        ),
        pytest.param(
            "On Mon, 3 May 2026 at 09:12, Kit Marlowe 07700 900111 wrote:\n" + TIED,
            ["07700 900222"],
            0.75,
            id="a number in an attribution line, then a tied number",
        ),
    ],
)
def test_each_number_judged_on_its_own(detector: Any, body: str, numbers: list[str], score: float) -> None:
    """A number taken from a patient column, or passed over for want of a health fact near it, does not stop the
    next one; a health fact near the number, in a message with no other clinical word, scores the plain 0.75."""
    found, got, _, _ = finding(detector, body)
    assert (found, got) == (numbers, score)


@pytest.mark.parametrize(
    ("body", "numbers"),
    [
        pytest.param(
            "Thanks for the ward round teaching on the chest pain cases.\nHer daughter's mobile: 07700 900123",
            ["07700 900123"],
            id="in the body",
        ),
        pytest.param(
            "Thanks for the ward round teaching on the chest pain cases.\n\nKind regards,\nRobin Ashcombe\n"
            "Her daughter's mobile: 07700 900123",
            [],
            id="in the signature",
        ),
        pytest.param(
            "Dr Patel said the CT showed a bleed. Ring her on 0161 496 0733 today.",
            ["0161 496 0733"],
            id="a doctor, then a health fact: the patient's",
        ),
        pytest.param(
            "Patient seen today with chest pain.\nTel: 0161 496 0733\nPlan: bloods.",
            ["0161 496 0733"],
            id="Patient first",
        ),
        pytest.param(
            "MRN 77120934\nTel: 0161 496 0733\nChest pain, for bloods and an ECG.",
            ["0161 496 0733"],
            id="an MRN above",
        ),
        pytest.param(
            f"NHS {pf.nhs_number('485')}\nTel: 0161 496 0733\nChest pain, for bloods and an ECG.",
            ["0161 496 0733"],
            id="an NHS number above",
        ),
    ],
)
def test_whose_passage(detector: Any, body: str, numbers: list[str]) -> None:
    """A tied number in the signature block is the writer's; a health fact after a doctor's name makes "her" the
    patient; a patient word at the very start of the text or an identifier above makes a "Tel:" field a patient's."""
    assert phones(detector, body) == numbers


@pytest.fixture(scope="module")
def own_number_detector() -> PatientDetector:
    d = PatientDetector(PatientDetectorOptions(own_phone_numbers=("0113 496 0789",), ner=False))
    d.load()
    return d


def test_own_number_does_not_stop_the_next(own_number_detector: PatientDetector) -> None:
    """The university's own number (config) earlier in a message does not hide the patient's number after it."""
    body = "Ring her on 0113 496 0789 about the biopsy result.\n\n" + TIED
    assert phones(own_number_detector, body) == ["07700 900222"]
