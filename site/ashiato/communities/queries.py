"""Every query of communities; nothing else touches these tables.

Counters move only with `SET x = x ± 1` right after the child row really changed (an
INSERT … ON CONFLICT DO NOTHING that returned a row, a DELETE … RETURNING that removed
one), inside the caller's transaction: never read, add and write back in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TypedDict

from piccolo.columns.combination import WhereRaw

from ashiato.communities.tables import (
    Community,
    CommunityBan,
    CommunityMembership,
    CommunityReport,
    EventParticipant,
    JoinRequest,
    Role,
    Topic,
    TopicReply,
)
from ashiato.members.tables import Member

# -- typed rows (what the selects below return) -------------------------------------------


class MemberRow(TypedDict):
    """A member as a join selects them: enough to name them (withdrawn ones anonymously)."""

    id: int
    nickname: str
    status: str


class MembershipRow(MemberRow):
    role: str
    joined_at: dt.datetime


class JoinRequestRow(MemberRow):
    message: str
    created_at: dt.datetime


class BanRow(MemberRow):
    created_at: dt.datetime


class TargetRow(TypedDict):
    """A member some action is aimed at, within one community."""

    role: str  # member or sub_admin (the admin is Community.admin)
    status: str  # MemberStatus


class ReportRow(TypedDict):
    """A report on a topic (topic_*) or on a reply (reply_*), with its reporter."""

    id: int
    reason: str
    created_at: dt.datetime
    reporter_id: int
    reporter_nickname: str
    reporter_status: str
    topic_id: int | None
    topic_title: str | None
    reply_number: int | None
    reply_topic_id: int | None
    reply_topic_title: str | None


# -- members (the kernel's table, read for what communities show) -------------------------


async def member_row(member_id: int) -> MemberRow | None:
    """A member's id, nickname and status (the page of their communities names them)."""
    return (
        await Member.select(Member.id, Member.nickname, Member.status)
        .where(Member.id == member_id)
        .first()
    )  # type: ignore[return-value]


async def demo_people(emails: Iterable[str]) -> dict[str, Member]:
    """The demo's named members by PC address (one query; the demo made them already)."""
    found = await Member.objects().where(Member.pc_email.is_in(sorted(set(emails))))
    return {member.pc_email: member for member in found}


# -- communities -------------------------------------------------------------------------


async def insert_community(**values: object) -> Community:
    community = Community(**values)
    await community.save()
    return community


async def update_community(community_id: int, **values: object) -> None:
    await Community.update({getattr(Community, k): v for k, v in values.items()}).where(
        Community.id == community_id
    )


async def community_with_admin(community_id: int) -> Community | None:
    """The community and its admin (one query: the page names the 管理人)."""
    return await Community.objects(Community.admin).where(Community.id == community_id).first()


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def browse(
    *,
    words: Sequence[str] = (),
    category: str = "",
    order: str = "members",
    offset: int = 0,
    limit: int = 30,
) -> list[Community]:
    """Communities matching every word (in search_text), in a category, by size or newest.

    A LIKE over the folded name and description finds 2-character Japanese words (二郎),
    which SQLite's FTS5 trigram cannot; communities number in the thousands, not millions.
    """
    query = Community.objects()
    for word in words:
        query = query.where(WhereRaw("search_text LIKE {} ESCAPE '\\'", _like_pattern(word)))
    if category:
        query = query.where(Community.category == category)
    if order == "newest":
        query = query.order_by(Community.created_at, Community.id, ascending=False)
    else:
        query = query.order_by(Community.member_count, Community.id, ascending=False)
    return await query.offset(offset).limit(limit)


async def communities_of(member_id: int, *, offset: int = 0, limit: int = 30) -> list[Community]:
    """The communities a member belongs to, most recently joined first (one query)."""
    memberships = (
        await CommunityMembership.objects(CommunityMembership.community)
        .where(CommunityMembership.member == member_id)
        .order_by(CommunityMembership.joined_at, CommunityMembership.id, ascending=False)
        .offset(offset)
        .limit(limit)
    )
    return [membership.community for membership in memberships]


async def community_count_of(member_id: int) -> int:
    return await CommunityMembership.count().where(CommunityMembership.member == member_id)


# -- membership --------------------------------------------------------------------------


async def membership(community_id: int, member_id: int) -> CommunityMembership | None:
    return (
        await CommunityMembership.objects()
        .where(
            CommunityMembership.community == community_id,
            CommunityMembership.member == member_id,
        )
        .first()
    )


async def add_member(community_id: int, member_id: int, role: str = Role.MEMBER) -> bool:
    """Insert the membership unless it exists; count it only if inserted. Call inside a
    transaction so the row and the count change together."""
    inserted = await (
        CommunityMembership.insert(
            CommunityMembership(community=community_id, member=member_id, role=role)
        )
        .on_conflict(action="DO NOTHING")
        .returning(CommunityMembership.id)
    )
    if inserted:
        await Community.update({Community.member_count: Community.member_count + 1}).where(
            Community.id == community_id
        )
    return bool(inserted)


async def remove_member(community_id: int, member_id: int) -> bool:
    """Delete the membership if it exists; uncount it only if deleted (in a transaction)."""
    deleted = await (
        CommunityMembership.delete()
        .where(
            CommunityMembership.community == community_id,
            CommunityMembership.member == member_id,
        )
        .returning(CommunityMembership.id)
    )
    if deleted:
        await Community.update({Community.member_count: Community.member_count - 1}).where(
            Community.id == community_id
        )
    return bool(deleted)


async def set_role(community_id: int, member_id: int, role: str) -> None:
    await CommunityMembership.update({CommunityMembership.role: role}).where(
        CommunityMembership.community == community_id, CommunityMembership.member == member_id
    )


async def replace_admin(community_id: int, expected_admin_id: int, new_admin_id: int) -> bool:
    """Hand the role over only if the admin is still who the caller saw (first come wins)."""
    changed = await (
        Community.update({Community.admin: new_admin_id})
        .where(Community.id == community_id, Community.admin == expected_admin_id)
        .returning(Community.id)
    )
    return bool(changed)


async def members_page(community_id: int, *, offset: int, limit: int) -> list[MembershipRow]:
    """Members with their names and roles, newest first (one query with a join)."""
    return (
        await CommunityMembership.select(
            CommunityMembership.member.id.as_alias("id"),
            CommunityMembership.member.nickname.as_alias("nickname"),
            CommunityMembership.member.status.as_alias("status"),
            CommunityMembership.role,
            CommunityMembership.joined_at,
        )
        .where(CommunityMembership.community == community_id)
        .order_by(CommunityMembership.joined_at, CommunityMembership.id, ascending=False)
        .offset(offset)
        .limit(limit)
    )  # type: ignore[return-value]


async def target(community_id: int, member_id: int) -> TargetRow | None:
    """The role and status of a member an admin acts on (None: not a member)."""
    return (
        await CommunityMembership.select(
            CommunityMembership.role,
            CommunityMembership.member.status.as_alias("status"),
        )
        .where(
            CommunityMembership.community == community_id,
            CommunityMembership.member == member_id,
        )
        .first()
    )  # type: ignore[return-value]


async def sub_admins(community_id: int) -> list[MemberRow]:
    return await CommunityMembership.select(  # type: ignore[return-value]
        CommunityMembership.member.id.as_alias("id"),
        CommunityMembership.member.nickname.as_alias("nickname"),
        CommunityMembership.member.status.as_alias("status"),
    ).where(
        CommunityMembership.community == community_id,
        CommunityMembership.role == Role.SUB_ADMIN,
    )


async def member_count(community_id: int) -> int:
    """Count the rows (for tests and checks; pages show Community.member_count)."""
    return await CommunityMembership.count().where(CommunityMembership.community == community_id)


# -- join requests and bans --------------------------------------------------------------


async def insert_join_request(community_id: int, member_id: int, message: str) -> bool:
    inserted = await (
        JoinRequest.insert(JoinRequest(community=community_id, member=member_id, message=message))
        .on_conflict(action="DO NOTHING")
        .returning(JoinRequest.id)
    )
    return bool(inserted)


async def delete_join_request(community_id: int, member_id: int) -> bool:
    deleted = await (
        JoinRequest.delete()
        .where(JoinRequest.community == community_id, JoinRequest.member == member_id)
        .returning(JoinRequest.id)
    )
    return bool(deleted)


async def has_join_request(community_id: int, member_id: int) -> bool:
    return await JoinRequest.exists().where(
        JoinRequest.community == community_id, JoinRequest.member == member_id
    )


async def join_requests(community_id: int, limit: int = 200) -> list[JoinRequestRow]:
    return (
        await JoinRequest.select(
            JoinRequest.member.id.as_alias("id"),
            JoinRequest.member.nickname.as_alias("nickname"),
            JoinRequest.member.status.as_alias("status"),
            JoinRequest.message,
            JoinRequest.created_at,
        )
        .where(JoinRequest.community == community_id)
        .order_by(JoinRequest.created_at)
        .limit(limit)
    )  # type: ignore[return-value]


async def insert_ban(community_id: int, member_id: int, banned_by: int) -> None:
    await (
        CommunityBan.insert(
            CommunityBan(community=community_id, member=member_id, banned_by=banned_by)
        )
        .on_conflict(action="DO NOTHING")
        .returning(CommunityBan.id)
    )


async def delete_ban(community_id: int, member_id: int) -> bool:
    deleted = await (
        CommunityBan.delete()
        .where(CommunityBan.community == community_id, CommunityBan.member == member_id)
        .returning(CommunityBan.id)
    )
    return bool(deleted)


async def is_banned(community_id: int, member_id: int) -> bool:
    return await CommunityBan.exists().where(
        CommunityBan.community == community_id, CommunityBan.member == member_id
    )


async def bans(community_id: int, limit: int = 200) -> list[BanRow]:
    return (
        await CommunityBan.select(
            CommunityBan.member.id.as_alias("id"),
            CommunityBan.member.nickname.as_alias("nickname"),
            CommunityBan.member.status.as_alias("status"),
            CommunityBan.created_at,
        )
        .where(CommunityBan.community == community_id)
        .order_by(CommunityBan.created_at, ascending=False)
        .limit(limit)
    )  # type: ignore[return-value]


# -- topics and replies ------------------------------------------------------------------


async def insert_topic(**values: object) -> Topic:
    topic = Topic(**values)
    await topic.save()
    return topic


async def update_topic(topic_id: int, **values: object) -> None:
    await Topic.update({getattr(Topic, k): v for k, v in values.items()}).where(
        Topic.id == topic_id
    )


async def delete_topic(topic_id: int) -> None:
    """Replies, participants and reports go with it (ON DELETE CASCADE)."""
    await Topic.delete().where(Topic.id == topic_id)


async def topic_with_author(topic_id: int) -> Topic | None:
    return await Topic.objects(Topic.author).where(Topic.id == topic_id).first()


async def recent_topics(community_id: int, *, offset: int = 0, limit: int = 20) -> list[Topic]:
    """Topics by latest activity, with their authors (one query)."""
    return (
        await Topic.objects(Topic.author)
        .where(Topic.community == community_id)
        .order_by(Topic.last_posted_at, Topic.id, ascending=False)
        .offset(offset)
        .limit(limit)
    )


async def upcoming_events(community_id: int, now: dt.datetime, limit: int = 5) -> list[Topic]:
    return (
        await Topic.objects()
        .where(Topic.community == community_id, Topic.is_event.eq(True), Topic.event_at >= now)
        .order_by(Topic.event_at)
        .limit(limit)
    )


async def latest_topics_in_communities_of(member_id: int, limit: int = 10) -> list[Topic]:
    """The newest activity in the member's communities, with each community (one query)."""
    mine = CommunityMembership.select(CommunityMembership.community).where(
        CommunityMembership.member == member_id
    )
    return (
        await Topic.objects(Topic.community)
        .where(Topic.community.is_in(mine))
        .order_by(Topic.last_posted_at, Topic.id, ascending=False)
        .limit(limit)
    )


async def next_reply_number(topic_id: int, now: dt.datetime) -> int | None:
    """Take the topic's next reply number (row-locked by the UPDATE; call in a transaction)."""
    rows = await (
        Topic.update({Topic.reply_count: Topic.reply_count + 1, Topic.last_posted_at: now})
        .where(Topic.id == topic_id)
        .returning(Topic.reply_count)
    )
    return rows[0]["reply_count"] if rows else None


async def insert_reply(**values: object) -> TopicReply:
    reply = TopicReply(**values)
    await reply.save()
    return reply


async def update_reply(reply_id: int, **values: object) -> None:
    await TopicReply.update({getattr(TopicReply, k): v for k, v in values.items()}).where(
        TopicReply.id == reply_id
    )


async def reply_by_number(topic_id: int, number: int) -> TopicReply | None:
    return (
        await TopicReply.objects(TopicReply.author)
        .where(TopicReply.topic == topic_id, TopicReply.number == number)
        .first()
    )


async def replies_between(topic_id: int, first: int, last: int) -> list[TopicReply]:
    """Replies first..last with their authors: a range read on (topic, number)."""
    return (
        await TopicReply.objects(TopicReply.author)
        .where(TopicReply.topic == topic_id, TopicReply.number >= first, TopicReply.number <= last)
        .order_by(TopicReply.number)
    )


async def replies_after(topic_id: int, after: int, limit: int) -> list[TopicReply]:
    return (
        await TopicReply.objects(TopicReply.author)
        .where(TopicReply.topic == topic_id, TopicReply.number > after)
        .order_by(TopicReply.number)
        .limit(limit)
    )


# -- events ------------------------------------------------------------------------------


async def add_participant(topic_id: int, member_id: int) -> bool:
    inserted = await (
        EventParticipant.insert(EventParticipant(topic=topic_id, member=member_id))
        .on_conflict(action="DO NOTHING")
        .returning(EventParticipant.id)
    )
    if inserted:
        await Topic.update({Topic.participant_count: Topic.participant_count + 1}).where(
            Topic.id == topic_id
        )
    return bool(inserted)


async def remove_participant(topic_id: int, member_id: int) -> bool:
    deleted = await (
        EventParticipant.delete()
        .where(EventParticipant.topic == topic_id, EventParticipant.member == member_id)
        .returning(EventParticipant.id)
    )
    if deleted:
        await Topic.update({Topic.participant_count: Topic.participant_count - 1}).where(
            Topic.id == topic_id
        )
    return bool(deleted)


async def participants(topic_id: int, limit: int = 500) -> list[MemberRow]:
    return (
        await EventParticipant.select(
            EventParticipant.member.id.as_alias("id"),
            EventParticipant.member.nickname.as_alias("nickname"),
            EventParticipant.member.status.as_alias("status"),
        )
        .where(EventParticipant.topic == topic_id)
        .order_by(EventParticipant.joined_at, EventParticipant.id)
        .limit(limit)
    )  # type: ignore[return-value]


# -- reports -----------------------------------------------------------------------------


async def insert_report(**values: object) -> CommunityReport:
    report = CommunityReport(**values)
    await report.save()
    return report


async def open_reports(community_id: int, limit: int = 200) -> list[ReportRow]:
    return (
        await CommunityReport.select(
            CommunityReport.id,
            CommunityReport.reason,
            CommunityReport.created_at,
            CommunityReport.reporter.id.as_alias("reporter_id"),
            CommunityReport.reporter.nickname.as_alias("reporter_nickname"),
            CommunityReport.reporter.status.as_alias("reporter_status"),
            CommunityReport.topic.id.as_alias("topic_id"),
            CommunityReport.topic.title.as_alias("topic_title"),
            CommunityReport.reply.number.as_alias("reply_number"),
            CommunityReport.reply.topic.id.as_alias("reply_topic_id"),
            CommunityReport.reply.topic.title.as_alias("reply_topic_title"),
        )
        .where(CommunityReport.community == community_id, CommunityReport.resolved_at.is_null())
        .order_by(CommunityReport.created_at)
        .limit(limit)
    )  # type: ignore[return-value]


async def resolve_report(community_id: int, report_id: int, now: dt.datetime) -> bool:
    rows = await (
        CommunityReport.update({CommunityReport.resolved_at: now})
        .where(
            CommunityReport.id == report_id,
            CommunityReport.community == community_id,
            CommunityReport.resolved_at.is_null(),
        )
        .returning(CommunityReport.id)
    )
    return bool(rows)


# -- bulk, for the demo ------------------------------------------------------------------


async def insert_members_in_bulk(rows: Iterable[dict], batch: int = 200) -> list[int]:
    """Demo members in batches (one INSERT per batch); returns their ids."""
    ids: list[int] = []
    pending: list[Member] = []
    for values in rows:
        pending.append(Member(**values))
        if len(pending) >= batch:
            ids += [row["id"] for row in await Member.insert(*pending).returning(Member.id)]
            pending = []
    if pending:
        ids += [row["id"] for row in await Member.insert(*pending).returning(Member.id)]
    return ids


async def add_members_in_bulk(community_id: int, member_ids: Sequence[int], batch: int = 500):
    """Memberships in batches, then the count from the rows (demo only; in a transaction)."""
    for start in range(0, len(member_ids), batch):
        chunk = member_ids[start : start + batch]
        await CommunityMembership.insert(
            *(CommunityMembership(community=community_id, member=m) for m in chunk)
        ).on_conflict(action="DO NOTHING")
    total = await member_count(community_id)
    await Community.update({Community.member_count: total}).where(Community.id == community_id)


async def insert_replies_in_bulk(topic_id: int, rows: Sequence[dict], batch: int = 500) -> None:
    """Replies numbered after the topic's counter, which moves by the same amount."""
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        await TopicReply.insert(*(TopicReply(topic=topic_id, **values) for values in chunk))
    last = max((values["number"] for values in rows), default=0)
    await Topic.update({Topic.reply_count: last}).where(Topic.id == topic_id)
