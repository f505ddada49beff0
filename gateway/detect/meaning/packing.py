"""How the model file stores the weights: compact, exact, and read back to the very floats that were fitted.

A fitted model has one pair of weights (patient_disclosure, abuse) for each
of some eighty thousand features. Written one name and pair per line that
took 2 MB; the file stores them per kind of feature (the prefix before the
colon: `w`, `b`, `s`, `p`, `q`, `r`, `m`, `c`), each kind as

- `names`: the sorted feature names without their prefix, front-coded and
  joined by `|` (no feature contains one: tokens are letters, digits,
  apostrophes and the shapes features.py writes). Each name is written as
  one character saying how many leading characters it shares with the name
  before it (`A` none, `B` one, ... `/` sixty-three: the base64 alphabet),
  then the rest of it: "know", "know you", "knowl" are "Aknow|E you|El".
  Sorted word pairs share long beginnings ("i know", "i know where"), so
  this takes the names from 0.82 to 0.47 MB;
- one string per output: the weights in the same order, each the weight
  times SCALE as an integer, zigzag-mapped to a non-negative number (0, -1,
  1, -2, ... -> 0, 1, 2, 3, ...) and written as a little-endian base-128
  varint (seven bits a byte, the high bit set on every byte but the last),
  all of them in base64. A typical weight (0.01 to 1) takes two or three
  bytes instead of a fixed three.

Round 6 stored names plainly and each weight as a fixed signed 24-bit
integer; round 8 front-codes the names and writes varints, which takes the
round-7 model from 1.44 MB to about 1.0 MB with the same weights (`LAYOUT`
says which layout a file uses; another is refused).

The training script rounds every weight to five decimals, so each integer is
exact and `unpack` gives back the floats scikit-learn's rounded model holds,
bit for bit (`int / SCALE` is the nearest float to the decimal, as the
rounding was). A weight that is not a multiple of 1/SCALE, or beyond what
MAX_BYTES varint bytes hold (about +-1342), is refused when the file is
written, never stored wrongly; a damaged string is refused when it is read.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

#: weights are stored as integers: the weight times this (the training script rounds to five decimals)
SCALE = 100_000
#: the layout this module writes and reads (round 8: front-coded names, varint weights)
LAYOUT = 2
#: the most bytes one stored weight may take (seven bits each): a longer run is a damaged file
MAX_BYTES = 4
_LIMIT = 1 << (7 * MAX_BYTES - 1)
SEPARATOR = "|"
#: the shared-prefix length of a name, as one character (index in this alphabet)
_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_SHARED = {c: i for i, c in enumerate(_DIGITS)}

#: feature -> (patient_disclosure, abuse)
Weights = dict[str, tuple[float, float]]


def pack(weights: Weights, outputs: tuple[str, str]) -> dict[str, Any]:
    """The weights as the model file stores them: per feature kind, the names and one encoded string per output."""
    kinds: dict[str, tuple[list[str], list[int], list[int]]] = {}
    for f in sorted(weights):
        kind, sep, name = f.partition(":")
        if not sep or SEPARATOR in name or not name:
            raise ValueError(f"meaning model: a feature name that cannot be stored: {f!r}")
        names, first, second = kinds.setdefault(kind, ([], [], []))
        names.append(name)
        first.append(_integer(weights[f][0]))
        second.append(_integer(weights[f][1]))
    return {
        "layout": LAYOUT,
        "scale": SCALE,
        "kinds": {
            kind: {"names": _front(names), outputs[0]: _encode(first), outputs[1]: _encode(second)}
            for kind, (names, first, second) in kinds.items()
        },
    }


def unpack(packed: dict[str, Any], outputs: tuple[str, str]) -> Weights:
    """Feature -> (first output, second output) weights, from the model file's packed layout."""
    if packed.get("layout") != LAYOUT:
        raise ValueError(f"meaning model: weights in an unknown layout (this code reads layout {LAYOUT})")
    scale = int(packed["scale"])
    out: Weights = {}
    for kind, cols in packed["kinds"].items():
        names = _unfront(str(cols["names"]))
        first, second = _decode(cols[outputs[0]]), _decode(cols[outputs[1]])
        if not len(names) == len(first) == len(second):
            raise ValueError("meaning model: the names and weights of a kind differ in length")
        prefix = kind + ":"
        out.update(
            (prefix + name, (a / scale, b / scale)) for name, a, b in zip(names, first, second, strict=True)
        )
    return out


def _front(names: list[str]) -> str:
    """Sorted names, each as its shared-prefix length with the one before (one character) and the rest."""
    parts, prev = [], ""
    for name in names:
        n, most = 0, min(len(prev), len(name), len(_DIGITS) - 1)
        while n < most and prev[n] == name[n]:
            n += 1
        parts.append(_DIGITS[n] + name[n:])
        prev = name
    return SEPARATOR.join(parts)


def _unfront(text: str) -> list[str]:
    names: list[str] = []
    prev = ""
    for part in text.split(SEPARATOR):
        n = _SHARED.get(part[:1], -1)
        if n < 0 or n > len(prev):
            raise ValueError("meaning model: a damaged name list")
        prev = prev[:n] + part[1:]
        names.append(prev)
    return names


def _integer(w: float) -> int:
    n = round(w * SCALE)
    if abs(n - w * SCALE) > 1e-6:
        raise ValueError(f"meaning model: weight {w!r} is not a multiple of 1/{SCALE}")
    if not -_LIMIT <= n < _LIMIT:
        raise ValueError(f"meaning model: weight {w!r} is out of the stored range")
    return n


def _encode(values: list[int]) -> str:
    raw = bytearray()
    for v in values:
        z = v << 1 if v >= 0 else (-v << 1) - 1
        while z >= 0x80:
            raw.append(0x80 | (z & 0x7F))
            z >>= 7
        raw.append(z)
    return base64.b64encode(bytes(raw)).decode("ascii")


def _decode(text: str) -> list[int]:
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError("meaning model: a weight string that is not base64") from exc
    out: list[int] = []
    append = out.append
    z = shift = 0
    for byte in raw:
        if byte < 0x80:  # the last byte of a weight: most weights are one to three bytes
            z |= byte << shift
            append((z >> 1) ^ -(z & 1))  # zigzag back: 0, 1, 2, 3 -> 0, -1, 1, -2
            z = shift = 0
            continue
        z |= (byte & 0x7F) << shift
        shift += 7
        if shift >= 7 * MAX_BYTES:
            raise ValueError("meaning model: a stored weight longer than the layout allows")
    if shift:
        raise ValueError("meaning model: a weight string cut short")
    return out
