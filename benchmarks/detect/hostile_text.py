"""Text built to hurt regular expressions and candidate stages, for the hostile-input timing.

Long runs without spaces, digits and dots; nothing but names; lower-case
given names; repeated postcodes, dates of birth, grouped IDs, queue ids and
initials; and one real patient at the very end, so a detector that gives up
early is seen to. `hostile_text(size)` repeats the mix to about `size`
characters.
"""

from __future__ import annotations

_MIX = (
    "a" * 26_000,
    "4" * 20_000,
    "." * 21_000,
    "Karen Mbatha Tom Ridley Gareth " * 300,
    "karen tom gareth priya " * 200,
    "LS1 3EX " * 200,
    "dob 9 Nov 47 born on the twenty-first of May 1958 " * 50,
    "WGH-552-0193 NRI 552 0193 4F3A21C0B9 " * 80,
    "J.K. A.B. Mr A Mrs B " * 100,
)
_LAST = "Karen Mbatha's biopsy came back abnormal and she was admitted. "


def hostile_text(size: int = 1_000_000) -> str:
    block = "\n".join(_MIX)
    return (block * (size // len(block) + 1))[: max(0, size - len(_LAST))] + "\n" + _LAST
