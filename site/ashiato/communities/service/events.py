"""Events (オフ会): topics with a date, a deadline and participants."""

from __future__ import annotations

from dataclasses import dataclass, field

from ashiato import db
from ashiato.communities import queries
from ashiato.communities.service.errors import EventClosed, EventNotFound, EventPast
from ashiato.communities.service.forms import now
from ashiato.communities.service.people import Person, people
from ashiato.communities.service.permissions import (
    community_or_404,
    require_member,
    standing_in,
    topic_or_404,
)
from ashiato.communities.tables import Community, Topic
from ashiato.members import require_active
from ashiato.members.tables import Member


def is_open(topic: Topic) -> bool:
    """Members may join until the deadline (the event's start when none was set)."""
    deadline = topic.event_deadline or topic.event_at
    return deadline is not None and now() <= deadline


@dataclass
class Attendance:
    participants: list[Person] = field(default_factory=list)
    is_participant: bool = False
    open: bool = False


async def attendance(topic: Topic, viewer: Member) -> Attendance:
    """Who takes part in the event, whether the viewer does, whether it is still open."""
    participants = people(await queries.participants(topic.id))
    return Attendance(participants, any(p.id == viewer.id for p in participants), is_open(topic))


async def upcoming(community: Community) -> list[Topic]:
    return await queries.upcoming_events(community.id, now())


async def _event(community: Community, topic_id: int) -> Topic:
    topic = await topic_or_404(community, topic_id)
    if not topic.is_event:
        raise EventNotFound()
    return topic


async def join_event(member: Member, community_id: int, topic_id: int) -> None:
    community, standing = await standing_in(member, community_id)
    require_member(standing)
    topic = await _event(community, topic_id)
    if not is_open(topic):
        raise EventClosed()
    async with db.transaction():
        await queries.add_participant(topic.id, member.id)


async def leave_event(member: Member, community_id: int, topic_id: int) -> None:
    require_active(member)
    topic = await _event(await community_or_404(community_id), topic_id)
    if topic.event_at is not None and topic.event_at <= now():
        raise EventPast()
    async with db.transaction():
        await queries.remove_participant(topic.id, member.id)
