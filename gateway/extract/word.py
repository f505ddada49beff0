"""Word documents (.docx, .docm, .dotx): every story of the package, and its properties.

The stories are read straight from the package with lxml, not through
python-docx: python-docx parses every part on opening (styles, numbering,
theme, settings: most of the 15-30 ms it takes per document), and its
paragraph API skips text a reader still sees (tracked insertions and
deletions, content controls, text boxes, smart tags). Walking the story
XML gets all of it. Tables come out one row per line, cells separated by
tabs, so a name and a number in one row stay together.

Locations: the body at the attachment itself ("attachment:case.docx");
"/headers" (headers and footers), "/notes" (footnotes and endnotes),
"/comments", "/properties" (title, subject, keywords: they can name a
patient too). Embedded objects and pictures are read as files of their own.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from gateway.extract import ooxml
from gateway.extract.context import Context, Unreadable

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _TBL, _TR, _TC = _W + "p", _W + "tbl", _W + "tr", _W + "tc"
_TEXT = {_W + "t", _W + "delText"}
_BREAK = {_W + "br", _W + "cr"}
_STORIES = (
    ("/headers", re.compile(r"^(header|footer)\d*\.xml$")),
    ("/notes", re.compile(r"^(footnotes|endnotes)\.xml$")),
    ("/comments", re.compile(r"^comments\.xml$")),
)


def read(data: bytes, ctx: Context) -> None:
    zf = ooxml.open_package(data, ctx)
    main = ooxml.main_part(zf) or "word/document.xml"
    try:
        document = ooxml.read_tree(zf, main)
    except KeyError:
        raise Unreadable("PARSE_ERROR", "Word package without a document part") from None
    body = document.find(_W + "body")
    kept = [ctx.text("\n".join(story_lines(body if body is not None else document)))]
    folder = posixpath.dirname(main)
    names = sorted(n for n in zf.namelist() if posixpath.dirname(n) == folder)
    for suffix, pattern in _STORIES:
        lines: list[str] = []
        for name in names:
            if pattern.match(posixpath.basename(name)):
                ctx.check_time()
                lines.extend(story_lines(ooxml.read_tree(zf, name)))
        kept.append(ctx.text("\n".join(dict.fromkeys(lines)), where=f"{ctx.where}{suffix}"))
    ooxml.document_artifact(ctx, ooxml.package_properties(zf, {"format": "docx"}), kept)
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
                # a text box's content is a story of its own; a paragraph nested straight inside
                # this one (malformed but seen) is read as a one-paragraph story
                boxes.append(c if tag != _P else [c])
            else:
                walk(c)

    walk(p)
    return "".join(parts)
