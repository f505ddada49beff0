"""How much ordinary mail the MIME checks would hold: uninspectable and ambiguity findings on real client output.

    .venv/bin/python benchmarks/mime/ordinary.py [--data DIR] [--verbose]

Reads two sets of messages through the MIME walker and the extractors (the
same `parse_message` + `extract_all` the pipeline runs; no detectors):

- CPython's own email test messages (test/test_email/data/msg_*.txt of the
  running interpreter, or --data DIR). These include deliberately broken
  messages from the parser's own bug reports, so some findings are right;
  each held message is listed with its finding types so they can be judged;
- messages composed byte for byte in Outlook, Gmail, Apple Mail and
  Thunderbird style (tests/unit/mime/client_mail.py): non-ASCII attachment
  names as encoded-words and RFC 2231, inline images, quoted-printable.

Prints, per set, how many messages carry an uninspectable finding the
default policy holds outside (score >= 0.5), how many of those are
AMBIGUOUS_MIME, and the reasons. Numbers, not assertions.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from gateway.config import LimitSettings  # noqa: E402
from gateway.extract import extract_all  # noqa: E402
from gateway.mime import parse_message  # noqa: E402
from gateway.model import Envelope, Finding  # noqa: E402
from gateway.model.finding import UNINSPECTABLE  # noqa: E402
from tests.unit.mime.client_mail import CLIENTS  # noqa: E402

#: the default policy's min_score for holding uninspectable content outside
HOLD_SCORE = 0.5
ENV = Envelope("student@uni.ac.uk", ("friend@gmail.com",))


def stdlib_messages(data: Path | None) -> dict[str, bytes] | None:
    """CPython's email test messages, or None when the interpreter's tests are not installed."""
    if data is None:
        try:
            import test  # the standard library's own test package (not always installed)
        except ImportError:
            return None
        data = Path(test.__file__).parent / "test_email" / "data"
    if not data.is_dir():
        return None
    return {p.name: p.read_bytes() for p in sorted(data.glob("msg_*.txt"))}


def held(raw: bytes, limits: LimitSettings) -> list[Finding]:
    """The uninspectable findings the default policy would hold outside."""
    insp = parse_message(raw, ENV, limits)
    extract_all(insp, limits)
    return [f for f in insp.findings if f.category == UNINSPECTABLE and f.score >= HOLD_SCORE]


def report(title: str, messages: dict[str, bytes], *, verbose: bool) -> None:
    limits = LimitSettings()
    uninspectable = ambiguous = 0
    reasons: Counter[str] = Counter()
    lines = []
    for name, raw in messages.items():
        findings = held(raw, limits)
        if not findings:
            continue
        uninspectable += 1
        kinds = sorted(
            {f"{f.type}/{f.details['reason']}" if f.details.get("reason") else f.type for f in findings}
        )
        reasons.update(kinds)
        if any(f.type == "AMBIGUOUS_MIME" for f in findings):
            ambiguous += 1
        lines.append(f"    {name}: {', '.join(kinds)}")
    print(f"{title}: {len(messages)} messages")
    print(f"  held outside by an uninspectable finding: {uninspectable}")
    print(f"  of which AMBIGUOUS_MIME: {ambiguous}")
    for kind, count in reasons.most_common():
        print(f"    {count:3d} {kind}")
    if verbose and lines:
        print("  messages:")
        print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="a folder of msg_*.txt (default: CPython's)")
    parser.add_argument("--verbose", action="store_true", help="list each held message")
    args = parser.parse_args()
    stdlib = stdlib_messages(args.data)
    if stdlib is None:
        print("CPython email test data: not installed with this interpreter (pass --data DIR)")
    else:
        report("CPython test_email data", stdlib, verbose=args.verbose)
    report("client-style messages", {name: build() for name, build in CLIENTS.items()}, verbose=args.verbose)


if __name__ == "__main__":
    main()
