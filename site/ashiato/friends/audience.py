"""How a viewer stands to an owner (self, maimiku, friend of a friend, blocked…).

The relation needs the friend graph, so it is worked out here; what a relation allows is the
kernel's pure rule (`ashiato.members.allows`).
"""

from __future__ import annotations

from ashiato.friends import queries
from ashiato.members import Relation, allows
from ashiato.members.tables import Member, MemberStatus


async def relation(viewer: Member | None, owner_id: int) -> Relation:
    if viewer is None or viewer.status != MemberStatus.ACTIVE:
        return Relation.NONE
    if viewer.id == owner_id:
        return Relation.SELF
    if await queries.is_blocked_between(viewer.id, owner_id):
        return Relation.BLOCKED
    if await queries.are_friends(viewer.id, owner_id):
        return Relation.FRIEND
    if await queries.share_a_friend(viewer.id, owner_id):
        return Relation.FRIEND_OF_FRIEND
    return Relation.MEMBER


async def is_blocked_between(a: int, b: int) -> bool:
    """A block in either direction: the two hear nothing of each other (messages,
    footprints and every other feature ask here, never friends.queries)."""
    return await queries.is_blocked_between(a, b)


async def can_see(viewer: Member | None, owner_id: int, visibility: str) -> bool:
    return allows(await relation(viewer, owner_id), visibility)
