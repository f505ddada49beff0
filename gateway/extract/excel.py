"""Excel workbooks (.xlsx, .xlsm, .xltx): every sheet, hidden ones too, one segment each (openpyxl).

Read-only streaming mode with cached values (what the recipient sees, not
the formulas). Each row becomes a line, cells separated by tabs; numbers
stored as floats lose their ".0" so an NHS number reads as ten digits.
The declared sheet dimensions are ignored (openpyxl would otherwise pad
every row to a forged "XFD1048576" width), and the time and text budgets
are checked as rows stream.

Locations: "attachment:Ward list.xlsx/Sheet1" per sheet, "/comments" for
cell comments, "/properties" for title, subject and keywords.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from openpyxl import load_workbook

from gateway.extract import ooxml
from gateway.extract.context import Context

_COMMENTS = re.compile(r"^xl/comments\d*\.xml$|^xl/threadedComments/")
#: how many rows are read between two time checks
_CHECK_EVERY = 512


def read(data: bytes, ctx: Context) -> None:
    zf = ooxml.open_package(data, ctx)
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    kept: list[str] = []
    try:
        for ws in wb.worksheets:
            ctx.check_time()
            text = "\n".join(_rows(ws, ctx))
            kept.append(ctx.text(f"{text}", where=f"{ctx.where}/{ws.title}"))
        metadata: dict[str, Any] = {"format": "xlsx", "sheets": [ws.title for ws in wb.worksheets]}
        metadata.update(ooxml.core_properties(wb.properties))
    finally:
        wb.close()
    metadata.update(ooxml.app_properties(zf))
    comments = [
        ooxml.xml_text(zf.read(name))
        for name in zf.namelist()
        if _COMMENTS.match(name) and name.endswith(".xml")
    ]
    kept.append(ctx.text("\n".join(comments), where=f"{ctx.where}/comments"))
    kept.append(ctx.text(ooxml.properties_text(metadata), where=f"{ctx.where}/properties", kind="metadata"))
    ctx.artifact("document", metadata=metadata, text="\n".join(k for k in kept if k))
    ooxml.embedded(zf, ctx)


def _rows(ws: Any, ctx: Context) -> list[str]:
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # rows as wide as their last cell, not as the declared dimension
    lines: list[str] = []
    size = 0
    for n, row in enumerate(ws.iter_rows(values_only=True)):
        if n % _CHECK_EVERY == 0:
            ctx.check_time()
        if not row:
            continue
        cells = [cell_text(v) for v in row]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        line = "\t".join(cells)
        lines.append(line)
        size += len(line) + 1
        if size > ctx.budget.text_left:
            break  # ctx.text truncates and reports; reading further would only cost time
    return lines


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).replace("\n", " ").replace("\t", " ")
