"""HTML to text for inspection: visible text, link targets and image alt text kept, quotes told apart.

Built on the standard library's tolerant HTMLParser. Scripts, styles and
comments are dropped (no mail client shows them); everything else is kept,
hidden text too, because it is delivered. Block elements end lines and
table cells are separated by tabs, so numbers in neighbouring cells do not
run together. A link whose target differs from its text is written
"text <target>"; an image is written "[image: alt]".

Quoted text is what a mail client put there from an earlier message:
blockquotes marked as citations (type="cite", Gmail's gmail_quote,
Thunderbird's moz-cite-prefix, Yahoo's yahoo_quoted), and everything after
Outlook's reply header (divRplyFwdMsg, appendonsend, OutlookMessageHeader,
the reference-message container of the new Outlook). A plain <blockquote>
counts as a quote unless it is styled without a border (Gmail's "indent").
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = frozenset(
    {
        "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote",
        "pre", "section", "article", "header", "footer", "ul", "ol", "dl", "dd", "dt", "hr",
        "title", "address", "figure", "figcaption", "caption", "thead", "tbody", "tfoot", "center",
    }
)  # fmt: skip
_SKIP = frozenset({"script", "style", "template", "xml"})
_CELL = frozenset({"td", "th"})
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "wbr", "source"})
_QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted", "protonmail_quote", "moz-cite-prefix")
_REST_IDS = ("divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container", "stopspelling")
_REST_CLASSES = ("outlookmessageheader",)
_QS, _QE, _REST = "\x00QS\x00", "\x00QE\x00", "\x00REST\x00"
_SPACES = re.compile(r"[ \t\u00a0\u200b\u2007\u202f]+")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.open_counts: dict[str, int] = {}
        self.quotes: list[tuple[str, int]] = []  # (tag, its open count when the quote began)
        self.links: list[tuple[str, int]] = []  # (href, position in out where its text began)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in _SKIP:
            self.skip += 1
            return
        if tag not in _VOID:
            self.open_counts[tag] = self.open_counts.get(tag, 0) + 1
        if tag in _BLOCK:
            self.out.append("\n")
        if tag in _CELL:
            self.out.append("\t")
        ident = a.get("id", "").lower().removeprefix("x_")
        cls = a.get("class", "").lower()
        if ident in _REST_IDS or any(c in cls for c in _REST_CLASSES):
            self.out.append(_REST)
        elif tag in ("div", "blockquote", "span") and _is_quote(tag, a, cls):
            self.quotes.append((tag, self.open_counts.get(tag, 0)))
            self.out.append(_QS)
        if tag == "img":
            label = a.get("alt") or a.get("title")
            if label:
                self.out.append(f" [image: {label}] ")
        elif tag == "a":
            self.links.append((a.get("href", ""), len(self.out)))
        elif tag == "input" and a.get("type", "text").lower() in ("text", "hidden", "") and a.get("value"):
            self.out.append(f" {a['value']} ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag == "a" and self.links:
            href, start = self.links.pop()
            text = "".join(self.out[start:])
            if _worth_showing(href, text):
                self.out.append(f" <{href.removeprefix('mailto:')}> ")
        if tag in _BLOCK:
            self.out.append("\n")
        count = self.open_counts.get(tag, 0)
        if count:
            if self.quotes and self.quotes[-1] == (tag, count):
                self.quotes.pop()
                self.out.append(_QE)
            self.open_counts[tag] = count - 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


def _is_quote(tag: str, attrs: dict[str, str], cls: str) -> bool:
    if attrs.get("type", "").lower() == "cite":
        return True
    if any(c in cls for c in _QUOTE_CLASSES):
        return True
    if tag == "blockquote":
        style = attrs.get("style", "").replace(" ", "").lower()
        return "border:none" not in style
    return False


def _worth_showing(href: str, text: str) -> bool:
    if not href or href.startswith(("#", "javascript:", "cid:")):
        return False
    target = href.removeprefix("mailto:")
    return target not in text


def html_to_text(html: str) -> tuple[str, str]:
    """(own text, quoted text) of an HTML body or document."""
    p = _TextParser()
    try:
        p.feed(html)
        p.close()
    except Exception:  # HTMLParser is tolerant; keep whatever was read before a failure
        pass
    raw = "".join(p.out)
    own: list[str] = []
    quoted: list[str] = []
    depth = 0
    rest = False
    for piece in re.split(f"({_QS}|{_QE}|{_REST})", raw):
        if piece == _QS:
            depth += 1
        elif piece == _QE:
            depth = max(0, depth - 1)
        elif piece == _REST:
            rest = True
        elif piece:
            (quoted if depth or rest else own).append(piece)
    return _squeeze("".join(own)), _squeeze("".join(quoted))


def _squeeze(text: str) -> str:
    out: list[str] = []
    for line in text.split("\n"):
        line = "\t".join(_SPACES.sub(" ", cell).strip() for cell in line.split("\t")).strip("\t ")
        if line:  # block ends and starts leave empty lines: drop them all
            out.append(line)
    return "\n".join(out)
