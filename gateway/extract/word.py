"""Word documents (.docx, .docm, .dotx): every story of the package, and its properties (python-docx).

python-docx opens the package and hands over each part's XML; the text is
collected by walking that XML, because the paragraph API skips text a
reader still sees: tracked insertions and deletions, content controls,
text boxes, smart tags. Tables come out one row per line, cells separated
by tabs, so a name and a number in one row stay together.

Locations: the body at the attachment itself ("attachment:case.docx");
"/headers" (headers and footers), "/notes" (footnotes and endnotes),
"/comments", "/properties" (title, subject, keywords: they can name a
patient too). Embedded objects and pictures are read as files of their own.
"""

from __future__ import annotations

import io
import re
from typing import Any

from docx.package import Package

from gateway.extract import ooxml
from gateway.extract.context import Context

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _TBL, _TR, _TC = _W + "p", _W + "tbl", _W + "tr", _W + "tc"
_TEXT = {_W + "t", _W + "delText"}
_BREAK = {_W + "br", _W + "cr"}
_STORIES = (
    ("/headers", re.compile(r"^/word/(header|footer)\d*\.xml$")),
    ("/notes", re.compile(r"^/word/(footnotes|endnotes)\.xml$")),
    ("/comments", re.compile(r"^/word/comments\.xml$")),
)


def read(data: bytes, ctx: Context) -> None:
    zf = ooxml.open_package(data, ctx)
    package = Package.open(io.BytesIO(data))
    document = package.main_document_part.document  # docm and dotx too: same XML
    kept = [ctx.text("\n".join(story_lines(document.element.body)))]
    for suffix, pattern in _STORIES:
        lines: list[str] = []
        for part in package.iter_parts():
            if pattern.match(str(part.partname)):
                ctx.check_time()
                element = getattr(part, "element", None)
                if element is None:
                    element = ooxml._parse(part.blob)
                lines.extend(story_lines(element))
        kept.append(ctx.text("\n".join(_unique(lines)), where=f"{ctx.where}{suffix}"))
    metadata: dict[str, Any] = {"format": "docx"}
    metadata.update(ooxml.core_properties(document.core_properties))
    metadata.update(ooxml.app_properties(zf))
    kept.append(ctx.text(ooxml.properties_text(metadata), where=f"{ctx.where}/properties", kind="metadata"))
    ctx.artifact("document", metadata=metadata, text="\n".join(k for k in kept if k))
    ooxml.embedded(zf, ctx)


def story_lines(element: Any) -> list[str]:
    """The lines of a WordprocessingML story (body, header, comments...) in reading order."""
    out: list[str] = []
    _lines(element, out)
    return [line for line in out if line.strip()]


def _lines(element: Any, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag == _FALLBACK:
            continue  # comments, processing instructions; Fallback repeats its Choice
        if tag == _P:
            boxes: list[Any] = []
            out.append(_paragraph(child, boxes))
            for box in boxes:  # text boxes anchored in the paragraph
                _lines(box, out)
        elif tag == _TBL:
            for row in _own(child, _TR, _TBL):
                cells = []
                for cell in _own(row, _TC, _TR):
                    sub: list[str] = []
                    _lines(cell, sub)
                    cells.append(" ".join(s.strip() for s in sub if s.strip()))
                out.append("\t".join(cells))
        else:  # content controls, custom XML, tracked changes, sections: look inside
            _lines(child, out)


def _own(element: Any, tag: str, container: str) -> list[Any]:
    """Descendants `tag` of `element` not inside a nested `container` (rows of this table only)."""
    return [e for e in element.iter(tag) if next(e.iterancestors(container), None) is element]


def _paragraph(p: Any, boxes: list[Any]) -> str:
    parts: list[str] = []

    def walk(element: Any) -> None:
        for c in element:
            tag = c.tag
            if not isinstance(tag, str) or tag == _FALLBACK:
                continue
            if tag in _TEXT:
                parts.append(c.text or "")
            elif tag == _W + "tab":
                parts.append("\t")
            elif tag in _BREAK:
                parts.append("\n")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            elif tag == _W + "txbxContent" or tag == _P:
                boxes.append(c) if tag != _P else boxes.append([c])
            else:
                walk(c)

    walk(p)
    return "".join(parts)


def _unique(lines: list[str]) -> list[str]:
    """Each header or footer once, though every section repeats it."""
    return list(dict.fromkeys(lines))
