"""The password policy of review UI accounts: a maintained strength estimator, not a hand-written rule.

zxcvbn (imported here only) estimates how many guesses a password needs,
knowing common passwords, English words, names, keyboard walks, repeats,
sequences and dates from its own bundled frequency lists (nothing is
downloaded at run time). A password must reach `MIN_SCORE` (3 of 4: "safely
unguessable", about 10^8 guesses and more) and be at least `MIN_LENGTH`
characters; the account name and the product's own words count against it.
"""

from __future__ import annotations

from collections.abc import Sequence

MIN_LENGTH = 12
MIN_SCORE = 3
MAX_LENGTH = 1024
_OWN_WORDS = ("gateway", "compliance", "review", "reviewer", "quarantine", "medical", "school")


class WeakPassword(ValueError):
    """The password does not meet the policy; the message says why, in words a user can act on."""


def check_password(password: str, user_inputs: Sequence[str] = ()) -> None:
    """Raise WeakPassword with a clear reason unless the password is acceptable."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password may have at most {MAX_LENGTH} characters")
    if password.strip() != password or "\n" in password or "\r" in password:
        raise WeakPassword("a password may not start or end with spaces or hold a line break")
    from zxcvbn import zxcvbn  # here, not at the top: its word lists cost every process about 12 MB

    # zxcvbn's cost grows with length; its judgement of the first 100 characters is enough
    result = zxcvbn(password[:100], user_inputs=[*user_inputs, *_OWN_WORDS])
    if int(result["score"]) < MIN_SCORE:
        feedback = result.get("feedback") or {}
        warning = str(feedback.get("warning") or "").rstrip(".")
        hint = " ".join(str(s) for s in feedback.get("suggestions") or [])
        reason = f"this password is too easy to guess ({warning or 'a common pattern'})"
        raise WeakPassword(f"{reason}. {hint}".strip() if hint else reason)
