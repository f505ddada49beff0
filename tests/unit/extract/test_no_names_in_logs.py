"""Logs never carry an attachment's file name: it can name a patient (no patient data in logs)."""

from __future__ import annotations

import base64
import io
import logging
import zipfile

import pytest

from tests.unit.mime.planted import NHS, inspect, message

NAME = f"Patient John Whitfield NHS {NHS}.xlsx"


def _attachment(name: str, data: bytes) -> bytes:
    body = (
        b"--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--b1\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n"
        b'Content-Disposition: attachment; filename="' + name.encode() + b'"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(data) + b"--b1--\r\n"
    )
    return message('Content-Type: multipart/mixed; boundary="b1"\r\n', body)


def test_an_unreadable_attachment_is_logged_without_its_name(caplog: pytest.LogCaptureFixture) -> None:
    """A damaged attachment named after a patient is logged by format and error only, never by name."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:  # a workbook whose XML the spreadsheet library cannot parse
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook><sheets><sheet name='a'")
    with caplog.at_level(logging.DEBUG):
        outcome = inspect(_attachment(NAME, buf.getvalue()))
    assert any(f.type == "PARSE_ERROR" for f in outcome.findings)
    assert any(r.getMessage() == "attachment unreadable" for r in caplog.records)
    for record in caplog.records:
        text = " ".join(str(v) for v in vars(record).values())
        assert NHS not in text and "Whitfield" not in text
