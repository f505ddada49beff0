"""`gateway docs add|list|show|remove`, and `scan` recognising what was registered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli import main
from tests.unit.detect import docfixtures as fx


@pytest.fixture()
def cfg(tmp_path: Path) -> str:
    path = tmp_path / "gateway.toml"
    path.write_text(
        f'state_dir = "{tmp_path / "state"}"\n[domains]\ninternal = ["northam.ac.uk"]\n'
        f'[documents]\norganisation = "{fx.ORG}"\n'
    )
    return str(path)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    (root / "year1").mkdir(parents=True)
    (root / "year1" / "handbook.docx").write_bytes(fx.docx_bytes(fx.HANDBOOK, title=fx.HANDBOOK_TITLE))
    (root / "year1" / "physiology.pdf").write_bytes(fx.pdf_bytes(fx.SIBLING))
    (root / "minutes.txt").write_text(fx.text(fx.COMMITTEE_MINUTES * 3))
    (root / ".hidden.txt").write_text(fx.text(fx.ESSAY))
    (root / "~$handbook.docx").write_bytes(b"lock file")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return root


def listed(cfg: str, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    capsys.readouterr()
    assert main(["--config", cfg, "docs", "list", "--json"]) == 0
    return list(json.loads(capsys.readouterr().out))


def test_add_recursive_registers_every_document_once(
    cfg: str, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--recursive takes the documents under a folder (not hidden, lock or image files); re-running adds none."""
    assert main(["--config", cfg, "docs", "add", "--recursive", str(folder), "--owner", "Year 1 Office"]) == 0
    out = capsys.readouterr().out
    assert "3 added, 0 already registered, 0 failed" in out
    docs = listed(cfg, capsys)
    assert {d["title"] for d in docs} == {fx.HANDBOOK_TITLE, "physiology", "minutes"}
    assert {d["owner"] for d in docs} == {"Year 1 Office"}
    assert main(["--config", cfg, "docs", "add", "--recursive", str(folder)]) == 0
    assert "0 added, 3 already registered" in capsys.readouterr().out


def test_add_one_file_with_title_and_classification(
    cfg: str, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--title and --classification are kept and shown by `docs show`."""
    pdf = folder / "year1" / "physiology.pdf"
    assert (
        main(
            ["--config", cfg, "docs", "add", str(pdf), "--title", "Physio", "--classification", "assessment"]
        )
        == 0
    )
    (doc,) = listed(cfg, capsys)
    assert main(["--config", cfg, "docs", "show", str(doc["id"])]) == 0
    shown = capsys.readouterr().out
    assert "Physio" in shown and "assessment" in shown and "physiology.pdf" in shown


def test_unreadable_file_fails_but_the_others_are_added(
    cfg: str, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken or missing file is reported and makes the exit status 1; good files still register."""
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    good = folder / "minutes.txt"
    code = main(["--config", cfg, "docs", "add", str(broken), str(tmp_path / "nope.docx"), str(good)])
    captured = capsys.readouterr()
    assert code == 1 and "1 added, 0 already registered, 2 failed" in captured.out
    assert "broken.pdf" in captured.err and "nope.docx" in captured.err


def test_usage_errors(cfg: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No files, --title with several files, or a missing folder are usage errors (2)."""
    assert main(["--config", cfg, "docs", "add"]) == 2
    files = [str(p) for p in (folder / "year1").iterdir()]
    assert main(["--config", cfg, "docs", "add", *files, "--title", "x"]) == 2
    assert main(["--config", cfg, "docs", "add", "--recursive", str(folder / "nope")]) == 2


def test_remove_and_unknown_ids(cfg: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """remove takes a document out of the list; unknown ids exit 1."""
    main(["--config", cfg, "docs", "add", str(folder / "minutes.txt")])
    (doc,) = listed(cfg, capsys)
    assert main(["--config", cfg, "docs", "remove", str(doc["id"])]) == 0
    assert listed(cfg, capsys) == []
    assert main(["--config", cfg, "docs", "remove", str(doc["id"])]) == 1
    assert main(["--config", cfg, "docs", "show", "999"]) == 1


def test_list_without_registry(cfg: str, capsys: pytest.CaptureFixture[str]) -> None:
    """An empty registry lists as such."""
    assert main(["--config", cfg, "docs", "list"]) == 0
    assert "no documents registered" in capsys.readouterr().out


def test_scan_finds_a_registered_document_sent_as_pdf(
    cfg: str, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After `docs add` of the DOCX, `scan` holds its PDF copy to an outside address and names it."""
    assert main(["--config", cfg, "docs", "add", str(folder / "year1" / "handbook.docx")]) == 0
    eml = tmp_path / "m.eml"
    eml.write_bytes(fx.message("for you", {"h.pdf": fx.pdf_bytes(fx.HANDBOOK)}, to="pal@gmail.com"))
    capsys.readouterr()
    assert main(["--config", cfg, "scan", "--json", str(eml)]) == 0
    result = json.loads(capsys.readouterr().out)
    (f,) = [f for f in result["findings"] if f["category"] == "university_document"]
    assert result["verdict"] == "hold" and f["type"] == "REGISTERED_DOCUMENT"
    assert fx.HANDBOOK_TITLE in f["evidence"]
