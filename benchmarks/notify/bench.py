"""How long a sender notice takes to build and queue, and how fast the outbox drains.

    .venv/bin/python benchmarks/notify/bench.py [--n 50]

Drafts notices for an invented held message (a patient's name and NHS number in a
few paragraphs of ward-round text) as an inspection worker does, with the real patient
detector as de-identifier; then renders and commits them (the main process's share) to
a SQLite outbox in a temporary folder, then delivers them all to a next hop that
accepts at once. Prints milliseconds per draft and per notice (median and p95) and
notices per second for the worker. Numbers, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import tempfile
import time
from pathlib import Path

from gateway.config import NotifySettings, Settings
from gateway.detect.deidentify import Deidentifier
from gateway.mime import parse_message
from gateway.model import Decision, Envelope, Finding, Outcome, Verdict
from gateway.notify.drafting import Drafter
from gateway.notify.notifier import Notifier
from gateway.notify.worker import OutboxWorker
from gateway.store.crypto import load_keyring
from gateway.store.db import Database
from gateway.store.outbox import Outbox

PARAGRAPH = (
    "On the ward round this morning the consultant asked about the man in bed 6, "
    "Mr Desmond Quillfeather, NHS number 401 023 2137, who was admitted overnight with "
    "shortness of breath. His bloods need repeating and the team would like a chest X-ray.\n\n"
)


async def main(n: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    settings = dataclasses.replace(
        Settings(state_dir=str(tmp)),
        notify=dataclasses.replace(
            NotifySettings(), from_address="compliance@example.ac.uk", rate_limit_per_hour=0
        ),
    )
    outbox = Outbox(Database("", state_dir=tmp), load_keyring(settings))
    outbox.migrate()
    notifier = Notifier(settings, outbox)
    drafter = Drafter(settings, notifier.policy, lambda: Deidentifier.from_settings(settings))
    t0 = time.perf_counter()
    drafter.deidentifier.load()
    print(f"de-identifier loaded in {time.perf_counter() - t0:.1f} s")
    body = PARAGRAPH * 4
    raw = (
        "From: student@example.ac.uk\r\nTo: pal@gmail.com\r\nSubject: ward round\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body.replace("\n", "\r\n")
    ).encode()
    finding = Finding(
        "patient_identifier", "NHS_NUMBER", "body", 0.95, evidence="[PATIENT_NAME], NHS number [NHS_NUMBER]"
    )
    decision = Decision(
        Verdict.HOLD, rule="patient-identifier", rules=("patient-identifier",), findings=(finding,)
    )
    env = Envelope("student@example.ac.uk", ("pal@gmail.com",))
    drafting, times = [], []
    for i in range(n):
        t = time.perf_counter()
        inspection = parse_message(raw, env, settings.limits)
        draft = drafter.draft(env, raw, inspection, decision, [finding])
        drafting.append((time.perf_counter() - t) * 1e3)
        outcome = Outcome(decision, [finding], size=len(raw), notice=draft)
        t = time.perf_counter()
        await notifier.notify_sender(env, outcome, f"q{i}")
        times.append((time.perf_counter() - t) * 1e3)
    for label, series in (("draft (in the worker)", drafting), ("sender notice (main process)", times)):
        series.sort()
        print(
            f"{label}, {len(raw)} bytes of message: median {statistics.median(series):.1f} ms, "
            f"p95 {series[int(0.95 * (len(series) - 1))]:.1f} ms over {n}"
        )

    async def accept(envelope: Envelope, content: bytes) -> None:
        return None

    t = time.perf_counter()
    result = await OutboxWorker(outbox, accept).run_once()
    seconds = time.perf_counter() - t
    print(
        f"outbox worker: {result.sent} notices in {seconds:.2f} s ({result.sent / seconds:.0f}/s, SQLite, encrypted)"
    )
    outbox.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=50)
    asyncio.run(main(p.parse_args().n))
