"""Plain text from the HTML of a Deco-mail that came without a text/plain alternative."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements that start a new line when rendered; <br> is a line break of its own.
_BLOCKS = {
    "address", "blockquote", "center", "dd", "div", "dl", "dt", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "li", "ol", "p", "pre", "table", "tr", "ul",
}  # fmt: skip
_BREAKS = _BLOCKS | {"br"}
_INVISIBLE = {"head", "script", "style", "title"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE:
            self._hidden_depth += 1
        elif tag in _BREAKS:
            self.pieces.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self.pieces.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _BLOCKS:
            self.pieces.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            # Source line breaks are not line breaks in HTML: only tags make them.
            self.pieces.append(re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_text(html: str) -> str:
    """Visible text of an HTML body, one line per <br> or block, entities resolved."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    text = "".join(collector.pieces).replace("\xa0", " ")
    lines = [line.strip(" ") for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
