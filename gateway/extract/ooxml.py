"""Office Open XML and OpenDocument packages: the ZIP guard, XML parsing, shared parts, a fallback reader.

Every package reader calls `open_package` first: it refuses encrypted
members and packages whose declared sizes would cross the message's
expansion budget or ratio, before anything is decompressed. (zipfile never
yields more than a member's declared size - it stops and fails the CRC -
so the declared sizes bound what can be inflated.)

lxml's one home: `read_tree` (a part as a tree, size-capped), `iterate`
(a part streamed element by element), `xml_text`; entities are never
resolved and the network never touched. Package relationships, the main
part, core and app properties are read here for the Word, Excel and
PowerPoint readers.

`read_any` reads the text of every XML part of a package no specific
reader accepts (an unusual main part), so nothing in a package goes unread
just because its type is odd.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import Any

from lxml import etree

from gateway.extract.budget import LimitExceeded
from gateway.extract.context import Context, Unreadable

#: parts whose text is read by the fallback reader
_XML_SUFFIXES = (".xml", ".rels")
_SKIP_PARTS = ("[Content_Types].xml", "docProps/", "_rels/", "customXml/", "xl/styles.xml", "word/styles.xml")
#: embedded files inside a package that are read as files of their own
_EMBEDDED_DIRS = (
    "word/embeddings/",
    "xl/embeddings/",
    "ppt/embeddings/",
    "word/media/",
    "ppt/media/",
    "xl/media/",
)
#: an XML part read whole into a tree (not streamed) may be at most this large: lxml needs about
#: ten times a part's size in memory, and a worker has 512 MB
MAX_TREE_PART = 32 * 1024 * 1024
_APP_PROPS = {"Company": "company", "Manager": "manager", "Application": "application", "Pages": "page_count"}


def open_package(data: bytes, ctx: Context) -> zipfile.ZipFile:
    """The package as a ZipFile, after checking it within the limits; raises Unreadable/LimitExceeded."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise Unreadable("PARSE_ERROR", f"damaged package ({exc})"[:200]) from None
    if len(infos) > ctx.limits.max_archive_entries:
        raise Unreadable("ARCHIVE_LIMIT", f"package has more than {ctx.limits.max_archive_entries} parts")
    if any(i.flag_bits & 0x1 for i in infos):
        raise Unreadable("ENCRYPTED_OFFICE", "package members are encrypted")
    declared = sum(i.file_size for i in infos)
    ctx.budget.check_ratio(declared, len(data))
    ctx.budget.take_bytes(declared)
    return zf


def app_properties(zf: zipfile.ZipFile) -> dict[str, Any]:
    """Company, manager and application from docProps/app.xml (python-docx and -pptx skip them)."""
    try:
        root = parse(zf.read("docProps/app.xml"))
    except KeyError:  # no such part: nothing to read (a damaged one is the dispatcher's PARSE_ERROR)
        return {}
    out: dict[str, Any] = {}
    for el in root:
        name = etree.QName(el).localname
        if name in _APP_PROPS and el.text:
            out[_APP_PROPS[name]] = el.text.strip()[:500]
    return out


_CORE = {
    "title": "title",
    "subject": "subject",
    "creator": "author",
    "keywords": "keywords",
    "description": "comments",
    "category": "category",
    "lastModifiedBy": "last_modified_by",
    "created": "created",
    "modified": "modified",
    "revision": "revision",
}
_OFFICE_DOCUMENT = "/officeDocument"


def read_tree(zf: zipfile.ZipFile, name: str) -> Any:
    """An XML part of the package as a tree, refused when it is too large to hold as one."""
    if zf.getinfo(name).file_size > MAX_TREE_PART:
        raise LimitExceeded("SIZE_LIMIT", f"a document part is larger than {MAX_TREE_PART >> 20} MB")
    return parse(zf.read(name))


def main_part(zf: zipfile.ZipFile) -> str | None:
    """The package's main part (word/document.xml for a Word file), from the package relationships."""
    try:
        rels = parse(zf.read("_rels/.rels"))
    except KeyError:  # no package relationships: the caller falls back to the usual main part
        return None
    for rel in rels:
        if str(rel.get("Type", "")).endswith(_OFFICE_DOCUMENT):
            return str(rel.get("Target", "")).lstrip("/") or None
    return None


def relationships(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, target path inside the package)."""
    folder, name = posixpath.split(part)
    try:
        rels = parse(zf.read(posixpath.join(folder, "_rels", f"{name}.rels")))
    except KeyError:  # no such part: nothing to read (a damaged one is the dispatcher's PARSE_ERROR)
        return {}
    out: dict[str, tuple[str, str]] = {}
    for rel in rels:
        if rel.get("TargetMode") == "External":
            continue
        target = str(rel.get("Target", ""))
        path = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out[str(rel.get("Id", ""))] = (str(rel.get("Type", "")), path)
    return out


def core_xml(zf: zipfile.ZipFile) -> dict[str, Any]:
    """Title, subject, author, last modified by... from docProps/core.xml."""
    try:
        root = parse(zf.read("docProps/core.xml"))
    except KeyError:  # no such part: nothing to read (a damaged one is the dispatcher's PARSE_ERROR)
        return {}
    out: dict[str, Any] = {}
    for el in root:
        key = _CORE.get(etree.QName(el).localname) if isinstance(el.tag, str) else None
        if key and el.text and el.text.strip():
            out[key] = el.text.strip()[:500]
    return out


def properties_text(metadata: dict[str, Any]) -> str:
    """The descriptive properties as text: a title or subject can name a patient."""
    lines = [
        f"{label}: {metadata[key]}"
        for key, label in (
            ("title", "Title"),
            ("subject", "Subject"),
            ("keywords", "Keywords"),
            ("comments", "Comments"),
            ("category", "Category"),
        )
        if metadata.get(key)
    ]
    return "\n".join(lines)


def package_properties(zf: zipfile.ZipFile, metadata: dict[str, Any]) -> dict[str, Any]:
    """`metadata` with the package's core and application properties added."""
    metadata.update(core_xml(zf))
    metadata.update(app_properties(zf))
    return metadata


def document_artifact(ctx: Context, metadata: dict[str, Any], kept: list[str]) -> None:
    """A document's properties as a metadata segment, and its own text as the document artifact.

    Properties stay out of the artifact text, so a copy with other properties
    fingerprints the same as the registered original.
    """
    ctx.text(properties_text(metadata), where=f"{ctx.where}/properties", kind="metadata")
    ctx.artifact("document", metadata=metadata, text="\n".join(k for k in kept if k))


def embedded(zf: zipfile.ZipFile, ctx: Context, dirs: tuple[str, ...] = _EMBEDDED_DIRS) -> None:
    """Objects and pictures embedded in the package (the entries under `dirs`), each read as a file of its own."""
    for info in zf.infolist():
        if info.is_dir() or not info.filename.startswith(dirs):
            continue
        ctx.check_time()
        ctx.budget.take_entry()
        ctx.child(zf.read(info), info.filename)


def read_any(data: bytes, ctx: Context) -> None:
    """Fallback: the text of every XML part, part by part."""
    zf = open_package(data, ctx)
    kept = [ctx.text(package_text(zf, ctx))]
    ctx.artifact("document", metadata={"format": "ooxml"}, text="".join(kept))
    embedded(zf, ctx)


def package_text(zf: zipfile.ZipFile, ctx: Context, prefixes: tuple[str, ...] = ()) -> str:
    out: list[str] = []
    for info in zf.infolist():
        name = info.filename
        if not name.endswith(_XML_SUFFIXES) or name.startswith(_SKIP_PARTS) or name.endswith(".rels"):
            continue
        if prefixes and not name.startswith(prefixes):
            continue
        ctx.check_time()
        text = xml_text(zf.read(info))
        if text.strip():
            out.append(text)
    return "\n".join(out)


def xml_text(xml: bytes) -> str:
    """The text runs of an OOXML part (w:t, a:t, x:t, w:delText), one line per paragraph or cell."""
    lines: list[str] = []
    current: list[str] = []
    try:
        for _event, el in etree.iterparse(
            io.BytesIO(xml), events=("end",), resolve_entities=False, no_network=True, recover=True
        ):
            if not isinstance(el.tag, str):
                continue
            name = el.tag.rsplit("}", 1)[-1]
            if name in ("t", "delText", "v"):
                current.append(el.text or "")
            elif name == "tab":
                current.append("\t")
            elif name in ("br", "cr"):
                current.append(" ")
            elif name in ("p", "si", "tc", "c"):
                if current:
                    lines.append("".join(current))
                    current = []
                el.clear(keep_tail=True)
    except etree.XMLSyntaxError as exc:
        if xml.strip():  # text past the damage went unread: the dispatcher's PARSE_ERROR, never silence
            raise Damaged(str(exc)[:200]) from None
    if current:
        lines.append("".join(current))
    return "\n".join(line for line in lines if line.strip())


class Damaged(Exception):
    """An XML part is damaged from this point on."""


def iterate(xml: bytes, tag: str) -> Any:
    """The elements `tag` of a part as they end, streamed; Damaged where the XML breaks."""
    try:
        for _event, element in etree.iterparse(
            io.BytesIO(xml),
            events=("end",),
            tag=tag,
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
        ):
            yield element
    except etree.XMLSyntaxError as exc:
        raise Damaged(str(exc)[:200]) from None


def parse(xml: bytes) -> Any:
    """An XML part as an lxml element: no entities resolved, no network, libxml2's depth limits."""
    # a parser per call: lxml parser objects must not be shared between threads
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    return etree.fromstring(xml, parser)
