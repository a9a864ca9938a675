"""BBS topics (and events, which are topics with a date): start, edit, delete, list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ashiato.communities import queries
from ashiato.communities.commands import TopicForm
from ashiato.communities.service.errors import TopicNotDeletable, WriterOnly
from ashiato.communities.service.forms import now, topic_values
from ashiato.communities.service.people import Person, person_of
from ashiato.communities.service.permissions import (
    Standing,
    can_start_topic,
    community_or_404,
    require_reader,
    require_topic_starter,
    standing_in,
    topic_or_404,
)
from ashiato.communities.tables import Community, Topic
from ashiato.members import can_act, require_active
from ashiato.members.tables import Member
from ashiato.pagination import Pagination

TOPICS_PER_PAGE = 50


@dataclass
class TopicSummary:
    id: int
    title: str
    author: Person
    is_event: bool
    reply_count: int
    last_posted_at: dt.datetime
    event_at: dt.datetime | None = None


def summaries(topics: list[Topic]) -> list[TopicSummary]:
    return [
        TopicSummary(
            id=t.id,
            title=t.title,
            author=person_of(t.author),  # type: ignore[arg-type]
            is_event=t.is_event,
            reply_count=t.reply_count,
            last_posted_at=t.last_posted_at,
            event_at=t.event_at,
        )
        for t in topics
    ]


@dataclass
class TopicList:
    community: Community
    standing: Standing
    topics: list[TopicSummary]
    page: int
    has_next: bool
    can_start_topic: bool

    @property
    def pager(self) -> Pagination:
        return Pagination(page=self.page, has_next=self.has_next)


async def topic_list(viewer: Member, community_id: int, page: int = 1) -> TopicList:
    community, standing = await standing_in(viewer, community_id)
    require_reader(community, standing)
    page = max(1, page)
    topics = await queries.recent_topics(
        community.id, offset=(page - 1) * TOPICS_PER_PAGE, limit=TOPICS_PER_PAGE + 1
    )
    return TopicList(
        community,
        standing,
        summaries(topics[:TOPICS_PER_PAGE]),
        page,
        len(topics) > TOPICS_PER_PAGE,
        can_start_topic(community, standing),
    )


async def community_for_new_topic(author: Member, community_id: int) -> Community:
    """The community, if the member may start a topic in it (for the form)."""
    community, standing = await standing_in(author, community_id)
    require_topic_starter(community, standing)
    return community


async def start_topic(author: Member, community_id: int, form: TopicForm) -> Topic:
    """A topic, or an event when the form says so (is_event "1")."""
    community = await community_for_new_topic(author, community_id)
    is_event = form.is_event == "1"
    values = topic_values(form, is_event=is_event, check_future=True)
    moment = now()
    return await queries.insert_topic(
        community=community.id,
        author=author.id,
        is_event=is_event,
        created_at=moment,
        last_posted_at=moment,
        **values.columns(is_event=is_event),
    )


async def topic_for_editing(actor: Member, community_id: int, topic_id: int) -> Topic:
    require_active(actor)
    topic = await topic_or_404(await community_or_404(community_id), topic_id)
    if topic.author.id != actor.id:  # type: ignore[attr-defined]
        raise WriterOnly()
    return topic


async def edit_topic(actor: Member, community_id: int, topic_id: int, form: TopicForm) -> None:
    """Only the writer edits (admins may delete, not rewrite, what others wrote)."""
    topic = await topic_for_editing(actor, community_id, topic_id)
    values = topic_values(form, is_event=topic.is_event, check_future=False)
    await queries.update_topic(topic.id, edited_at=now(), **values.columns(is_event=topic.is_event))


async def delete_topic(actor: Member, community_id: int, topic_id: int) -> None:
    community, standing = await standing_in(actor, community_id)
    topic = await topic_or_404(community, topic_id)
    if topic.author.id != actor.id and not standing.is_manager:  # type: ignore[attr-defined]
        raise TopicNotDeletable()
    await queries.delete_topic(topic.id)


@dataclass
class LatestTopic:
    id: int
    title: str
    community_id: int
    community_name: str
    reply_count: int
    last_posted_at: dt.datetime
    is_event: bool


async def latest_topics_in_my_communities(member: Member, limit: int = 10) -> list[LatestTopic]:
    """Home's "latest topics in my communities": one query whatever the number."""
    if not can_act(member):
        return []
    topics = await queries.latest_topics_in_communities_of(member.id, limit)
    return [
        LatestTopic(
            id=t.id,
            title=t.title,
            community_id=t.community.id,  # type: ignore[attr-defined]
            community_name=t.community.name,  # type: ignore[attr-defined]
            reply_count=t.reply_count,
            last_posted_at=t.last_posted_at,
            is_event=t.is_event,
        )
        for t in topics
    ]
