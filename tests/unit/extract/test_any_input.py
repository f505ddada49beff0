"""Any bytes, as a message or as an attachment, are read without raising: uninspectable at worst (T1)."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.config import LimitSettings
from gateway.extract import extract_all
from gateway.mime import normalise_line_endings, parse_message
from gateway.model import Envelope, Inspection, Part
from tests.unit.extract import fixture_files as ff

LIMITS = dataclasses.replace(LimitSettings(), max_extract_seconds=5.0)
ENV = Envelope("a@uni.example", ("b@mail.example",))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_header = st.sampled_from(
    [
        b"Content-Type: multipart/mixed; boundary=b\r\n",
        b'Content-Type: multipart/alternative; boundary="b"; boundary=c\r\n',
        b"Content-Type: message/rfc822\r\n",
        b"Content-Type: text/html; charset=x-unknown\r\n",
        b"Content-Type: application/zip\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"Content-Disposition: attachment; filename*=utf-8''a%ZZ; filename=\"=?x?q?b?=\"\r\n",
        b"Subject: =?utf-8?b?////?=\r\n",
        b'From: "broken <@>\r\n',
        b"\r\n",
        b"--b\r\n",
        b"--b--\r\n",
        b"--c\r\n",
    ]
)
_mime_like = st.lists(st.one_of(_header, st.binary(max_size=40)), max_size=40).map(b"".join)


def _check(insp: Inspection) -> None:
    for f in insp.findings:
        assert 0.0 <= f.score <= 1.0
    for s in insp.segments:
        assert isinstance(s.text, str)


@FAST
@given(st.one_of(st.binary(max_size=2000), _mime_like))
def test_any_message_bytes_are_read(raw):
    """parse_message and extract_all return for any input, never raise."""
    insp = parse_message(normalise_line_endings(raw), ENV, LIMITS)
    extract_all(insp, LIMITS)
    _check(insp)


_SEEDS = [
    ff.docx(),
    ff.xlsx(),
    ff.pptx(),
    ff.odt(),
    ff.pdf(),
    ff.rtf(),
    ff.zip_of({"a.txt": b"x"}),
    ff.dicom(),
    ff.jpeg_with_exif(),
    ff.msg(),
    ff.tnef(),
    ff.ods(),
    ff.encrypted_docx(),
    ff.aes_zip({"a.txt": b"x"}),
]


@FAST
@given(
    st.sampled_from(_SEEDS),
    st.lists(st.tuples(st.integers(0, 100_000), st.integers(0, 255)), max_size=8),
    st.integers(0, 100_000),
    st.sampled_from(["x.docx", "x.pdf", "x.zip", "x.dcm", "x.msg", "x.bin", "x.xlsx"]),
)
def test_damaged_attachments_are_read_or_uninspectable(seed, flips, cut, name):
    """A real file with flipped or missing bytes is read or reported, never a crash."""
    data = bytearray(seed[: max(cut, 1)] if cut < len(seed) else seed)
    for pos, value in flips:
        if data:
            data[pos % len(data)] = value
    insp = Inspection(envelope=ENV)
    insp.parts.append(Part(bytes(data), "application/octet-stream", name, f"attachment:{name}"))
    extract_all(insp, LIMITS)
    _check(insp)
