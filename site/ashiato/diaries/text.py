"""Plain text written by members, made safe to show: escaped, line breaks, linked URLs.

No raw HTML a member typed is ever rendered: every piece of the text goes through
markupsafe.escape, and only the <br> and <a> tags made here are added around the pieces.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# http(s) URLs of ASCII URL characters: a Japanese sentence right after a URL is not part of it.
URL_RE = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
# Punctuation that usually closes a sentence rather than a URL.
TRAILING = ".,;:!?'\")]"


def _link(url: str) -> Markup:
    trimmed = url.rstrip(TRAILING)
    if trimmed.count("(") > trimmed.count(")") and url[len(trimmed) :].startswith(")"):
        trimmed += ")"  # a URL with parentheses, e.g. a Wikipedia page
    rest = url[len(trimmed) :]
    link = Markup('<a href="{0}" rel="nofollow noopener" target="_blank">{0}</a>').format(trimmed)
    return link + escape(rest)


def _line(line: str) -> Markup:
    pieces: list[Markup] = []
    position = 0
    for found in URL_RE.finditer(line):
        pieces.append(escape(line[position : found.start()]))
        pieces.append(_link(found.group(0)))
        position = found.end()
    pieces.append(escape(line[position:]))
    return Markup("").join(pieces)


def render_body(text: str) -> Markup:
    """A member's text as HTML: escaped, each line break a <br>, http(s) URLs as links."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return Markup("<br>\n").join(_line(line) for line in lines)
