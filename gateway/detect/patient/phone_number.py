"""A patient's phone number: a UK number that the text says belongs to the patient or their family.

Phone numbers are everywhere in mail (signatures, switchboards, bleeps,
the writer's own mobile), so the number alone is never enough: it counts
when a possessive or a verb ties it to someone other than the writer
("his mobile", "the patient's number", "ring her on") in a clinical
message or next to a health fact ("call him back on ... about his
results"), or when it is labelled under a patient's details in a clinical
document. The university's own numbers (config), signature lines and the
writer's own number ("my mobile", "call me on") never count.
"""

from __future__ import annotations

import re

from gateway.detect.letters import CAP
from gateway.detect.patient.context import MessageContext, patient_cue, phone_key, writers_own
from gateway.detect.patient.recognizer import Candidate, SegmentScan, clamp
from gateway.detect.presidio_engine import PatternSpec, RecognizerSpec

ENTITY = "UK_PHONE"
TYPE = "PATIENT_PHONE"

_B = r"(?=[+(0])(?<![\w+])"
_A = r"(?!\d)"
PATTERNS = (
    PatternSpec(
        "uk_phone",
        rf"{_B}(?:(?:\+|00[ \t]?)44[ \t]?\(?0?\)?[ \t]?|\(?0)"
        rf"(?:7\d{{3}}\)?[ \t-]?\d{{3}}[ \t-]?\d{{3}}"  # mobile
        rf"|[1-38]\d{{1,3}}\)?[ \t-]?\d{{3,4}}[ \t-]?\d{{3,4}}){_A}",  # landline
        0.3,
    ),
)
#: the people whose number a patient's family gives
_RELATIVE = (
    r"mum|mother|dad|father|wife|husband|son|daughter|partner|carer|sister|brother|nok|next\s+of\s+kin"
    r"|niece|nephew|grand(?:son|daughter)|aunt|uncle|neighbou?r|family"
)
#: the number belongs to someone else: "his mobile", "the patient's number", "her daughter's phone"
_THEIRS = re.compile(
    r"\b(?:his|her|their|the\s+patient['’]?s?|patient['’]?s|pt['’]?s|(?:her|his|their|the)\s+(?:\w+['’]s)"
    r"|(?:mum|dad|mother|father|wife|husband|son|daughter|partner|carer|sister|brother|nok)['’]s)"
    r"\s+(?:\w+\s+){0,2}(?:mobile|number|phone|landline|tel|telephone|contact|no\.?|call[- ]?back)\b"
    r"|\b(?:ring|call|phone|text|contact|reach)\s+(?:him|her|them|pt|patient|the\s+(?:patient|family|daughter|son|wife|husband))\b"
    # "call his daughter back on", "ring the patient's wife on", "phone Mrs Lee's son on"
    r"|\b(?:ring|call|phone|text|contact|reach)\s+(?:his|her|their|the\s+patient['’]?s|\w+['’]s)\s+"
    rf"(?:{_RELATIVE})\b"
    r"|\b(?:patient|pt|next\s+of\s+kin|nok)\b[^.\n]{0,20}\b(?:tel|phone|mobile|number)\b"
    # "NOK: daughter 07700 ...", "contact number for her husband:", "the family can be reached on"
    r"|\b(?:next\s+of\s+kin|nok)\b"
    rf"|\b(?:his|her|their|the\s+patient['’]?s)\s+(?:{_RELATIVE})\s+(?:is|['’]s)\s+on\b"
    # a list entry: "family at bedside, son on 07700 ...", "daughter's on ..."
    rf"|\b(?:{_RELATIVE})(?:['’]s)?[ \t]+(?:is[ \t]+)?on[ \t:]*$"
    # a relative's word right before the number, as notes and subject lines put it: "husband 020 ...",
    # "son's mobile: 07700 ..." (not the writer's own: "my husband 07700 ...")
    rf"|(?<!\bmy[ \t])(?<!\bour[ \t])\b(?:{_RELATIVE})(?:['’]s)?(?:[ \t]+(?:mobile|number|phone|tel|landline|no\.?))?"
    r"[ \t]*[:,\-–]?[ \t]*$"
    r"|\b(?:number|mobile|phone|contact|tel)\s+(?:for|of)\s+(?:his|her|their|the)\s+(?:patient|"
    rf"{_RELATIVE})\b"
    rf"|\b(?:patient|{_RELATIVE})\s+(?:can|could|may|will)\s+be\s+(?:reached|contacted|called|rung)\b"
    rf"|\b(?:he|she|they|patient|pt|{_RELATIVE})\s+(?:wants|would\s+like|asked\s+for|requested|needs|is\s+waiting\s+for)"
    r"\s+a\s+call[- ]?back\b",
    re.IGNORECASE,
)
#: whose the number is, said after it: "07700 900123 (patient's husband)", "07700 900123 - his wife"
_THEIRS_AFTER = re.compile(
    r"^[ \t]*[(,\-–][ \t]*(?:(?:the[ \t]+)?patient['’]?s?|pt['’]?s?|his|her|their)[ \t]+"
    rf"(?:{_RELATIVE}|mobile|home|landline|number)\b"
    rf"|^[ \t]*\([ \t]*(?:{_RELATIVE}|patient|nok|next of kin)[ \t]*\)",
    re.IGNORECASE,
)
#: a possessive or object pronoun and the phone word it owns, with no patient or relative named
_PRONOUN_ONLY = re.compile(
    r"(?:his|her|their)\s+(?:\w+\s+){0,2}(?:mobile|number|phone|landline|tel|telephone|contact|no\.?|call[- ]?back)"
    r"|(?:ring|call|phone|text|contact|reach)\s+(?:him|her|them)",
    re.IGNORECASE,
)
_MINE = re.compile(
    r"\b(?:my|our)\s+(?:\w+\s+)?(?:mobile|number|phone|landline|no\.?)\b|\b(?:call|ring|text|reach|contact)\s+me\b",
    re.IGNORECASE,
)
_SIGNATURE_LINE = re.compile(
    r"\b(?:switchboard|bleep|pager|fax|ext|extension|office|secretary|reception|direct line|enquiries|helpline)\b",
    re.IGNORECASE,
)
#: a table column of patients' or their families' numbers ("Patient mobile", "NOK tel", "Daughter's phone")
_PATIENT_COLUMN = re.compile(r"\b(?:patient['’]?s?|pt['’]?s?|nok|next of kin)\b", re.IGNORECASE)
_RELATIVE_WORD = re.compile(rf"\b(?:{_RELATIVE})\b", re.IGNORECASE)
#: a sister on the ward is staff, not anyone's relative
_WARD_SISTER = re.compile(
    rf"\b(?:ward|junior|senior|night|day)\s+sister\b|\bsister\s+(?-i:(?={CAP}))", re.IGNORECASE
)
_RELATIVE_COLUMN = re.compile(rf"\b(?:{_RELATIVE})(?:['’]?s)?\b", re.IGNORECASE)
_FIELD_LABEL = re.compile(
    r"(?:^|[.;\n])\s*(?:tel|telephone|phone|mobile|mob|contact(?:\s+number)?)\s*(?:no\.?)?\s*[:\-]\s*$",
    re.IGNORECASE,
)


class PhoneNumberRecognizer:
    """UK phone numbers tied to a patient in a clinical message."""

    name = "phone_number"

    def specs(self) -> list[RecognizerSpec]:
        return [RecognizerSpec(ENTITY, PATTERNS)]

    @staticmethod
    def _health_context(scan: SegmentScan, msg: MessageContext, pos: int) -> bool:
        """The message is clinical, or the number sits next to a health fact ("call him back about his
        kidney function results")."""
        return bool(msg.clinical) or _health_fact_near(scan, msg, pos)

    def find(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        out = []
        view = scan.view
        for hit in scan.hits_of(ENTITY):
            number = view.text[hit.start : hit.end]
            if phone_key(number) in msg.own_phones:
                continue
            column = _column_owner(scan, hit.start)
            if column == "patient" or (column and self._health_context(scan, msg, hit.start)):
                # a list of patients' (or their families') numbers: the heading says whose they are
                out.append(Candidate(TYPE, hit.start, hit.end, 0.7, ("table column",)))
                continue
            if not self._health_context(scan, msg, hit.start):
                continue
            if view.in_signature(hit.start) or view.in_attribution(hit.start):
                continue
            ls, _ = view.line_at(hit.start)
            line_before = view.text[ls : hit.start]
            if _SIGNATURE_LINE.search(line_before):
                continue
            sentence_start = view.sentence_at(hit.start)[0]
            before = view.text[max(sentence_start, hit.start - 80) : hit.start]
            if _MINE.search(before):
                continue
            after = view.text[hit.end : hit.end + 40]
            theirs = _THEIRS.search(before)
            if theirs and _PRONOUN_ONLY.fullmatch(theirs.group()) and _staff_owner(scan, msg, hit.start):
                continue  # "Sister Okafor is on leave... her mobile is": a colleague's number
            if theirs or _THEIRS_AFTER.search(after):
                score, reasons = 0.75, ("possessive", "clinical context")
            elif _FIELD_LABEL.search(before) and _patient_details_above(scan, msg, hit.start, hit.end):
                score, reasons = 0.65, ("patient details", "clinical context")
            else:
                continue
            if scan.found_near(hit.start, hit.end, 400):
                score += 0.1
            out.append(
                Candidate(
                    TYPE, hit.start, hit.end, clamp(score + (0.05 if msg.clinical > 1 else 0.0)), reasons
                )
            )
        return out


def _staff_owner(scan: SegmentScan, msg: MessageContext, pos: int) -> bool:
    """The pronoun before the number points back at a member of staff: the passage before it names one
    ("the ward sister", "Dr Siddiqui", "the interpreter") and no patient or relative."""
    view = scan.view
    lo = view.neighbours(pos, 1)[0]
    passage = view.text[max(lo, pos - 300) : pos]
    if not (msg.lexicon.staff_titles.search(passage) or msg.lexicon.staff_roles.search(passage)):
        return False
    if any(not f.weak for f in scan.health_facts_in(msg.lexicon, max(lo, pos - 300), pos)):
        return False  # "Mrs Dunn's CT showed a bleed, Dr Patel saw her. Ring her on ...": the patient
    passage = _WARD_SISTER.sub(" ", passage)
    return not (patient_cue(passage, msg.lexicon) or _RELATIVE_WORD.search(passage))


def _column_owner(scan: SegmentScan, pos: int) -> str:
    """ "patient" or "relative" when `pos` is in a table column headed with a patient's or a relative's
    number ("Patient mobile", "Daughter's phone"); "" otherwise."""
    table = scan.view.table_at(pos)
    label = table.label_at(pos) if table else ""
    if not label:
        return ""
    if _PATIENT_COLUMN.search(label):
        return "patient"
    return "relative" if _RELATIVE_COLUMN.search(label) else ""


def _health_fact_near(scan: SegmentScan, msg: MessageContext, pos: int) -> bool:
    """A health fact (a result, a diagnosis...) in the sentences around `pos`."""
    lo, hi = scan.view.neighbours(pos, 1)
    return any(not f.weak for f in scan.health_facts_in(msg.lexicon, lo, hi))


def _patient_details_above(scan: SegmentScan, msg: MessageContext, start: int, end: int) -> bool:
    """A "Tel:" field under a patient's details (not under the writer's own name, as in a CV)."""
    above = scan.view.text[max(0, start - 400) : start]
    if scan.found_near(start, end, 400):
        return True
    if writers_own(scan.view.text, start, msg, cue=False):
        return False
    return patient_cue(above, msg.lexicon)
