"""Belonging to a community: join (or ask to), leave, the admins' answer to a request,
the member list, and a member's communities. member_count moves only in the transaction
of the membership row it counts (see queries.add_member)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ashiato import db
from ashiato.communities import queries
from ashiato.communities.service.errors import AdminCannotLeave, Banned, MemberNotFound
from ashiato.communities.service.forms import join_message
from ashiato.communities.service.people import Person, person
from ashiato.communities.service.permissions import (
    Standing,
    admin_id,
    community_or_404,
    require_manager,
    role_of,
    standing_in,
)
from ashiato.communities.tables import Community, JoinPolicy
from ashiato.friends import audience
from ashiato.members import Visibility, allows, require_active
from ashiato.members.tables import Member, MemberStatus
from ashiato.pagination import Pagination

MEMBERS_PAGE_SIZE = 60


async def join(
    member: Member, community_id: int, message: str = ""
) -> Literal["joined", "requested"]:
    """Join at once, or ask the admins ("requested") when they approve members."""
    community, standing = await standing_in(member, community_id, full=True)
    if standing.is_member:
        return "joined"
    if standing.banned:
        raise Banned()
    if community.join_policy == JoinPolicy.APPROVAL:
        await queries.insert_join_request(community.id, member.id, join_message(message))
        return "requested"
    async with db.transaction():
        await queries.add_member(community.id, member.id)
    return "joined"


async def leave(member: Member, community_id: int) -> None:
    """Leave (or withdraw a pending request). The admin hands the role over first."""
    require_active(member)
    community = await community_or_404(community_id)
    if admin_id(community) == member.id:
        raise AdminCannotLeave()
    async with db.transaction():
        await queries.remove_member(community.id, member.id)
        await queries.delete_join_request(community.id, member.id)


async def approve(actor: Member, community_id: int, member_id: int) -> None:
    """Admit someone who asked (a banned member's request is only dropped)."""
    community, standing = await standing_in(actor, community_id)
    require_manager(standing)
    async with db.transaction():
        if await queries.is_banned(community.id, member_id):
            await queries.delete_join_request(community.id, member_id)
            return
        if await queries.delete_join_request(community.id, member_id):
            await queries.add_member(community.id, member_id)


async def decline(actor: Member, community_id: int, member_id: int) -> None:
    community, standing = await standing_in(actor, community_id)
    require_manager(standing)
    await queries.delete_join_request(community.id, member_id)


@dataclass
class MemberList:
    community: Community
    standing: Standing
    members: list[Person]
    page: int
    has_next: bool

    @property
    def pager(self) -> Pagination:
        return Pagination(page=self.page, has_next=self.has_next)


async def member_list(viewer: Member, community_id: int, page: int = 1) -> MemberList:
    community, standing = await standing_in(viewer, community_id)
    page = max(1, page)
    rows = await queries.members_page(
        community.id, offset=(page - 1) * MEMBERS_PAGE_SIZE, limit=MEMBERS_PAGE_SIZE + 1
    )
    members = [
        person(r["id"], r["nickname"], r["status"], role_of(community, r["id"], r["role"]))
        for r in rows[:MEMBERS_PAGE_SIZE]
    ]
    return MemberList(community, standing, members, page, len(rows) > MEMBERS_PAGE_SIZE)


async def my_communities(member: Member, limit: int = 12) -> tuple[list[Community], int]:
    require_active(member)
    return (
        await queries.communities_of(member.id, limit=limit),
        await queries.community_count_of(member.id),
    )


async def _communities_of(
    viewer: Member, owner_id: int, owner_status: str, limit: int
) -> tuple[list[Community], int]:
    if owner_status == MemberStatus.WITHDRAWN:
        return [], 0
    if not allows(await audience.relation(viewer, owner_id), Visibility.EVERYONE):
        return [], 0
    return (
        await queries.communities_of(owner_id, limit=limit),
        await queries.community_count_of(owner_id),
    )


async def communities_of(
    viewer: Member, owner: Member, limit: int = 12
) -> tuple[list[Community], int]:
    """An owner's communities with their member counts, for anyone who may see the owner
    (the profile shows them; blocked members see nothing)."""
    return await _communities_of(viewer, owner.id, owner.status, limit)


async def communities_of_member(
    viewer: Member, owner_id: int
) -> tuple[Person, list[Community], int]:
    """The page listing all of a member's communities."""
    require_active(viewer)
    owner = await queries.member_row(owner_id)
    if owner is None:
        raise MemberNotFound()
    communities, total = await _communities_of(viewer, owner_id, owner["status"], 1000)
    return person(owner["id"], owner["nickname"], owner["status"]), communities, total
