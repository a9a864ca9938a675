"""Who runs a community: sub-admins (副管理人), handing the admin role (管理人) over, and
members taking it over once the admin withdrew. The admin changes only by a compare-and-set
on Community.admin, so two members claiming at once cannot both win."""

from __future__ import annotations

from ashiato import db
from ashiato.communities import queries
from ashiato.communities.service.errors import (
    AdminTaken,
    CannotTakeRole,
    HasAdmin,
    NoLongerAdmin,
    NotMemberForAdmin,
    NotMemberForSubAdmin,
)
from ashiato.communities.service.permissions import (
    admin_id,
    can_claim_admin,
    require_admin,
    standing_in,
)
from ashiato.communities.tables import Community, Role
from ashiato.members.tables import Member, MemberStatus


async def _member_for_role(
    community: Community, member_id: int, not_member: type[Exception], *, taking_on: bool
) -> None:
    """The member a role goes to (or is taken from) must belong to the community, and be
    active to take one on."""
    target = (
        None if member_id == admin_id(community) else await queries.target(community.id, member_id)
    )
    if target is None:
        raise not_member()
    if taking_on and target["status"] != MemberStatus.ACTIVE:
        raise CannotTakeRole()


async def set_sub_admin(actor: Member, community_id: int, member_id: int, on: bool) -> None:
    community, standing = await standing_in(actor, community_id)
    require_admin(standing)
    await _member_for_role(community, member_id, NotMemberForSubAdmin, taking_on=on)
    await queries.set_role(community.id, member_id, Role.SUB_ADMIN if on else Role.MEMBER)


async def hand_over(actor: Member, community_id: int, member_id: int) -> None:
    """The admin hands the role to another member and stays a plain member."""
    community, standing = await standing_in(actor, community_id)
    require_admin(standing)
    await _member_for_role(community, member_id, NotMemberForAdmin, taking_on=True)
    async with db.transaction():
        if not await queries.replace_admin(community.id, actor.id, member_id):
            raise NoLongerAdmin()
        await queries.set_role(community.id, member_id, Role.MEMBER)


async def claim_admin(member: Member, community_id: int) -> None:
    """A community whose admin withdrew offers the role to its members: first come."""
    community, standing = await standing_in(member, community_id)
    if not can_claim_admin(community, standing):
        raise HasAdmin()
    async with db.transaction():
        if not await queries.replace_admin(community.id, admin_id(community), member.id):
            raise AdminTaken()
        await queries.set_role(community.id, member.id, Role.MEMBER)
