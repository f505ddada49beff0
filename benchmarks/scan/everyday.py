"""What ordinary mail costs: each stage and detector on generated everyday student messages.

    .venv/bin/python benchmarks/scan/everyday.py [--messages 300] [--passes 3] [--seed 1]

Most outgoing mail from a medical school names no patient, abuses no one and carries no
university document: notes about lectures, societies, rent, sport and travel. This makes
such messages from sentences written for this benchmark (plain text, some with an HTML
alternative, some replies quoting the message before, a few with a small text attachment),
runs the shipped inspector in this process over them (one warm-up pass, then `--passes`),
and prints the CPU milliseconds per message of each stage and each detector, how many
messages raised a finding (there should be almost none), and which of the patient
triage's signs fired and how many messages reached spaCy's NER. Numbers only; timing lives
here, never in tests.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gateway.config import load_settings  # noqa: E402
from gateway.inspector import build_inspector  # noqa: E402
from gateway.scan import envelope_from_headers  # noqa: E402

GREETINGS = ["Hi all,", "Hello,", "Hey,", "Hi there,", "Dear everyone,", "Morning all,", ""]
SIGN_OFFS = ["Thanks!", "Cheers,", "Best wishes,", "See you soon,", "Thanks a lot,", "Speak soon,"]
NAMES = ["Sam", "Alex", "Jo", "Priya", "Tom", "Aisha", "Ben", "Chloe", "Dan", "Ella"]
SENTENCES = [
    "The library is open late during revision weeks, so we could meet on the second floor.",
    "Does anyone have the slides from this morning's lecture? My laptop ran out of battery.",
    "The climbing society is going to the wall on Thursday evening; new members are welcome.",
    "Our group presentation is next week, so shall we split the sections tonight?",
    "I've booked the train for the weekend and the tickets were cheaper than I expected.",
    "The landlord says the boiler will be fixed by Friday at the latest.",
    "Can you bring the speaker to the flat party? We have snacks sorted already.",
    "Please fill in the form for the summer trip before the end of the week.",
    "The netball match was moved to the indoor court because of the rain.",
    "I think the essay deadline was extended, but I'll check the announcement again.",
    "Let's grab coffee after the seminar; the new place by the station is good.",
    "The choir rehearsal starts half an hour earlier this week.",
    "My bike got a puncture so I'll be a bit late to the study group.",
    "Has anyone found a blue water bottle in the lecture theatre?",
    "The quiz night raised a decent amount for the charity, well done everyone.",
    "I'm going home for the long weekend and will be back on Monday.",
    "The gym has new opening hours over the holidays, see the noticeboard.",
    "Could you send me the reading list for the next module when you get a chance?",
    "We need two more people for the five-a-side team on Sunday.",
    "Thanks for dinner last night, the curry was amazing.",
    "I've shared the spreadsheet for the holiday budget, add your costs when you can.",
    "The printer on the ground floor is broken again, use the one upstairs.",
    "Are we still on for the cinema tomorrow? The film starts at 8.",
    "My sister is visiting this weekend, so I'll miss the hike.",
    "The society elections are coming up and nominations close soon.",
    "Don't forget to bring your own cup to the bake sale.",
    "The flat inspection is next Tuesday, so let's clean the kitchen.",
    "I'll lend you my notes, but please give them back before the exam period.",
]


def everyday_messages(count: int, seed: int) -> list[bytes]:
    """`count` ordinary messages from a student to friends outside the university."""
    rng = random.Random(seed)
    out = []
    previous = ""
    for i in range(count):
        body = " ".join(rng.sample(SENTENCES, rng.randint(1, 6)))
        lines = [rng.choice(GREETINGS), "", body, "", rng.choice(SIGN_OFFS), rng.choice(NAMES)]
        text = "\n".join(lines).strip() + "\n"
        if previous and rng.random() < 0.3:  # a reply, quoting the last message
            text += "\nOn a weekday, someone wrote:\n" + "".join(
                f"> {line}\n" for line in previous.splitlines()
            )
        previous = body
        msg = EmailMessage()
        msg["From"] = f"{rng.choice(NAMES)} Student <student{i}@example.ac.uk>"
        msg["To"] = f"friend{i % 7}@gmail.com"
        msg["Subject"] = rng.choice(["plans", "this week", "quick question", "Re: weekend", "notes", "hello"])
        msg.set_content(text)
        if rng.random() < 0.4:
            paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
            msg.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
        if rng.random() < 0.1:
            notes = " ".join(rng.sample(SENTENCES, 4)).encode()
            msg.add_attachment(notes, maintype="text", subtype="plain", filename="notes.txt")
        out.append(bytes(msg).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=300)
    p.add_argument("--passes", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    messages = everyday_messages(args.messages, args.seed)
    with tempfile.TemporaryDirectory(prefix="everyday-") as tmp:
        cfg = Path(tmp) / "gateway.toml"
        cfg.write_text(
            f'state_dir = "{Path(tmp) / "state"}"\npolicies = ["{ROOT / "policies"}"]\n'
            '[domains]\ninternal = ["example.ac.uk"]\n'
        )
        inspector = build_inspector(load_settings(cfg))
        inspector.load()
        cpu: dict[str, float] = defaultdict(float)
        for det in inspector.detectors:
            inner = det.detect

            def timed(inspection: Any, _inner: Any = inner, _name: str = det.name) -> Any:
                t0 = time.process_time()
                try:
                    return _inner(inspection)
                finally:
                    cpu[_name] += time.process_time() - t0

            det.detect = timed  # type: ignore[method-assign]
        patient = next((d for d in inspector.detectors if d.name == "patient"), None)
        signs: Counter[str] = Counter()
        ner = 0
        if patient is not None:
            triage, persons = patient.triage, patient.engine.persons

            def counted_triage(*a: Any) -> Any:
                t = triage(*a)
                signs.update(t.reasons or {"(none)"})
                return t

            def counted_persons(windows: Any) -> Any:
                nonlocal ner
                ner += bool(windows)
                return persons(windows)

            patient.triage = counted_triage
            patient.engine.persons = counted_persons
        envelopes = [envelope_from_headers(raw) for raw in messages]
        for env, raw in zip(envelopes, messages, strict=True):  # warm-up
            inspector.inspect(env, raw)
        cpu.clear()
        signs.clear()
        ner = 0
        held: Counter[str] = Counter()
        t0 = time.process_time()
        for _ in range(args.passes):
            for env, raw in zip(envelopes, messages, strict=True):
                out = inspector.inspect(env, raw)
                for f in out.findings:
                    held[f"{f.category}/{f.type}"] += 1
        total = time.process_time() - t0
    n = len(messages) * args.passes
    print(
        f"{len(messages)} everyday messages x {args.passes} passes: {total / n * 1e3:.2f} CPU ms per message"
    )
    detectors = sum(cpu.values())
    print(
        f"  {'outside the detectors (parse, extract, policy, draft)':56} {(total - detectors) / n * 1e3:6.3f}"
    )
    for name, seconds in sorted(cpu.items(), key=lambda kv: -kv[1]):
        print(f"  {'detector ' + name:56} {seconds / n * 1e3:6.3f}")
    print(f"  findings: {dict(held) or 'none'}")
    print(f"  patient triage signs (per message): {dict(signs)}; messages that reached NER: {ner}/{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
