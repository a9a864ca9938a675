"""What members may report of communities: a community, and a BBS topic in one.

The community page and the thread are the gates (`communities.community_page`,
`threads.thread`): a topic of a members-only community can be reported by its members
only, like it can be read. A topic is found with this feature's own query (its community).
Replies keep their own report form, to the community's admins (`moderation.report`).
"""

from __future__ import annotations

from ashiato.communities import queries
from ashiato.communities.service import communities, threads
from ashiato.communities.service.errors import TopicNotFound
from ashiato.errors import PermissionDenied
from ashiato.i18n import lazy_gettext
from ashiato.members.tables import Member
from ashiato.registry import ReportedItem, ReportTarget


async def resolve_community(reporter: Member, community_id: int) -> ReportedItem:
    page = await communities.community_page(reporter, community_id)
    community = page.community
    return ReportedItem(
        url=f"/communities/{community.id}",
        excerpt=f"{community.name} {community.description}",
        author_id=page.admin.id,
    )


async def resolve_topic(reporter: Member, topic_id: int) -> ReportedItem:
    topic = await queries.topic_with_author(topic_id)
    if topic is None:
        raise TopicNotFound()
    try:
        thread = await threads.thread(reporter, topic.community, topic.id, page=1)
    except PermissionDenied as refused:
        raise TopicNotFound() from refused
    return ReportedItem(
        url=f"/communities/{thread.community.id}/topics/{thread.topic.id}",
        excerpt=f"{thread.topic.title} {thread.topic.body}",
        author_id=thread.author.id,
    )


REPORT_TARGETS = (
    ReportTarget("community", lazy_gettext("Community"), resolve_community),
    ReportTarget("bbs_topic", lazy_gettext("Topic"), resolve_topic),
)
