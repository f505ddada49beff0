"""An extractor's limit or error is an uninspectable finding, never "no text" (issue 13 #10)."""

from __future__ import annotations

import base64
import dataclasses
import io
import zipfile
import zlib
from functools import cache

import pytest

from gateway.config import LimitSettings
from gateway.extract import extract_all
from gateway.extract.budget import Budget, LimitExceeded
from gateway.extract.context import Context, Run
from gateway.model import Inspection, Part, Verdict
from gateway.model.finding import UNINSPECTABLE
from tests.unit.extract import fixture_files as ff
from tests.unit.mime.planted import ENV, SENTENCE, inspect, message

LIMITS = dataclasses.replace(LimitSettings(), max_extract_seconds=30.0)


@cache
def inflating_pdf() -> bytes:
    """A small PDF whose page stream carries the planted sentence and inflates past pypdf's 75 MB limit."""
    stream = zlib.compress(f"BT /F1 12 Tf 72 720 Td ({SENTENCE}) Tj ET\n".encode() + b" " * 80_000_000, 9)
    return ff.one_page_pdf(stream, filters=b" /Filter /FlateDecode")


def read(name: str, data: bytes, ctype: str = "application/octet-stream") -> Inspection:
    insp = Inspection(envelope=ENV)
    insp.parts.append(Part(data, ctype, name, f"attachment:{name}"))
    extract_all(insp, LIMITS)
    return insp


def uninspectable(insp: Inspection) -> dict[str, float]:
    return {f.type: f.score for f in insp.findings if f.category == UNINSPECTABLE}


def test_pdf_inflating_past_the_reader_limit_is_held():
    """A PDF stream past pypdf's output limit is ARCHIVE_LIMIT at full score, not NO_TEXT_LAYER, and held."""
    data = inflating_pdf()
    assert len(data) < 200_000
    found = uninspectable(read("letter.pdf", data, "application/pdf"))
    assert found.get("ARCHIVE_LIMIT") == 1.0 and "NO_TEXT_LAYER" not in found
    raw = message(
        'Content-Type: application/pdf; name="letter.pdf"\r\nContent-Disposition: attachment; filename="letter.pdf"\r\n'
        "Content-Transfer-Encoding: base64",
        base64.encodebytes(data),
    )
    assert inspect(raw).verdict is Verdict.HOLD


def _with_part(docx: bytes, name: str, content: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(docx))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            out.writestr(info, content if info.filename == name else src.read(info))
        if name not in src.namelist():
            out.writestr(name, content)
    return buf.getvalue()


@pytest.mark.parametrize("part", ["docProps/core.xml", "docProps/app.xml", "_rels/.rels"])
def test_damaged_office_parts_are_parse_errors(part):
    """A damaged properties or relationships part is a PARSE_ERROR, not silently skipped metadata."""
    data = _with_part(ff.docx(), part, b"<cp:coreProperties><dc:title>Patient John Whitfield")
    found = uninspectable(read("letter.docx", data))
    assert found.get("PARSE_ERROR") == 1.0


def test_absent_office_parts_are_not_errors():
    """An Office file without optional parts (app properties) reads cleanly: absence is not damage."""
    src = zipfile.ZipFile(io.BytesIO(ff.docx()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            if info.filename != "docProps/app.xml":
                out.writestr(info, src.read(info))
    assert uninspectable(read("letter.docx", buf.getvalue())) == {}


def _context() -> Context:
    run = Run(inspection=Inspection(envelope=ENV), limits=LIMITS, budget=Budget(LIMITS))
    return Context(run=run, where="attachment:x.pdf", filename="x.pdf", content_type="", size=1)


def test_damage_reported_by_a_reader_is_a_parse_error_at_its_place():
    """ctx.damaged turns a library's error into a full-score PARSE_ERROR at the given location."""
    ctx = _context()
    ctx.damaged(ValueError("bad"), "page 2", where="attachment:x.pdf/page 2")
    (f,) = ctx.run.inspection.findings
    assert (f.type, f.where, f.score) == ("PARSE_ERROR", "attachment:x.pdf/page 2", 1.0)


@pytest.mark.parametrize("exc", [LimitExceeded("TIME_LIMIT", "late"), MemoryError()])
def test_limits_inside_a_library_call_are_not_damage(exc):
    """A limit crossed inside a library call goes on up to the dispatcher instead of being swallowed."""
    with pytest.raises(type(exc)):
        _context().damaged(exc, "page 1")
