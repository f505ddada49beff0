"""Patient details in DICOM headers: PatientName, PatientID, PatientBirthDate, PatientAddress...

They reach the detector two ways: as an Artifact's metadata (tag keyword
-> value, from the DICOM extractor) and as text lines ("PatientName:
LEE^ANN") in a metadata segment. A tag whose value was blanked or
replaced by an anonymiser ("ANON^SSC01", "ANONYMOUS", "REMOVED") is not an
identifier; the image itself is still a patient image (see
`gateway.detect.images`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gateway.detect.patient.context import MessageContext
from gateway.detect.patient.recognizer import Candidate, SegmentScan
from gateway.detect.presidio_engine import PatternSpec, RecognizerSpec, anycase

ENTITY = "DICOM_PATIENT_TAG"

#: tag keyword (lower case, no separators) -> finding type
TAGS = {
    "patientname": "PATIENT_NAME",
    "otherpatientnames": "PATIENT_NAME",
    "patientbirthname": "PATIENT_NAME",
    "patientmothersbirthname": "PATIENT_NAME",
    "patientid": "HOSPITAL_NUMBER",
    "otherpatientids": "HOSPITAL_NUMBER",
    "issuerofpatientid": "",
    "patientbirthdate": "DATE_OF_BIRTH",
    "patientaddress": "PATIENT_ADDRESS",
    "patienttelephonenumbers": "PATIENT_PHONE",
    "medicalrecordlocator": "HOSPITAL_NUMBER",
}
_ANONYMISED = re.compile(
    r"^(?:|anon\w*|anonymi[sz]ed|anonymous|removed|redacted|deidentified|de-identified|unknown|none|null|n/?a|"
    r"x+|\*+|-+|_+|0+|patient|test\w*|phantom|demo\w*|sample)$",
    re.IGNORECASE,
)
#: "PatientName: LEE^ANN": the tag and its value (the finding is the value)
_PATIENT = anycase("patient")
_TAG = (
    rf"\b(?:{_PATIENT}['’]?s?[ _]?(?:{anycase('name')}|{anycase('id')}|{anycase('birth')}[ _]?{anycase('date')}"
    rf"|{anycase('address')}|{anycase('telephone')}[ _]?{anycase('numbers')})"
    rf"|{anycase('other')}[ _]?{_PATIENT}[ _]?(?:{anycase('ids')}|{anycase('names')}))[ \t]*[:=][ \t]*"
)
_TAG_LINE = _TAG + r"[^\r\n]{1,80}"
_TAG_PREFIX = re.compile(_TAG)


def tag_key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower().replace("'s", ""))


def anonymised(value: object) -> bool:
    """True when a tag value carries no identity: blank, or an anonymiser's placeholder ("ANON^SSC01")."""
    parts = [p for p in re.split(r"[\^\s,]+", str(value).strip()) if p]
    if not parts:
        return True
    return any(_ANONYMISED.match(p) or p.lower().startswith("anon") for p in parts)


def metadata_identifiers(metadata: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(finding type, tag keyword) for each identifying patient tag in DICOM metadata."""
    out = []
    for key, value in metadata.items():
        kind = TAGS.get(tag_key(key))
        if kind and not anonymised(value):
            out.append((kind, key))
    return out


class DicomTagRecognizer:
    """Patient tags written out as text lines in a metadata segment."""

    name = "dicom_tags"

    def specs(self) -> list[RecognizerSpec]:
        return [RecognizerSpec(ENTITY, (PatternSpec("tag_value", _TAG_LINE, 0.9),), case_sensitive=True)]

    def find(self, scan: SegmentScan, msg: MessageContext) -> list[Candidate]:
        out: list[Candidate] = []
        segment = scan.view.segment
        if segment.kind != "metadata" and not segment.where.lower().endswith((".dcm", ".dicom")):
            return out  # "Patient name:" in prose is the name recognizer's, with its checks
        text = scan.view.text
        for hit in scan.hits_of(ENTITY):
            m = _TAG_PREFIX.match(text, hit.start)
            if m is None:
                continue
            kind = TAGS.get(tag_key(m.group().strip(" \t:=")))
            value = text[m.end() : hit.end]
            if not kind or anonymised(value):
                continue
            out.append(Candidate(kind, m.end(), hit.end, 0.95, ("DICOM tag",)))
        return out
