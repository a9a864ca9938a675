"""Plain text written by members, made safe to show: the one renderer for diaries, diary
comments, community topics and replies, and private messages.

Nothing a member typed is ever rendered as HTML: the text is cut into plain pieces and
links, every piece goes through markupsafe.escape, and the only tags added are the <br>
and <a> made here. Links follow one URL grammar and carry one `rel`; `>>N` reply links
are an option of the caller, which knows where reply N lives.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

# Every link to a member-written address: not followed by search engines, no window.opener,
# no Referer, and marked as user-generated content.
REL = "nofollow noopener noreferrer ugc"

# An http(s) address is made of the ASCII characters RFC 3986 allows, so a Japanese
# sentence right after it (…/page。です) is not part of it.
URL = r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+"
# Punctuation that usually closes a sentence rather than an address.
TRAILING = ".,;:!?'\")]"
# >>12, ＞＞１２ or ≫12: a pointer to reply 12 of the same thread.
REPLY_REF = r"(?:>>|＞＞|≫)(?P<number>[0-9０-９]{1,7})"

_TOKENS = re.compile(rf"(?P<url>{URL})|(?P<ref>{REPLY_REF})")

ReplyUrl = Callable[[int], "str | None"]


def _link(url: str) -> Markup:
    """An address as a link, less the sentence punctuation that follows it."""
    trimmed = url.rstrip(TRAILING)
    if trimmed.count("(") > trimmed.count(")") and url[len(trimmed) :].startswith(")"):
        trimmed += ")"  # an address with parentheses, e.g. a Wikipedia page
    link = Markup('<a href="{0}" rel="{1}">{0}</a>').format(trimmed, REL)
    return link + escape(url[len(trimmed) :])


def _reply_ref(ref: str, number: int, reply_url: ReplyUrl | None) -> Markup:
    url = reply_url(number) if reply_url else None
    if url is None:  # no replies here, or no such reply (yet)
        return escape(ref)
    return Markup('<a class="reply-ref" href="{}">{}</a>').format(url, ref)


def render_text(text: str, *, reply_url: ReplyUrl | None = None) -> Markup:
    """A member's text as HTML: escaped, each line break a <br>, http(s) addresses as
    links; with `reply_url`, `>>N` links to what it answers for N (None: left as text)."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")  # str(): Markup is escaped too
    parts: list[Markup] = []
    position = 0
    for found in _TOKENS.finditer(text):
        parts.append(escape(text[position : found.start()]))
        if found.group("url"):
            parts.append(_link(found.group("url")))
        else:
            number = int(found.group("number"))  # int() reads full-width digits too
            parts.append(_reply_ref(found.group("ref"), number, reply_url))
        position = found.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts).replace("\n", Markup("<br>\n"))
