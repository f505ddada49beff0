"""Text in images, by the tesseract command (Debian package tesseract-ocr), when OCR is enabled.

A subprocess, not a binding: tesseract runs with its own memory, one
thread, and a timeout taken from the message's time budget, so a hard
image cannot stall a worker. Without the command (or with OCR off in
settings) no text comes back and nothing else changes.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import time

from gateway.extract.budget import LimitExceeded
from gateway.extract.context import Context

#: one image may use at most this many seconds, whatever is left of the budget
MAX_SECONDS_PER_IMAGE = 20.0


@functools.cache
def command() -> str | None:
    return shutil.which("tesseract")


def png_text(png: bytes | None, ctx: Context) -> str:
    """The text tesseract reads in a greyscale PNG prepared by gateway.extract.image.ocr_input."""
    exe = command()
    if exe is None or png is None:
        return ""
    timeout = min(MAX_SECONDS_PER_IMAGE, max(ctx.budget.deadline - time.monotonic(), 0.1))
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        proc = subprocess.run(
            [exe, "stdin", "stdout", "-l", "eng", "--psm", "3"],
            input=png,
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LimitExceeded("TIME_LIMIT", "text recognition took too long") from None
    except OSError:
        return ""
    return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else ""
