"""The identifier-format table: every way a student writes an identifier, and look-alikes that are not one.

Each `Item` is carried by every builder in `carriers.CARRIERS` (body,
subject, file name, CSV, XLSX, DOCX, PDF, HTML table, quoted reply,
forwarded message). Written for these tests; numbers get their check
digits computed, never copied.
"""

from __future__ import annotations

from tests.unit.detect.patient.carriers import Item
from tests.unit.detect.patientfixtures import failing_number, nhs_number

NHS = nhs_number("485", "")  # ten digits with a valid check digit, in England's range
A, B, C = NHS[:3], NHS[3:6], NHS[6:]
FULL_WIDTH = NHS.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})


def _nhs(name: str, written: str, *, label: str = "NHS no ") -> Item:
    return Item(
        name,
        f"Could you chase the bloods for the lady in bay 4 ({label}{written}) before the ward round?",
        f"bloods {label}{written}",
        "NHS number",
        written,
    )


NHS_ITEMS = [
    _nhs("nhs spaces 3-3-4", f"{A} {B} {C}"),
    _nhs("nhs dots", f"{A}.{B}.{C}"),
    _nhs("nhs slashes", f"{A}/{B}/{C}"),
    _nhs("nhs commas", f"{A},{B},{C}"),
    _nhs("nhs hyphens", f"{A}-{B}-{C}"),
    _nhs("nhs no-break spaces", f"{A}\u00a0{B}\u00a0{C}"),
    _nhs("nhs thin spaces", f"{A}\u2009{B}\u2009{C}"),
    _nhs("nhs narrow no-break spaces", f"{A}\u202f{B}\u202f{C}"),
    _nhs("nhs 4-3-3", f"{NHS[:4]} {NHS[4:7]} {NHS[7:]}"),
    _nhs("nhs 5-5", f"{NHS[:5]} {NHS[5:]}"),
    _nhs("nhs unseparated", NHS),
    _nhs("nhs unlabelled", f"{A} {B} {C}", label=""),
    _nhs("nhs glued to #", f"#{NHS}", label=""),
    _nhs("nhs glued to NHS:", f"NHS:{NHS}", label=""),
    _nhs("nhs glued to NHS#", f"NHS#{A} {B} {C}", label=""),
    _nhs("nhs full-width digits", FULL_WIDTH),
    Item(
        "nhs split over two lines",
        f"Could you chase the bloods for the lady in bay 4, NHS no {A} {B}\n{C}, before the ward round?",
        f"bloods NHS no {A} {B} {C}",
        "NHS number",
        f"{A} {B} {C}",
    ),
]


def _hosp(name: str, written: str, *, label: str = "hosp no ") -> Item:
    return Item(
        name,
        f"Can you pull up the notes for {label}{written}? She was admitted overnight with chest pain.",
        f"notes for {label or 'patient '}{written}",
        "Hospital number",
        written,
    )


HOSPITAL_ITEMS = [
    _hosp("hosp letters-dashes", "ABC-552-0193"),
    _hosp("hosp letters-spaces", "XYZ 552 0193"),
    _hosp("hosp letter+7 digits", "K3305518"),
    _hosp("hosp letters/7 digits", "SG/0082715"),
    _hosp("hosp MRN digits", "20417733", label="MRN "),
    _hosp("hosp unit no", "RJ1 448812", label="unit no. "),
    _hosp("hosp unlabelled dashes", "ABC-552-0193", label=""),
    _hosp("hosp unlabelled letter+digits", "K3305518", label=""),
    _hosp("hosp unlabelled slash", "SG/0082715", label=""),
]


def _dob(name: str, written: str, cell: str) -> Item:
    return Item(
        name,
        f"The man in bed 6, {written}, was admitted with a chest infection last night.",
        f"bed 6 {written}",
        "DOB",
        cell,
    )


DOB_ITEMS = [
    _dob("dob numeric 4-digit year", "DOB 09/11/1947", "09/11/1947"),
    _dob("dob numeric 2-digit year", "dob 9/11/47", "9/11/47"),
    _dob("dob dotted", "DOB 09.11.1947", "09.11.1947"),
    _dob("dob d.o.b. hyphens", "d.o.b. 9-11-47", "9-11-47"),
    _dob("dob month words 2-digit year", "dob 9 Nov 47", "9 Nov 47"),
    _dob("dob ordinal upper case", "DOB 21ST MAY 1958", "21ST MAY 1958"),
    _dob("dob month first", "dob May 21st, 1958", "May 21st, 1958"),
    _dob("dob ISO", "DOB 1958-05-21", "1958-05-21"),
    _dob("dob apostrophe year", "dob 21 May '58", "21 May '58"),
    _dob("born in words", "born on the twenty-first of May 1958", "21st of May 1958"),
    _dob("date of birth label", "date of birth 21.5.58", "21.5.58"),
    _dob("born dotted", "born 21.05.1958", "21.05.1958"),
]

PHONE_ITEMS = [
    Item(
        "phone daughter call-back",
        "Can you call his daughter back on 07700 900123 about his kidney function results?",
        "call his daughter back 07700 900123 re his biopsy",
        "Daughter's mobile",
        "07700 900123",
    ),
    Item(
        "phone patient's mobile",
        "The patient's mobile is 07700 900456, she wants her biopsy result today.",
        "pt mobile 07700 900456 biopsy result",
        "Patient mobile",
        "07700 900456",
    ),
    Item(
        "phone ring her",
        "Please ring her on 0161 496 0733 about the scan results from the fracture clinic.",
        "ring her 0161 496 0733 scan results",
        "Patient tel",
        "0161 496 0733",
    ),
]

HOLD_ITEMS = NHS_ITEMS + HOSPITAL_ITEMS + DOB_ITEMS + PHONE_ITEMS

#: look-alikes that identify no patient: (name, sentence)
TRAPS = [
    (
        "ten digits failing the check",
        f"My order number is {failing_number('485')}, it should arrive on Friday.",
    ),
    ("phone number in a signature", "Thanks\nRobin\nMob: 07700 900789"),
    ("order number with a valid check digit", f"Amazon order no {A} {B} {C} for the anatomy textbook."),
    ("ticket number", f"IT ticket {A}-{B}-{C}: the library printer is jammed again."),
    ("tracking number", f"Tracking number {NHS} - the parcel with my stethoscope."),
    ("ISBN 10", "The textbook is ISBN 0-19-852663-6 if you want to order it."),
    ("ISBN 13", "The textbook is ISBN 978-0-19-852663-6 if you want to order it."),
    ("module code", "Module MED-552-0193 results are out on Friday."),
    ("room code", "Tutorial in room CSB 201 101 at two."),
    ("booking reference", "Booking ref ABC-552-0193 for the clinical skills room."),
    ("postcode", "The party is at 14 Marlowe Road, EH16 4SA, bring snacks."),
    ("car registration", "My car is the blue one, AB12 CDE, parked by the library."),
    ("postfix queue id", "Delivery report: queued as 4F3A21C0B9, status sent."),
    ("appointment date", "Your appointment at the dentist is on 21/05/2026 at 10am."),
    ("deadline", "The essay deadline is 21 May 2026, no extensions."),
    ("historical date", "Florence Nightingale was born on 12 May 1820 in Florence."),
    ("writer's own phone", "Call me on 07700 900321 when you are free to revise."),
    ("service phone", "Ring NHS 111 or the practice on 0161 496 0000 for advice about your cough."),
    ("my own dob", "For the DBS form: my DOB is 03/04/2003."),
    ("student id", "My student number is 20417733, for the library fine."),
]
