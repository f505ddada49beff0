"""The shape of one segment's text: sentences, lines, tables, greeting and signature.

Recognizers judge a candidate by what surrounds it: the sentence it sits
in, the table column it belongs to, whether it is in a greeting line
("Dear Mrs Jones,"), a sign-off and signature block, or the attribution
line of a quoted message ("On 3 May, Ann Lee <ann@...> wrote:"). A
`SegmentView` works this out once per segment, with offsets into the
segment's own text.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field

from gateway.detect.letters import CAP, LETTER, LOWER
from gateway.detect.patient.lexicon import Lexicon
from gateway.model import Segment

_ABBREVIATIONS = frozenset(
    [
        "no",
        "nos",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "vs",
        "approx",
        "e.g",
        "i.e",
        "etc",
        "dob",
        "d.o.b",
        "fig",
        "ref",
        "tel",
        "ext",
        "dept",
        "univ",
        "hosp",
    ]
)
#: how far a "sentence" reaches either side of a position (text without punctuation is one long sentence)
SENTENCE_REACH = 400
_WORDS = re.compile(rf"{LETTER}[\w'’-]*")
_TWO_LETTERS = re.compile(f"{LETTER}{{2}}")
_LINE = re.compile(r"[^\n]*")
_QUOTE_MARK = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_ATTRIBUTION = re.compile(
    r"^[ \t>]*(?:On\b.{3,200}\bwrote:?\s*$|(?:From|Sent|To|Cc|Subject|Date):\s|-{2,}\s*(?:Original|Forwarded))",
    re.IGNORECASE,
)
# starts only at the first mark of a run, so a long run of dots is read once, not once per dot
_SENTENCE_END = re.compile(r"(?<![.!?])[.!?]+[\"')\]]*(?=\s)")
_BLANK_LINE = re.compile(r"\n[ \t>]*\n")
_BULLET_LINE = re.compile(r"\n(?=[ \t>]*(?:[-*•·▪]|\d{1,2}[.)])\s)")
_TABLE_RULE = re.compile(r"^[\s|:+-]*$")


@dataclass
class Table:
    """Rows of a text table (tab- or pipe-separated), with the header's labels when there is one."""

    header: list[str]
    rows: list[list[tuple[int, int]]]  # cell spans of the data rows, in segment offsets
    start: int
    end: int
    _starts: list[int] = field(default_factory=list, repr=False)

    def column_at(self, pos: int) -> int | None:
        starts = self._row_starts()
        r = bisect.bisect_right(starts, pos) - 1
        if r < 0:
            return None
        row = self.rows[r]
        if not row or pos > row[-1][1]:
            return None
        for i, (s, e) in enumerate(row):
            if s <= pos < max(e, s + 1):
                return i
        return None

    def _row_starts(self) -> list[int]:
        if len(self._starts) != len(self.rows):
            self._starts = [row[0][0] if row else -1 for row in self.rows]
        return self._starts

    def label_at(self, pos: int) -> str:
        """The header label of the column `pos` is in ("" when unknown)."""
        col = self.column_at(pos)
        if col is None or col >= len(self.header):
            return ""
        return self.header[col]

    @property
    def header_text(self) -> str:
        return " | ".join(self.header)


@dataclass
class SegmentView:
    """One segment's text and its structure."""

    segment: Segment
    lexicon: Lexicon
    text: str = ""
    sentences: list[tuple[int, int]] = field(default_factory=list)
    lines: list[tuple[int, int]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    greetings: list[tuple[int, int]] = field(default_factory=list)
    signatures: list[tuple[int, int]] = field(default_factory=list)
    attributions: list[tuple[int, int]] = field(default_factory=list)
    persons: list[tuple[int, int]] = field(default_factory=list)  # NER PERSON spans, filled by the detector

    def __post_init__(self) -> None:
        self.text = self.segment.text
        self.lines = [(m.start(), m.end()) for m in _LINE.finditer(self.text) if m.start() < len(self.text)]
        if not self.lines:
            self.lines = [(0, 0)]
        self._line_starts = [s for s, _ in self.lines]
        self.tables = _tables(self.text, self.lines, csv=self.segment.where.lower().endswith(".csv"))
        self.sentences = _sentences(self.text, self.tables)
        self._sentence_starts = [s for s, _ in self.sentences]
        self.attributions = [(s, e) for s, e in self.lines if _ATTRIBUTION.match(self.text[s:e])]
        if self.segment.kind in ("body",):
            self.greetings, self.signatures = _greetings_and_signatures(self, self.lexicon)

    @property
    def where(self) -> str:
        return self.segment.where

    # --- lookups -------------------------------------------------------------------------------

    def sentence_index(self, pos: int) -> int:
        return max(bisect.bisect_right(self._sentence_starts, pos) - 1, 0)

    def sentence_at(self, pos: int) -> tuple[int, int]:
        """The sentence at `pos`, at most SENTENCE_REACH characters either side of it."""
        s, e = self.sentences[self.sentence_index(pos)] if self.sentences else (0, len(self.text))
        return max(s, pos - SENTENCE_REACH), min(e, pos + SENTENCE_REACH)

    def sentence_text(self, pos: int) -> str:
        s, e = self.sentence_at(pos)
        return self.text[s:e]

    def neighbours(self, pos: int, n: int = 1) -> tuple[int, int]:
        """The span from `n` sentences before to `n` after the sentence at `pos`."""
        if not self.sentences:
            return 0, len(self.text)
        i = self.sentence_index(pos)
        lo = self.sentences[max(i - n, 0)][0]
        hi = self.sentences[min(i + n, len(self.sentences) - 1)][1]
        return max(lo, pos - 2 * SENTENCE_REACH), min(hi, pos + 2 * SENTENCE_REACH)

    def line_at(self, pos: int) -> tuple[int, int]:
        i = max(bisect.bisect_right(self._line_starts, pos) - 1, 0)
        return self.lines[i]

    def line_text(self, pos: int) -> str:
        s, e = self.line_at(pos)
        return _QUOTE_MARK.sub("", self.text[s:e])

    def table_at(self, pos: int) -> Table | None:
        for t in self.tables:
            if t.start <= pos <= t.end:
                return t
        return None

    def in_table_header(self, pos: int) -> bool:
        """`pos` is in the first line of a table with a header row."""
        table = self.table_at(pos)
        if table is None or not table.header:
            return False
        return self.line_at(pos) == self.line_at(table.start)

    def in_greeting(self, pos: int) -> bool:
        return any(s <= pos < e for s, e in self.greetings)

    def in_signature(self, pos: int) -> bool:
        return any(s <= pos < e for s, e in self.signatures)

    def in_attribution(self, pos: int) -> bool:
        return any(s <= pos < e for s, e in self.attributions)

    def persons_overlap(self, start: int, end: int) -> bool:
        """NER saw a person over [start, end)."""
        return any(s < end and start < e for s, e in self.persons)

    def before(self, pos: int, chars: int) -> str:
        return self.text[max(0, pos - chars) : pos]

    def after(self, pos: int, chars: int) -> str:
        return self.text[pos : pos + chars]


def _sentences(text: str, tables: list[Table]) -> list[tuple[int, int]]:
    """Sentence spans: ends of sentences (not after abbreviations or initials), blank lines,
    bulleted lines, and every line of a table."""
    cuts: set[int] = set()
    for m in _SENTENCE_END.finditer(text):
        word = re.search(r"([\w.]+)\.*$", text[max(0, m.start() - 12) : m.start() + 1])
        token = word.group(1).lower().rstrip(".") if word else ""
        line_end = text.startswith("\n", m.end()) or text.startswith("\r\n", m.end())
        if (
            m.group().startswith(".")
            and not line_end
            and (token in _ABBREVIATIONS or (len(token) <= 1 and token.isalpha()) or "." in token)
        ):
            continue  # "d.o.b. 1 May", "G.H.E. was", "Mr. Smith"; a full stop at a line's end always ends
        cuts.add(m.end())
    for pattern in (_BLANK_LINE, _BULLET_LINE):
        for m in pattern.finditer(text):
            cuts.add(m.start() + 1)
    for t in tables:
        i = text.find("\n", t.start, t.end)
        while i >= 0:
            cuts.add(i + 1)
            i = text.find("\n", i + 1, t.end)
    bounds = sorted(c for c in cuts if 0 < c < len(text))
    spans = []
    prev = 0
    for c in [*bounds, len(text)]:
        if c > prev:
            spans.append((prev, c))
        prev = c
    return spans or [(0, len(text))]


def _split_cells(text: str, start: int, end: int, sep: str) -> list[tuple[int, int]]:
    cells = []
    pos = start
    line = text[start:end]
    parts = _csv_parts(line, sep) if sep in ",;" and '"' in line else line.split(sep)
    for part in parts:
        s = pos + (len(part) - len(part.lstrip()))
        e = pos + len(part.rstrip())
        cells.append((s, max(e, s)))
        pos += len(part) + len(sep)
    # a leading or trailing pipe leaves an empty cell
    while cells and cells[0][0] == cells[0][1]:
        cells.pop(0)
    while cells and cells[-1][0] == cells[-1][1]:
        cells.pop()
    return cells


def _csv_parts(line: str, sep: str) -> list[str]:
    """`line` split at `sep` outside double quotes, as a CSV writer quotes a cell holding the separator
    ("May 21st, 1958"); the parts keep their quotes, so that their lengths add up to the line's."""
    parts = []
    quoted = False
    begin = 0
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            parts.append(line[begin:i])
            begin = i + 1
    parts.append(line[begin:])
    return parts


def _tables(text: str, lines: list[tuple[int, int]], *, csv: bool) -> list[Table]:
    seps = ("\t", "|", ",", ";") if csv else ("\t", "|")
    tables: list[Table] = []
    current: list[tuple[int, int, list[tuple[int, int]]]] = []
    current_sep = ""

    def close() -> None:
        if len(current) >= 2:
            first = current[0]
            first_text = [text[s:e] for s, e in first[2]]
            digits = sum(bool(re.search(r"\d{3}", c)) for c in first_text)
            alpha = sum(bool(_TWO_LETTERS.search(c)) for c in first_text)
            has_header = digits == 0 and alpha * 2 >= len(first_text)
            header = [c.strip().lower() for c in first_text] if has_header else []
            rows = [r[2] for r in (current[1:] if has_header else current)]
            tables.append(Table(header, rows, current[0][0], current[-1][1]))
        current.clear()

    for s, e in lines:
        raw = text[s:e]
        body = _QUOTE_MARK.sub("", raw)
        if not body.strip():
            continue  # blank lines may sit between rows (HTML tables)
        sep = next((x for x in seps if x in body), "")
        if sep and _TABLE_RULE.match(body):
            continue  # a markdown rule line: |---|---|
        cells = _split_cells(text, s + (len(raw) - len(body)), e, sep) if sep else []
        if len(cells) >= 2 and (not current or sep == current_sep):
            current.append((s, e, cells))
            current_sep = sep
            continue
        close()
        if len(cells) >= 2:
            current.append((s, e, cells))
            current_sep = sep
    close()
    return tables


def _greetings_and_signatures(
    view: SegmentView, lex: Lexicon
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Greeting lines ("Dear Dr Lee,") and sign-off blocks (from "Best wishes," to the block's end).

    A segment may hold several messages (a reply and what it quotes): each
    attribution line starts a new one.
    """
    text = view.text
    greetings: list[tuple[int, int]] = []
    signatures: list[tuple[int, int]] = []
    cuts = sorted({0, *(e for _, e in view.attributions), len(text)})
    attribution_starts = {s for s, _ in view.attributions}
    starts = view._line_starts
    for top, bottom in itertools.pairwise(cuts):
        lines = view.lines[bisect.bisect_left(starts, top) : bisect.bisect_left(starts, bottom)]
        content = [
            (s, e) for s, e in lines if s not in attribution_starts and _QUOTE_MARK.sub("", text[s:e]).strip()
        ]
        if not content:
            continue
        first = _QUOTE_MARK.sub("", text[content[0][0] : content[0][1]]).strip()
        if len(_WORDS.findall(first)) <= 9 and lex.greetings.pattern.match(first):
            greetings.append(content[0])
        elif lex.greetings.pattern.match(first):
            # "Dear Ms Blackwood, I'd like to...": the greeting runs to the first comma on a long line
            s0, e0 = content[0]
            comma = text.find(",", s0, min(e0, s0 + 60))
            if comma > 0 and len(_WORDS.findall(text[s0:comma])) <= 5:
                greetings.append((s0, comma))
        tail = content[-12:]
        for i, (s, _e) in enumerate(tail):
            line = _QUOTE_MARK.sub("", text[s:_e]).strip()
            # a bare name counts only after some text, and not as the greeting
            bare_name = (
                (s, _e) != content[0]
                and not lex.greetings.pattern.match(line)
                and _name_block(text, tail[i:])
            )
            if line in ("--", "-- ", "__") or _is_signoff(line, lex) or bare_name:
                signatures.append((s, bottom))
                break
    return greetings, signatures


_NAME_LINE = re.compile(
    rf"^(?:{CAP}[{LOWER}'’-]+|{CAP}{{1,3}}|{CAP}\.)(?:[ ]+(?:{CAP}[{LOWER}'’-]+|{CAP}\.?)){{0,2}}[.,!]?$"
)


def _name_block(text: str, lines: list[tuple[int, int]]) -> bool:
    """A bare name ("Ann", "Ann Lee") followed only by short lines: a signature without a sign-off word."""
    first = _QUOTE_MARK.sub("", text[lines[0][0] : lines[0][1]]).strip()
    if not _NAME_LINE.match(first):
        return False
    return all(len(_WORDS.findall(_QUOTE_MARK.sub("", text[s:e]))) <= 12 for s, e in lines[1:])


def _is_signoff(line: str, lex: Lexicon) -> bool:
    m = lex.signoffs.pattern.match(line)
    if not m:
        return False
    rest = line[m.end() :]
    if rest and not (rest[0] in " ,!." or rest.startswith((" -", " –"))):
        return False  # "X-ray", "Best-case"
    if not rest.strip(" ,!.;:-–"):
        return True
    # "Cheers, Sam" / "Thanks, SR" / "Love you," : a comma and a few words at most
    rest_words = _WORDS.findall(rest)
    if rest.lstrip().startswith((",", "!", "-", "–")):
        return len(rest_words) <= 5
    return len(rest_words) <= 1 and not rest.rstrip().endswith((".", "?"))
