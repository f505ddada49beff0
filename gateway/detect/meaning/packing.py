"""How the model file stores the weights: compact, exact, and read back to the very floats that were fitted.

A fitted model has one pair of weights (patient_disclosure, abuse) for each
of some sixty thousand features. Written one name and pair per line that
took 2 MB; the file stores them per kind of feature (the prefix before the
colon: `w`, `b`, `s`, `p`, `q`, `r`, `m`), each kind as

- `names`: the sorted feature names without their prefix, joined by `|`
  (no feature contains one: tokens are letters, digits, apostrophes and the
  shapes features.py writes);
- one string per output: the weights in the same order, each the weight
  times SCALE as a signed 24-bit little-endian integer, all of them in
  base64 (four characters a weight).

The training script rounds every weight to five decimals, so each integer is
exact and `unpack` gives back the floats scikit-learn's rounded model holds,
bit for bit (`int / SCALE` is the nearest float to the decimal, as the
rounding was). A weight that is not a multiple of 1/SCALE, or out of the
24-bit range (about +-83), is refused when the file is written, never stored
wrongly.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

#: weights are stored as integers: the weight times this (the training script rounds to five decimals)
SCALE = 100_000
#: bytes per stored weight (a signed little-endian integer)
WIDTH = 3
_LIMIT = 1 << (8 * WIDTH - 1)
SEPARATOR = "|"

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
        "scale": SCALE,
        "kinds": {
            kind: {"names": SEPARATOR.join(names), outputs[0]: _encode(first), outputs[1]: _encode(second)}
            for kind, (names, first, second) in kinds.items()
        },
    }


def unpack(packed: dict[str, Any], outputs: tuple[str, str]) -> Weights:
    """Feature -> (first output, second output) weights, from the model file's packed layout."""
    scale = int(packed["scale"])
    out: Weights = {}
    for kind, cols in packed["kinds"].items():
        names = str(cols["names"]).split(SEPARATOR)
        first, second = _decode(cols[outputs[0]]), _decode(cols[outputs[1]])
        if not len(names) == len(first) == len(second):
            raise ValueError("meaning model: the names and weights of a kind differ in length")
        for name, a, b in zip(names, first, second, strict=True):
            out[kind + ":" + name] = (a / scale, b / scale)
    return out


def _integer(w: float) -> int:
    n = round(w * SCALE)
    if abs(n - w * SCALE) > 1e-6:
        raise ValueError(f"meaning model: weight {w!r} is not a multiple of 1/{SCALE}")
    if not -_LIMIT <= n < _LIMIT:
        raise ValueError(f"meaning model: weight {w!r} is out of the stored range")
    return n


def _encode(values: list[int]) -> str:
    raw = b"".join(v.to_bytes(WIDTH, "little", signed=True) for v in values)
    return base64.b64encode(raw).decode("ascii")


def _decode(text: str) -> list[int]:
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError("meaning model: a weight string that is not base64") from exc
    if len(raw) % WIDTH:
        raise ValueError("meaning model: a weight string of the wrong length")
    return [int.from_bytes(raw[i : i + WIDTH], "little", signed=True) for i in range(0, len(raw), WIDTH)]
