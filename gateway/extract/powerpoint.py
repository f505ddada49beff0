"""PowerPoint presentations (.pptx, .pptm, .potx, .ppsx): slides, speaker notes, comments (python-pptx).

Every shape with text is read, inside groups and tables too; a table row
is one line with cells separated by tabs. Locations: "attachment:X.pptx/
slide 3" and "attachment:X.pptx/slide 3 notes", "/comments",
"/properties". Embedded objects and pictures are read as files of their
own (a photograph on a slide is an image like any other).
"""

from __future__ import annotations

import io
import re
from typing import Any

from pptx.package import Package
from pptx.shapes.group import GroupShape

from gateway.extract import ooxml
from gateway.extract.context import Context

_COMMENTS = re.compile(r"^ppt/(comments|modernComment)[^/]*/.*\.xml$|^ppt/comments/.*\.xml$")


def read(data: bytes, ctx: Context) -> None:
    zf = ooxml.open_package(data, ctx)
    prs = Package.open(io.BytesIO(data)).main_document_part.presentation  # pptm and potx too
    kept: list[str] = []
    slides = list(prs.slides)
    for n, slide in enumerate(slides, start=1):
        ctx.check_time()
        lines: list[str] = []
        for shape in slide.shapes:
            _shape_lines(shape, lines)
        kept.append(ctx.text("\n".join(lines), where=f"{ctx.where}/slide {n}"))
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None:
                kept.append(ctx.text(notes.text, where=f"{ctx.where}/slide {n} notes"))
    comments = [ooxml.xml_text(zf.read(name)) for name in zf.namelist() if _COMMENTS.match(name)]
    kept.append(ctx.text("\n".join(comments), where=f"{ctx.where}/comments"))
    metadata: dict[str, Any] = {"format": "pptx", "slides": len(slides)}
    metadata.update(ooxml.core_properties(prs.core_properties))
    metadata.update(ooxml.app_properties(zf))
    kept.append(ctx.text(ooxml.properties_text(metadata), where=f"{ctx.where}/properties", kind="metadata"))
    ctx.artifact("document", metadata=metadata, text="\n".join(k for k in kept if k))
    ooxml.embedded(zf, ctx)


def _shape_lines(shape: Any, out: list[str], depth: int = 0) -> None:
    if depth > 50:
        return
    if isinstance(shape, GroupShape):
        for sub in shape.shapes:
            _shape_lines(sub, out, depth + 1)
        return
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        out.append(shape.text_frame.text)
    if getattr(shape, "has_table", False) and shape.has_table:
        for row in shape.table.rows:
            out.append("\t".join(cell.text.replace("\n", " ") for cell in row.cells))
