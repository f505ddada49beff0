"""OpenDocument text, spreadsheets and presentations (.odt, .ods, .odp) (odfpy).

Text documents: paragraphs, headings, lists and tables in reading order,
table rows as tab-separated lines; headers and footers from the master
pages ("/headers"). Spreadsheets: one segment per sheet
("attachment:X.ods/Sheet1"); repeated rows and columns are expanded only
when they hold something, and only so far, so a sheet that declares a
million blank rows costs nothing. Presentations: "/slide N" and "/slide N
notes". Pictures ("Pictures/...") are read as images of their own. Encrypted packages (manifest with encryption data) are
`ENCRYPTED_OFFICE`.
"""

from __future__ import annotations

import io
from typing import Any

from odf import teletype
from odf.namespaces import DCNS, METANS, OFFICENS, PRESENTATIONNS, TABLENS, TEXTNS
from odf.opendocument import load

from gateway.extract import ooxml
from gateway.extract.budget import LimitExceeded
from gateway.extract.context import Context, Unreadable

#: a repeated row or cell with content is written out at most this many times
_MAX_REPEAT = 100
_META = {
    (DCNS, "title"): "title",
    (DCNS, "subject"): "subject",
    (DCNS, "description"): "comments",
    (DCNS, "creator"): "last_modified_by",
    (DCNS, "date"): "modified",
    (METANS, "initial-creator"): "author",
    (METANS, "creation-date"): "created",
    (METANS, "keyword"): "keywords",
}


def read(data: bytes, ctx: Context) -> None:
    zf = ooxml.open_package(data, ctx)
    try:
        manifest = zf.read("META-INF/manifest.xml")
    except KeyError:
        manifest = b""
    if b"encryption-data" in manifest:
        raise Unreadable("ENCRYPTED_OFFICE", "OpenDocument file is encrypted with a password")
    for part in ("content.xml", "styles.xml"):
        if part in zf.namelist() and zf.getinfo(part).file_size > ooxml.MAX_TREE_PART // 4:
            # odfpy builds its own DOM, several times heavier than lxml's
            raise LimitExceeded("SIZE_LIMIT", f"{part} is larger than {ooxml.MAX_TREE_PART >> 22} MB")
    doc = load(io.BytesIO(data))
    kind = doc.mimetype.rsplit(".", 1)[-1] if doc.mimetype else "odf"
    kept: list[str] = []
    body = doc.body
    for top in body.childNodes:
        ctx.check_time()
        local = top.qname[1] if hasattr(top, "qname") else ""
        if local == "spreadsheet":
            for sheet in _children(top, TABLENS, "table"):
                name = sheet.getAttrNS(TABLENS, "name") or "sheet"
                kept.append(ctx.text("\n".join(_table_rows(sheet, ctx)), where=f"{ctx.where}/{name}"))
        elif local == "presentation":
            for n, page in enumerate(_children(top, None, "page"), start=1):
                lines: list[str] = []
                notes: list[str] = []
                for child in page.childNodes:
                    if getattr(child, "qname", None) == (PRESENTATIONNS, "notes"):
                        _lines(child, notes, ctx)
                    elif hasattr(child, "qname"):
                        _lines(child, lines, ctx)
                kept.append(ctx.text("\n".join(lines), where=f"{ctx.where}/slide {n}"))
                kept.append(ctx.text("\n".join(notes), where=f"{ctx.where}/slide {n} notes"))
        else:
            lines = []
            _lines(top, lines, ctx)
            kept.append(ctx.text("\n".join(lines)))
    headers: list[str] = []
    if doc.masterstyles is not None:
        _lines(doc.masterstyles, headers, ctx)
    kept.append(ctx.text("\n".join(dict.fromkeys(headers)), where=f"{ctx.where}/headers"))
    ooxml.document_artifact(ctx, {"format": kind, **_meta(doc)}, kept)
    # pictures, each read as an image of its own: a photograph in a case write-up is judged like an
    # attached one (the page thumbnail, "Thumbnails/", is a rendering, not a picture)
    ooxml.embedded(zf, ctx, ("Pictures/",))


def _children(element: Any, ns: str | None, local: str) -> list[Any]:
    return [
        c
        for c in element.childNodes
        if hasattr(c, "qname") and c.qname[1] == local and (ns is None or c.qname[0] == ns)
    ]


def _lines(element: Any, out: list[str], ctx: Context) -> None:
    for child in element.childNodes:
        qname = getattr(child, "qname", None)
        if qname is None:
            continue
        if qname[0] == TEXTNS and qname[1] in ("p", "h"):
            out.append(teletype.extractText(child))
        elif qname == (TABLENS, "table"):
            out.extend(_table_rows(child, ctx))
        else:
            _lines(child, out, ctx)


def _table_rows(table: Any, ctx: Context) -> list[str]:
    out: list[str] = []
    for n, row in enumerate(_rows(table)):
        if n % 256 == 0:
            ctx.check_time()
        cells: list[str] = []
        for cell in row.childNodes:
            if getattr(cell, "qname", (None, ""))[1] not in ("table-cell", "covered-table-cell"):
                continue
            text = " ".join(teletype.extractText(p) for p in _children(cell, TEXTNS, "p"))
            if not text:
                text = str(cell.getAttrNS(OFFICENS, "value") or "")
            repeat = _repeat(cell, "number-columns-repeated")
            cells.extend([text] * (min(repeat, _MAX_REPEAT) if text else min(repeat, 1)))
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            line = "\t".join(cells)
            out.extend([line] * min(_repeat(row, "number-rows-repeated"), _MAX_REPEAT))
    return out


def _rows(table: Any) -> list[Any]:
    rows: list[Any] = []
    for child in table.childNodes:
        local = getattr(child, "qname", (None, ""))[1]
        if local == "table-row":
            rows.append(child)
        elif local in ("table-rows", "table-row-group", "table-header-rows"):
            rows.extend(_rows(child))
    return rows


def _repeat(element: Any, attr: str) -> int:
    try:
        return max(1, int(element.getAttrNS(TABLENS, attr) or 1))
    except (TypeError, ValueError):
        return 1


def _meta(doc: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if doc.meta is None:
        return out
    for child in doc.meta.childNodes:
        key = _META.get(getattr(child, "qname", None))  # type: ignore[arg-type]
        if key:
            value = teletype.extractText(child).strip()
            if value and key not in out:
                out[key] = value[:500]
    return out
