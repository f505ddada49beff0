"""A bay, cubicle or ward counts as a patient's place only in a care setting, never as parking, loading or an address."""

from __future__ import annotations

import pytest

from gateway.detect.patient.context import care_bed, care_ward
from gateway.detect.patient.lexicon import Lexicon
from tests.unit.detect import patientfixtures as pf


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


BEDS = [
    ("a bed number", "can you check the obs for bed 12", True),
    ("a bay with a patient word", "the patient in bay 4 needs a commode", True),
    ("a bay on a ward", "she's in bay 3 on Ward 22", True),
    ("a bay with a title", "Mrs Akande is in bay 2", True),
    ("a side room", "side room 4", True),
    ("a cubicle in majors", "cubicle 7 in majors is waiting for a CT", True),
    ("a bed list, bays as rows", "Bay 1: chest pain\nBay 2: fall, ?NOF", True),
    ("a car park bay", "I parked in bay 14 of the multi-storey, meet me there at six", False),
    ("a car park bay, named", "car park bay 14 is the one by the lifts", False),
    ("a parking bay", "someone has taken parking bay 3 again", False),
    ("a loading bay", "deliveries come in at loading bay 2 behind the library", False),
    ("a garage bay", "the MOT is in garage bay 5 on Tuesday", False),
    ("a bus bay", "the shuttle leaves from bus bay 9 at the station", False),
    ("a bay with nothing about care", "we'll be at bay 12 from ten", False),
    ("a changing-room cubicle", "left my goggles in cubicle 6 at the pool", False),
    ("a disabled bay at a hospital is still parking", "use disabled bay 4 outside the hospital", False),
    ("a bay in the hospital car park", "I parked at the hospital, bay 14 on the top deck", False),
    ("a raised bed in a garden", "raised bed 4 needs weeding before the open day", False),
    ("a bunk bed in a hostel", "I'm in bunk bed 3 at the hostel", False),
    ("a bay with a clinical word", "bay 6 has two on a drip and one for theatre", True),
]


@pytest.mark.parametrize(("text", "care"), [(t, c) for _, t, c in BEDS], ids=[n for n, *_ in BEDS])
def test_care_bed(lex: Lexicon, text: str, care: bool) -> None:
    """A bed, bay or cubicle number is a patient's place in a care setting or a bed list, not elsewhere."""
    assert care_bed(text, lex) is care


WARDS = [
    ("a numbered ward", "she is on Ward 22 now", True),
    ("a named ward", "he was moved to Rowan Ward", True),
    ("a ward letter", "the side room on ward B", True),
    ("a ward that names a road", "my flat is on Castle Ward Road", False),
    ("a ward that names a street", "12 Abbey Ward Street is the address", False),
    ("an electoral ward", "the councillor for Abbey Ward is holding a surgery", False),
    ("an electoral ward, by-election", "there's a by-election in Riverside Ward next week", False),
]


@pytest.mark.parametrize(("text", "care"), [(t, c) for _, t, c in WARDS], ids=[n for n, *_ in WARDS])
def test_care_ward(text: str, care: bool) -> None:
    """A ward is a hospital ward, not a road named after one or a council's electoral ward."""
    assert care_ward(text) is care


DELIVERED = [
    (
        "a car park, a hospital and a time",
        "Parking at the General Hospital is a nightmare, I ended up in bay 14 of the top deck at 7am today.",
    ),
    (
        "a loading bay and a ward name as a road",
        "The van will be at loading bay 2 on Castle Ward Road at 9am tomorrow, by the hospital entrance.",
    ),
    (
        "a councillor's ward and a hospital",
        "The councillor for Abbey Ward is planting raised bed 4 in the St Mary's Hospital garden tonight.",
    ),
]


@pytest.mark.parametrize("body", [b for _, b in DELIVERED], ids=[n for n, _ in DELIVERED])
def test_not_beds_identify_nobody(detector, body: str) -> None:
    """A parking or loading bay beside a hospital and a time is not indirect identification of a patient."""
    assert pf.found(detector, pf.inspection(body)) == []


HELD = [
    (
        "bed, ward and hospital",
        "The lady in bed 6 on Ward 22 at the General Hospital died overnight, so sad.",
    ),
    (
        "a bay on a named ward with a time",
        "Bay 3 on Rowan Ward at the Royal last night: the man with the stab wound.",
    ),
    ("a name beside a bay", "Mrs Okonjo in bay 4 has had a fall, her hip looks shortened."),
]


@pytest.mark.parametrize("body", [b for _, b in HELD], ids=[n for n, _ in HELD])
def test_care_beds_still_count(detector, body: str) -> None:
    """A bed or bay in a care setting still identifies a patient."""
    assert pf.found(detector, pf.inspection(body)) != []
