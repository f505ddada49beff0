"""PowerPoint presentations (.pptx, .pptm, .potx, .ppsx): slides in order, speaker notes, comments.

Read from the package with lxml (see gateway.extract.word for why not
through the object-model library: python-pptx parses every master,
layout and theme on opening). Slides come in the order of the
presentation's slide list; every paragraph of every shape is a line,
groups included, and a table row is one line with cells separated by
tabs. Notes are the body placeholder of each slide's notes page.

Locations: "attachment:X.pptx/slide 3", "attachment:X.pptx/slide 3 notes",
"/comments", "/properties". Embedded objects and pictures are read as
files of their own (a photograph on a slide is an image like any other).
"""

from __future__ import annotations

import re
from typing import Any

from gateway.extract import ooxml
from gateway.extract.context import Context

_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_COMMENTS = re.compile(r"^ppt/(comments|modernComment)[^/]*/.*\.xml$|^ppt/comments/.*\.xml$")


def read(data: bytes, ctx: Context) -> None:
    zf = ooxml.open_package(data, ctx)
    main = ooxml.main_part(zf) or "ppt/presentation.xml"
    rels = ooxml.relationships(zf, main)
    presentation = ooxml.read_tree(zf, main)
    slide_ids = [el.get(_R + "id") for el in presentation.iter(_P + "sldId")]
    slides = [rels[i][1] for i in slide_ids if i in rels]
    kept: list[str] = []
    for n, slide in enumerate(slides, start=1):
        ctx.check_time()
        kept.append(
            ctx.text("\n".join(shape_lines(ooxml.read_tree(zf, slide))), where=f"{ctx.where}/slide {n}")
        )
        for kind, target in ooxml.relationships(zf, slide).values():
            if kind.endswith("/notesSlide") and target in zf.namelist():
                notes = _notes_lines(ooxml.read_tree(zf, target))
                kept.append(ctx.text("\n".join(notes), where=f"{ctx.where}/slide {n} notes"))
    comments = [ooxml.xml_text(zf.read(name)) for name in zf.namelist() if _COMMENTS.match(name)]
    kept.append(ctx.text("\n".join(comments), where=f"{ctx.where}/comments"))
    ooxml.document_artifact(
        ctx, ooxml.package_properties(zf, {"format": "pptx", "slides": len(slides)}), kept
    )
    ooxml.embedded(zf, ctx)


def shape_lines(element: Any) -> list[str]:
    """Paragraphs and table rows of a slide (or any DrawingML tree), in document order."""
    out: list[str] = []
    _lines(element, out)
    return [line for line in out if line.strip()]


def _lines(element: Any, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag == _FALLBACK:
            continue
        if tag == _A + "p":
            out.append(_paragraph(child))
        elif tag == _A + "tbl":
            for row in child.iter(_A + "tr"):
                cells = [" ".join(shape_lines(cell)) for cell in row.iter(_A + "tc")]
                out.append("\t".join(cells))
        else:
            _lines(child, out)


def _paragraph(p: Any) -> str:
    parts: list[str] = []
    for el in p.iter(_A + "t", _A + "br"):
        parts.append(el.text or "" if el.tag == _A + "t" else "\n")
    return "".join(parts)


def _notes_lines(notes: Any) -> list[str]:
    """The notes text: shapes holding the body placeholder, not the slide image or its number."""
    out: list[str] = []
    for shape in notes.iter(_P + "sp"):
        placeholder = shape.find(f"{_P}nvSpPr/{_P}nvPr/{_P}ph")
        if placeholder is not None and placeholder.get("type") == "body":
            out.extend(shape_lines(shape))
    return out
