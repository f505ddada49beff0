"""The document registry on a real PostgreSQL server, shared by two gateway nodes."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.config import DatabaseSettings, DocumentSettings, Settings
from gateway.detect.fingerprint import fingerprint
from gateway.store.db import Database
from gateway.store.documents import DocumentRegistry, IndexLoader, index_loader
from tests.unit.detect import docfixtures as fx

pytestmark = pytest.mark.integration

HANDBOOK = fx.text(fx.HANDBOOK)
SIBLING = fx.text(fx.SIBLING)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_documents_added_on_one_node_are_seen_by_another(postgres_url: str) -> None:
    """Node A registers and removes documents; node B's loader follows within its interval."""
    node_a, node_b = Database(postgres_url), Database(postgres_url)
    reg_a = DocumentRegistry(node_a)
    clock = Clock()
    loader_b = IndexLoader(lambda: node_b, interval=5.0, clock=clock)
    assert loader_b().size == 0

    hid = reg_a.add(HANDBOOK, title=fx.HANDBOOK_TITLE, owner="Anatomy", classification="internal").record.id
    reg_a.add(SIBLING, title="Physiology")
    clock.now = 6.0
    index = loader_b()
    assert index.size == 2
    (m,) = index.match(fingerprint(HANDBOOK))
    assert (m.doc_id, m.title) == (hid, fx.HANDBOOK_TITLE) and m.share > 0.99

    assert reg_a.remove(hid)
    clock.now = 12.0
    assert [d.title for d in loader_b().documents] == ["Physiology"]
    node_a.close()
    node_b.close()


def test_duplicate_text_and_records_on_postgres(postgres_url: str) -> None:
    """The same text is registered once; records and fingerprints round-trip through BYTEA."""
    reg = DocumentRegistry(Database(postgres_url))
    first = reg.add(HANDBOOK, title="a", filename="a.docx", file_sha256="ab" * 32)
    again = reg.add(HANDBOOK.replace("\n\n", "\n"), title="b")
    assert first.added and not again.added and again.record == first.record
    assert [r.title for r in reg.records()] == ["a"] and reg.get(first.record.id) == first.record
    assert reg.load_index().documents[0].hashes.size == first.record.fingerprint_count
    reg.db.close()


def test_docs_command_and_scan_against_postgres(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`docs add` and `scan` configured with a postgresql:// store work together."""
    cfg = tmp_path / "gateway.toml"
    cfg.write_text(
        f'state_dir = "{tmp_path / "state"}"\n[database]\nurl = "{postgres_url}"\n'
        f'[documents]\norganisation = "{fx.ORG}"\n'
    )
    doc = tmp_path / "handbook.docx"
    doc.write_bytes(fx.docx_bytes(fx.HANDBOOK, title=fx.HANDBOOK_TITLE))
    assert main(["--config", str(cfg), "docs", "add", str(doc)]) == 0
    eml = tmp_path / "m.eml"
    eml.write_bytes(fx.message("x", {"copy.pdf": fx.pdf_bytes(fx.HANDBOOK)}))
    capsys.readouterr()
    assert main(["--config", str(cfg), "scan", "--json", str(eml)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["verdict"] == "hold"
    assert any(f["type"] == "REGISTERED_DOCUMENT" for f in result["findings"])
    settings = dataclasses.replace(
        Settings(), database=DatabaseSettings(url=postgres_url), documents=DocumentSettings(reload_seconds=0)
    )
    assert index_loader(settings)().size == 1
