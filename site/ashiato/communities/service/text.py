"""Members' text in a thread: the site's text renderer, with >>N links to the reply on its page."""

from __future__ import annotations

from markupsafe import Markup

from ashiato.text import render_text as render_member_text

REPLIES_PER_PAGE = 50  # fixed: >>N links compute the page of reply N from it


def page_of(number: int) -> int:
    return max(1, (number - 1) // REPLIES_PER_PAGE + 1)


def topic_url(community_id: int, topic_id: int) -> str:
    return f"/communities/{community_id}/topics/{topic_id}"


def reply_url(community_id: int, topic_id: int, number: int) -> str:
    return f"{topic_url(community_id, topic_id)}?page={page_of(number)}#reply-{number}"


def render_text(text: str, *, community_id: int, topic_id: int, last_number: int) -> Markup:
    """Members' text as HTML (ashiato.text): `>>N` links to reply N on its page while
    reply N exists."""

    def link(number: int) -> str | None:
        return reply_url(community_id, topic_id, number) if 1 <= number <= last_number else None

    return render_member_text(text, reply_url=link)
