"""A worker imports the common attachment readers when it loads, and the rare ones only on first use."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from gateway.extract import sniff
from gateway.extract.dispatch import COMMON, READERS

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from gateway.config import Settings
    from gateway.inspector import build_inspector

    def readers():
        return sorted(m for m in sys.modules if m.startswith("gateway.extract.") and m != "gateway.extract.dispatch")

    inspector = build_inspector(Settings(), detectors=())
    before = readers()
    inspector.load()
    print(json.dumps({"before": before, "after": readers(), "pdf_library": "pypdf" in sys.modules}))
    """
)


def test_common_readers_are_known_formats() -> None:
    """Every preloaded format has a reader, and PDF and Office are among them."""
    assert set(COMMON) <= set(READERS)
    assert {sniff.PDF, sniff.DOCX, sniff.XLSX} <= set(COMMON)


def test_loading_an_inspector_imports_the_common_readers_only() -> None:
    """After load, the PDF and Office readers are imported (no message waits for them); DICOM is not."""
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert "gateway.extract.pdf" not in seen["before"]
    assert {READERS[f][0] for f in COMMON} <= set(seen["after"])
    assert seen["pdf_library"]
    assert "gateway.extract.dicom" not in seen["after"]
    assert "gateway.extract.opendocument" not in seen["after"]
