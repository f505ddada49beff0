"""The pass mark: the gateway's own mail (releases, notices) recognised, forgeries and replays not."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gateway.model import Envelope
from gateway.model.passmark import HEADER, MAX_AGE_SECONDS, Check, PassMark, strip_marks

KEY, OTHER, NEW = b"k" * 32, b"o" * 32, b"n" * 32
ENV = Envelope(mail_from="student@example.ac.uk", rcpt_tos=("friend@example.org", "tutor@example.ac.uk"))
RAW = (
    b"From: student@example.ac.uk\r\nTo: friend@example.org\r\nSubject: Ward notes\r\n"
    b"Message-ID: <m1@example.ac.uk>\r\n\r\nHello,\r\nthe notes are attached.  \r\n\r\n"
)
NOW = 1_800_000_000.0


def mark(keys: tuple[bytes, ...] = (KEY,), at: float = NOW) -> PassMark:
    return PassMark(keys, clock=lambda: at)


def signed(raw: bytes = RAW, env: Envelope = ENV) -> bytes:
    return mark().sign(env, raw)


def test_signed_message_verifies() -> None:
    """A message the gateway signed is recognised by any node holding the same key."""
    out = signed()
    assert out.startswith(f"{HEADER}: v=1; t=".encode())
    assert mark().check(ENV, out) is Check.VALID


Change = Callable[[bytes], tuple[Envelope, bytes]]

SURVIVES: list[tuple[str, Change]] = [
    ("LF line endings", lambda m: (ENV, m.replace(b"\r\n", b"\n"))),
    ("headers added in transit", lambda m: (ENV, b"Received: from x by y; now\r\nX-Spam: no\r\n" + m)),
    (
        "trailing spaces and blank lines",
        lambda m: (ENV, m.replace(b"attached.  ", b"attached.") + b"\r\n\r\n"),
    ),
    (
        "address case and brackets",
        lambda m: (Envelope("<Student@Example.ac.uk>", ("TUTOR@example.ac.uk", "<friend@example.org>")), m),
    ),
    ("subject refolded", lambda m: (ENV, m.replace(b"Subject: Ward notes", b"Subject: Ward\r\n notes"))),
]


@pytest.mark.parametrize(("name", "change"), SURVIVES, ids=[n for n, _ in SURVIVES])
def test_mark_survives_what_mtas_change(name: str, change: Change) -> None:
    """Line endings, added headers, trailing space, address spelling and folding do not break the mark."""
    env, raw = change(signed())
    assert mark().check(env, raw) is Check.VALID


REFUSED: list[tuple[str, Change, Check]] = [
    ("other body", lambda m: (ENV, m.replace(b"the notes", b"the patient's notes")), Check.FORGED),
    ("other subject", lambda m: (ENV, m.replace(b"Ward notes", b"Ward 7 notes")), Check.FORGED),
    ("other recipient", lambda m: (Envelope(ENV.mail_from, ("someone@example.org",)), m), Check.FORGED),
    (
        "a recipient added",
        lambda m: (Envelope(ENV.mail_from, (*ENV.rcpt_tos, "x@example.org")), m),
        Check.FORGED,
    ),
    ("other sender", lambda m: (Envelope("other@example.ac.uk", ENV.rcpt_tos), m), Check.FORGED),
    ("mac altered", lambda m: (ENV, m.replace(b"; m=", b"; m=0", 1)), Check.FORGED),
    ("no mark", lambda m: (ENV, RAW), Check.ABSENT),
    ("mark without fields", lambda m: (ENV, f"{HEADER}: yes\r\n".encode() + RAW), Check.MALFORMED),
]


@pytest.mark.parametrize(("name", "change", "expected"), REFUSED, ids=[n for n, _, _ in REFUSED])
def test_copied_or_altered_marks_do_not_pass(name: str, change: Change, expected: Check) -> None:
    """A mark copied onto other content, another envelope, or altered, is not valid."""
    env, raw = change(signed())
    assert mark().check(env, raw) is expected


def test_a_mark_made_without_our_key_is_forged() -> None:
    """A student's own HMAC (any key not ours) does not verify."""
    forged = PassMark((OTHER,), clock=lambda: NOW).sign(ENV, RAW)
    assert mark().check(ENV, forged) is Check.FORGED


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (0, Check.VALID),
        (MAX_AGE_SECONDS - 1, Check.VALID),
        (MAX_AGE_SECONDS + 1, Check.EXPIRED),
        (-3600, Check.EXPIRED),
    ],
)
def test_replay_after_max_age_is_refused(age: float, expected: Check) -> None:
    """A mark older than max_age (or dated far in the future) no longer passes."""
    assert mark(at=NOW + age).check(ENV, signed()) is expected


def test_rotated_ring_still_verifies_the_old_key() -> None:
    """After a key rotation, marks made with the old key verify; new marks use the new key."""
    old = signed()
    ring = mark((NEW, KEY))
    assert ring.check(ENV, old) is Check.VALID
    assert mark((KEY,)).check(ENV, ring.sign(ENV, RAW)) is Check.FORGED


def test_signing_removes_marks_already_in_the_message() -> None:
    """A forged mark a student put in before the hold is removed at release; one mark remains."""
    planted = f"{HEADER}: v=1; t=1; n=00; k=deadbeef; m=00\r\n".encode() + RAW
    out = signed(planted)
    assert out.count(HEADER.encode()) == 1 and mark().check(ENV, out) is Check.VALID
    assert strip_marks(out) == RAW


def test_a_valid_mark_next_to_a_forged_one_passes() -> None:
    """Headers added after signing (even a bogus second mark) do not cancel our valid one."""
    out = f"{HEADER}: v=1; t=1; n=00; k=deadbeef; m=00\r\n".encode() + signed()
    assert mark().check(ENV, out) is Check.VALID
