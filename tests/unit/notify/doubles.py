"""Test doubles for notifications: settings, messages, findings, a fake de-identifier, a fake next hop.

Every message, name and number here is invented for these tests. The NHS
number below has a valid check digit (so the real detector takes it for
one); it belongs to no one.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from gateway.config import NotifySettings, Settings, WebSettings
from gateway.errors import PermanentDeliveryError, TemporaryDeliveryError
from gateway.model import Decision, Envelope, Finding, Inspection, Verdict

NHS_NUMBER = "401 023 2137"  # valid Modulus 11 check digit, invented
NHS_DIGITS = NHS_NUMBER.replace(" ", "")
PATIENT = "Mr Desmond Quillfeather"  # invented
SENDER = "student@example.ac.uk"
OUTSIDE = "pal@gmail.com"
BODY = f"Hi Sam,\n\nThe man in bed 6, {PATIENT}, NHS number {NHS_NUMBER}, is ready for the ward round.\n\nThanks\n"
PATIENT_NAME = PATIENT.removeprefix("Mr ")  # what the detector locates: the name without the title
INSULT_WORD = "gormless"  # stands in for the abusive words a real finding would mask


class ManualClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 6, 2, 10, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def settings(tmp_path: Path, **notify: Any) -> Settings:
    base = Settings(state_dir=str(tmp_path / "state"))
    options = {
        "from_address": "compliance@example.ac.uk",
        "check_address": "check@example.ac.uk",
        **notify,
    }
    return dataclasses.replace(
        base,
        notify=dataclasses.replace(NotifySettings(), **options),
        web=dataclasses.replace(WebSettings(), public_url="https://review.example.ac.uk/"),
        domains=dataclasses.replace(base.domains, internal=("example.ac.uk",), secure=("nhs.net",)),
    )


def message(
    body: str = BODY,
    *,
    subject: str = "Ward round tomorrow",
    sender: str = SENDER,
    to: str = OUTSIDE,
    headers: Sequence[tuple[str, str]] = (),
    html: str = "",
) -> bytes:
    """A plain message (CRLF), with extra headers as given and optionally an HTML alternative."""
    head = [
        f"From: A Student <{sender}>",
        f"To: {to}",
        f"Subject: {subject}",
        "Date: Mon, 02 Jun 2025 10:29:00 +0100",
        "Message-ID: <orig-1@example.ac.uk>",
        "MIME-Version: 1.0",
        *(f"{k}: {v}" for k, v in headers),
    ]
    if not html:
        head.append("Content-Type: text/plain; charset=utf-8")
        return ("\r\n".join(head) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode("utf-8")
    b = "ALT-b0undary"
    head.append(f'Content-Type: multipart/alternative; boundary="{b}"')
    parts = [
        f"--{b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body.replace(chr(10), chr(13) + chr(10))}\r\n",
        f"--{b}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n",
        f"--{b}--\r\n",
    ]
    return ("\r\n".join(head) + "\r\n\r\n" + "".join(parts)).encode("utf-8")


def envelope(sender: str = SENDER, *rcpts: str) -> Envelope:
    return Envelope(mail_from=sender, rcpt_tos=tuple(rcpts) or (OUTSIDE,))


def located(text: str, value: str) -> dict[str, Any]:
    """The details of a finding that located `value` in `text`, as the patient detector writes them."""
    at = text.find(value) if text else -1
    return {"spans": [[at, at + len(value)]]} if at >= 0 else {}


def nhs_finding(where: str = "body", *, text: str = "") -> Finding:
    """An NHS number found at `where`; located in `text` (that place's text) when it is given."""
    return Finding(
        "patient_identifier",
        "NHS_NUMBER",
        where,
        0.95,
        evidence="…[PATIENT_NAME], NHS number [NHS_NUMBER], is ready…",
        detector="patient",
        details=located(text, NHS_NUMBER),
    )


def name_finding(where: str = "body", *, text: str = "") -> Finding:
    """A patient's name found at `where`; located in `text` when it is given."""
    return Finding(
        "patient_identifier",
        "PATIENT_NAME",
        where,
        0.9,
        evidence="bed 6, [PATIENT_NAME], NHS",
        detector="patient",
        details=located(text, PATIENT_NAME),
    )


def insult_finding(where: str = "body") -> Finding:
    return Finding(
        "abusive_language",
        "INSULT",
        where,
        0.9,
        evidence=f"{INSULT_WORD[0]}{'*' * (len(INSULT_WORD) - 1)} (insult)",
        detector="language",
        severity="severe",
        target="second_person",
    )


def decision(verdict: Verdict, *findings: Finding, rule: str = "") -> Decision:
    rule = (
        rule
        or {
            Verdict.HOLD: "patient-identifier",
            Verdict.REJECT: "abuse-reject",
            Verdict.ANNOTATE: "profanity",
            Verdict.PASS: "",
        }[verdict]
    )
    return Decision(verdict, rule=rule, rules=(rule,) if rule else (), findings=tuple(findings))


class FakeDeidentifier:
    """Masks the invented patient's name and any run of digits: the shape of the real one, instantly.

    `calls` records what it was asked to look at, so tests can see that
    the subject, the draft and the places all went through it.
    """

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.loaded = False

    def load(self) -> None:
        self.loaded = True

    def spans(
        self, texts: Sequence[str], context: Inspection | None = None
    ) -> list[list[tuple[int, int, str]]]:
        self.calls.append(list(texts))
        return [
            [(m.start(), m.end(), "PATIENT_NAME") for m in re.finditer(re.escape(PATIENT), t)]
            + [(m.start(), m.end(), "NHS_NUMBER") for m in re.finditer(r"\d[\d ]{6,}\d", t)]
            for t in texts
        ]

    def deidentify_many(
        self,
        texts: Sequence[str],
        context: Inspection | None = None,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> list[str]:
        self.calls.append(list(texts))
        labels = labels or {}
        out = []
        for t in texts:
            t = t.replace(PATIENT, f"[{labels.get('PATIENT_NAME', 'PATIENT_NAME')}]")
            t = re.sub(r"\d[\d ]{6,}\d", f"[{labels.get('NHS_NUMBER', 'NHS_NUMBER')}]", t)
            out.append(t)
        return out


class FakeNextHop:
    """`deliver(envelope, raw)` that records what it took, or fails as told: "ok", "4xx", "5xx", "down"."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.taken: list[tuple[Envelope, bytes]] = []
        self.calls = 0

    async def __call__(self, envelope: Envelope, raw: bytes) -> None:
        self.calls += 1
        if self.mode == "4xx":
            raise TemporaryDeliveryError(451, "4.3.0 Try again later (at DATA)")
        if self.mode == "5xx":
            raise PermanentDeliveryError(550, "5.1.1 No such user (at RCPT)")
        if self.mode == "down":
            raise ConnectionRefusedError(111, "Connection refused")
        self.taken.append((envelope, raw))


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def bodies(raw: bytes) -> tuple[str, str]:
    """(text, html) of a notification, decoded, with LF line ends."""
    msg = parse(raw)
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()).replace("\r\n", "\n"), str(html.get_content()).replace("\r\n", "\n")


def flat(body: str) -> str:
    """Text as a reader sees it: HTML tags dropped, entities decoded, every run of white space one space."""
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def everything(raw: bytes) -> str:
    """Headers and both decoded bodies: where nothing secret may appear."""
    msg = parse(raw)
    text, html = bodies(raw)
    head = "\n".join(f"{k}: {v}" for k, v in msg.items())
    return head + "\n" + text + "\n" + html + "\n" + raw.decode("ascii", "replace")
