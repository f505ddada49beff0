"""The notification templates: shipped set complete, escaping, school overrides, errors caught at start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gateway.errors import ConfigError
from gateway.notify.describe import describe, group
from gateway.notify.guidance import Guidance
from gateway.notify.render import NOTICES, SHIPPED, Templates, one_line
from tests.unit.notify.doubles import nhs_finding


def context(**extra: Any) -> dict[str, Any]:
    items = describe([nhs_finding()], Guidance.load())
    base: dict[str, Any] = {
        "kind": "hold",
        "subject": "Ward round",
        "received": "2 June 2025, 10:30 BST",
        "recipients": ["pal@gmail.com"],
        "items": items,
        "groups": group(items),
        "draft": "",
        "ref": "q1",
        "contact": "the Professionalism Team",
        "reviewer_role": "the Professionalism Team",
        "check_address": "",
        "organisation": "University of Example",
        "retention_days": 30,
        "reason": "",
        "failed_checks": False,
        "outside": "",
        "inside": "",
    }
    base.update(extra)
    return base


def test_every_notice_has_its_three_templates() -> None:
    """Each notice kind ships a subject, a text and an HTML template, and all compile."""
    for notice in NOTICES:
        for part in ("subject", "txt", "html"):
            assert (SHIPPED / f"{notice}.{part}.j2").is_file(), (notice, part)
    Templates().check()


def test_html_escapes_and_text_does_not() -> None:
    """Values are escaped in the HTML alternative and shown as written in the text one."""
    r = Templates().render("sender", context(subject="<b>Ward & round</b>"))
    assert "&lt;b&gt;Ward &amp; round&lt;/b&gt;" in r.html and "<b>Ward" not in r.html
    assert "<b>Ward & round</b>" in r.text


def test_subject_is_one_printable_line() -> None:
    """Whatever a template or a value holds, the rendered subject is one line without control characters."""
    assert one_line("Held:\r\nBcc: x@example.com\tnow") == "Held: Bcc: x@example.com now"
    r = Templates().render("sender", context(subject="a\r\nBcc: evil@example.com"))
    assert "\n" not in r.subject and "\r" not in r.subject


def test_school_override_replaces_one_file(tmp_path: Path) -> None:
    """A file in templates_dir wins over the shipped one; the other templates stay shipped."""
    (tmp_path / "sender.subject.j2").write_text("Action needed ({{ kind }})")
    t = Templates(tmp_path)
    t.check()
    r = t.render("sender", context())
    assert r.subject == "Action needed (hold)"
    assert "held a message you sent" in r.text


def test_templates_are_read_once_at_start(tmp_path: Path) -> None:
    """A template edited while the notifier runs takes effect at the next start, not mid-run."""
    (tmp_path / "sender.subject.j2").write_text("First ({{ kind }})")
    t = Templates(tmp_path)
    t.check()
    (tmp_path / "sender.subject.j2").write_text("Second ({{ kind }})")
    assert t.render("sender", context()).subject == "First (hold)"
    assert Templates(tmp_path).render("sender", context()).subject == "Second (hold)"


def test_syntax_error_stops_start_up(tmp_path: Path) -> None:
    """A template that does not compile is a configuration error naming the file."""
    (tmp_path / "check.txt.j2").write_text("{% if %}")
    with pytest.raises(ConfigError, match=r"check\.txt\.j2"):
        Templates(tmp_path).check()


def test_unknown_variable_is_an_error_not_a_blank(tmp_path: Path) -> None:
    """A misspelt variable fails loudly instead of leaving a gap in the notice."""
    (tmp_path / "sender.txt.j2").write_text("Hello {{ sendr }}")
    with pytest.raises(ConfigError, match="sendr"):
        Templates(tmp_path).render("sender", context())


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    """A templates_dir that does not exist is reported at start."""
    with pytest.raises(ConfigError, match=r"notify\.templates_dir"):
        Templates(tmp_path / "nope")
