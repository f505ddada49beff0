"""How inspection cost grows: time per message against its size and its number of recipients.

    .venv/bin/python benchmarks/scan/growth.py [--max-mb 25] [--runs 3]

For sizing a node. In one fresh worker process (spawned like the pipeline's pool, every
configured detector loaded, the shipped policy), prints the median wall and CPU time of a
whole inspection (parse, extract, detect, decide) for:

- a plain-text body of 10 KB, 100 KB, 1 MB, 5 MB and 25 MB (everyday clinical-teaching prose
  with no identifier, so every detector reads all of it);
- the same text in a DOCX attachment and in a text PDF attachment (10 KB to 5 MB of text);
- a 10 KB message to 1, 10, 100 and 500 recipients;

and the worker's peak resident memory after each group. Cost against the number of
registered university documents is measured by benchmarks/documents/bench.py (look-up time
with 10,000 documents registered). Numbers, not assertions.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import text_pdf  # noqa: E402

PROSE = (
    "The seminar covered the assessment of breathlessness in older adults, the value of a careful "
    "history, and how to weigh a chest radiograph against the examination findings. We discussed "
    "when to repeat bloods, how to explain uncertainty, and why the management plan should be "
    "written so the night team can follow it. Next week we look at fluid balance and prescribing.\n"
)


def text_of(size: int) -> str:
    return (PROSE * (size // len(PROSE) + 1))[:size]


def message(body: str, *, rcpts: int = 1, attachment: tuple[bytes, str, str] | None = None) -> bytes:
    m = EmailMessage()
    m["From"] = "Ann Student <ann@student.example.ac.uk>"
    m["To"] = ", ".join(f"friend{n}@mail.example" for n in range(rcpts))
    m["Subject"] = "seminar notes"
    m.set_content(body)
    if attachment:
        data, subtype, name = attachment
        m.add_attachment(data, maintype="application", subtype=subtype, filename=name)
    return m.as_bytes()


def docx_of(text: str) -> bytes:
    from docx import Document

    doc = Document()
    for para in text.split("\n"):
        doc.add_paragraph(para)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def pdf_of(text: str) -> bytes:
    """A text PDF (45 lines a page) holding `text`."""
    lines = [
        text[i : i + 95].replace("\\", "").replace("(", "[").replace(")", "]")
        for i in range(0, len(text), 95)
    ]
    streams = [
        (
            "BT /F1 10 Tf 12 TL 50 750 Td " + " ".join(f"({x}) Tj T*" for x in lines[i : i + 45]) + " ET"
        ).encode()
        for i in range(0, len(lines), 45)
    ]
    return text_pdf(streams or [b"BT ET"])


# --- worker --------------------------------------------------------------------------------------

_INSPECTOR: Any = None


def _init(state_dir: str) -> None:
    global _INSPECTOR
    os.environ["GATEWAY_STATE_DIR"] = state_dir
    from gateway.app import build_scanner
    from gateway.config import load_settings

    _INSPECTOR = build_scanner(load_settings(ROOT / "config" / "gateway.toml"))


def _time(cases: list[tuple[str, bytes]], runs: int) -> list[tuple[str, float, float, float]]:
    """(label, message MB, median wall ms, median CPU ms) per case, and the worker's peak RSS after."""
    from gateway.scan import envelope_from_headers

    out = []
    for label, raw in cases:
        env = envelope_from_headers(raw)
        _INSPECTOR.inspect(env, raw)  # warm caches for this shape
        wall, cpu = [], []
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            _INSPECTOR.inspect(env, raw)
            wall.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
        out.append((label, len(raw) / 2**20, statistics.median(wall), statistics.median(cpu)))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.append(("worker peak RSS MB", 0.0, rss, rss))
    return out


def _in_worker(state_dir: str, cases: list[tuple[str, bytes]], runs: int) -> Any:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1, initializer=_init, initargs=(state_dir,), maxtasksperchild=1) as pool:
        return pool.apply(_time, (cases, runs))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max-mb", type=float, default=25)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    state = tempfile.mkdtemp(prefix="bench-growth-")
    kb = 1024
    body_sizes = [
        s for s in (10 * kb, 100 * kb, kb * kb, 5 * kb * kb, 25 * kb * kb) if s <= a.max_mb * kb * kb
    ]
    doc_sizes = [s for s in (10 * kb, 100 * kb, kb * kb, 5 * kb * kb) if s <= a.max_mb * kb * kb]
    groups = {
        "text body": [(f"{s // kb} KB text", message(text_of(s))) for s in body_sizes],
        "DOCX attachment": [
            (
                f"{s // kb} KB of text in DOCX",
                message("notes attached", attachment=(docx_of(text_of(s)), "msword", "n.docx")),
            )
            for s in doc_sizes
        ],
        "PDF attachment": [
            (
                f"{s // kb} KB of text in PDF",
                message("notes attached", attachment=(pdf_of(text_of(s)), "pdf", "n.pdf")),
            )
            for s in doc_sizes
        ],
        "recipients": [(f"{n} recipients", message(text_of(10 * kb), rcpts=n)) for n in (1, 10, 100, 500)],
    }
    print(f"{'case':32} {'msg MB':>7} {'wall ms':>9} {'CPU ms':>9}   (load average {os.getloadavg()[0]:.1f})")
    for group, cases in groups.items():
        print(f"-- {group}")
        for label, mb, wall, cpu in _in_worker(state, cases, a.runs):
            if label.startswith("worker"):
                print(f"   worker peak RSS {wall:.0f} MB")
            else:
                print(f"{label:32} {mb:7.2f} {wall:9.1f} {cpu:9.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
