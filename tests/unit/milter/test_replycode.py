"""REPLYCODE texts always pass Postfix's and Sendmail's checks, and keep the policy's words."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.milter.replycode import MAX_LINES, MAX_TOTAL, smtp_reply

_LINE = re.compile(r"^([45])\d\d([ -])([245])\.\d{1,3}\.\d{1,3}( [\x20-\x7e]*)?$")


def postfix_view(reply: str) -> str:
    """What Postfix does with a REPLYCODE (milter8.c): '%%' -> '%', a lone '%' removed."""
    out, i = [], 0
    while i < len(reply):
        ch = reply[i]
        if ch == "%":
            i += 1
            if i < len(reply):
                out.append(reply[i])
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def assert_valid(reply: str, code: int) -> None:
    """The checks of Postfix (first line) and Sendmail/libmilter (every line), plus the limits."""
    assert "\0" not in reply
    assert len(reply) <= MAX_TOTAL
    lines = reply.split("\r\n")
    assert 1 <= len(lines) <= MAX_LINES
    for i, line in enumerate(lines):
        m = _LINE.match(line)
        assert m, line
        assert line[:3] == str(code)
        assert m.group(3) == m.group(1)  # enhanced status class matches the reply class
        assert m.group(2) == ("-" if i < len(lines) - 1 else " ")
        assert "\r" not in line and "\n" not in line
        assert len(line) <= 510
        assert "%" not in line.replace("%%", "")  # every % doubled


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        (
            550,
            "5.7.1 Message refused by the compliance policy",
            "550 5.7.1 Message refused by the compliance policy",
        ),
        (550, "Refused: patient data", "550 5.0.0 Refused: patient data"),
        (550, "4.7.1 wrong class", "550 5.7.1 wrong class"),
        (451, "5.3.0 wrong class", "451 4.3.0 wrong class"),
        (550, "5.7.1 100% sure", "550 5.7.1 100%% sure"),
        (554, "5.7.1 first\r\nsecond", "554-5.7.1 first\r\n554 5.7.1 second"),
        (550, "5.7.1 bad\x00byte and caf\u00e9", "550 5.7.1 bad?byte and caf?"),
        (550, "", "550 5.0.0 Refused"),
        (451, "   ", "451 4.0.0 Try again later"),
    ],
)
def test_reply_texts(code: int, text: str, expected: str) -> None:
    """Status codes are kept or corrected to the reply's class; %, CR/LF and non-ASCII are made safe."""
    reply = smtp_reply(code, text)
    assert reply == expected
    assert_valid(reply, code)


def test_codes_outside_4xx_5xx_are_refused() -> None:
    """A 2xx or 3xx REPLYCODE would be a milter bug: refused loudly."""
    with pytest.raises(ValueError):
        smtp_reply(250, "ok")


def test_long_text_is_cut_to_the_limits() -> None:
    """A 5,000-character, 100-line text is cut to 980 characters and 32 lines."""
    reply = smtp_reply(550, "5.7.1 " + "\n".join("x" * 50 for _ in range(100)))
    assert_valid(reply, 550)
    assert len(reply) > MAX_TOTAL - 60  # cut near the limit, not dropped


def test_percent_pairs_are_never_split_at_the_cut() -> None:
    """Cutting a text of '%' leaves whole '%%' pairs only."""
    reply = smtp_reply(550, "5.7.1 " + "%" * 2000)
    assert_valid(reply, 550)


@settings(max_examples=400, deadline=None)
@given(
    code=st.integers(min_value=400, max_value=599),
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=1500),
)
def test_any_text_gives_a_valid_reply(code: int, text: str) -> None:
    """Whatever the policy's text, the REPLYCODE passes the MTA's checks (never a default action)."""
    assert_valid(smtp_reply(code, text), code)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=300))
def test_short_printable_text_reaches_the_client_unchanged(text: str) -> None:
    """A one-line printable text is what the SMTP client reads, after Postfix undoubles '%'."""
    reply = smtp_reply(550, "5.7.1 " + text)
    assert postfix_view(reply) == "550 5.7.1 " + text
