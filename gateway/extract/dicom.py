"""DICOM files: header tags into a `dicom` artifact and the identifying ones as text (pydicom).

The pixel data is never loaded (stop_before_pixels). The artifact's
metadata maps tag keywords to values (top-level and inside sequences,
first occurrence wins, binary values left out). The identifying tags
(patient, institution, study) also become one "metadata" segment, one
"Keyword: value" line each, with person names written "Given Family" (capitalised, not shouted) and
dates as YYYY-MM-DD, so the patient-identifier detectors read them like
any text. An encapsulated PDF or CDA document inside is read as a file of
its own.
"""

from __future__ import annotations

import io
from typing import Any

import pydicom
from pydicom.errors import InvalidDicomError
from pydicom.valuerep import PersonName

from gateway.extract.context import Context, Unreadable

IDENTIFYING = (
    "PatientName",
    "PatientID",
    "OtherPatientIDs",
    "IssuerOfPatientID",
    "PatientBirthDate",
    "PatientSex",
    "PatientAge",
    "PatientAddress",
    "PatientTelephoneNumbers",
    "PatientMotherBirthName",
    "MedicalRecordLocator",
    "PatientComments",
    "AdditionalPatientHistory",
    "InstitutionName",
    "InstitutionAddress",
    "InstitutionalDepartmentName",
    "ReferringPhysicianName",
    "AccessionNumber",
    "StudyID",
    "StudyDate",
    "StudyDescription",
    "SeriesDescription",
    "BodyPartExamined",
    "Modality",
)
_BINARY_VRS = {"OB", "OW", "OF", "OD", "OL", "OV", "UN", "SQ"}
#: metadata keeps at most this many tags, each value at most _MAX_VALUE characters
_MAX_TAGS = 400
_MAX_VALUE = 200


def read(data: bytes, ctx: Context) -> None:
    try:
        ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True, force=True)
    except (InvalidDicomError, EOFError, ValueError, KeyError, OSError) as exc:
        raise Unreadable("PARSE_ERROR", f"damaged DICOM file ({type(exc).__name__})") from None
    metadata: dict[str, Any] = {}
    for elem in ds.iterall():
        if len(metadata) >= _MAX_TAGS:
            break
        if elem.VR in _BINARY_VRS or not elem.keyword or elem.keyword in metadata:
            continue
        try:
            metadata[elem.keyword] = _value(elem.value)
        except Exception as exc:  # one damaged element must not hide the others, nor pass unread
            ctx.damaged(exc, "DICOM element", where=f"{ctx.where}/header")
            continue
    if not metadata:
        raise Unreadable("PARSE_ERROR", "no DICOM header found")
    lines = []
    for keyword in IDENTIFYING:
        tag: Any = ds.data_element(keyword) if keyword in ds else None
        if tag is None or tag.value in (None, ""):
            continue
        lines.append(f"{keyword}: {_readable(tag.VR, tag.value)}")
    ctx.text("\n".join(lines), kind="metadata")
    ctx.artifact("dicom", metadata=metadata)
    document = ds.get("EncapsulatedDocument")
    if isinstance(document, bytes) and document:
        ctx.child(document, "encapsulated-document")


def _value(value: Any) -> Any:
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue":
        return [str(v)[:_MAX_VALUE] for v in list(value)[:20]]
    return str(value)[:_MAX_VALUE]


def _readable(vr: str, value: Any) -> str:
    if type(value).__name__ == "MultiValue" or isinstance(value, list):
        return ", ".join(_readable(vr, v) for v in list(value)[:20])
    if vr == "PN" or isinstance(value, PersonName):
        name = PersonName(value) if not isinstance(value, PersonName) else value
        parts = [name.name_prefix, name.given_name, name.middle_name, name.family_name, name.name_suffix]
        words = " ".join(p for p in parts if p) or str(value).replace("^", " ").strip()
        return words.title() if words.isupper() else words  # DICOM names are often all capitals
    if vr == "DA":
        text = str(value)
        if len(text) == 8 and text.isdigit():
            return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return str(value).replace("\r\n", " ").replace("^", " ").strip()[:_MAX_VALUE]
