"""The Latin letter classes, exactly: the edges of each block, every code point up to the next script, and the
compact ranges the classes are written in."""

from __future__ import annotations

import re
import unicodedata

import pytest

from gateway.detect.letters import CAP, LETTER, LOW, LOWER, UPPER, for_regex_module

#: the blocks the classes are built from, and the code points just outside them
BLOCKS = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF))


@pytest.mark.parametrize(
    ("char", "cls", "matches"),
    [
        pytest.param("A", CAP, True, id="A, first capital"),
        pytest.param("Z", CAP, True, id="Z, last ASCII capital"),
        pytest.param("a", LOW, True, id="a, first small letter"),
        pytest.param("z", LOW, True, id="z, last ASCII small letter"),
        pytest.param("@", LETTER, False, id="@ before A"),
        pytest.param("[", LETTER, False, id="[ after Z"),
        pytest.param("`", LETTER, False, id="` before a"),
        pytest.param("{", LETTER, False, id="{ after z"),
        pytest.param("À", CAP, True, id="first of Latin-1"),
        pytest.param("¿", LETTER, False, id="before Latin-1's letters"),
        pytest.param("ɏ", LOW, True, id="last of Extended-B"),
        pytest.param("ɐ", LETTER, False, id="IPA, after Extended-B"),
        pytest.param("Ḁ", CAP, True, id="first of Extended Additional"),
        pytest.param("ỿ", LOW, True, id="last of Extended Additional"),
        pytest.param("ἀ", LETTER, False, id="Greek, after Extended Additional"),
        pytest.param("ǅ", CAP, True, id="a title-case digraph is a capital"),
        pytest.param("ǅ", LOW, False, id="a title-case digraph is no small letter"),
    ],
)
def test_block_edges(char: str, cls: str, matches: bool) -> None:
    """The first and last letters of each block are in their class; the characters just outside are in none."""
    assert bool(re.fullmatch(cls, char)) is matches


def test_every_code_point_up_to_greek_extended() -> None:
    """From U+0000 to U+1FFF, a character is a capital exactly when it is a Latin Lu or Lt letter, and a small
    letter exactly when it is a Latin Ll letter."""
    upper, lower = re.compile(f"[{UPPER}]"), re.compile(f"[{LOWER}]")
    for cp in range(0x2000):
        c = chr(cp)
        latin = any(first <= cp <= last for first, last in BLOCKS)
        cat = unicodedata.category(c)
        assert bool(upper.fullmatch(c)) is (latin and cat in ("Lu", "Lt")), hex(cp)
        assert bool(lower.fullmatch(c)) is (latin and cat == "Ll"), hex(cp)


def _pieces(contents: str) -> list[tuple[int, int]]:
    """The (first, last) code points of each piece of a class's contents: "a-c" or a single letter."""
    out = []
    i = 0
    while i < len(contents):
        lo = contents[i]
        if i + 2 < len(contents) and contents[i + 1] == "-":
            out.append((ord(lo), ord(contents[i + 2])))
            i += 3
        else:
            out.append((ord(lo), ord(lo)))
            i += 1
    return out


@pytest.mark.parametrize("contents", [UPPER, LOWER], ids=["UPPER", "LOWER"])
def test_written_as_compact_ranges(contents: str) -> None:
    """Each run of three or more letters is one range ("A-Z"), a run of two is the two letters, and no run is cut
    in two, so that a pattern compiles to the fewest set items."""
    pieces = _pieces(contents)
    assert pieces == sorted(pieces)
    assert all(
        not re.search(rf"{re.escape(chr(a))}-{re.escape(chr(a))}", contents) for a, b in pieces if a == b
    )
    runs: list[list[tuple[int, int]]] = []  # pieces that continue one another, as maximal runs of code points
    for piece in pieces:
        if runs and piece[0] == runs[-1][-1][1] + 1:
            runs[-1].append(piece)
        else:
            runs.append([piece])
    for run in runs:
        first, last = run[0][0], run[-1][1]
        want = [(first, last)] if last - first >= 2 else [(c, c) for c in range(first, last + 1)]
        assert run == want, [chr(a) + chr(b) for a, b in run]
    assert contents.startswith("A-Z") or contents.startswith("a-z")


@pytest.mark.parametrize(
    ("pattern", "rewritten"),
    [
        pytest.param(CAP, r"[\p{Lu}\p{Lt}]", id="CAP"),
        pytest.param(LOW, r"[\p{Ll}]", id="LOW"),
        pytest.param(LETTER, r"[\p{Lu}\p{Lt}\p{Ll}]", id="LETTER"),
        pytest.param(f"{CAP}[{LOWER}'’-]+", r"[\p{Lu}\p{Lt}][\p{Ll}'’-]+", id="a name word"),
        pytest.param(r"\d{3}", r"\d{3}", id="no letter class"),
    ],
)
def test_for_regex_module(pattern: str, rewritten: str) -> None:
    """For Presidio's `regex` module, the classes become Unicode properties and nothing else in the pattern
    changes."""
    assert for_regex_module(pattern) == rewritten
