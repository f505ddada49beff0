"""File names are read like text: attachment names, archive member names, names in encrypted archives (issue 13 #7)."""

from __future__ import annotations

import base64
import io
import tarfile

import pytest

from gateway.model import Verdict
from tests.unit.extract import fixture_files as ff
from tests.unit.mime.planted import NHS, inspect, message

NAME = f"Patient John Smith NHS {NHS} DOB 03-04-1961.txt"


def attachment(name: str, data: bytes, ctype: str = "application/octet-stream") -> bytes:
    return message(
        f'Content-Type: {ctype}; name="{name}"\r\nContent-Disposition: attachment; filename="{name}"\r\n'
        "Content-Transfer-Encoding: base64",
        base64.encodebytes(data),
    )


def tar_of(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (NAME, b"hello"),
        ("notes.zip", ff.zip_of({NAME: b"hello"})),
        ("notes.zip", ff.zip_of({f"ward/{NAME}": b"hello"})),
        ("notes.tar", tar_of({NAME: b"hello"})),
        ("notes.zip", ff.zipcrypto_flagged({NAME: b"hello"})),
        ("outer.zip", ff.zip_of({"inner.zip": ff.zip_of({NAME: b"hello"})})),
    ],
    ids=["attachment", "zip-member", "zip-folder", "tar-member", "encrypted-zip", "nested-zip"],
)
def test_identifying_file_names_are_held(name, data):
    """A name carrying the planted identifiers is read as text and held, whatever the content."""
    out = inspect(attachment(name, data))
    assert out.verdict is Verdict.HOLD
    assert any(f.type == "NHS_NUMBER" and f.where.endswith("#filename") for f in out.findings)


def test_encoded_word_file_names_are_read_decoded():
    """A non-ASCII name sent as an encoded-word is decoded before it is read."""
    word = "=?utf-8?B?" + base64.b64encode(NAME.encode()).decode() + "?="
    out = inspect(attachment(word, b"hello"))
    assert out.verdict is Verdict.HOLD


def test_ordinary_file_names_pass():
    """An ordinary name and content pass: reading names adds no noise of its own."""
    out = inspect(attachment("Lecture notes week 3.txt", b"hello"))
    assert out.verdict is Verdict.PASS


def test_forwarded_message_names_are_read():
    """The file name of an attached message (message/rfc822) is read like any other file name."""
    name = NAME.replace(".txt", ".eml")
    raw = message(
        f'Content-Type: message/rfc822; name="{name}"\r\nContent-Disposition: attachment; filename="{name}"',
        b"From: a@b.example\r\nSubject: hi\r\n\r\nhello\r\n",
    )
    out = inspect(raw)
    assert out.verdict is Verdict.HOLD
    assert any(f.type == "NHS_NUMBER" and f.where.endswith("#filename") for f in out.findings)
