"""Benchmark of the document registry: `docs add` throughput, size on disk, look-up time per attachment.

    .venv/bin/python benchmarks/documents/bench.py [--docs 10000] [--words 1500] [--lookups 300]
                                                     [--cli-files 100] [--database-url URL]

Generates --docs documents (Zipf-distributed words, paragraphs, one of 25
shared templates of boilerplate each, so common fingerprints exist as in a
real registry), registers them in a fresh store (SQLite in a temporary
folder unless --database-url), and prints:

- registration throughput through the registry (fingerprinting + one
  durable transaction per document, as `docs add` does), and through the
  real `gateway docs add` command on --cli-files generated DOCX files
  (text extraction included);
- registry size on disk and index load time and size in memory;
- look-up time per attachment (fingerprint the attachment's text + query
  the index), median and p95, for whole copies, excerpts and unrelated
  documents, and the detector's time for one message with one attachment.

Numbers, not assertions: run it on the machine you want to know about.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gateway.config import DocumentSettings  # noqa: E402
from gateway.detect.documents import DocumentDetector  # noqa: E402
from gateway.detect.fingerprint import fingerprint  # noqa: E402
from gateway.model import Artifact, Envelope, Inspection  # noqa: E402
from gateway.store.db import Database  # noqa: E402
from gateway.store.documents import DocumentRegistry  # noqa: E402

SYLLABLES = ["ka", "lo", "mi", "ne", "sur", "tan", "vel", "qui", "dor", "ple", "bra", "sto", "gen", "ith"]


def vocabulary(n: int, rng: np.random.Generator) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        k = int(rng.integers(1, 5))
        words.add("".join(SYLLABLES[int(i)] for i in rng.integers(0, len(SYLLABLES), k)))
    return sorted(words)


class Generator:
    """Documents of Zipf-distributed words in paragraphs, each with a template's boilerplate."""

    def __init__(self, seed: int = 7, vocab_size: int = 30_000, templates: int = 25) -> None:
        self.rng = np.random.default_rng(seed)
        self.vocab = np.array(vocabulary(vocab_size, self.rng))
        ranks = np.arange(1, vocab_size + 1)
        self.p = (1.0 / ranks) / (1.0 / ranks).sum()
        self.templates = [self.paragraphs(120) for _ in range(templates)]

    def paragraphs(self, words: int) -> list[str]:
        ws = self.vocab[self.rng.choice(self.vocab.size, size=words, p=self.p)]
        out, i = [], 0
        while i < words:
            n = int(self.rng.integers(40, 110))
            out.append(" ".join(ws[i : i + n]) + ".")
            i += n
        return out

    def document(self, words: int) -> list[str]:
        template = self.templates[int(self.rng.integers(0, len(self.templates)))]
        return [template[0], *self.paragraphs(words), *template[1:]]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--words", type=int, default=1500, help="mean words per document")
    ap.add_argument("--lookups", type=int, default=300)
    ap.add_argument("--cli-files", type=int, default=100)
    ap.add_argument("--database-url", default="")
    a = ap.parse_args()

    gen = Generator()
    with tempfile.TemporaryDirectory(prefix="gw-bench-docs-") as tmp:
        db = Database(a.database_url, state_dir=tmp)
        reg = DocumentRegistry(db)
        texts: list[str] = []
        t_gen = t_add = 0.0
        for i in range(a.docs):
            t0 = time.perf_counter()
            words = int(gen.rng.integers(a.words // 2, a.words * 3 // 2))
            text = "\n\n".join(gen.document(words))
            t1 = time.perf_counter()
            reg.add(text, title=f"Generated document {i}", owner="bench", classification="internal")
            t2 = time.perf_counter()
            t_gen += t1 - t0
            t_add += t2 - t1
            if len(texts) < 2000:
                texts.append(text)
            if (i + 1) % 1000 == 0:
                print(f"  registered {i + 1} ({(i + 1) / t_add:.0f} docs/s)", file=sys.stderr)
        print(f"documents registered: {a.docs} (mean {a.words} words)")
        print(
            f"registry add throughput: {a.docs / t_add:.0f} docs/s ({t_add / a.docs * 1e3:.1f} ms per document)"
        )
        if db.kind == "sqlite":
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            size = sum(p.stat().st_size for p in Path(tmp).glob("gateway.sqlite3*"))
        else:
            size = int(db.execute("SELECT pg_total_relation_size('documents') AS n")[0]["n"])
        print(f"registry size on disk: {size / 1e6:.1f} MB ({size / a.docs / 1e3:.1f} kB per document)")

        t0 = time.perf_counter()
        index = reg.load_index()
        t_load = time.perf_counter() - t0
        mem = index._h.nbytes + index._d.nbytes + index._w.nbytes
        print(f"index load: {t_load:.2f} s, {index.postings} postings, {mem / 1e6:.1f} MB of arrays")

        rng = gen.rng
        cases: dict[str, list[float]] = {"whole copy": [], "excerpt (3 paragraphs)": [], "unrelated": []}
        found = {k: 0 for k in cases}
        for _ in range(a.lookups):
            src = texts[int(rng.integers(0, len(texts)))]
            paras = src.split("\n\n")
            start = int(rng.integers(1, max(2, len(paras) - 3)))
            samples = {
                "whole copy": src,
                "excerpt (3 paragraphs)": "Notes from class\n\n" + "\n\n".join(paras[start : start + 3]),
                "unrelated": "\n\n".join(gen.paragraphs(a.words)),
            }
            for name, sample in samples.items():
                t0 = time.perf_counter()
                matches = index.match(fingerprint(sample))
                cases[name].append((time.perf_counter() - t0) * 1e3)
                found[name] += bool(matches)
        print("look-up time per attachment (fingerprint + index query):")
        for name, times in cases.items():
            print(
                f"  {name:24} median {statistics.median(times):6.2f} ms  p95 {pct(times, 0.95):6.2f} ms"
                f"  matched {found[name]}/{len(times)}"
            )

        det = DocumentDetector(
            organisation="University of Example", markings=DocumentSettings().markings, index=lambda: index
        )
        times = []
        for i in range(min(a.lookups, 200)):
            insp = Inspection(envelope=Envelope("a@b", ("c@d",)))
            insp.artifacts.append(
                Artifact("document", "attachment:x.docx", "x.docx", "", 0, text=texts[i % len(texts)])
            )
            t0 = time.perf_counter()
            det.detect(insp)
            times.append((time.perf_counter() - t0) * 1e3)
        print(
            f"detector, one message with one registered attachment: median {statistics.median(times):.2f} ms"
        )
        db.close()

        if a.cli_files:
            cli_throughput(gen, a.cli_files, a.words, Path(tmp))
    return 0


def cli_throughput(gen: Generator, n: int, words: int, tmp: Path) -> None:
    """`gateway docs add --recursive` on generated DOCX files, extraction included."""
    import docx

    folder = tmp / "cli-docs"
    folder.mkdir()
    for i in range(n):
        d = docx.Document()
        for p in gen.document(words):
            d.add_paragraph(p)
        buf = io.BytesIO()
        d.save(buf)
        (folder / f"doc{i:05}.docx").write_bytes(buf.getvalue())
    cfg = tmp / "cli.toml"
    cfg.write_text(f'state_dir = "{tmp / "cli-state"}"\n')
    gateway = Path(sys.executable).with_name("gateway")
    t0 = time.perf_counter()
    r = subprocess.run(
        [str(gateway), "--config", str(cfg), "docs", "add", "--recursive", str(folder)],
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - t0
    last = (r.stdout.strip().splitlines() or ["?"])[-1]
    print(f"`gateway docs add --recursive` on {n} DOCX files: {took:.1f} s, {n / took:.1f} files/s ({last})")


if __name__ == "__main__":
    sys.exit(main())
