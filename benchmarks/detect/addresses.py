#!/usr/bin/env python3
"""The address recognizer on text full of postcodes: CPU seconds per size, which must grow linearly.

Two texts: postcodes alone ("LS1 3EX " repeated) and a patient's street and
postcode repeated in prose. Each is scanned at a quarter, a half and a whole
megabyte by the patient detector (NER off); the address recognizer's own CPU
time and the whole detector's are printed. A quadratic step shows as a time
that quadruples when the size doubles.

Usage: .venv/bin/python benchmarks/detect/addresses.py [SIZE ...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from gateway.detect.patient import PatientDetector, PatientDetectorOptions, address
from gateway.model import Envelope, Inspection, Segment

TEXTS = {
    "postcodes": "LS1 3EX ",
    "street and postcode": "The patient lives at 12 Elm Road, LS1 3EX. ",
}


def main() -> int:
    sizes = [int(a) for a in sys.argv[1:]] or [250_000, 500_000, 1_000_000]
    detector = PatientDetector(PatientDetectorOptions(ner=False))
    detector.load()
    spent = [0.0]
    find = address.AddressRecognizer.find

    def timed(self: address.AddressRecognizer, scan: object, msg: object) -> object:
        t0 = time.process_time()
        try:
            return find(self, scan, msg)  # type: ignore[arg-type]
        finally:
            spent[0] += time.process_time() - t0

    address.AddressRecognizer.find = timed  # type: ignore[assignment,method-assign]
    for name, unit in TEXTS.items():
        for size in sizes:
            insp = Inspection(envelope=Envelope("a@example.ac.uk", ("b@example.com",)))
            insp.segments.append(Segment((unit * (size // len(unit) + 1))[:size], "body", kind="body"))
            spent[0] = 0.0
            t0 = time.process_time()
            detector.detect(insp)
            total = time.process_time() - t0
            print(f"{name:20s} {size:>9,d} chars  address {spent[0]:6.2f} s CPU  detector {total:6.2f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
