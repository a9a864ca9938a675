"""Keeping a community in order: its admins remove and ban members, and read and resolve
what members report to them about a topic or a reply."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ashiato import db
from ashiato.communities import queries
from ashiato.communities.service.errors import NotBannable, NotRemovable, ReplyNotFound
from ashiato.communities.service.forms import now, report_reason
from ashiato.communities.service.people import Person, people, person
from ashiato.communities.service.permissions import (
    Standing,
    may_moderate,
    require_manager,
    require_reader,
    role_of,
    standing_in,
    topic_or_404,
)
from ashiato.communities.service.text import reply_url, topic_url
from ashiato.communities.tables import Community
from ashiato.errors import PermissionDenied
from ashiato.members.tables import Member


async def _moderated(
    actor: Member, community_id: int, member_id: int, refusal: type[PermissionDenied]
) -> Community:
    """The community, if the actor manages it and may act on this member."""
    community, standing = await standing_in(actor, community_id)
    require_manager(standing)
    target = await queries.target(community.id, member_id)
    role = role_of(community, member_id, target["role"] if target else "")
    if not may_moderate(standing, role, member_id):
        raise refusal()
    return community


async def remove_member(actor: Member, community_id: int, member_id: int) -> None:
    community = await _moderated(actor, community_id, member_id, NotRemovable)
    async with db.transaction():
        await queries.remove_member(community.id, member_id)


async def ban(actor: Member, community_id: int, member_id: int) -> None:
    """Remove the member (or their request) and keep them from joining again."""
    community = await _moderated(actor, community_id, member_id, NotBannable)
    async with db.transaction():
        await queries.remove_member(community.id, member_id)
        await queries.delete_join_request(community.id, member_id)
        await queries.insert_ban(community.id, member_id, actor.id)


async def unban(actor: Member, community_id: int, member_id: int) -> None:
    community, standing = await standing_in(actor, community_id)
    require_manager(standing)
    await queries.delete_ban(community.id, member_id)


# -- reports to the community's admins ---------------------------------------------------


async def report(
    reporter: Member, community_id: int, topic_id: int, number: int | None, reason: str
) -> None:
    """Tell the community's admins about a topic or a reply (any reader may)."""
    community, standing = await standing_in(reporter, community_id)
    require_reader(community, standing)
    reason = report_reason(reason)
    topic = await topic_or_404(community, topic_id)
    reply_id = None
    if number is not None:
        reply = await queries.reply_by_number(topic.id, number)
        if reply is None:
            raise ReplyNotFound()
        reply_id = reply.id
    await queries.insert_report(
        community=community.id,
        reporter=reporter.id,
        topic=None if reply_id else topic.id,
        reply=reply_id,
        reason=reason,
    )


async def resolve_report(actor: Member, community_id: int, report_id: int) -> None:
    community, standing = await standing_in(actor, community_id)
    require_manager(standing)
    await queries.resolve_report(community.id, report_id, now())


@dataclass(frozen=True)
class JoinRequestView:
    person: Person
    message: str
    created_at: dt.datetime


@dataclass(frozen=True)
class ReportView:
    id: int
    reason: str
    created_at: dt.datetime
    reporter: Person
    title: str
    url: str
    reply_number: int | None


def _report_view(community_id: int, row: queries.ReportRow) -> ReportView:
    topic_id = row["topic_id"] or row["reply_topic_id"] or 0
    number = row["reply_number"]
    return ReportView(
        id=row["id"],
        reason=row["reason"],
        created_at=row["created_at"],
        reporter=person(row["reporter_id"], row["reporter_nickname"], row["reporter_status"]),
        title=row["topic_title"] or row["reply_topic_title"] or "",
        url=(
            reply_url(community_id, topic_id, number)
            if number
            else topic_url(community_id, topic_id)
        ),
        reply_number=number,
    )


@dataclass
class ManagePage:
    community: Community
    standing: Standing
    requests: list[JoinRequestView]
    reports: list[ReportView]
    bans: list[Person]


async def manage_page(actor: Member, community_id: int) -> ManagePage:
    """Requests to join, open reports and bans, for the community's admins."""
    community, standing = await standing_in(actor, community_id)
    require_manager(standing)
    requests = [
        JoinRequestView(person(r["id"], r["nickname"], r["status"]), r["message"], r["created_at"])
        for r in await queries.join_requests(community.id)
    ]
    reports = [_report_view(community.id, r) for r in await queries.open_reports(community.id)]
    return ManagePage(
        community, standing, requests, reports, people(await queries.bans(community.id))
    )
