"""Do drafts masked from the findings hide at least what the patient detector's second run hid?

    .venv/bin/python benchmarks/notify/draft_diff.py [CORPUS_DIR_OR_EML ...]

A notice's subject, draft and places used to be de-identified by running the patient
detector again over them (`gateway.detect.deidentify.Deidentifier`, "old"); they are now
masked from the spans of the inspection's own findings plus the display's pattern net
(`gateway.notify.deidentified`, "new"). For every .eml given (by default the tests'
corpora, and the development corpus when it is there), this inspects the message with the
patient detector, takes its subject, the sender's own text and every place a finding was
seen, and checks, text by text:

- coverage: every character the old way masked (but blanks) is masked by the new one;
- values: no value the old way masked appears more often in the new text than in the old.

Prints counts only (never message text) and, for a failure, the file, the text's role and
the masked type; exits 1 if any check failed. A check, not a test: the corpora are large.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gateway.config import load_settings  # noqa: E402
from gateway.detect.deidentify import Deidentifier  # noqa: E402
from gateway.detect.patient import PatientDetector  # noqa: E402
from gateway.extract import extract_all  # noqa: E402
from gateway.inspector import build_inspector  # noqa: E402
from gateway.mime import parse_message  # noqa: E402
from gateway.notify.deidentified import (  # noqa: E402
    Located,
    Spans,
    mask_spans,
    name_words,
    own_text_spans,
    place_spans,
    subject_spans,
)
from gateway.scan import envelope_from_headers  # noqa: E402

DEFAULT = [ROOT / "tests", Path("/work/shared/corpus/dev")]


def render(text: str, spans: Spans) -> str:
    out, pos = [], 0
    for s, e, _ in spans:
        out += [text[pos:s], "[\x00]"]
        pos = e
    return "".join([*out, text[pos:]])


def compare(text: str, old: Spans, new: Spans) -> list[str]:
    """The types of the old spans the new ones do not cover (by character, then by value)."""
    covered = bytearray(len(text))
    for s, e, _ in new:
        covered[s:e] = b"\x01" * (e - s)
    missed = []
    old_out, new_out = render(text, old), render(text, new)
    for s, e, t in old:
        if any(not covered[i] and not text[i].isspace() for i in range(s, e)):
            missed.append(f"{t} (characters)")
            continue
        value = text[s:e].strip()
        if len(value) >= 3 and new_out.count(value) > old_out.count(value):
            missed.append(f"{t} (value elsewhere)")
    return missed


def settings_for(folder: Path, tmp: Path):  # type: ignore[no-untyped-def]
    cfg = tmp / "gateway.toml"
    domains = {}
    if (folder / "config.toml").is_file():
        domains = tomllib.loads((folder / "config.toml").read_text()).get("domains", {})
    cfg.write_text(
        f'state_dir = "{tmp / "state"}"\npolicies = ["{ROOT / "policies"}"]\n'
        f"[domains]\ninternal = {list(domains.get('internal', []))!r}\n"
        f"secure = {list(domains.get('secure', []))!r}\n".replace("'", '"')
    )
    return load_settings(cfg)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", type=Path, nargs="*")
    args = p.parse_args()
    files = sorted(
        {
            f
            for path in args.paths or DEFAULT
            if path.exists()
            for f in ([path] if path.is_file() else path.rglob("*.eml"))
        }
    )
    by_folder: dict[Path, list[Path]] = {}
    for f in files:
        by_folder.setdefault(f.parent, []).append(f)
    stats: Counter[str] = Counter()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="draft-diff-") as tmp:
        for folder, emls in sorted(by_folder.items()):
            settings = settings_for(folder, Path(tmp))
            inspector = build_inspector(settings, detectors=("patient",))
            inspector.load()
            patient = next(d for d in inspector.detectors if isinstance(d, PatientDetector))
            old_way = Deidentifier(patient)
            for eml in emls:
                raw = eml.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
                env = envelope_from_headers(raw)
                insp = parse_message(raw, env, settings.limits)
                extract_all(insp, settings.limits, ocr=settings.detect.ocr)
                findings = [*insp.findings, *patient.detect(insp)]
                places = sorted({f.where for f in findings})
                alone = old_way.spans([insp.subject], insp)[0] if insp.subject.strip() else []
                new_texts = [
                    subject_spans(insp, findings, alone),
                    own_text_spans(insp, findings),
                    *(place_spans(pl, insp, findings) for pl in places),
                ]
                texts = [t.text for t in new_texts]
                old = old_way.spans(texts, insp)
                words = name_words(insp, findings)
                keep = (env.mail_from, *env.rcpt_tos)
                stats["messages"] += 1
                for role, located, old_spans in zip(
                    ["subject", "body", *["place"] * len(places)], new_texts, old, strict=True
                ):
                    new_spans = mask_spans(Located(located.text, located.spans), words, keep)
                    stats["texts"] += 1
                    stats["old spans"] += len(old_spans)
                    stats["new spans"] += len(new_spans)
                    for miss in compare(located.text, old_spans, new_spans):
                        failures.append(f"{eml.relative_to(eml.parents[1])}: {role}: {miss}")
    print(", ".join(f"{k} {v}" for k, v in stats.items()))
    for line in failures:
        print("MISSED", line)
    print(f"{len(failures)} spans the old draft masked are not masked by the new one")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
