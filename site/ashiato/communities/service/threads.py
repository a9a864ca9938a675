"""A topic's thread: its pages of numbered replies, the live part, and the replies
themselves (post, edit, delete). A reply's number comes from the topic's counter in the
reply's own transaction, so concurrent replies never share one."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from markupsafe import Markup

from ashiato import db
from ashiato.communities import queries
from ashiato.communities.service import events
from ashiato.communities.service.errors import (
    ReplyNotDeletable,
    ReplyNotFound,
    TopicNotFound,
    WriterOnly,
)
from ashiato.communities.service.forms import now, reply_body
from ashiato.communities.service.people import Person, person_of
from ashiato.communities.service.permissions import (
    Standing,
    community_or_404,
    require_member,
    require_reader,
    standing_in,
    standing_of,
    topic_or_404,
)
from ashiato.communities.service.text import REPLIES_PER_PAGE, render_text
from ashiato.communities.tables import Community, Topic, TopicReply
from ashiato.members import require_active
from ashiato.members.tables import Member
from ashiato.pagination import Pagination

LIVE_REPLIES_LIMIT = 200  # at most this many new replies per poll


@dataclass
class ReplyView:
    number: int
    author: Person
    body: Markup
    created_at: dt.datetime
    edited: bool
    deleted: bool
    deleted_by_admin: bool
    can_edit: bool
    can_delete: bool


def _body(text: str, community: Community, topic: Topic) -> Markup:
    return render_text(
        text, community_id=community.id, topic_id=topic.id, last_number=topic.reply_count
    )


def _reply_views(
    replies: list[TopicReply], community: Community, topic: Topic, standing: Standing
) -> list[ReplyView]:
    views = []
    for reply in replies:
        deleted = reply.deleted_at is not None
        own = reply.author.id == standing.member_id  # type: ignore[attr-defined]
        views.append(
            ReplyView(
                number=reply.number,
                author=person_of(reply.author),  # type: ignore[arg-type]
                body=Markup("") if deleted else _body(reply.body, community, topic),
                created_at=reply.created_at,
                edited=reply.edited_at is not None,
                deleted=deleted,
                deleted_by_admin=reply.deleted_by_admin,
                can_edit=own and not deleted and bool(standing.member_id),
                can_delete=not deleted and (own or standing.is_manager),
            )
        )
    return views


@dataclass
class Thread:
    community: Community
    standing: Standing
    topic: Topic
    author: Person
    body: Markup
    replies: list[ReplyView]
    page: int
    pages: int
    participants: list[Person] = field(default_factory=list)
    is_participant: bool = False
    event_open: bool = False

    @property
    def is_last_page(self) -> bool:
        return self.page == self.pages

    @property
    def last_number(self) -> int:
        return self.topic.reply_count

    @property
    def can_reply(self) -> bool:
        return self.standing.is_member

    @property
    def can_edit_topic(self) -> bool:
        return self.topic.author.id == self.standing.member_id  # type: ignore[attr-defined]

    @property
    def can_delete_topic(self) -> bool:
        return self.can_edit_topic or self.standing.is_manager

    @property
    def pager(self) -> Pagination:
        return Pagination.numbered(self.page, self.pages)


def pages_for(reply_count: int) -> int:
    return max(1, math.ceil(reply_count / REPLIES_PER_PAGE))


async def _readable(viewer: Member, community_id: int, topic_id: int):
    community, standing = await standing_in(viewer, community_id)
    require_reader(community, standing)
    return community, standing, await topic_or_404(community, topic_id)


async def thread(
    viewer: Member, community_id: int, topic_id: int, page: int | None = None
) -> Thread:
    """One page of a topic's replies (page None: the newest page). Constant queries."""
    community, standing, topic = await _readable(viewer, community_id, topic_id)
    pages = pages_for(topic.reply_count)
    page = pages if page is None else min(max(1, page), pages)
    first = (page - 1) * REPLIES_PER_PAGE + 1
    replies = await queries.replies_between(topic.id, first, first + REPLIES_PER_PAGE - 1)
    result = Thread(
        community=community,
        standing=standing,
        topic=topic,
        author=person_of(topic.author),  # type: ignore[arg-type]
        body=_body(topic.body, community, topic),
        replies=_reply_views(replies, community, topic, standing),
        page=page,
        pages=pages,
    )
    if topic.is_event:
        attendance = await events.attendance(topic, viewer)
        result.participants = attendance.participants
        result.is_participant = attendance.is_participant
        result.event_open = attendance.open
    return result


@dataclass
class NewReplies:
    community: Community
    topic: Topic
    replies: list[ReplyView]
    last_number: int


async def replies_after(viewer: Member, community_id: int, topic_id: int, after: int) -> NewReplies:
    """Replies numbered after `after`, for the live thread (polling)."""
    community, standing, topic = await _readable(viewer, community_id, topic_id)
    replies = await queries.replies_after(topic.id, max(0, after), LIVE_REPLIES_LIMIT)
    views = _reply_views(replies, community, topic, standing)
    last = views[-1].number if views else max(0, min(after, topic.reply_count))
    return NewReplies(community, topic, views, last)


async def post_reply(author: Member, community_id: int, topic_id: int, body: str) -> int:
    """Post a reply; returns its number, taken from the topic's counter in the same
    transaction, so concurrent replies never share one."""
    community, standing = await standing_in(author, community_id)
    require_member(standing)
    topic = await topic_or_404(community, topic_id)
    body = reply_body(body)
    moment = now()
    async with db.transaction():
        number = await queries.next_reply_number(topic.id, moment)
        if number is None:
            raise TopicNotFound()
        await queries.insert_reply(
            topic=topic.id, number=number, author=author.id, body=body, created_at=moment
        )
    return number


async def _reply(community_id: int, topic_id: int, number: int):
    community = await community_or_404(community_id)
    topic = await topic_or_404(community, topic_id)
    reply = await queries.reply_by_number(topic.id, number)
    if reply is None:
        raise ReplyNotFound()
    return community, topic, reply


async def reply_for_editing(
    actor: Member, community_id: int, topic_id: int, number: int
) -> TopicReply:
    require_active(actor)
    reply = (await _reply(community_id, topic_id, number))[2]
    if reply.author.id != actor.id or reply.deleted_at is not None:  # type: ignore[attr-defined]
        raise WriterOnly()
    return reply


async def edit_reply(
    actor: Member, community_id: int, topic_id: int, number: int, body: str
) -> None:
    reply = await reply_for_editing(actor, community_id, topic_id, number)
    await queries.update_reply(reply.id, body=reply_body(body), edited_at=now())


async def delete_reply(actor: Member, community_id: int, topic_id: int, number: int) -> ReplyView:
    """The writer or an admin deletes a reply; its number stays, marked as deleted."""
    require_active(actor)
    community, topic, reply = await _reply(community_id, topic_id, number)
    standing = await standing_of(actor, community)
    own = reply.author.id == actor.id  # type: ignore[attr-defined]
    if not own and not standing.is_manager:
        raise ReplyNotDeletable()
    moment = now()
    if reply.deleted_at is None:
        await queries.update_reply(reply.id, deleted_at=moment, deleted_by_admin=not own)
        reply.deleted_at, reply.deleted_by_admin = moment, not own
    return _reply_views([reply], community, topic, standing)[0]
