"""The model file's layout for the weights (round 8): front-coded names and zigzag varint weights, exact."""

from __future__ import annotations

import base64

import pytest

from gateway.detect.meaning.packing import LAYOUT, pack, unpack

OUTPUTS = ("patient_disclosure", "abuse")


@pytest.mark.parametrize(
    ("names", "stored"),
    [
        (["know"], "Aknow"),
        (["know", "know you", "knowl"], "Aknow|E you|El"),
        (["a", "ab", "b"], "Aa|Bb|Ab"),  # a name is never a prefix of the one before: sorted
        (["i know", "i know where", "i knows"], "Ai know|G where|Gs"),
        (["x" * 70, "x" * 70 + "y"], "A" + "x" * 70 + "|/" + "x" * 7 + "y"),  # at most 63 shared, "/"
        (["é", "éa"], "Aé|Ba"),  # characters, not bytes
    ],
)
def test_names_are_front_coded(names: list[str], stored: str) -> None:
    """Each sorted name is the number of characters it shares with the one before, as a base64 digit, then the
    rest; the names come back as they were."""
    weights = {f"w:{n}": (0.0, 1.0) for n in names}
    packed = pack(weights, OUTPUTS)
    assert packed["kinds"]["w"]["names"] == stored
    assert unpack(packed, OUTPUTS) == weights


@pytest.mark.parametrize(
    ("weight", "stored"),
    [
        (0.0, b"\x00"),
        (-0.00001, b"\x01"),
        (0.00001, b"\x02"),
        (0.00063, b"\x7e"),  # 126: the largest one-byte value is 63 units
        (-0.00064, b"\x7f"),
        (0.00064, b"\x80\x01"),  # 128: two bytes, the low seven bits first
        (0.08191, b"\xfe\x7f"),
        (0.08192, b"\x80\x80\x01"),
        (-1.5, b"\xdf\xa7\x12"),  # 150,000 units: 299,999 after zigzag
        (1342.17727, b"\xfe\xff\xff\x7f"),  # the largest a weight may be: four bytes
        (-1342.17728, b"\xff\xff\xff\x7f"),
    ],
)
def test_weights_are_zigzag_varints(weight: float, stored: bytes) -> None:
    """A weight is stored as its integer number of 1/100,000 units, zigzag-mapped (0, -1, 1, -2 -> 0, 1, 2, 3) and
    written seven bits a byte, low bits first, the high bit on every byte but the last; read back exactly."""
    packed = pack({"w:x": (weight, 0.0)}, OUTPUTS)
    assert base64.b64decode(packed["kinds"]["w"]["patient_disclosure"]) == stored
    assert unpack(packed, OUTPUTS) == {"w:x": (weight, 0.0)}


def test_every_weight_of_a_long_kind_comes_back() -> None:
    """Many names and weights of every length in one kind come back name for name and float for float."""
    weights = {
        f"b:w{i:05d} {i % 7}": (round((i - 2500) * 0.37, 5), round(-i * 0.00003, 5)) for i in range(5000)
    }
    assert unpack(pack(weights, OUTPUTS), OUTPUTS) == weights


@pytest.mark.parametrize("layout", [None, 1, 3, "2"])
def test_a_file_in_another_layout_is_refused(layout: object) -> None:
    """Weights written in another layout (round 6's fixed 24-bit one has none) are refused, not misread."""
    packed = pack({"w:karen": (0.1, 0.2)}, OUTPUTS)
    if layout is None:
        del packed["layout"]
    else:
        packed["layout"] = layout
    with pytest.raises(ValueError, match="unknown layout"):
        unpack(packed, OUTPUTS)
    assert LAYOUT == 2
