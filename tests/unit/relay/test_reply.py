"""SMTP replies: wire format, next-hop pass-through and policy codes."""

from __future__ import annotations

import pytest

from gateway.relay.reply import INTERNAL_ERROR, Reply, from_next_hop, policy_reject


def test_multiline_reply_wire_format() -> None:
    """A multi-line next-hop answer is re-sent with continuation markers on all but the last line."""
    assert Reply(250, "first\nsecond\nlast").wire() == "250-first\r\n250-second\r\n250 last"


def test_control_characters_never_reach_the_wire() -> None:
    """A next hop's reply cannot inject a code-less line or control bytes into ours: each line gets the code."""
    assert Reply(550, "bad\x00reply\rtext\x1b").wire() == "550-bad reply\r\n550 text "


@pytest.mark.parametrize(
    ("code", "expected"), [(250, 250), (452, 452), (550, 550), (354, 451), (199, 451), (600, 451)]
)
def test_next_hop_codes_pass_through_and_oddities_become_temporary(code: int, expected: int) -> None:
    """2xx/4xx/5xx pass through unchanged; anything else is a temporary failure, never a success."""
    assert from_next_hop(code, "text").code == expected


@pytest.mark.parametrize(("code", "expected"), [(554, 554), (450, 450), (250, 550), (0, 550)])
def test_policy_reject_codes(code: int, expected: int) -> None:
    """A policy may ask for any 4xx/5xx; a nonsense code becomes 550, never a 2xx."""
    assert policy_reject(code, "5.7.1 no").code == expected


def test_internal_error_is_temporary() -> None:
    """The catch-all answer is 451 4.3.0."""
    assert INTERNAL_ERROR.temporary and INTERNAL_ERROR.text.startswith("4.3.0")
