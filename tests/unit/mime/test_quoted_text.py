"""What the sender wrote is told apart from what they quote or forward, in plain text and HTML."""

from __future__ import annotations

import pytest

from gateway.mime import split_quoted
from gateway.model.html import html_to_text


@pytest.mark.parametrize(
    ("text", "own", "quoted"),
    [
        ("my reply\n\n> your line\n> more\n", "my reply", "> your line\n> more"),
        (
            "Thanks!\n\nOn Mon, 5 Jan 2026 at 09:00, Dr Reg <reg@hosp.example> wrote:\n> the list\n",
            "Thanks!",
            "On Mon, 5 Jan 2026 at 09:00, Dr Reg <reg@hosp.example> wrote:\n> the list",
        ),
        (
            "Top post\nOn 5 Jan 2026, at 09:00, Dr Reg\n<reg@hosp.example> wrote:\n\nunmarked old text\n",
            "Top post",
            "On 5 Jan 2026, at 09:00, Dr Reg\n<reg@hosp.example> wrote:\n\nunmarked old text",
        ),
        (
            "On 5 Jan, A <a@x.example> wrote:\n> question one\nanswer one\n> question two\nanswer two\n",
            "answer one\nanswer two",
            "On 5 Jan, A <a@x.example> wrote:\n> question one\n> question two",
        ),
        (
            "See below\n\n-----Original Message-----\nFrom: X\nold\n",
            "See below",
            "-----Original Message-----\nFrom: X\nold",
        ),
        (
            "fyi\n---------- Forwarded message ---------\nFrom: Reg\nlist\n",
            "fyi",
            "---------- Forwarded message ---------\nFrom: Reg\nlist",
        ),
        (
            "ok\n\nFrom: Dr Reg <reg@hosp.example>\nSent: 05 January 2026 09:00\nTo: me\nSubject: x\n\nold body\n",
            "ok",
            "From: Dr Reg <reg@hosp.example>\nSent: 05 January 2026 09:00\nTo: me\nSubject: x\n\nold body",
        ),
        (
            "fine\n________________________________\nFrom: a\nold\n",
            "fine",
            "________________________________\nFrom: a\nold",
        ),
        ("Begin forwarded message:\n\nFrom: a\nbody\n", "", "Begin forwarded message:\n\nFrom: a\nbody"),
        (
            "On Monday I saw the patient and she wrote: nothing\n",
            "On Monday I saw the patient and she wrote: nothing",
            "",
        ),
        ("From: the ward I went home\nlater\n", "From: the ward I went home\nlater", ""),
    ],
    ids=[
        "angle-quotes",
        "attribution-then-quotes",
        "top-posting",
        "interleaved",
        "original-message",
        "gmail-forward",
        "outlook-block",
        "underscores",
        "apple-forward",
        "own-sentence-with-wrote",
        "own-line-starting-from",
    ],
)
def test_split_quoted(text, own, quoted):
    """Quote markers, attributions, separators and Outlook header blocks start quoted text."""
    assert split_quoted(text) == (own, quoted)


@pytest.mark.parametrize(
    ("html", "own", "quoted"),
    [
        ("<p>mine</p><blockquote type='cite'>theirs</blockquote>", "mine", "theirs"),
        (
            "<div>mine</div><div class='gmail_quote'><div>On Mon, A wrote:</div><blockquote class='gmail_quote'>"
            "theirs<div>nested</div></blockquote></div><div>after</div>",
            "mine\nafter",
            "On Mon, A wrote:\ntheirs\nnested",
        ),
        (
            "<div>reply</div><div id='divRplyFwdMsg'><b>From:</b> A</div><div>old</div>",
            "reply",
            "From: A\nold",
        ),
        ("<div>reply</div><div id='x_appendonsend'></div><p>old</p>", "reply", "old"),
        (
            "<p>mine</p><blockquote style='margin:0 0 0 40px;border:none'>indented mine</blockquote>",
            "mine\nindented mine",
            "",
        ),
        ("<p>a</p><script>alert(1)</script><style>p{}</style><!-- hidden comment --><p>b</p>", "a\nb", ""),
        ("<table><tr><td>943</td><td>476 5919</td></tr></table>", "943\t476 5919", ""),
        ("<a href='mailto:x@y.example'>write to me</a>", "write to me <x@y.example>", ""),
        ("<a href='https://a.example'>https://a.example</a>", "https://a.example", ""),
        ("<p>caf&eacute; &amp; &#163;5</p>", "café & £5", ""),
        ("<span style='display:none'>hidden words</span>shown", "hidden wordsshown", ""),
    ],
    ids=[
        "cite",
        "gmail",
        "outlook-web",
        "outlook-appendonsend",
        "gmail-indent",
        "script-style-comment",
        "table-cells",
        "mailto",
        "link-equals-text",
        "entities",
        "hidden-text-kept",
    ],
)
def test_html_to_text(html, own, quoted):
    """HTML becomes text with links and cells kept, and quote containers told apart."""
    assert html_to_text(html) == (own, quoted)


def test_unclosed_html_is_read():
    """Malformed HTML (unclosed tags, stray end tags) still yields its text."""
    own, quoted = html_to_text("<div><p>one<p>two</span></div></div><b>three")
    assert own == "one\ntwo\nthree"
    assert quoted == ""
