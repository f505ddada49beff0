"""Large bodies kept out of Python's parser give exactly what the parser would have given."""

from __future__ import annotations

import base64
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway import mime
from gateway.config import LimitSettings
from gateway.mime import normalise_line_endings, parse_message, skeleton
from gateway.model import Envelope, Inspection

LIMITS = LimitSettings()
ENV = Envelope("a@uni.example", ("b@mail.example",))


def view(insp: Inspection) -> tuple[object, ...]:
    return (
        [(s.where, s.text, s.quoted, s.kind) for s in insp.segments],
        [(p.where, p.data, p.content_type, p.quoted, p.inline) for p in insp.parts],
        sorted((f.type, f.where, str(f.details)) for f in insp.findings),
        insp.headers,
    )


def both(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple[object, ...], tuple[object, ...]]:
    raw = normalise_line_endings(raw)
    monkeypatch.setattr(mime, "SKELETON_MIN_BYTES", 1 << 40)
    plain = view(parse_message(raw, ENV, LIMITS))
    monkeypatch.setattr(mime, "SKELETON_MIN_BYTES", 1)
    return plain, view(parse_message(raw, ENV, LIMITS))


B64 = base64.encodebytes(os.urandom(3000)).decode()
CASES = {
    "single-part": "Subject: s\nContent-Transfer-Encoding: base64\n\n" + B64,
    "no-headers": "\nbody only\n",
    "mixed": 'Subject: s\nContent-Type: multipart/mixed; boundary="a"\n\npre\n--a\nContent-Type: text/plain\n\n'
    "hello\nworld\n\n--a\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
    'Content-Disposition: attachment; filename="x.pdf"\n\n' + B64 + "--a--\nepilogue\n",
    "nested": 'Content-Type: multipart/mixed; boundary="a"\n\n--a\nContent-Type: multipart/alternative;\n'
    ' boundary="b"\n\n--b\nContent-Type: text/plain\n\nplain\n--b\nContent-Type: text/html\n\n<p>h</p>\n--b--\n'
    "--a\nContent-Type: application/octet-stream\n\n" + B64 + "--a--\n",
    "forward": 'Content-Type: multipart/mixed; boundary="a"\n\n--a\nContent-Type: message/rfc822\n\n'
    "Subject: inner\nContent-Type: text/plain\n\ninner body\n" + B64 + "--a--\n",
    "empty-part-headers": 'Content-Type: multipart/mixed; boundary="a"\n\n--a\n\nno headers here\n--a--\n',
    "unclosed": 'Content-Type: multipart/mixed; boundary="a"\n\n--a\nContent-Type: text/plain\n\ncut short\n',
    "boundary-in-body": 'Content-Type: multipart/mixed; boundary="a"\n\n--a\nContent-Type: text/plain\n\n'
    "text that says; boundary=zz\n--zz\nstill text\n--a--\n",
}


@pytest.mark.parametrize("raw", CASES.values(), ids=CASES.keys())
def test_skeleton_parse_equals_full_parse(raw, monkeypatch):
    """Segments, parts, findings and headers are the same with and without the skeleton."""
    plain, fast = both(raw.encode(), monkeypatch)
    assert fast == plain


def test_skeleton_cuts_large_leaf_bodies_only():
    """Only leaf bodies above the threshold are cut; containers and small bodies stay."""
    raw = normalise_line_endings(CASES["nested"].encode())
    cut, bodies = skeleton(raw, 1000)
    assert len(bodies) == 1
    assert len(cut) < len(raw) - 3000


_pieces = st.sampled_from(
    [
        b"Content-Type: multipart/mixed; boundary=b\r\n",
        b"Content-Type: multipart/alternative; boundary=c\r\n",
        b"Content-Type: message/rfc822\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Disposition: attachment; filename=a.txt\r\n",
        b"\r\n",
        b"--b\r\n",
        b"--b--\r\n",
        b"--c\r\n",
        b"--c--\r\n",
        b"QUJDREVG\r\n",
        b"text line\r\n",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.lists(_pieces, max_size=30).map(b"".join))
def test_skeleton_never_changes_what_is_read(raw, monkeypatch):
    """For any MIME-like input the skeleton gives exactly the full parse's result."""
    plain, fast = both(raw, monkeypatch)
    assert fast == plain
