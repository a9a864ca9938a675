"""Members' text in a thread: escaped, with >>N links to the reply on its page."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

REPLIES_PER_PAGE = 50  # fixed: >>N links compute the page of reply N from it

_LINKS = re.compile(
    r"(?P<ref>(?:>>|＞＞|≫)(?P<number>[0-9０-９]{1,7}))"
    r"|(?P<url>https?://[^\s<>\"'　、。「」（）]+)"
)


def page_of(number: int) -> int:
    return max(1, (number - 1) // REPLIES_PER_PAGE + 1)


def topic_url(community_id: int, topic_id: int) -> str:
    return f"/communities/{community_id}/topics/{topic_id}"


def reply_url(community_id: int, topic_id: int, number: int) -> str:
    return f"{topic_url(community_id, topic_id)}?page={page_of(number)}#reply-{number}"


def render_text(text: str, *, community_id: int, topic_id: int, last_number: int) -> Markup:
    """Members' text as HTML: everything escaped; `>>N` links to reply N on its page, web
    addresses are links, line breaks kept."""
    text = text.replace("\r\n", "\n")
    parts: list[Markup] = []
    position = 0
    for found in _LINKS.finditer(text):
        parts.append(escape(text[position : found.start()]))
        if found.group("ref"):
            number = int(found.group("number"))  # int() reads full-width digits too
            if 1 <= number <= last_number:
                parts.append(
                    Markup('<a class="reply-ref" href="{}">{}</a>').format(
                        reply_url(community_id, topic_id, number), found.group("ref")
                    )
                )
            else:
                parts.append(escape(found.group("ref")))
        else:
            url = found.group("url")
            parts.append(
                Markup('<a href="{}" rel="nofollow noopener noreferrer">{}</a>').format(url, url)
            )
        position = found.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts).replace("\n", Markup("<br>\n"))
