"""The notifier: what each notice says, what it never says, and when there is none.

Each message goes through the worker's drafting (gateway.notify.drafting,
as the inspection worker runs it) and then the notifier, as in the gateway.
A fake de-identifier stands in for the patient detector here (it masks the
invented patient's name and digit runs); tests/unit/detect/test_deidentify.py
and tests/integration/test_notify.py use the real one.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.config import Settings
from gateway.errors import ConfigError, StoreError
from gateway.mime import parse_message
from gateway.model import Decision, Envelope, Finding, Outcome, Verdict
from gateway.notify.drafting import Drafter
from gateway.notify.guidance import Guidance
from gateway.notify.message import MARKER
from gateway.notify.notifier import Notifier
from gateway.notify.render import Templates
from gateway.policy import Policy, load_policy
from gateway.store.crypto import Keyring
from gateway.store.db import Database
from gateway.store.held import HeldMessage, ReviewDecision
from gateway.store.outbox import Outbox
from tests.unit.notify.doubles import (
    BODY,
    INSULT_WORD,
    NHS_DIGITS,
    NHS_NUMBER,
    OUTSIDE,
    PATIENT,
    SENDER,
    FakeDeidentifier,
    ManualClock,
    bodies,
    decision,
    envelope,
    everything,
    flat,
    insult_finding,
    message,
    name_finding,
    nhs_finding,
    parse,
    settings,
)
from tests.unit.notify.test_guidance import ALL_TYPES

KEY = base64.b64encode(bytes(range(32))).decode()


@functools.cache
def _shipped() -> tuple[Guidance, Templates, Policy]:
    """The shipped guidance, templates and default policy, read once for the module."""
    base = Settings()
    return Guidance.load(), Templates(), load_policy(base.policy_paths, domains=base.domains)


class Kit:
    """A notifier on a real SQLite outbox, with a movable clock and the fake de-identifier."""

    def __init__(self, tmp_path: Path, **notify: Any) -> None:
        self.clock = ManualClock()
        self.db = Database("", state_dir=tmp_path)
        self.outbox = Outbox(self.db, Keyring([base64.b64decode(KEY)]), clock=self.clock)
        self.outbox.migrate()
        self.deid = FakeDeidentifier()
        self.woken = 0
        self.settings = settings(tmp_path, **notify)
        guidance, templates, policy = _shipped()
        self.drafter = Drafter(self.settings, policy, lambda: self.deid, guidance)
        self.notifier = Notifier(
            self.settings,
            self.outbox,
            self.clock,
            on_enqueue=self._wake,
            guidance=guidance,
            templates=templates,
            policy=policy,
            subjects=self._subjects,
        )

    async def _subjects(self, texts: list[str]) -> list[str]:
        return self.drafter.deidentify(texts)

    def outcome(self, env: Envelope, raw: bytes, d: Decision | Checked) -> Outcome:
        """What the inspection worker hands back: the decision, the findings and the notice's draft."""
        dec = d if isinstance(d, Decision) else d.decision
        findings = list(dec.findings) if isinstance(d, Decision) else list(d.findings)
        insp = parse_message(raw, env, self.settings.limits)
        return Outcome(
            dec,
            findings,
            message_id=insp.header("Message-ID") or "",
            failed_detectors=() if isinstance(d, Decision) else d.failed_detectors,
            notice=self.drafter.draft(env, raw, insp, dec, findings),
        )

    async def notify_sender(
        self, env: Envelope, raw: bytes, d: Decision, qid: str | None = None, *, to: Notifier | None = None
    ) -> str | None:
        return await (to or self.notifier).notify_sender(env, self.outcome(env, raw, d), qid)

    async def answer_check(
        self, env: Envelope, raw: bytes, d: Decision | Checked, *, to: Notifier | None = None
    ) -> str | None:
        return await (to or self.notifier).answer_check(env, self.outcome(env, raw, d))

    async def message_decided(self, env: Envelope, raw: bytes, d: Decision, qid: str | None = None) -> None:
        await self.notifier.message_decided(env, self.outcome(env, raw, d), qid)

    def _wake(self) -> None:
        self.woken += 1

    def mails(self, kind: str = "") -> list[bytes]:
        return [self.outbox.content(e.id) for e in self.outbox.entries(kind=kind)]

    def one(self, kind: str = "") -> bytes:
        mails = self.mails(kind)
        assert len(mails) == 1, f"expected one {kind or 'notice'}, got {len(mails)}"
        return mails[0]


@pytest.fixture()
def kit(tmp_path: Path) -> Iterator[Kit]:
    k = Kit(tmp_path)
    yield k
    k.db.close()


# -- the sender's notice ---------------------------------------------------------------------------


async def test_hold_notice_explains_and_offers_a_clean_draft(kit: Kit) -> None:
    """A held message's sender learns what was found, where, why, what to do, what happens next, with a draft."""
    oid = await kit.notify_sender(
        envelope(), message(), decision(Verdict.HOLD, nhs_finding(text=BODY), name_finding(text=BODY)), "q7"
    )
    assert oid is not None and kit.woken == 1
    raw = kit.one("sender")
    msg = parse(raw)
    assert msg["To"] == SENDER and msg["Auto-Submitted"] == "auto-generated" and msg[MARKER] == "sender"
    assert msg["Subject"] == "Held for review: Ward round tomorrow"
    assert msg["In-Reply-To"] == "<orig-1@example.ac.uk>"
    text, html = bodies(raw)
    for body in (flat(text), flat(html)):
        assert "not been delivered yet" in body.replace("NOT", "not")
        assert "An NHS number" in body and "in the message text" in body
        assert "a man in his 70s" in body  # what to do
        assert "Patient confidentiality comes first" in body  # why it matters
        assert "Social Media Guidance for Medical Students" in body  # the principle's source
        assert "the Professionalism Team" in body and "q7" in body and OUTSIDE in body
        assert "[NHS number removed]" in body and "[the patient]" in body  # the draft
        assert "is ready for the ward round" in body
        assert "Held messages are deleted after 30 days" in body
    assert NHS_DIGITS not in everything(raw) and "401 023" not in everything(raw)
    assert "Quillfeather" not in everything(raw)


async def test_draft_comes_from_the_senders_own_text_only(kit: Kit) -> None:
    """Quoted text from an earlier message is left out of the draft; the subject and places are de-identified too.

    Only the subject goes to the patient detector again; the draft and the places are masked
    from the findings' spans and the pattern net.
    """
    body = f"Notes on {PATIENT} below.\n\nOn Mon, A Friend wrote:\n> an older message about lunch\n"
    await kit.notify_sender(
        envelope(), message(body, subject=f"About {PATIENT}"), decision(Verdict.HOLD, nhs_finding())
    )
    text, _ = bodies(kit.one())
    assert "older message about lunch" not in text
    assert kit.deid.calls == [[f"About {PATIENT}"]]
    assert "Notes on Mr [the patient] below." in text and "Quillfeather" not in everything(kit.one())
    assert parse(kit.one())["Subject"] == "Held for review: About [the patient]"


async def test_html_only_message_gets_a_draft_from_its_text(kit: Kit) -> None:
    """A message with only HTML gets a draft made from its visible text."""
    raw = (
        "From: s@example.ac.uk\r\nTo: pal@gmail.com\r\nSubject: hi\r\nContent-Type: text/html\r\n\r\n"
        f"<p>Seen <b>{PATIENT}</b> today.</p>"
    ).encode()
    await kit.notify_sender(envelope(), raw, decision(Verdict.HOLD, nhs_finding()))
    text = flat(bodies(kit.one())[0])
    assert "Seen Mr [the patient] today." in text


async def test_reject_for_abuse_never_repeats_the_words(kit: Kit) -> None:
    """A rejected abusive message's notice names the problem but shows neither the words nor a draft."""
    body = f"You are a {INSULT_WORD} waste of space.\n"
    await kit.notify_sender(
        envelope(), message(body, subject="about yesterday"), decision(Verdict.REJECT, insult_finding())
    )
    raw = kit.one()
    text, html = bodies(raw)
    for body_ in (flat(text), flat(html)):
        assert "Insulting remarks about a person" in body_ and "without the personal remarks" in body_
        assert "not delivered" in body_.replace("NOT", "not")
        assert "A version you can reuse".lower() not in body_.lower()
    everything_ = everything(raw)
    assert INSULT_WORD not in everything_ and "waste of space" not in everything_
    assert "g*******" not in everything_  # not even the masked evidence
    assert kit.deid.calls == [["about yesterday"]]  # only the subject is judged again: no draft is made
    assert parse(raw)["Subject"] == "Not sent: about yesterday"


async def test_abuse_in_the_subject_hides_the_subject(kit: Kit) -> None:
    """When the subject line itself holds the abuse, no subject is shown anywhere."""
    await kit.notify_sender(
        envelope(),
        message("fine text", subject=f"you {INSULT_WORD}"),
        decision(Verdict.REJECT, insult_finding("header:Subject")),
    )
    raw = kit.one()
    assert INSULT_WORD not in everything(raw)
    assert parse(raw)["Subject"].startswith("Not sent: your message of 2 June 2025")
    assert "(not shown)" in bodies(raw)[0]


@pytest.mark.parametrize(("failed", "said"), [((), False), (("documents",), True)])
async def test_a_check_that_could_not_run_is_mentioned(kit: Kit, failed: tuple[str, ...], said: bool) -> None:
    """The notice says a check could not finish exactly when the outcome names a failed detector."""
    env, raw = envelope(), message()
    outcome = dataclasses.replace(
        kit.outcome(env, raw, decision(Verdict.HOLD, nhs_finding())), failed_detectors=failed
    )
    assert await kit.notifier.notify_sender(env, outcome, "q1") is not None
    assert ("could not finish" in flat(bodies(kit.one())[0])) is said


async def test_annotate_is_a_reminder(kit: Kit) -> None:
    """A delivered-with-a-reminder message says it was delivered."""
    profanity = Finding(
        "abusive_language", "PROFANITY", "body", 0.7, evidence="s*** (profanity)", severity="mild"
    )
    await kit.notify_sender(envelope(), message("oh s..."), decision(Verdict.ANNOTATE, profanity))
    raw = kit.one()
    assert parse(raw)["Subject"].startswith("Sent, with a reminder")
    assert "has been delivered" in flat(bodies(raw)[0])


@pytest.mark.parametrize(
    ("notify", "verdict", "monitor"),
    [
        ({"on": ("hold",)}, Verdict.REJECT, False),
        ({"on": ("hold", "reject")}, Verdict.ANNOTATE, False),
        ({}, Verdict.PASS, False),
        ({"enabled": False}, Verdict.HOLD, False),
        ({}, Verdict.ANNOTATE, True),
    ],
)
async def test_only_the_configured_verdicts_notify(
    tmp_path: Path, notify: dict[str, Any], verdict: Verdict, monitor: bool
) -> None:
    """notify.on, notify.enabled and monitor mode (which never tells senders) decide whether there is a notice."""
    k = Kit(tmp_path, **notify)
    d = decision(verdict, nhs_finding(), rule="x")
    if monitor:
        from dataclasses import replace

        d = replace(d, monitor=True, would_be=Verdict.HOLD)
    assert await k.notify_sender(envelope(), message(), d) is None
    assert k.mails() == []


@pytest.mark.parametrize(
    ("sender", "headers"),
    [
        ("", []),
        (SENDER, [("Auto-Submitted", "auto-replied")]),
        (SENDER, [("List-Id", "<y3.example.ac.uk>")]),
        (SENDER, [("Precedence", "bulk")]),
        (SENDER, [(MARKER, "sender")]),
        ("compliance@example.ac.uk", []),
    ],
)
async def test_no_notice_for_automatic_list_or_own_mail(
    kit: Kit, sender: str, headers: list[tuple[str, str]]
) -> None:
    """Bounces, auto-submitted and list mail, and the gateway's own notices are never answered."""
    raw = message(sender=sender or "x@example.ac.uk", headers=headers)
    assert await kit.notify_sender(envelope(sender), raw, decision(Verdict.HOLD, nhs_finding())) is None
    assert (
        await kit.answer_check(envelope(sender, "check@example.ac.uk"), raw, decision(Verdict.PASS)) is None
    )
    assert kit.mails() == []


async def test_rate_limit_per_sender(tmp_path: Path) -> None:
    """After rate_limit_per_hour notices to one sender, the rest of the hour is quiet; others still hear."""
    k = Kit(tmp_path, rate_limit_per_hour=2)
    d = decision(Verdict.HOLD, nhs_finding())
    results = [await k.notify_sender(envelope(), message(), d) for _ in range(3)]
    assert [r is not None for r in results] == [True, True, False]
    assert await k.notify_sender(envelope("other@example.ac.uk"), message(), d) is not None
    k.clock.advance(minutes=61)
    assert await k.notify_sender(envelope(), message(), d) is not None


class BrokenOutbox(Outbox):
    def enqueue(self, *args: Any, **kwargs: Any) -> str | None:
        raise StoreError("database is down")


async def test_a_failed_notice_never_raises_but_a_failed_check_answer_does(tmp_path: Path) -> None:
    """A sender notice that cannot be committed is logged (the message is safe); a check answer raises (451)."""
    k = Kit(tmp_path)
    broken = Notifier(k.settings, BrokenOutbox(k.db, clock=k.clock), k.clock)
    assert (
        await k.notify_sender(envelope(), message(), decision(Verdict.HOLD, nhs_finding()), to=broken) is None
    )
    with pytest.raises(StoreError):
        await k.answer_check(
            envelope(SENDER, "check@example.ac.uk"),
            message(),
            decision(Verdict.HOLD, nhs_finding()),
            to=broken,
        )


async def test_an_unusable_sender_address_is_logged_not_raised(kit: Kit) -> None:
    """An envelope sender that is not one plain address gets no notice, and nothing breaks."""
    bad = "alice@example.org)<bob@example.org>"
    assert await kit.notify_sender(envelope(bad), message(), decision(Verdict.HOLD, nhs_finding())) is None
    assert kit.mails() == []


# -- the check address -----------------------------------------------------------------------------


class Checked:
    """What the pipeline returns for a message to the check address (findings, and who failed)."""

    def __init__(self, *findings: Finding, failed: tuple[str, ...] = ()) -> None:
        self.findings = list(findings)
        self.failed_detectors = failed
        self.decision = decision(Verdict.PASS)


async def test_check_answer_gives_the_same_advice_and_what_would_happen(kit: Kit) -> None:
    """The check address answers with the findings, the advice, the draft, and the verdict inside and outside."""
    oid = await kit.answer_check(
        envelope(SENDER, "check@example.ac.uk"), message(), Checked(nhs_finding(text=BODY))
    )
    assert oid is not None
    raw = kit.one("check")
    msg = parse(raw)
    assert (
        msg["To"] == SENDER and msg["Subject"] == 'Check result: 1 thing to look at in "Ward round tomorrow"'
    )
    text, html = map(flat, bodies(raw))
    assert "not been delivered" in text.replace("NOT", "not")
    assert "outside the university (such as gmail.com), it would be held for review" in text
    assert "to a university address, it would be held for review" in text
    assert "An NHS number" in text and "[NHS number removed]" in text and "a man in his 70s" in html
    assert NHS_DIGITS not in everything(raw)


async def test_check_answer_tells_inside_from_outside(kit: Kit) -> None:
    """A university document would be held going outside and delivered inside: the answer says both."""
    doc = Finding(
        "university_document",
        "REGISTERED_DOCUMENT",
        "attachment:Week 3 handout.pdf",
        0.9,
        evidence="38% of a registered document",
    )
    await kit.answer_check(envelope(SENDER, "check@example.ac.uk"), message("see attached"), Checked(doc))
    text = flat(bodies(kit.one("check"))[0])
    assert "outside the university (such as gmail.com), it would be held for review" in text
    assert "to a university address, it would be delivered." in text
    assert "link on the VLE instead of the file" in text and "in the attachment Week 3 handout.pdf" in text


async def test_check_answer_when_all_is_well(kit: Kit) -> None:
    """A clean message gets a short all-clear that still says the check is not infallible."""
    await kit.answer_check(envelope(SENDER, "check@example.ac.uk"), message("Lunch at one?"), Checked())
    raw = kit.one("check")
    assert parse(raw)["Subject"] == 'Check result: nothing found in "Ward round tomorrow"'
    text = flat(bodies(raw)[0])
    assert "We found nothing that needs changing" in text and "it would be delivered" in text


# -- reviewers -------------------------------------------------------------------------------------


async def test_reviewer_alert_links_to_the_message_and_holds_no_patient_data(tmp_path: Path) -> None:
    """An immediate alert names the held message, its rule and kinds of finding, and links to the review page."""
    k = Kit(tmp_path, reviewer_address="reviewers@example.ac.uk")
    await k.message_decided(
        envelope(SENDER, OUTSIDE, "tutor@example.ac.uk"),
        message(subject=f"About {PATIENT} {NHS_NUMBER}"),
        decision(Verdict.HOLD, nhs_finding()),
        "q42",
    )
    raw = k.one("alert")
    msg = parse(raw)
    assert (
        msg["To"] == "reviewers@example.ac.uk"
        and msg["Subject"] == "Held for review: q42 (patient identifier)"
    )
    text, html = bodies(raw)
    assert (
        "https://review.example.ac.uk/messages/q42" in text
        and 'href="https://review.example.ac.uk/messages/q42"' in html
    )
    assert "2 (1 outside the university)" in text and "NHS_NUMBER" in text
    everything_ = everything(raw)
    assert "Quillfeather" not in everything_ and NHS_DIGITS not in everything_ and "About" not in everything_
    assert OUTSIDE not in everything_  # recipients are counted, not named
    assert len(k.mails("sender")) == 1  # and the sender heard too


async def test_no_alert_without_an_address_or_for_a_reject(tmp_path: Path) -> None:
    """Alerts are optional, and only holds have something to review."""
    quiet = Kit(tmp_path / "a")
    await quiet.message_decided(envelope(), message(), decision(Verdict.HOLD, nhs_finding()), "q1")
    assert quiet.mails("alert") == []
    k = Kit(tmp_path / "b", reviewer_address="reviewers@example.ac.uk")
    await k.message_decided(envelope(), message(), decision(Verdict.REJECT, insult_finding()), None)
    assert k.mails("alert") == [] and len(k.mails("sender")) == 1


async def test_digest_collects_holds_until_it_is_due(tmp_path: Path) -> None:
    """With reviewer_digest_minutes, holds wait and go out together once the oldest has waited that long."""
    k = Kit(tmp_path, reviewer_address="reviewers@example.ac.uk", reviewer_digest_minutes=30)
    for qid in ("q1", "q2", "q3"):
        await k.notifier.alert_reviewers(envelope(), decision(Verdict.HOLD, nhs_finding()), qid)
        k.clock.advance(minutes=5)
    assert k.mails("alert") == [] and k.mails("digest") == []
    assert await k.notifier.flush_digest() is None  # the oldest waited 15 minutes
    k.clock.advance(minutes=15)
    assert await k.notifier.flush_digest() is not None
    raw = k.one("digest")
    assert parse(raw)["Subject"] == "3 messages held for review"
    text, _ = bodies(raw)
    for qid in ("q1", "q2", "q3"):
        assert f"https://review.example.ac.uk/messages/{qid}" in text
    assert await k.notifier.flush_digest() is None


# -- reviewer decisions ----------------------------------------------------------------------------


def held(**kw: Any) -> HeldMessage:
    base: dict[str, Any] = {
        "id": "q9",
        "received": "2025-06-02T09:15:00+00:00",
        "sender": SENDER,
        "recipients": (OUTSIDE,),
        "status": "rejected",
        "rule": "patient-identifier",
        "findings": (nhs_finding(),),
        "subject": f"{PATIENT} update",
        "message_id": "<orig-9@example.ac.uk>",
    }
    base.update(kw)
    return HeldMessage(**base)


async def test_rejection_after_review_carries_the_reason(kit: Kit) -> None:
    """A reviewer's rejection reaches the sender with the reason they gave and the advice."""
    reason = "Please remove the patient's details and send it from nhs.net."
    await kit.notifier.on_decision(ReviewDecision("rejected", held(), "reviewer1", reason))
    raw = kit.one("review")
    msg = parse(raw)
    assert (
        msg["Subject"] == "Not released: [the patient] update"
        and msg["In-Reply-To"] == "<orig-9@example.ac.uk>"
    )
    text, html = map(flat, bodies(raw))
    assert reason in text and "send it from nhs.net" in html and "An NHS number" in text
    assert "9:15" not in text and "10:15 BST" in text  # shown in the school's time zone
    assert "Quillfeather" not in everything(raw) and "reviewer1" not in everything(raw)


async def test_release_after_review_says_delivered(kit: Kit) -> None:
    """A release tells the sender the message went out as written."""
    await kit.notifier.on_decision(ReviewDecision("released", held(status="released"), "reviewer1"))
    raw = kit.one("review")
    assert parse(raw)["Subject"].startswith("Released and delivered")
    assert "it has now been delivered as you wrote it" in flat(bodies(raw)[0])


async def test_review_decisions_that_do_not_notify(tmp_path: Path) -> None:
    """Deletions never notify; on_review limits which decisions do; a bounce's sender is never told."""
    k = Kit(tmp_path, on_review=("rejected",))
    await k.notifier.on_decision(ReviewDecision("deleted", held(status="deleted"), "admin"))
    await k.notifier.on_decision(ReviewDecision("released", held(status="released"), "r"))
    await k.notifier.on_decision(ReviewDecision("rejected", held(sender=""), "r", "no"))
    assert k.mails() == []


# -- every template for every finding type ---------------------------------------------------------


@pytest.mark.parametrize(("category", "type_"), ALL_TYPES)
async def test_every_notice_renders_for_every_finding_type(tmp_path: Path, category: str, type_: str) -> None:
    """Sender (hold, reject, annotate), check and review notices and alerts render, text and HTML, for each type."""
    k = Kit(tmp_path, rate_limit_per_hour=0, reviewer_address="reviewers@example.ac.uk")
    label = Guidance.load().advice(category, type_).label
    severity = ("mild" if type_ == "PROFANITY" else "severe") if category == "abusive_language" else ""
    f = Finding(
        category,
        type_,
        "attachment:notes.zip/list.xlsx/Sheet1",
        0.9,
        evidence="[MASKED] near here",
        severity=severity,
    )
    for verdict in (Verdict.HOLD, Verdict.REJECT, Verdict.ANNOTATE):
        await k.message_decided(envelope(), message(), decision(verdict, f, rule="r"), "q1")
    await k.answer_check(envelope(SENDER, "check@example.ac.uk"), message(), Checked(f))
    for action in ("released", "rejected"):
        await k.notifier.on_decision(ReviewDecision(action, held(findings=(f,)), "r", "because"))
    k.clock.advance(minutes=1)
    kinds = [e.kind for e in k.outbox.entries()]
    assert sorted(kinds) == ["alert", "check", "review", "review", "sender", "sender", "sender"]
    for raw in k.mails():
        text, html = map(flat, bodies(raw))
        assert text.strip() and html.strip()
        if parse(raw)[MARKER] != "alert":
            assert label in text.lower() or label[:1].upper() + label[1:] in text, (type_, label)
            assert "in the attachment notes.zip, in list.xlsx, sheet Sheet1" in text


# -- configuration ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notify", "key"),
    [
        ({"on": ("hold", "bounce")}, "notify.on"),
        ({"on_review": ("deleted",)}, "notify.on_review"),
        ({"timezone": "Mars/Olympus"}, "notify.timezone"),
        ({"from_address": "Compliance <c@example.ac.uk>"}, "notify.from_address"),
        ({"reviewer_address": "not an address"}, "notify.reviewer_address"),
    ],
)
def test_bad_settings_stop_start_up(tmp_path: Path, notify: dict[str, Any], key: str) -> None:
    """A mistake in [notify] is a configuration error naming the key, at start."""
    k = Kit(tmp_path)
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        Notifier(settings(tmp_path, **notify), k.outbox, k.clock)
