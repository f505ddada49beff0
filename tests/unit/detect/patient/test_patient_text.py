"""A segment's shape: sentences, tables, greeting and signature blocks."""

from __future__ import annotations

import pytest

from gateway.detect.patient.lexicon import Lexicon
from gateway.detect.patient.text import SegmentView
from gateway.model import Segment


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


def view(text: str, lex: Lexicon, where: str = "body", kind: str = "body") -> SegmentView:
    return SegmentView(Segment(text, where, kind=kind), lex)


def test_sentences_do_not_break_after_abbreviations(lex: Lexicon) -> None:
    """ "d.o.b.", initials and "Mr." do not end a sentence; a full stop before a capital does."""
    v = view("Patient G.H.E. d.o.b. 1 May 1950 was seen. Mr. Lee came too. Then home.", lex)
    texts = [v.text[s:e].strip() for s, e in v.sentences]
    assert texts == ["Patient G.H.E. d.o.b. 1 May 1950 was seen.", "Mr. Lee came too.", "Then home."]


def test_table_columns(lex: Lexicon) -> None:
    """Pipe and tab tables are found, with the header's labels per column (blank lines between rows allowed)."""
    v = view("Intro line\nBed | Name | NHS no\n1 | A | 111\n\n2 | B | 222\nafter", lex)
    (t,) = v.tables
    assert t.header == ["bed", "name", "nhs no"]
    pos = v.text.index("222")
    assert t.label_at(pos) == "nhs no"


def test_csv_only_for_csv_files(lex: Lexicon) -> None:
    """Comma tables are read in .csv attachments, not in prose."""
    text = "Name,DOB,Ward\nAnn,1/2/1950,9\nBob,3/4/1940,10"
    assert view(text, lex, "attachment:list.csv", "attachment").tables
    assert not view(text, lex).tables


def test_greeting_and_signature(lex: Lexicon) -> None:
    """The first short line after "Dear"/"Hi" is a greeting; from a sign-off to the end is the signature."""
    text = "Dear Dr Lee,\n\nThe patient is better.\n\nBest wishes,\nSam\nYear 4\nMob 07700 900000"
    v = view(text, lex)
    assert v.in_greeting(text.index("Lee"))
    assert v.in_signature(text.index("Sam")) and v.in_signature(text.index("07700"))
    assert not v.in_signature(text.index("patient"))


def test_signoff_needs_to_look_like_one(lex: Lexicon) -> None:
    """ "Thanks for the teaching." is a sentence, "X-ray booked" is not "x", neither starts a signature."""
    v = view(
        "Hi,\nThanks for the teaching on the ward today.\nX-ray booked.\nMr Lee in bed 3 is stable.", lex
    )
    assert not v.signatures


def test_quoted_message_has_its_own_signature(lex: Lexicon) -> None:
    """A quoted message's signature is found after its attribution line."""
    text = (
        "Thanks!\n\nOn Tue, Ann Lee <a@x.org> wrote:\n> Happy to help.\n> Ann\n>\n> Dr Ann Lee\n> Consultant"
    )
    v = view(text, lex)
    assert v.in_attribution(text.index("wrote"))
    assert v.in_signature(text.index("Consultant"))
