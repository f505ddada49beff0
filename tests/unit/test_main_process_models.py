"""The main process never loads a model: drafts and review subjects are de-identified in the inspection workers.

The wiring of `gateway serve` (real worker pool, real patient detector in the
worker, the notifier on a real outbox with `subjects=pipeline.deidentify`)
runs in a fresh interpreter, so this test process's own imports do not
count. The message and names are invented (tests/unit/notify/doubles.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import asyncio, dataclasses, json, sys
    from pathlib import Path

    import gateway.server  # what `gateway serve` imports, before any message
    from gateway.config import DomainSettings, NotifySettings, PipelineSettings, Settings
    from gateway.model import Envelope, Verdict
    from gateway.notify.service import open_notifications
    from gateway.pipeline import Pipeline
    from gateway.store.held import HeldMessage, ReviewDecision
    from tests.unit.notify.doubles import NHS_NUMBER, PATIENT, SENDER, everything

    # models and libraries the main process has no use for: NLP, the profanity model's
    # scikit-learn and SciPy, the review UI's web stack (no web listener here), zxcvbn
    HEAVY = ("spacy", "presidio_analyzer", "presidio_anonymizer", "sklearn", "scipy", "starlette", "uvicorn", "zxcvbn")
    tmp = Path(sys.argv[1])
    policy = tmp / "policy.yaml"
    policy.write_text(
        "rules:\\n  - name: patient-identifier\\n"
        "    when: {category: patient_identifier, min_score: 0.5}\\n    action: hold\\n"
    )
    settings = Settings(
        state_dir=str(tmp / "state"),
        policies=(str(policy),),
        domains=DomainSettings(internal=("example.ac.uk",)),
        pipeline=PipelineSettings(workers=1, deadline_seconds=120.0, max_worker_memory_mb=0),
        notify=dataclasses.replace(NotifySettings(), from_address="compliance@example.ac.uk"),
    )
    raw = (
        f"From: {SENDER}\\r\\nTo: pal@gmail.com\\r\\nSubject: Bloods for {PATIENT} in bed 6\\r\\n"
        "Message-ID: <m1@example.ac.uk>\\r\\n\\r\\n"
        f"The man in bed 6, {PATIENT}, NHS number {NHS_NUMBER}, needs his bloods repeated.\\r\\n"
    ).encode()
    env = Envelope(SENDER, ("pal@gmail.com",))


    async def deliver(envelope, content):
        return None


    async def main():
        pipeline = Pipeline(settings)
        await asyncio.to_thread(pipeline.start)
        notifications = open_notifications(settings, deliver, subjects=pipeline.deidentify)
        try:
            outcome = await pipeline.process(env, raw)
            await notifications.notifier.message_decided(env, outcome, "q1")
            held = HeldMessage(
                id="q1", received="2026-01-05T10:00:00+00:00", sender=SENDER,
                recipients=("pal@gmail.com",), status="released", rule="patient-identifier",
                findings=tuple(outcome.findings), subject=f"Bloods for {PATIENT} in bed 6",
            )
            await notifications.notifier.on_decision(ReviewDecision("released", held, "reviewer"))
            outbox = notifications.outbox
            mails = [everything(outbox.content(e.id)) for e in outbox.entries()]
        finally:
            await notifications.close()
            await asyncio.to_thread(pipeline.close)
        return outcome.verdict, mails


    if __name__ == "__main__":  # the workers are spawned: they import this file without running it
        verdict, mails = asyncio.run(main())
        print(json.dumps({
            "verdict": verdict.value,
            "notices": len(mails),
            "patient_shown": [PATIENT in m for m in mails],
            "masked": ["[the patient]" in m for m in mails],
            "loaded": sorted(m for m in HEAVY if m in sys.modules),
        }))
    """
)


def test_serving_with_drafts_loads_no_model_in_the_main_process(tmp_path: Path) -> None:
    """A held message's notice and a release notice carry masked subject and draft; no model or web stack is loaded."""
    script = tmp_path / "serve_once.py"
    script.write_text(SCRIPT)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (
        result["verdict"] == "hold" and result["notices"] == 2
    )  # the sender's notice and the release notice
    assert result["patient_shown"] == [False, False] and result["masked"] == [True, True]
    assert result["loaded"] == []
