"""More identifier shapes for the format table: what wards, GP practices and students write that the first
table did not hold, and more look-alikes that are not a patient's identifier.

Written down from how NHS paperwork, handover sheets and student notes are
really filled in (separators, groupings, labels, Scottish CHI and Northern
Irish H&C numbers, call-back numbers of patients and relatives, addresses
with postcodes), before looking at what the recognisers accept. Numbers get
their check digits computed by `patientfixtures`; everything is invented.
"""

from __future__ import annotations

from tests.unit.detect.patient.carriers import Item
from tests.unit.detect.patientfixtures import chi_number, nhs_number

NHS = nhs_number("401", "")
A, B, C = NHS[:3], NHS[3:6], NHS[6:]
CHI = chi_number("030338", "52")
HC = nhs_number("347", "")


def _nhs(name: str, written: str, *, label: str = "NHS no ") -> Item:
    return Item(
        name,
        f"Please chase the echo for the gentleman in side room 2 ({label}{written}), he goes home tomorrow.",
        f"echo for {label}{written}",
        "NHS number",
        written,
    )


NHS_ITEMS = [
    _nhs("nhs en dashes", f"{A}\u2013{B}\u2013{C}"),
    _nhs("nhs figure spaces", f"{A}\u2007{B}\u2007{C}"),
    _nhs("nhs mixed separators", f"{A} {B}-{C}"),
    _nhs("nhs double spaces", f"{A}  {B}  {C}"),
    _nhs("nhs space-dash-space", f"{A} - {B} - {C}"),
    _nhs("nhs boxed digits", " ".join(NHS)),
    _nhs("nhs label NHS number:", f"{A} {B} {C}", label="NHS number: "),
    _nhs("nhs label nhs num", f"{A} {B} {C}", label="nhs num "),
    _nhs("nhs label NHS No.", NHS, label="NHS No. "),
    _nhs("nhs label NHS #", f"{A} {B} {C}", label="NHS # "),
    _nhs("nhs label lower case nhs", f"{A}-{B}-{C}", label="nhs "),
    _nhs("nhs in square brackets", f"[{A} {B} {C}]", label=""),
    Item(
        "nhs label on the line above",
        f"Please chase the echo for the gentleman in side room 2.\nNHS number:\n{A} {B} {C}\nHe goes home tomorrow.",
        f"echo NHS number {A} {B} {C}",
        "NHS number",
        f"{A} {B} {C}",
    ),
    Item(
        "nhs split after the first group",
        f"Please chase the echo for the gentleman in side room 2, NHS no {A}\n{B} {C}, he goes home tomorrow.",
        f"echo for NHS no {A} {B} {C}",
        "NHS number",
        f"{A} {B} {C}",
    ),
]

CHI_ITEMS = [
    Item(
        "chi labelled, 6-4",
        f"Can you look up the bloods for the lady on ward 12, CHI {CHI[:6]} {CHI[6:]}, before the MDT?",
        f"bloods CHI {CHI[:6]} {CHI[6:]}",
        "CHI number",
        f"{CHI[:6]} {CHI[6:]}",
    ),
    Item(
        "chi no colon, unseparated",
        f"Can you look up the bloods for the lady on ward 12 (CHI no: {CHI}) before the MDT?",
        f"bloods CHI no {CHI}",
        "CHI no",
        CHI,
    ),
]

HC_ITEMS = [
    Item(
        "h&c labelled 3-3-4",
        f"Could you check the repeat prescription for Mr K, H&C no {HC[:3]} {HC[3:6]} {HC[6:]}, on warfarin?",
        f"warfarin H&C no {HC[:3]} {HC[3:6]} {HC[6:]}",
        "H&C number",
        f"{HC[:3]} {HC[3:6]} {HC[6:]}",
    ),
]


def _hosp(name: str, written: str, *, label: str = "hosp no ") -> Item:
    return Item(
        name,
        f"Could you find the discharge letter for {label}{written}? She was seen in the fracture clinic.",
        f"discharge letter {label or 'patient '}{written}",
        "Hospital number",
        written,
    )


HOSPITAL_ITEMS = [
    _hosp("hosp site prefix dashes", "WGH-552-0193"),
    _hosp("hosp site prefix spaces", "NRI 552 0193"),
    _hosp("hosp suffix letter", "A123456B"),
    _hosp("hosp letter then spaced digits", "K 330 5518"),
    _hosp("hosp MRN dashed digits", "2041-7733", label="MRN: "),
    _hosp("hosp MRN in brackets", "[MRN 20417733]", label=""),
    _hosp("hosp Hospital No:", "K3305518", label="Hospital No: "),
    _hosp("hosp Hosp. No.", "RXH1234567", label="Hosp. No. "),
    _hosp("hosp unit number spaced", "0012 3456", label="Unit No: "),
    _hosp("hosp PAS number", "K3305518", label="PAS no "),
]


def _dob(name: str, written: str, cell: str) -> Item:
    return Item(
        name,
        f"The woman in bay 3, {written}, came in overnight with a fall and a head injury.",
        f"bay 3 {written}",
        "DOB",
        cell,
    )


DOB_ITEMS = [
    _dob("dob D.O.B: hyphens 4-digit year", "D.O.B: 9-11-1947", "9-11-1947"),
    _dob("dob full month name", "DOB 9 November 1947", "9 November 1947"),
    _dob("dob ordinal with of", "DOB 21st of May 1958", "21st of May 1958"),
    _dob("dob hyphenated month word", "DOB 21-May-1958", "21-May-1958"),
    _dob("dob squashed month word", "DOB 21MAY1958", "21MAY1958"),
    _dob("dob month word comma year", "dob 21 May, 1958", "21 May, 1958"),
    _dob("dob spaced numbers", "DOB 21 05 1958", "21 05 1958"),
    _dob("dob DoB colon 2-digit year", "DoB: 03/03/38", "03/03/38"),
    _dob("dob short month 2-digit year", "d.o.b. 3 Mar 38", "3 Mar 38"),
    _dob("born slashes 2-digit year", "born 21/5/58", "21/5/58"),
    _dob("born ordinal month", "born 3rd March 1938", "3rd March 1938"),
    Item(
        "age with year of birth",
        "The man in bay 3, aged 84 (b. 1940), came in overnight with a fall and a head injury.",
        "bay 3 aged 84 (b. 1940)",
        "DOB",
        "b. 1940",
    ),
]


def _phone(name: str, sentence: str, short: str, header: str, value: str) -> Item:
    return Item(name, sentence, short, header, value)


PHONE_ITEMS = [
    _phone(
        "phone +44 mobile",
        "Her mobile is +44 7700 900123, she is waiting for the biopsy result.",
        "her mobile +44 7700 900123 biopsy result",
        "Patient mobile",
        "+44 7700 900123",
    ),
    _phone(
        "phone +44 (0) mobile",
        "The patient's number is +44 (0)7700 900124, please ring about her scan result.",
        "pt number +44 (0)7700 900124 scan result",
        "Patient mobile",
        "+44 (0)7700 900124",
    ),
    _phone(
        "phone 0044 mobile",
        "Please ring the patient on 0044 7700 900 125 about his blood test results.",
        "ring pt 0044 7700 900 125 blood results",
        "Patient tel",
        "0044 7700 900 125",
    ),
    _phone(
        "phone mobile dashes",
        "The patient's mobile is 07700-900-126, he wants his MRI result.",
        "pt mobile 07700-900-126 MRI result",
        "Patient mobile",
        "07700-900-126",
    ),
    _phone(
        "phone mobile unseparated",
        "Please ring the patient on 07700900127 about her smear result.",
        "ring pt 07700900127 smear result",
        "Patient tel",
        "07700900127",
    ),
    _phone(
        "phone mobile 5-3-3",
        "Can you call the patient back on 07700 900 128 about his chest x-ray?",
        "call pt back 07700 900 128 chest x-ray",
        "Patient tel",
        "07700 900 128",
    ),
    _phone(
        "phone area code in brackets",
        "Please ring him on (0161) 496 0734 about the scan results from the fracture clinic.",
        "ring him (0161) 496 0734 scan results",
        "Patient tel",
        "(0161) 496 0734",
    ),
    _phone(
        "phone +44 landline",
        "Please ring her on +44 161 496 0735 about the results of her colonoscopy.",
        "ring her +44 161 496 0735 colonoscopy",
        "Patient tel",
        "+44 161 496 0735",
    ),
    _phone(
        "phone landline dashes",
        "Please ring her on 0161-496-0736 about the results of her colonoscopy.",
        "ring her 0161-496-0736 colonoscopy",
        "Patient tel",
        "0161-496-0736",
    ),
    _phone(
        "phone London number, husband",
        "Her husband's number is 020 7946 0123, he wants an update on her chemo.",
        "husband 020 7946 0123 update on her chemo",
        "Husband's number",
        "020 7946 0123",
    ),
    _phone(
        "phone son's number unseparated",
        "Her son's number is 07700900987 if the consultant wants to talk about the scan.",
        "son 07700900987 re her scan",
        "Son's mobile",
        "07700900987",
    ),
    _phone(
        "phone next of kin",
        "NOK: wife, 07700 900 654 - please update her after his surgery.",
        "NOK wife 07700 900 654 after surgery",
        "NOK tel",
        "07700 900 654",
    ),
    _phone(
        "phone pt tel label",
        "Pt tel: 0113 496 0321, needs a diabetic clinic follow-up.",
        "Pt tel 0113 496 0321 diabetic follow-up",
        "Pt tel",
        "0113 496 0321",
    ),
    _phone(
        "phone call back request",
        "His daughter asked for a call back on 07700 900 246 about his dementia assessment.",
        "call back daughter 07700 900 246 dementia assessment",
        "Daughter's mobile",
        "07700 900 246",
    ),
    _phone(
        "phone 5-6 landline",
        "Please ring the patient on 01632 960123 about her thyroid results.",
        "ring pt 01632 960123 thyroid results",
        "Patient tel",
        "01632 960123",
    ),
]

ADDRESS_ITEMS = [
    Item(
        "address with postcode",
        "The patient lives at 14 Acacia Road, Leeds LS6 2AB and is housebound after her stroke.",
        "home visit 14 Acacia Road LS6 2AB stroke",
        "Address",
        "14 Acacia Road, Leeds LS6 2AB",
    ),
]

HOLD_ITEMS = NHS_ITEMS + CHI_ITEMS + HC_ITEMS + HOSPITAL_ITEMS + DOB_ITEMS + PHONE_ITEMS + ADDRESS_ITEMS

#: more look-alikes that identify no patient: (name, sentence)
TRAPS = [
    ("ISBN 13 unseparated", "The pharmacology book is ISBN 9780198526636, the library has two copies."),
    ("booking reference letters+digits", "Your booking reference is K3305518 for the OSCE revision session."),
    ("bank details", "Rent goes to sort code 20-45-67, account 41234567, by the first of the month."),
    ("module code", "MED2031 exam results are out, and MED2032 is next term."),
    ("shop phone", "Boots on Market Street is 0161 496 0111 if you need your flu jab."),
    ("department phone", "The medical school office is on 0113 496 0500, ask them about the timetable."),
    ("conference dial-in", "Teams dial-in +44 20 3855 0123, conference ID 552 019 3#, for the journal club."),
    ("lecturer's office phone", "Dr Okafor's office is 0161 496 0745 if you miss the anatomy lecture."),
    ("historical figure's birth year", "Alexander Fleming (b. 1881) discovered penicillin in 1928."),
    ("lecture date", "Lecture 3 on cardiac murmurs is on 09.11.2026 in the main theatre."),
    ("postfix long queue id", "Delivery report: queued as 4dGq7F0pXbz9Ncm, status sent."),
    ("parcel tracking with spaces", "Royal Mail tracking JD 0002 2345 6789 for the scrubs I ordered."),
]
