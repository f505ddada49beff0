"""The school's advice per finding category and type, read from config/guidance/*.toml.

One file per finding category (`patient_identifier.toml`, ...). Each file
gives the category's advice and, under `[types.NAME]`, what differs for
one finding type; a type inherits every key it does not set:

    label = "patient details"          # the finding in plain words ("an NHS number")
    why = "..."                        # why it matters, citing the principle and its source
    todo = "..."                       # what to do instead, concretely
    source = "..."                     # the guidance the principle comes from (by title)
    excerpt = true                     # show the (masked) excerpt; false for abusive text
    draft = "offer"                    # "offer": a de-identified draft helps; "never": no draft
                                       # may be shown (abusive text); "no": neither
    placeholder = "NHS number removed" # shown as "[NHS number removed]" in the draft

The shipped files live in config/guidance; `notify.guidance_dir` names a
folder whose files replace the shipped file of the same name, so a school
can change one category without copying the rest. A finding whose
category has no file at all still gets the `general.toml` advice.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gateway.config import PROJECT_ROOT
from gateway.errors import ConfigError

SHIPPED = PROJECT_ROOT / "config" / "guidance"
GENERAL = "general"
_KEYS = {"label", "title", "why", "todo", "source", "excerpt", "draft", "placeholder"}
_DRAFT = ("offer", "no", "never")
_ITEM = re.compile(r"^(?:[-*\u2022]|\d{1,2}[.)])\s")


@dataclass(frozen=True)
class Advice:
    """What to tell a sender about one kind of finding."""

    category: str
    type: str
    label: str
    title: str
    why: str
    todo: str
    source: str = ""
    excerpt: bool = True
    draft: str = "no"
    placeholder: str = ""  # what replaces this identifier in the de-identified draft


@dataclass(frozen=True)
class Guidance:
    """Advice per category (and type), with the general advice as the last fallback."""

    general: Advice
    categories: Mapping[str, Advice] = field(default_factory=dict)
    types: Mapping[tuple[str, str], Advice] = field(default_factory=dict)
    files: tuple[str, ...] = ()

    def advice(self, category: str, type_: str) -> Advice:
        found = self.types.get((category, type_))
        if found is not None:
            return found
        base = self.categories.get(category, self.general)
        return replace(base, category=category, type=type_)

    def known_types(self, category: str) -> list[str]:
        return sorted(t for c, t in self.types if c == category)

    def placeholders(self, category: str) -> dict[str, str]:
        """Finding type -> the words that replace it in a draft (types without one keep "[TYPE]")."""
        return {t: a.placeholder for (c, t), a in self.types.items() if c == category and a.placeholder}

    @classmethod
    def load(cls, folder: str | Path = "", *, shipped: Path = SHIPPED) -> Guidance:
        """The shipped guidance, with the files of `folder` (if any) replacing theirs by name."""
        files: dict[str, Path] = {p.stem: p for p in _toml_files(shipped)}
        if folder:
            custom = Path(folder)
            if not custom.is_dir():
                raise ConfigError("guidance folder not found", key="notify.guidance_dir", file=str(custom))
            files.update({p.stem: p for p in _toml_files(custom)})
        if GENERAL not in files:
            raise ConfigError("general.toml is missing", key="notify.guidance_dir")
        general = _advice(GENERAL, "", _read(files[GENERAL]), None, str(files[GENERAL]))
        categories: dict[str, Advice] = {}
        types: dict[tuple[str, str], Advice] = {}
        for name, path in sorted(files.items()):
            if name == GENERAL:
                continue
            data = _read(path)
            sub = data.pop("types", {})
            if not isinstance(sub, dict):
                raise ConfigError("[types] must be a table of tables", file=str(path), key="types")
            cat = _advice(name, "", data, general, str(path))
            categories[name] = cat
            for type_name, tdata in sub.items():
                if not isinstance(tdata, dict):
                    raise ConfigError("expected a table", file=str(path), key=f"types.{type_name}")
                types[(name, type_name)] = _advice(name, type_name, tdata, cat, str(path))
        return cls(general, categories, types, tuple(str(p) for p in files.values()))


def _toml_files(folder: Path) -> Iterable[Path]:
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=str(path)) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc}", file=str(path)) from exc


def _advice(category: str, type_: str, data: dict[str, Any], parent: Advice | None, file: str) -> Advice:
    prefix = f"types.{type_}." if type_ else ""
    for key, value in data.items():
        if key not in _KEYS:
            raise ConfigError(f"unknown key (known: {', '.join(sorted(_KEYS))})", file=file, key=prefix + key)
        want = bool if key == "excerpt" else str
        if not isinstance(value, want):
            raise ConfigError(f"expected {want.__name__}, got {value!r}", file=file, key=prefix + key)
    if "draft" in data and data["draft"] not in _DRAFT:
        raise ConfigError(f"must be one of {', '.join(_DRAFT)}", file=file, key=prefix + "draft")
    values: dict[str, Any] = {k: _clean(v) if isinstance(v, str) else v for k, v in data.items()}
    if parent is None:
        missing = {"label", "title", "why", "todo"} - set(values)
        if missing:
            raise ConfigError(f"missing {', '.join(sorted(missing))}", file=file)
        return Advice(category=category, type=type_, **values)
    return replace(parent, category=category, type=type_, **values)


def _clean(text: str) -> str:
    """Lines within a paragraph joined, so TOML's multi-line strings read naturally; paragraphs
    and list items ("- ...") kept apart."""
    paragraphs = []
    for para in re.split(r"\n[ \t]*\n", text.strip()):
        items: list[str] = []
        for line in para.splitlines():
            line = " ".join(line.split())
            if not line:
                continue
            if items and not _ITEM.match(line):
                items[-1] += " " + line
            else:
                items.append(line)
        if items:
            paragraphs.append("\n".join(items))
    return "\n\n".join(paragraphs)
