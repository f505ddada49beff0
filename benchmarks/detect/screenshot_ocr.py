#!/usr/bin/env python3
"""What OCR of a screenshot costs, against what deciding whether to run it costs.

OCR is off by default. The proposal (docs/patient-detection.md, "Patient
images") is to read text only from a picture shaped like a screenshot (a
lossless picture the size of a screen, no camera data) in a message with a
patient cue where patients are. This script renders a record-like screen
(1920 x 1080, rows of text), then times (1) the image detector's decision
on it from metadata and the message's words, per image, and (2) tesseract
reading it as the gateway would (greyscale PNG, one thread), per image.

Usage: .venv/bin/python benchmarks/detect/screenshot_ocr.py [RUNS]
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PIL import Image, ImageDraw

from gateway.detect.images import ImageDetector
from gateway.extract import ocr
from gateway.extract.image import image_metadata, ocr_input
from gateway.model import Artifact, Envelope, Inspection, Segment

BODY = "Her bloods from this morning, the lady in bed 12 on ward 5: potassium 6.2 and the creatinine is up."
ROWS = ["Ward 5  Bed 12  Results", "Sodium 138 mmol/L", "Potassium 6.2 mmol/L", "Creatinine 212 umol/L"] * 6


def screen() -> bytes:
    im = Image.new("RGB", (1920, 1080), (250, 250, 250))
    draw = ImageDraw.Draw(im)
    for i, row in enumerate(ROWS):
        draw.text((40, 40 + 40 * i), row, fill=(20, 20, 20))
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    data = screen()
    meta = image_metadata(data)
    art = Artifact("image", "attachment:image.png", "image.png", "image/png", len(data), metadata=meta)
    insp = Inspection(envelope=Envelope("a@example.ac.uk", ("b@gmail.com",)), subject="bloods")
    insp.segments.append(Segment(BODY, "body"))
    insp.artifacts.append(art)
    detector = ImageDetector()
    detector.load()
    t0 = time.perf_counter()
    for _ in range(200):
        found = detector.detect(insp)
    decide = (time.perf_counter() - t0) / 200
    print(f"decision from metadata and words: {decide * 1e3:.2f} ms per image -> {[f.type for f in found]}")
    exe = ocr.command()
    if exe is None:
        print("tesseract not installed: no OCR figure")
        return 0
    png = ocr_input(data)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [exe, "stdin", "stdout", "-l", "eng", "--psm", "3"],
            input=png,
            capture_output=True,
            check=False,
            env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
        )
        times.append(time.perf_counter() - t0)
    print(f"OCR of a 1920x1080 screen: {min(times):.2f} s best of {runs}, {sum(times) / runs:.2f} s mean")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
