"""All of max_text_chars is read, past any one detector's reach per segment; the rest is TEXT_LIMIT (issue 13 #9)."""

from __future__ import annotations

import base64
import dataclasses

import pytest

from gateway.config import LimitSettings
from gateway.mime import SEGMENT_CHARS, parse_message, pieces
from gateway.model import Verdict
from tests.unit.mime.planted import ENV, SENTENCE, inspect, message

FILLER = "Lecture notes on renal physiology, week three, for the study group.\r\n" * 60_000  # about 4 MB


@pytest.mark.parametrize("where", ["body", "attachment"])
def test_sentence_after_four_megabytes_is_held(where):
    """The planted sentence at the end of 4 MB of text is read and held, in a body or a text attachment."""
    text = (FILLER + SENTENCE + "\r\n").encode()
    if where == "body":
        raw = message("Content-Type: text/plain", text)
    else:
        raw = message(
            'Content-Type: text/plain; name="notes.txt"\r\nContent-Disposition: attachment; filename="notes.txt"\r\n'
            "Content-Transfer-Encoding: base64",
            base64.encodebytes(text),
        )
    out = inspect(raw)
    assert out.verdict is Verdict.HOLD
    assert any(f.type == "NHS_NUMBER" for f in out.findings)


def test_text_past_the_limit_is_text_limit():
    """Text beyond max_text_chars is not read, and that is said: a TEXT_LIMIT finding."""
    raw = message("Content-Type: text/plain", (FILLER[:200_000] + SENTENCE).encode())
    insp = parse_message(raw, ENV, dataclasses.replace(LimitSettings(), max_text_chars=100_000))
    assert any(f.type == "TEXT_LIMIT" and f.score == 1.0 for f in insp.findings)


@pytest.mark.parametrize("lines", [3, 1000, 400_000])
def test_pieces_hold_every_line_whole_and_stay_short(lines):
    """Pieces are at most SEGMENT_CHARS long and every line of the text is whole in one of them."""
    text = "".join(f"line {n} of the notes\n" for n in range(lines))
    parts = pieces(text)
    assert all(len(p) <= SEGMENT_CHARS for p in parts)
    assert parts[0].startswith("line 0 ") and parts[-1].endswith(f"line {lines - 1} of the notes\n")
    found = set()
    for n, p in enumerate(parts):
        lines_in = p.split("\n")
        found.update(lines_in[:-1] if n == 0 else lines_in[1:-1])  # a later piece may start mid-line
    assert found >= {f"line {n} of the notes" for n in range(lines)}
