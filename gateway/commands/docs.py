"""`gateway docs`: the registry of official university documents (add, list, show, remove).

    gateway docs add FILE... [--recursive DIR] [--title T] [--owner O] [--classification C]
    gateway docs list [--json]
    gateway docs show ID
    gateway docs remove ID

`add` reads each file as the gateway reads an attachment (gateway.extract),
fingerprints its text and stores it in the configured store, so every
gateway node sharing that store recognises it within
`documents.reload_seconds`. A text already registered is skipped, so
`add --recursive` can be re-run over a folder. Exit status: 0 when every
file was registered (or already was), 1 when some could not be read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gateway.config import Settings
from gateway.errors import ExtractionError, StoreError

#: what `add --recursive` picks up from a folder (the formats the extractors read as documents)
DOCUMENT_SUFFIXES = frozenset(
    {
        ".pdf",
        ".docx",
        ".docm",
        ".pptx",
        ".pptm",
        ".xlsx",
        ".xlsm",
        ".odt",
        ".odp",
        ".ods",
        ".rtf",
        ".txt",
        ".md",
    }
)
#: titles that office software writes by itself and that tell a reviewer nothing
_GENERIC_TITLES = ("untitled", "document", "microsoft word", "powerpoint presentation", "slide 1")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("docs", help="the registry of official university documents")
    sub = p.add_subparsers(dest="docs_command", required=True, metavar="ACTION")

    a = sub.add_parser("add", help="register documents (PDF, DOCX, PPTX, XLSX, ODT, TXT...)")
    a.add_argument("files", nargs="*", metavar="FILE", help="document files")
    a.add_argument("--recursive", metavar="DIR", action="append", help="every document in DIR and below")
    a.add_argument("--title", help="title shown in findings (one file only; default: its title or name)")
    a.add_argument("--owner", default="", help="who owns the document (a person or office)")
    a.add_argument("--classification", default="internal", help="e.g. internal, confidential, assessment")
    a.set_defaults(func=cmd_add)

    s = sub.add_parser("list", help="list registered documents")
    s.add_argument("--json", action="store_true", help="one JSON array")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("show", help="show one registered document")
    s.add_argument("id", type=int, metavar="ID")
    s.set_defaults(func=cmd_show)

    s = sub.add_parser("remove", help="unregister a document")
    s.add_argument("id", type=int, metavar="ID")
    s.set_defaults(func=cmd_remove)


def _registry(settings: Settings) -> Any:
    from gateway.store.documents import open_registry

    return open_registry(settings)


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.extract.files import text_of_file

    files = [Path(f) for f in args.files]
    for folder in args.recursive or []:
        root = Path(folder)
        if not root.is_dir():
            print(f"gateway: not a folder: {folder}", file=sys.stderr)
            return 2
        files.extend(_documents_under(root))
    if not files:
        print("gateway: docs add: no files given", file=sys.stderr)
        return 2
    if args.title and len(files) > 1:
        print("gateway: docs add: --title needs exactly one file", file=sys.stderr)
        return 2
    registry = _registry(settings)
    failed = added = skipped = 0
    for path in _progress(files, enabled=bool(args.recursive)):
        try:
            data = path.read_bytes()
            text, metadata = text_of_file(data, path.name, settings.limits)
            if not text.strip():
                raise ExtractionError("no text in it (a scan without OCR?)")
            result = registry.add(
                text,
                title=args.title or _title(metadata, path),
                owner=args.owner,
                classification=args.classification,
                filename=path.name,
                file_sha256=hashlib.sha256(data).hexdigest(),
            )
        except (OSError, ExtractionError, StoreError) as exc:
            failed += 1
            _say(f"error {path}: {exc}", err=True)
            continue
        rec = result.record
        if result.added:
            added += 1
            _say(f"added #{rec.id} {rec.title!r} ({rec.words} words, {rec.fingerprint_count} fingerprints)")
        else:
            skipped += 1
            _say(f"skipped {path}: already registered as #{rec.id} {rec.title!r}")
    _say(f"{added} added, {skipped} already registered, {failed} failed")
    return 1 if failed else 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    records = _registry(settings).records()
    if args.json:
        print(json.dumps([r.to_json() for r in records], indent=1))
        return 0
    if not records:
        print("no documents registered")
        return 0
    print(f"{'id':>5}  {'classification':14} {'words':>7}  {'added':10}  title")
    for r in records:
        print(f"{r.id:>5}  {r.classification[:14]:14} {r.words:>7}  {r.added_at[:10]:10}  {r.title}")
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    record = _registry(settings).get(args.id)
    if record is None:
        print(f"gateway: no registered document #{args.id}", file=sys.stderr)
        return 1
    for key, value in record.to_json().items():
        print(f"{key + ':':16}{value}")
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    registry = _registry(settings)
    record = registry.get(args.id)
    if record is None or not registry.remove(args.id):
        print(f"gateway: no registered document #{args.id}", file=sys.stderr)
        return 1
    print(f"removed #{record.id} {record.title!r}")
    return 0


def _documents_under(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        name = path.name
        if name.startswith((".", "~$")) or not path.is_file():
            continue
        if path.suffix.lower() in DOCUMENT_SUFFIXES:
            yield path


def _title(metadata: dict[str, Any], path: Path) -> str:
    title = str(metadata.get("title") or "").strip()
    if title and not title.lower().startswith(_GENERIC_TITLES) and len(title) <= 200:
        return title
    return path.stem


def _progress(files: list[Path], *, enabled: bool) -> Any:
    """A progress bar on a terminal (for --recursive); the plain list otherwise."""
    if not enabled or not sys.stderr.isatty():
        return files
    from tqdm import tqdm

    return tqdm(files, unit="doc", desc="registering", file=sys.stderr)


def _say(text: str, *, err: bool = False) -> None:
    """Print without breaking a progress bar that may be on the terminal."""
    from tqdm import tqdm

    tqdm.write(text, file=sys.stderr if err else sys.stdout)
