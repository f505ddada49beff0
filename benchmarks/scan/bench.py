"""Benchmark of inspection: messages/s, time per stage, and memory per worker on hard inputs.

    .venv/bin/python benchmarks/scan/bench.py [--corpus DIR] [--repeat 3] [--typical-runs 200]
                                              [--skip-big]

Prints, each case run in a fresh worker process (spawned, like the
pipeline's pool, with every configured detector loaded):

- the development corpus (DIR/*.eml, default ../shared/corpus/dev):
  messages/s through the whole Inspector and the median / p95 of each stage
  (parse, extract, detect, decide, from Outcome.timings_ms);
- parse + extract of a typical 50 KB message (text and HTML bodies and a
  DOCX attachment): median and p95 over --typical-runs runs (target: median
  under 10 ms);
- a generated 10 MB PDF of text (2,400 pages), a 10 MB PDF of page
  images with a line of text each (a scan), a 5 MB XLSX, a 42.zip-style nested zip bomb, a
  single-member zip bomb and a gzip bomb, each in one message: stage times,
  the findings they produced, and the worker's peak memory (ru_maxrss of
  the fresh worker, models included; tracemalloc is not used because it
  doubles the times it would sit beside). Targets: no input above 512 MB
  or 30 s.

Numbers, not assertions: run it on the machine you want to know about.
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
import zipfile
import zlib
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


# --- inputs --------------------------------------------------------------------------------------


def message_with(attachment: bytes, filename: str, body: str = "Please see the attached file.\n") -> bytes:
    m = EmailMessage()
    m["From"] = "Ann Student <ann@student.example.ac.uk>"
    m["To"] = "Bob <bob@mail.example>"
    m["Subject"] = "attached"
    m.set_content(body)
    m.add_attachment(attachment, maintype="application", subtype="octet-stream", filename=filename)
    return m.as_bytes()


def typical_message() -> bytes:
    """About 50 KB: a plain and an HTML body, a reply quoted below, and a DOCX of a few pages."""
    from docx import Document

    words = ("ward round bloods reviewed plan discussed follow up clinic letter sent thanks " * 4).split()
    para = " ".join(words)
    doc = Document()
    for n in range(60):
        doc.add_paragraph(f"{n}. {para}")
    buf = io.BytesIO()
    doc.save(buf)
    text = "\n".join(f"{para} {n}" for n in range(20))
    quoted = "\n".join(f"> {para}" for _ in range(10))
    m = EmailMessage()
    m["From"] = "Ann Student <ann@student.example.ac.uk>"
    m["To"] = "Bob <bob@mail.example>, Cy <cy@example.ac.uk>"
    m["Subject"] = "Re: notes from today"
    m.set_content(f"{text}\n\nOn Mon, 5 Jan 2026, Bob <bob@mail.example> wrote:\n{quoted}\n")
    m.add_alternative(
        "<html><body>" + "".join(f"<p>{para} {n}</p>" for n in range(20)) + "</body></html>", subtype="html"
    )
    m.add_attachment(buf.getvalue(), maintype="application", subtype="octet-stream", filename="notes.docx")
    return m.as_bytes()


def big_pdf(target: int = 10_000_000) -> bytes:
    """A text PDF of about `target` bytes: pages of uncompressed text lines."""
    lines = [
        f"(Line {i} of the patient list with ward, bed and plan details for today) Tj T*" for i in range(45)
    ]
    page_stream = ("BT /F1 10 Tf 12 TL 50 750 Td " + " ".join(lines) + " ET").encode()
    return text_pdf([page_stream] * max(1, target // (len(page_stream) + 200)))


def text_pdf(page_streams: list[bytes]) -> bytes:
    """A PDF with one page per content stream (uncompressed, Helvetica)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets: list[int] = []

    def obj(body: bytes) -> None:
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % len(offsets) + body + b"\nendobj\n")

    first_page = 4
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(page_streams))).encode()
    obj(b"<< /Type /Catalog /Pages 2 0 R >>")
    obj(b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(page_streams))
    obj(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, stream in enumerate(page_streams):
        obj(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
            b" /Resources << /Font << /F1 3 0 R >> >> >>" % (first_page + 2 * i + 1)
        )
        obj(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref))
    return out.getvalue()


def image_pdf(target: int = 10_000_000, pages: int = 20) -> bytes:
    """A scan-like PDF of about `target` bytes: one noisy JPEG and one line of text per page."""
    import os

    from PIL import Image

    side = 900
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets: list[int] = []

    def obj(body: bytes) -> None:
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % len(offsets) + body + b"\nendobj\n")

    kids = " ".join(f"{4 + 3 * i} 0 R" for i in range(pages)).encode()
    obj(b"<< /Type /Catalog /Pages 2 0 R >>")
    obj(b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages)
    obj(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i in range(pages):
        buf = io.BytesIO()
        Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(
            buf, format="JPEG", quality=min(95, 40 + target // (pages * 20_000))
        )
        jpeg = buf.getvalue()
        page, contents, image = 4 + 3 * i, 5 + 3 * i, 6 + 3 * i
        obj(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
            b" /Resources << /Font << /F1 3 0 R >> /XObject << /Im0 %d 0 R >> >> >>" % (contents, image)
        )
        stream = b"q 500 0 0 500 50 200 cm /Im0 Do Q BT /F1 12 Tf 50 750 Td (Scanned page %d) Tj ET" % i
        obj(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        obj(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB"
            b" /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n"
            % (side, side, len(jpeg))
            + jpeg
            + b"\nendstream"
        )
        assert page == len(offsets) - 2
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref))
    return out.getvalue()


def big_xlsx(target: int = 5_000_000) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("List")
    rows = target // 40  # random-ish cells compress to about 40 bytes a row
    for i in range(rows):
        ws.append(
            [i, f"Name{i * 7919 % 100003}", (i * 104729) % 9_999_999_999, f"note {i * 31 % 997}", i * 0.37]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def nested_zip_bomb(layers: int = 5, fanout: int = 16, leaf: int = 100_000_000) -> bytes:
    """42.zip in miniature: `fanout` copies per layer of a zip of zeros."""
    data = _zip({"0.bin": bytes(leaf)})
    for n in range(layers - 1):
        data = _zip({f"{n}-{i}.zip": data for i in range(fanout)})
    return data


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def single_zip_bomb(size: int = 2_000_000_000) -> bytes:
    """One member of `size` zeros, written without holding it in memory."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    body = b"".join(comp.compress(chunk) for _ in range(size >> 20)) + comp.flush()
    crc = 0
    for _ in range(size >> 20):
        crc = zlib.crc32(chunk, crc)
    info = zipfile.ZipInfo("zeros.bin")
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size, info.compress_size, info.CRC = size, len(body), crc
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.fp.write(info.FileHeader(zip64=size > 0xFFFFFFFF))  # type: ignore[union-attr]
        info.header_offset = 0
        zf.fp.write(body)  # type: ignore[union-attr]
        zf.filelist.append(info)
        zf.NameToInfo[info.filename] = info
        zf.start_dir = zf.fp.tell()  # type: ignore[union-attr]
    return buf.getvalue()


def gzip_bomb(size: int = 1_000_000_000) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    return b"".join(comp.compress(chunk) for _ in range(size >> 20)) + comp.flush()


# --- worker --------------------------------------------------------------------------------------

_INSPECTOR: Any = None


def _init(state_dir: str) -> None:
    global _INSPECTOR
    os.environ["GATEWAY_STATE_DIR"] = state_dir
    from gateway.app import build_scanner
    from gateway.config import load_settings

    _INSPECTOR = build_scanner(load_settings(ROOT / "config" / "gateway.toml"))


def _inspect_all(raws: list[tuple[str, bytes]], repeat: int) -> dict[str, Any]:
    from gateway.scan import envelope_from_headers

    timings: dict[str, list[float]] = {}
    findings: dict[str, list[str]] = {}
    t0 = time.perf_counter()
    count = 0
    for _ in range(repeat):
        for name, raw in raws:
            outcome = _INSPECTOR.inspect(envelope_from_headers(raw), raw)
            count += 1
            for stage, ms in outcome.timings_ms.items():
                timings.setdefault(stage, []).append(ms)
            findings[name] = sorted({f"{f.category}/{f.type}" for f in outcome.findings})
    wall = time.perf_counter() - t0
    return {
        "count": count,
        "wall": wall,
        "timings": timings,
        "findings": findings,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _parse_extract(raw: bytes, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of parse + extract, per run (CPU time is steadier on a shared machine)."""
    from gateway.config import LimitSettings
    from gateway.extract import extract_all
    from gateway.mime import parse_message
    from gateway.model import Envelope

    limits = LimitSettings()
    env = Envelope("a@example.ac.uk", ("b@mail.example",))
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        insp = parse_message(raw, env, limits)
        extract_all(insp, limits)
        wall.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return wall, cpu


def _in_worker(state_dir: str, fn: Any, *args: Any) -> Any:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1, initializer=_init, initargs=(state_dir,), maxtasksperchild=1) as pool:
        return pool.apply(fn, args)


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return f"median {statistics.median(values):8.2f} ms  p95 {p95:8.2f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "dev")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--typical-runs", type=int, default=200)
    ap.add_argument("--skip-big", action="store_true", help="only the corpus and the typical message")
    a = ap.parse_args()
    state = tempfile.mkdtemp(prefix="bench-scan-")

    files = sorted(a.corpus.glob("*.eml"))
    if files:
        from gateway.mime import normalise_line_endings

        raws = [(f.name, normalise_line_endings(f.read_bytes())) for f in files]
        res = _in_worker(state, _inspect_all, raws, a.repeat)
        print(f"corpus: {len(files)} messages x {a.repeat}: {res['count'] / res['wall']:.1f} messages/s")
        for stage, values in res["timings"].items():
            print(f"  {stage:8} {_ms(values)}")
        print(f"  worker peak RSS {res['maxrss_mb']:.0f} MB (models included)")

    typical = typical_message()
    wall, cpu = _in_worker(state, _parse_extract, typical, a.typical_runs)
    print(f"typical message ({len(typical) / 1024:.0f} KB) parse+extract: {_ms(wall[5:])}")
    print(f"  CPU time: {_ms(cpu[5:])}  (load average {os.getloadavg()[0]:.1f})")

    if a.skip_big:
        return 0
    cases = [
        ("10 MB text PDF", lambda: message_with(big_pdf(), "big.pdf")),
        ("10 MB scanned PDF", lambda: message_with(image_pdf(), "scan.pdf")),
        ("5 MB XLSX", lambda: message_with(big_xlsx(), "big.xlsx")),
        ("nested zip bomb", lambda: message_with(nested_zip_bomb(), "42.zip")),
        ("2 GB zip bomb", lambda: message_with(single_zip_bomb(), "zeros.zip")),
        ("1 GB gzip bomb", lambda: message_with(gzip_bomb(), "zeros.gz")),
    ]
    for label, make in cases:
        raw = make()
        res = _in_worker(state, _inspect_all, [(label, raw)], 1)
        stages = "  ".join(f"{k} {v[0]:.0f} ms" for k, v in res["timings"].items())
        print(f"{label} (message {len(raw) / 2**20:.1f} MB): {stages}")
        print(f"  worker peak RSS {res['maxrss_mb']:.0f} MB")
        print(f"  findings: {', '.join(res['findings'][label]) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
