"""HTML to text for inspection: visible text, link targets and image alt text kept.

Scripts and styles are dropped; table cells are separated so that numbers
in neighbouring cells do not run together; block elements end lines.
"""

from __future__ import annotations

from html.parser import HTMLParser

_BLOCK = {
    "p",
    "div",
    "br",
    "tr",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "blockquote",
    "pre",
    "section",
    "article",
    "header",
    "footer",
    "ul",
    "ol",
    "dd",
    "dt",
    "hr",
    "title",
}
_SKIP = {"script", "style", "head", "noscript", "template"}
_CELL = {"td", "th"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.quote_depth = 0
        self.quoted_lines: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in _SKIP:
            self.skip += 1
            return
        if tag in _BLOCK:
            self.out.append("\n")
        if tag in _CELL:
            self.out.append(" \t ")
        if tag == "img" and a.get("alt"):
            self.out.append(f" [image: {a['alt']}] ")
        if tag == "a" and a.get("href", "") and not str(a.get("href", "")).startswith("#"):
            self._href = a.get("href")
        cls = (a.get("class") or "").lower()
        if tag == "blockquote" or "gmail_quote" in cls or "moz-cite-prefix" in cls or a.get("type") == "cite":
            self.out.append("\n\x00QSTART\x00\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag == "a" and getattr(self, "_href", None):
            href = self._href
            self._href = None
            if href and not href.startswith("mailto:"):
                self.out.append(f" <{href}> ")
        if tag == "blockquote":
            self.out.append("\n\x00QEND\x00\n")
        if tag in _BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    """(own text, quoted text) of an HTML body. Blockquotes count as quoted."""
    p = _TextParser()
    try:
        p.feed(html)
        p.close()
    except Exception:  # malformed HTML: keep what was read
        pass
    raw = "".join(p.out)
    own: list[str] = []
    quoted: list[str] = []
    depth = 0
    for line in raw.split("\n"):
        if line == "\x00QSTART\x00":
            depth += 1
            continue
        if line == "\x00QEND\x00":
            depth = max(0, depth - 1)
            continue
        line = " ".join(line.replace("\xa0", " ").split(" ")).rstrip()
        (quoted if depth else own).append(line)
    return _squeeze("\n".join(own)), _squeeze("\n".join(quoted))


def _squeeze(text: str) -> str:
    lines = [ln.strip() for ln in text.split("\n")]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    return "\n".join(out).strip()
