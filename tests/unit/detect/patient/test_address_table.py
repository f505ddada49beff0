"""A patient's address, exactly: each postcode shape and flat prefix (and the span reported), each word that puts a
person at a home, each renting or delivery word that makes it someone's own, and the organisations' addresses."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.detect import patientfixtures as pf

STREET = "27 Larkspur Avenue"
#: a health fact in the next sentence: the message is clinical, but the sentence puts nobody at a home
ULCER = " Her leg ulcer is worse."


def addresses(detector: Any, body: str) -> list[str]:
    """The text of every patient address found in `body`, in order."""
    found = pf.found(detector, pf.inspection(body), "PATIENT_ADDRESS")
    return [body[a:b] for f in found for a, b in f.details["spans"]]


def finding(detector: Any, body: str) -> tuple[list[str], float, list[str]]:
    """(addresses, score, reasons) of the one patient address finding in `body`."""
    (f,) = pf.found(detector, pf.inspection(body), "PATIENT_ADDRESS")
    return [body[a:b] for a, b in f.details["spans"]], f.score, f.details["reasons"]


@pytest.mark.parametrize(
    "postcode",
    [
        pytest.param("M1 1AE", id="A9"),
        pytest.param("B33 8TH", id="A99"),
        pytest.param("CR2 6XH", id="AA9"),
        pytest.param("DN55 1PT", id="AA99"),
        pytest.param("W1A 0AX", id="A9A"),
        pytest.param("EC1A 1BB", id="AA9A"),
        pytest.param("GIR 0AA", id="GIR 0AA"),
        pytest.param("NE47QT", id="no blank"),
        pytest.param("NE4\t7QT", id="a tab"),
    ],
)
def test_postcode_shapes(detector: Any, postcode: str) -> None:
    """Each official postcode shape, alone in a passage about a home visit, is the patient's: scored 0.7 for a
    postcode, with the postcode itself as the span."""
    body = f"Home visit today to the elderly man at {postcode} with a pressure sore."
    assert finding(detector, body) == ([postcode], 0.7, ["postcode", "patient context"])


@pytest.mark.parametrize(
    "postcode",
    [
        pytest.param("QV1 1AA", id="Q first"),
        pytest.param("M1 1CI", id="C and I inward"),
        pytest.param("MI1 1AA", id="I second"),
        pytest.param("W1I 0AX", id="I after the digit"),
        pytest.param("EC1C 1BB", id="C after the digit of AA9A"),
        pytest.param("ne4 7qt", id="small letters"),
        pytest.param("XNE4 7QT", id="glued to a letter"),
        pytest.param("NE4 7QTX", id="a letter after"),
        pytest.param("NE4  7QT", id="two blanks"),
    ],
)
def test_not_a_postcode(detector: Any, postcode: str) -> None:
    """Letters a postcode never has in that place, small letters, or more glued on: no postcode."""
    body = f"Home visit today to the elderly man at {postcode} with a pressure sore."
    assert addresses(detector, body) == []


@pytest.mark.parametrize(
    ("address", "score", "reasons"),
    [
        pytest.param(STREET, 0.65, ["street", "patient context"], id="street"),
        pytest.param(
            "14 Heron Close, NE4 7QT", 0.85, ["postcode", "patient context"], id="street and postcode"
        ),
        pytest.param("14 Heron Close NE4 7QT", 0.85, ["postcode", "patient context"], id="no comma"),
        pytest.param(
            "14 Heron Close, Northam, NE4 7QT", 0.85, ["postcode", "patient context"], id="a town between"
        ),
        pytest.param("Flat 3, 41 Canal Street", 0.65, ["street", "patient context"], id="flat"),
        pytest.param("Flat 3 41 Canal Street", 0.65, ["street", "patient context"], id="flat, no comma"),
        pytest.param("Flat 3B, 41 Canal Street", 0.65, ["street", "patient context"], id="flat 3B"),
        pytest.param("Flat 12, 41 Canal Street", 0.65, ["street", "patient context"], id="flat 12"),
        pytest.param("Apartment 3, 41 Canal Street", 0.65, ["street", "patient context"], id="apartment"),
        pytest.param("Apt 3, 41 Canal Street", 0.65, ["street", "patient context"], id="apt"),
        pytest.param("Unit 3, 41 Canal Street", 0.65, ["street", "patient context"], id="unit"),
        pytest.param("Flat 3,  41 Canal Street", 0.65, ["street", "patient context"], id="flat, two blanks"),
        pytest.param(
            "Flat  3, 41 Canal Street", 0.65, ["street", "patient context"], id="flat, two blanks first"
        ),
    ],
)
def test_address_spans_and_scores(detector: Any, address: str, score: float, reasons: list[str]) -> None:
    """A street scores 0.65, a street with its postcode 0.85 as one span from the house number (or the flat before
    it) to the postcode's end."""
    body = f"The district nurse called at {address} yesterday."
    assert finding(detector, body) == ([address], score, reasons)


@pytest.mark.parametrize(
    ("body", "found"),
    [
        pytest.param(
            "District nurses from Unit 7 visited 41 Canal Street today.",
            ["41 Canal Street"],
            id="a unit earlier in the sentence is no flat",
        ),
        pytest.param(
            "Home visit to 14 Heron Close, the white bungalow at the very end of the long lane past the old mill and the "
            "duck pond, NE4 7QT, today.",
            ["14 Heron Close", "NE4 7QT"],
            id="a street too far before the postcode",
        ),
        pytest.param(
            "Home visit to 14 Heron Close today.\n\nThe patient lives in NE4 7QT now.",
            ["14 Heron Close", "NE4 7QT"],
            id="a blank line between",
        ),
        pytest.param(
            "Flat 3, 41 Canal Street is where the district nurse called yesterday.",
            ["Flat 3, 41 Canal Street"],
            id="a flat at the very start of the text",
        ),
    ],
)
def test_what_joins_a_street_and_a_postcode(detector: Any, body: str, found: list[str]) -> None:
    """A street joins the postcode after it only within 60 characters and without a blank line between; a flat
    word joins only when it is right before the house number."""
    assert addresses(detector, body) == found


@pytest.mark.parametrize(
    "sentence",
    [
        "The patient at {a} needs a dressing change.",
        "The pt at {a} needs a dressing change.",
        "The man at {a} needs a dressing change.",
        "The lady at {a} needs a dressing change.",
        "The woman at {a} needs a dressing change.",
        "The gentleman at {a} needs a dressing change.",
        "The gent at {a} needs a dressing change.",
        "The chap at {a} needs a dressing change.",
        "The boy at {a} needs a dressing change.",
        "The girl at {a} needs a dressing change.",
        "The baby at {a} needs a dressing change.",
        "The child at {a} needs a dressing change.",
        "The elderly at {a} need a dressing change.",
        "The old boy at {a} needs a dressing change.",
        "The old dear at {a} needs a dressing change.",
        "She lives at {a} and needs a dressing change.",
        "She is living at {a} and needs a dressing change.",
        "She lived at {a} and needs a dressing change.",
        "Housebound at {a}, needs a dressing change.",
        "Home visit to {a} for a dressing change.",
        "Visit to {a} for a dressing change.",
        "Visits to {a} for a dressing change.",
        "Visited {a} for a dressing change.",
        "Visiting {a} for a dressing change.",
        "District nurse to {a} for a dressing change.",
        "District nurses to {a} for a dressing change.",
        "Care package at {a} from Monday.",
        "Carer at {a} from Monday.",
        "Carers at {a} from Monday.",
        "Discharged to {a} yesterday.",
        "Next of kin at {a} since Monday.",
        "His house is {a}, near the park.",
        "Her home is {a}, near the park.",
        "Their flat is {a}, near the park.",
        "Her address is {a}, near the park.",
        "His bungalow is {a}, near the park.",
        "District  nurse to {a} for a dressing change.",
        "Care  package at {a} from Monday.",
        "Next  of kin at {a} since Monday.",
        "Next of  kin at {a} since Monday.",
        "Her  home is {a}, near the park.",
    ],
)
def test_each_home_word(detector: Any, sentence: str) -> None:
    """Each word that puts a person at a home (a patient, a man, "lives", a visit, a carer, "her flat",
    "Address:") makes a street in its sentence a patient's address."""
    assert addresses(detector, sentence.format(a=STREET) + ULCER) == [STREET]


@pytest.mark.parametrize(
    "sentence",
    [
        "The postman at {a} retired today.",
        "The manager of {a} retired today.",
        "The shop at {a} shut today.",
        "The oldest tree at {a} came down today.",
        "The nurse at {a} is on leave today.",
    ],
)
def test_no_home_word(detector: Any, sentence: str) -> None:
    """A home word inside another word ("postman", "manager", "oldest") or no home word at all: nobody's home."""
    assert addresses(detector, sentence.format(a=STREET) + ULCER) == []


@pytest.mark.parametrize(
    "word",
    [
        "viewing",
        "landlord",
        "letting",
        "tenant",
        "tenancy",
        "rent",
        "deposit",
        "lease",
        "house share",
        "houseshare",
        "flatmate",
        "flatmates",
        "housemate",
        "housemates",
        "moving in",
        "move in",
        "estate agent",
        "parcel",
        "delivery",
        "deliver",
        "post it",
        "send it",
        "party",
        "bbq",
    ],
)
def test_each_housing_word(detector: Any, word: str) -> None:
    """A renting, delivery or party word beside the address makes it a student's own business, even with a home
    word ("lives") there too."""
    body = f"She lives at {STREET}; ask about the {word} first." + ULCER
    assert addresses(detector, body) == []


def test_a_word_beside_that_is_not_about_housing(detector: Any) -> None:
    """The same sentence with the stairs to ask about is a patient's home (the housing word is what counts)."""
    assert addresses(detector, f"She lives at {STREET}; ask about the stairs first." + ULCER) == [STREET]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("The patient's current home is 27 Larkspur Avenue today.", id="rent inside current"),
        pytest.param(
            "The patient delivered her baby at 27 Larkspur Avenue today.", id="deliver inside delivered"
        ),
        pytest.param("The patient's parent lives at 27 Larkspur Avenue today.", id="rent inside parent"),
    ],
)
def test_housing_words_inside_other_words(detector: Any, body: str) -> None:
    """ "rent" inside "current" or "parent", "deliver" inside "delivered": still a patient's home."""
    assert addresses(detector, body) == [STREET]


@pytest.mark.parametrize(
    ("body", "found"),
    [
        pytest.param("The patient was seen at Kings Hospital, 1 Infirmary Road.", [], id="hospital before"),
        pytest.param("The patient was seen at 1 Infirmary Road, Kings Hospital.", [], id="hospital after"),
        pytest.param(
            "The patient was visited at www.larkspur.example, 27 Larkspur Avenue today.", [], id="www"
        ),
        pytest.param(
            "The patient was visited at 27 Larkspur Avenue, see http://larkspur.example.", [], id="http"
        ),
        pytest.param(
            "The patient was visited at 27 Larkspur Avenue, see https://larkspur.example.", [], id="https"
        ),
        pytest.param(
            "The patient was visited at 27 Larkspur Avenue, office@larkspur.example.", [], id="email"
        ),
        pytest.param(
            "Kings Hospital sent her home, she lives with her son at 27 Larkspur Avenue today.",
            [],
            id="a hospital one comma back",
        ),
        pytest.param(
            "Kings Hospital sent her home, she lives with her son, at 27 Larkspur Avenue today.",
            [STREET],
            id="a hospital two commas back",
        ),
        pytest.param(
            "Did the hospital ring? The patient lives at 27 Larkspur Avenue today.",
            [STREET],
            id="question before",
        ),
        pytest.param(
            "The patient lives at 27 Larkspur Avenue? The hospital thinks so.", [STREET], id="question after"
        ),
        pytest.param(
            "Which hospital?\nThe patient lives at 27 Larkspur Avenue today.", [STREET], id="a question above"
        ),
        pytest.param(
            "Seen at Kings Hospital.\nThe patient lives at 27 Larkspur Avenue today.",
            [STREET],
            id="a sentence above",
        ),
        pytest.param(
            "The main entrance of the Northam General Hospital is closed today\nThe patient lives at 27 Larkspur Avenue today.",
            [STREET],
            id="a long line above",
        ),
    ],
)
def test_organisation_lines(detector: Any, body: str, found: list[str]) -> None:
    """A hospital named in the address's own clause, a web or mail address beside it: an organisation's; a hospital
    in another sentence, after a question, or in a line above that is long or ends a sentence: not."""
    assert addresses(detector, body) == found


@pytest.mark.parametrize("label", ["Address:", "Address :", "address:", "Home address:"])
def test_address_label_is_a_home_word(detector: Any, label: str) -> None:
    """An "Address:" label puts a person at the address that follows it, with a blank after the colon or not."""
    assert addresses(detector, f"{label} {STREET}, near the park." + ULCER) == [STREET]


@pytest.mark.parametrize(
    ("body", "found"),
    [
        pytest.param(
            "Northam General Hospital\n1 Infirmary Road, NM1 3RA\nThe patient was seen there after a fall at home.",
            [],
            id="a hospital's address block",
        ),
        pytest.param(
            "St. Mary's Hospital\n1 Infirmary Road, NM1 3RA\nThe patient was seen there after a fall at home.",
            [],
            id="a full stop inside the heading",
        ),
        pytest.param(
            "Mrs Joan Dunn\n27 Larkspur Avenue, NE4 7QT\nThe patient was seen after a fall at home.",
            ["27 Larkspur Avenue, NE4 7QT"],
            id="a patient's address block",
        ),
        pytest.param(
            "Northam General Hospital\nThe patient was visited at 27 Larkspur Avenue today.",
            [STREET],
            id="a hospital above a sentence",
        ),
        pytest.param(
            "Which hospital?\n27 Larkspur Avenue, the patient's home, after a fall.",
            [STREET],
            id="a question above",
        ),
        pytest.param(
            "The main entrance of the Northam General Hospital is closed all day\n"
            "27 Larkspur Avenue, the patient's home, after a fall.",
            [STREET],
            id="a long line above",
        ),
    ],
)
def test_line_above_an_address_block(detector: Any, body: str, found: list[str]) -> None:
    """An address that starts its line under a short heading naming an organisation is the organisation's; a
    heading that is a question or a long line, or an address inside a sentence, is not read that way."""
    assert addresses(detector, body) == found


@pytest.mark.parametrize(
    ("body", "score"),
    [
        pytest.param(
            "His kidney function results came back; he lives at 27 Larkspur Avenue now.",
            0.65,
            id="a health fact, no clinical word",
        ),
        pytest.param(
            "The patient lives at 27 Larkspur Avenue; after the ward round her chemo and the biopsy are booked.",
            0.75,
            id="a clearly clinical message",
        ),
    ],
)
def test_clinical_bonus(detector: Any, body: str, score: float) -> None:
    """A clearly clinical message (more than one clinical sign) adds 0.1 to a street's 0.65; a health fact alone
    adds nothing."""
    assert finding(detector, body) == ([STREET], score, ["street", "patient context"])
