"""Reading the language data files: word lists and weighted pattern files.

A word list line is ``forms ; attributes`` (see
gateway/detect/data/language/README.md). `WordList` turns one file into a
matcher over the tokens of a sentence view; `load_patterns` reads a YAML
pattern file and expands its ``{MACRO}`` references into compiled regular
expressions. Nothing here knows what the words mean: that is the job of
the recognisers (profanity.py, insults.py, ...).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gateway.errors import ConfigError

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "language"

#: how a view is cut into tokens; the same cut is applied to list entries
TOKEN = re.compile(r"[a-z0-9_]+")
_BRACES = re.compile(r"\{([^{}]*)\}")
_MACRO = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


@dataclass(frozen=True)
class Entry:
    """One line of a word list: its first form (for evidence) and its attributes."""

    canonical: str
    attrs: Mapping[str, str] = field(default_factory=dict)

    def flag(self, name: str) -> bool:
        return name in self.attrs

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)


@dataclass(frozen=True)
class Hit:
    """A list entry found in a view: token positions [start, end) and view offsets."""

    start: int  # first token index
    end: int  # one past the last token index
    begin: int  # character offset in the view
    finish: int
    entry: Entry
    text: str  # the matched words as they stand in the view (for masked evidence only)


def expand_braces(form: str) -> list[str]:
    """`fuck{,s,ed}` -> fuck, fucks, fucked; several groups multiply out."""
    parts = _BRACES.split(form)
    literals, choices = parts[0::2], [p.split(",") for p in parts[1::2]]
    out = []
    for combo in itertools.product(*choices):
        out.append("".join(lit + (combo[i] if i < len(combo) else "") for i, lit in enumerate(literals)))
    return out


def parse_line(line: str, source: str) -> tuple[list[str], Entry] | None:
    """(expanded forms, entry) for one list line, or None for blanks and comments."""
    line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
    if not line:
        return None
    forms_part, _, attr_part = line.partition(";")
    attrs: dict[str, str] = {}
    for item in attr_part.split():
        key, eq, value = item.partition("=")
        attrs[key] = value if eq else "true"
    forms: list[str] = []
    for alt in forms_part.split("|"):
        alt = " ".join(alt.strip().lower().split())
        if not alt:
            continue
        forms.extend(f.strip() for f in expand_braces(alt) if f.strip())
    if not forms:
        raise ConfigError(f"{source}: an entry with no words: {line[:60]!r}")
    return forms, Entry(canonical=forms[0], attrs=attrs)


def read_entries(path: Path) -> list[tuple[list[str], Entry]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read language list {path}: {exc}") from exc
    out = []
    for line in text.splitlines():
        parsed = parse_line(line, path.name)
        if parsed is not None:
            out.append(parsed)
    return out


def form_variants(form: str) -> list[tuple[str, ...]]:
    """Token sequences a form matches: a hyphen may be written joined, spaced or hyphenated."""
    pieces = form.split(" ")
    options: list[list[str]] = []
    for piece in pieces:
        if "-" in piece and piece.strip("-"):
            options.append([piece.replace("-", ""), piece.replace("-", " ")])
        else:
            options.append([piece])
    out = []
    for combo in itertools.product(*options):
        tokens = tuple(TOKEN.findall(" ".join(combo)))
        if tokens:
            out.append(tokens)
    return out


class WordList:
    """Finds the entries of one word list among the tokens of a view.

    Exact forms are looked up by their first token (fast, whatever the list
    size); forms with a leading or trailing `*` are matched as token prefixes
    or suffixes. Matches never overlap; at each position the longest wins.
    """

    def __init__(self, entries: Iterable[tuple[list[str], Entry]], name: str = "") -> None:
        self.name = name
        self.entries: list[Entry] = []
        self._words: list[str] = []  # single-word forms in file order, stars dropped ("*shit" -> "shit")
        self._by_first: dict[str, list[tuple[tuple[str, ...], Entry]]] = {}
        suffixes: list[tuple[str, Entry]] = []  # "*shit": token ends with "shit"
        prefixes: list[tuple[str, Entry]] = []  # "fuck*": token starts with "fuck"
        for forms, entry in entries:
            self.entries.append(entry)
            for form in forms:
                if " " not in form and "-" not in form:
                    self._words.append(form.strip("*"))
                if form.startswith("*") and " " not in form:
                    suffixes.append((form.strip("*").replace("-", ""), entry))
                    continue
                if form.endswith("*") and " " not in form:
                    prefixes.append((form.strip("*").replace("-", ""), entry))
                    continue
                for tokens in form_variants(form):
                    self._by_first.setdefault(tokens[0], []).append((tokens, entry))
        for seqs in self._by_first.values():
            seqs.sort(key=lambda s: -len(s[0]))
        self._firsts = frozenset(self._by_first)
        self._suffix = (
            re.compile(
                "(?:" + "|".join(re.escape(s) for s, _ in sorted(suffixes, key=lambda x: -len(x[0]))) + ")$"
            )
            if suffixes
            else None
        )
        self._suffix_entry = {s: e for s, e in suffixes}
        self._prefix = (
            re.compile(
                "^(?:" + "|".join(re.escape(p) for p, _ in sorted(prefixes, key=lambda x: -len(x[0]))) + ")"
            )
            if prefixes
            else None
        )
        self._prefix_entry = {p: e for p, e in prefixes}
        affixes = [re.escape(a) for a, _ in suffixes + prefixes]
        self._affix_any = re.compile("|".join(affixes)) if affixes else None

    def vocabulary(self) -> list[str]:
        """Every single-word form, in file order (for resolving disguised spellings such as f*ck)."""
        return list(dict.fromkeys(self._words))

    def find(
        self, view: str, tokens: list[tuple[int, int, str]] | None = None, words: list[str] | None = None
    ) -> list[Hit]:
        toks = (
            tokens if tokens is not None else [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(view)]
        )
        words = words if words is not None else [t[2] for t in toks]
        affixes = self._affix_any is not None and self._affix_any.search(view) is not None
        if not affixes and self._firsts.isdisjoint(words):  # the usual case: nothing to look at
            return []
        hits: list[Hit] = []
        i = 0
        while i < len(words):
            hit = self._match_at(words, i, affixes)
            if hit is None:
                i += 1
                continue
            n, entry = hit
            begin, finish = toks[i][0], toks[i + n - 1][1]
            hits.append(Hit(i, i + n, begin, finish, entry, view[begin:finish]))
            i += n
        return hits

    def _match_at(self, words: list[str], i: int, affixes: bool) -> tuple[int, Entry] | None:
        word = words[i]
        seqs = self._by_first.get(word)
        if seqs is not None:
            for seq, entry in seqs:
                if len(seq) == 1 or tuple(words[i : i + len(seq)]) == seq:
                    return len(seq), entry
        if not affixes:
            return None
        if self._suffix is not None:
            m = self._suffix.search(word)
            if m is not None:
                return 1, self._suffix_entry[m.group()]
        if self._prefix is not None:
            m = self._prefix.match(word)
            if m is not None:
                return 1, self._prefix_entry[m.group()]
        return None


def load_list(name: str, data_dir: Path = DATA_DIR) -> WordList:
    return WordList(read_entries(data_dir / name), name=name)


# --- pattern files -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """One weighted pattern from a YAML file, compiled."""

    id: str
    label: str
    weight: float
    regex: re.Pattern[str]
    unless: re.Pattern[str] | None = None
    target: str = "resolve"  # "second_person", "group", "none" or "resolve" (from the match)
    soften: bool = False  # friendly banter halves the weight
    needs_group: bool = False  # only when the message names a group or uses a slur
    needs_person: bool = False  # only when this or the previous sentence mentions a person
    staff_only: bool = False  # only about staff (a role, or a titled name)


class MacroSet:
    """The `{NAME}` building blocks of macros.yaml, expanded on demand."""

    def __init__(self, raw: Mapping[str, Any], data_dir: Path = DATA_DIR) -> None:
        self._values: dict[str, str] = {}
        self._data_dir = data_dir
        for key, value in raw.items():
            if not isinstance(value, str):
                raise ConfigError(f"macros.yaml: {key} must be a string")
            self._values[key] = self._resolve(key, value)

    def _resolve(self, key: str, value: str) -> str:
        if value.startswith("@"):
            return self._list_alternation(value[1:])
        return self.expand(value, where=f"macro {key}")

    def _list_alternation(self, ref: str) -> str:
        file, _, condition = ref.partition(":")
        want = dict([condition.split("=", 1)]) if "=" in condition else {}
        forms: list[list[str]] = []
        for entry_forms, entry in read_entries(self._data_dir / file):
            if any(entry.get(k) != v for k, v in want.items()):
                continue
            forms.extend(_form_atoms(form) for form in entry_forms)
        return _trie_regex(forms)

    def expand(self, text: str, *, where: str) -> str:
        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in self._values:
                raise ConfigError(f"{where}: unknown macro {{{name}}}")
            return self._values[name]

        return _MACRO.sub(sub, text)


def _form_atoms(form: str) -> list[str]:
    """A list form as regular-expression atoms over a view (spaces and hyphens interchangeable)."""
    out = []
    for ch in form:
        if ch == " ":
            out.append(r"[\s-]+")
        elif ch == "-":
            out.append(r"[\s-]?")
        elif ch == "*":
            out.append("[a-z]*")
        else:
            out.append(re.escape(ch))
    return out


def _trie_regex(forms: list[list[str]]) -> str:
    """One alternation for many forms, with shared beginnings factored out.

    "registrar|reg|regs" becomes "reg(?:istrar|s)?": the regular-expression
    engine then rejects a word at its first letter instead of trying every
    form in turn, which matters for lists of a hundred roles or groups.
    Longer continuations come first, so the longest form wins.
    """
    trie: dict[str, Any] = {}
    for atoms in forms:
        node = trie
        for atom in atoms:
            node = node.setdefault(atom, {})
        node[""] = {}  # end of a form

    def emit(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [atom + emit(child) for atom, child in node.items() if atom]
        branches.sort(key=len, reverse=True)
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?" if len(branches) > 1 or len(branches[0]) > 1 else f"{body}?"
        return body

    return "(?:" + emit(trie) + ")"


def load_macros(data_dir: Path = DATA_DIR) -> MacroSet:
    return MacroSet(_read_yaml(data_dir / "macros.yaml"), data_dir)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read language patterns {path}: {exc}") from exc


def compile_patterns(items: Any, macros: MacroSet, source: str) -> list[Pattern]:
    if not isinstance(items, list):
        raise ConfigError(f"{source}: expected a list of patterns")
    out = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict) or not {"id", "label", "weight", "match"} <= set(item):
            raise ConfigError(f"{source}: each pattern needs id, label, weight and match: {item!r:.80}")
        pid = str(item["id"])
        if pid in seen:
            raise ConfigError(f"{source}: duplicate pattern id {pid}")
        seen.add(pid)
        where = f"{source} pattern {pid}"
        out.append(
            Pattern(
                id=pid,
                label=str(item["label"]),
                weight=float(item["weight"]),
                regex=_compile(macros.expand(str(item["match"]), where=where), where),
                unless=_compile(macros.expand(str(item["unless"]), where=where), where)
                if item.get("unless")
                else None,
                target=str(item.get("target", "resolve")),
                soften=bool(item.get("soften", False)),
                needs_group=bool(item.get("needs_group", False)),
                needs_person=bool(item.get("needs_person", False)),
                staff_only=bool(item.get("staff_only", False)),
            )
        )
    return out


def compile_regexes(items: Any, macros: MacroSet, source: str) -> list[re.Pattern[str]]:
    if not isinstance(items, list):
        raise ConfigError(f"{source}: expected a list of regular expressions")
    return [_compile(macros.expand(str(x), where=source), source) for x in items]


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{where}: bad regular expression: {exc}") from exc


def load_pattern_file(name: str, macros: MacroSet, data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """A YAML pattern file as a mapping; the caller compiles the sections it knows."""
    raw = _read_yaml(data_dir / name)
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: expected a mapping at the top")
    return raw
