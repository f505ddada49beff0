"""The notification templates (Jinja2): a subject, a plain-text body and an HTML body per notice.

Each notice NAME ("sender", "review", "check", "alert", "digest") is three
files in config/templates:

    NAME.subject.j2   one line (newlines and runs of spaces are squeezed)
    NAME.txt.j2       the text/plain alternative
    NAME.html.j2      the text/html alternative (autoescaped)

plus the partials they include (`_*.j2`). `notify.templates_dir` names a
folder searched first, so a school can replace one file and keep the
shipped rest. Undefined variables are errors (StrictUndefined), and every
template is compiled when the notifier starts, so a typo stops `serve`
instead of a notification; edits to the files take effect at the next
start (templates are not re-read while it runs). The only module in gateway.notify that imports
Jinja2.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from gateway.config import PROJECT_ROOT
from gateway.errors import ConfigError

SHIPPED = PROJECT_ROOT / "config" / "templates"
NOTICES = ("sender", "review", "check", "alert", "digest")
_PARTS = ("subject", "txt", "html")
_SUBJECT_MAX = 180


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class Templates:
    def __init__(self, folder: str | Path = "", *, shipped: Path = SHIPPED) -> None:
        paths = []
        if folder:
            custom = Path(folder)
            if not custom.is_dir():
                raise ConfigError("templates folder not found", key="notify.templates_dir", file=str(custom))
            paths.append(str(custom))
        paths.append(str(shipped))
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(paths),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # compiled once (`check`): no stat of every file on every render
        )
        self.env.filters["indent_lines"] = _indent_lines
        self.env.filters["first_upper"] = _first_upper
        self.env.filters["todo_lines"] = _todo_lines

    def check(self) -> None:
        """Compile every notice's templates; ConfigError naming the file on the first error."""
        for notice in NOTICES:
            for part in _PARTS:
                name = f"{notice}.{part}.j2"
                try:
                    self.env.get_template(name)
                except jinja2.TemplateSyntaxError as exc:
                    raise ConfigError(
                        f"template error line {exc.lineno}: {exc.message}", file=exc.filename or name
                    ) from None
                except jinja2.TemplateNotFound:
                    raise ConfigError("template missing", file=name, key="notify.templates_dir") from None

    def render(self, notice: str, context: Mapping[str, Any]) -> Rendered:
        """The subject, text and HTML of `notice`; ConfigError when a template fails."""
        try:
            subject = self.env.get_template(f"{notice}.subject.j2").render(context)
            text = self.env.get_template(f"{notice}.txt.j2").render(context)
            html = self.env.get_template(f"{notice}.html.j2").render(context)
        except jinja2.TemplateError as exc:
            raise ConfigError(
                f"template {notice}: {type(exc).__name__}: {exc}", key="notify.templates_dir"
            ) from exc
        return Rendered(one_line(subject), _tidy(text), html)


def one_line(text: str) -> str:
    """A header-safe line: control characters and line breaks become spaces, squeezed, capped."""
    line = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return line if len(line) <= _SUBJECT_MAX else line[: _SUBJECT_MAX - 1].rstrip() + "…"


def _tidy(text: str) -> str:
    """At most one empty line in a row, no trailing spaces: templates stay readable with blocks."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _first_upper(text: str) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def _todo_lines(text: str) -> list[str]:
    """Guidance text split into its paragraphs and list items, each without its "- " mark."""
    out = []
    for line in str(text).splitlines():
        line = line.strip()
        if line:
            out.append(re.sub(r"^(?:[-*\u2022]|\d{1,2}[.)])\s+", "", line))
    return out


def _indent_lines(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else prefix.rstrip() for line in str(text).splitlines())
