"""A digest of everything the detectors report over the corpora: the check that a speed-up changed no output.

    .venv/bin/python benchmarks/scan/digest.py [--save FILE] [--compare FILE] [PATH ...]

Inspects, in this process and as `gateway scan --json` does (the shipped detectors and
policy, each corpus's domains and registered documents), every *.eml of each corpus folder
given, and every `text:` of each YAML file given (wrapped into a plain message from a
student to an outside address). By default: tests/corpus/heldout*, the development corpus
when it is there, tests/corpus/train/*.yaml and tests/corpus/devset/*.yaml.

For each message it hashes the verdict, the rule and every finding (category, type, place,
quoted, detector, score, severity, target, evidence, details such as spans and reasons), and
prints one digest over all of them. `--save FILE` writes the per-message hashes (hashes
only: no message text); `--compare FILE` reports which messages' hashes differ from a saved
run and exits 1 if any does. Optimising a detector must leave the digest unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stages import write_config  # noqa: E402

from gateway.config import load_settings  # noqa: E402
from gateway.inspector import build_inspector  # noqa: E402
from gateway.model.outcome import Outcome  # noqa: E402
from gateway.scan import envelope_from_headers  # noqa: E402

DEV = Path("/work/shared/corpus/dev")
DEFAULT = [
    *sorted((ROOT / "tests" / "corpus").glob("heldout*/")),
    *([DEV] if DEV.is_dir() else []),
    *sorted((ROOT / "tests" / "corpus" / "train").glob("*.yaml")),
    *sorted((ROOT / "tests" / "corpus" / "devset").glob("*.yaml")),
]


def as_message(text: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "A Student <student@example.ac.uk>"
    msg["To"] = "friend@gmail.com"
    msg["Subject"] = "hello"
    msg.set_content(text)
    return bytes(msg)


def fingerprint(outcome: Outcome) -> str:
    d = outcome.decision
    findings = sorted(
        json.dumps(
            {
                "category": f.category,
                "type": f.type,
                "where": f.where,
                "quoted": f.quoted,
                "detector": f.detector,
                "score": f.score,
                "severity": f.severity,
                "target": f.target,
                "evidence": f.evidence,
                "details": f.details,
            },
            sort_keys=True,
            default=str,
        )
        for f in outcome.findings
    )
    about: dict[str, Any] = {"verdict": d.verdict.value, "rule": d.rule, "findings": findings}
    return hashlib.sha256(json.dumps(about, sort_keys=True).encode()).hexdigest()


def items(path: Path) -> list[tuple[str, bytes]]:
    if path.is_dir():
        return [
            (f"{path.name}/{p.name}", p.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
            for p in sorted(path.glob("*.eml"))
        ]
    entries = yaml.safe_load(path.read_text()) or []
    return [
        (f"{path.name}#{i}", as_message(str(e["text"])).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        for i, e in enumerate(entries)
        if isinstance(e, dict) and "text" in e
    ]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", type=Path, nargs="*")
    p.add_argument("--save", type=Path)
    p.add_argument("--compare", type=Path)
    args = p.parse_args()
    hashes: dict[str, str] = {}
    t0 = time.process_time()
    with tempfile.TemporaryDirectory(prefix="digest-") as tmp:
        plain = None
        for path in args.paths or DEFAULT:
            if path.is_dir():
                work = Path(tmp) / path.name
                work.mkdir()
                inspector = build_inspector(load_settings(write_config(path, work)))
            else:
                if plain is None:
                    work = Path(tmp) / "texts"
                    work.mkdir()
                    cfg = work / "gateway.toml"
                    cfg.write_text(f'state_dir = "{work / "state"}"\npolicies = ["{ROOT / "policies"}"]\n')
                    plain = build_inspector(load_settings(cfg))
                inspector = plain
            inspector.load()
            for name, raw in items(path):
                hashes[name] = fingerprint(inspector.inspect(envelope_from_headers(raw), raw))
    total = hashlib.sha256("".join(f"{k}={v}\n" for k, v in sorted(hashes.items())).encode()).hexdigest()
    print(f"{len(hashes)} messages, digest {total} ({time.process_time() - t0:.0f} s CPU)")
    if args.save:
        args.save.write_text(json.dumps(hashes, indent=0, sort_keys=True))
    if args.compare:
        before = json.loads(args.compare.read_text())
        changed = sorted(k for k in before.keys() | hashes.keys() if before.get(k) != hashes.get(k))
        for k in changed:
            print("CHANGED", k)
        print(f"{len(changed)} messages differ from {args.compare}")
        return 1 if changed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
