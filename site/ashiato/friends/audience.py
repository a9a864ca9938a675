"""How a viewer stands to an owner (self, maimiku, friend of a friend, blocked…).

The relation needs the friend graph, so it is worked out here; what a relation allows is the
kernel's pure rule (`ashiato.members.allows`).
"""

from __future__ import annotations

from piccolo.columns import Column
from piccolo.custom_types import Combinable
from piccolo.query import Select

from ashiato.friends import queries
from ashiato.friends.tables import Block, Friendship
from ashiato.members import Relation, Visibility, allows
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


# -- the SQL twins, for lists that filter in the database --------------------------------
# Where-clauses another feature adds to its own query (one query per list, whatever its
# length). tests/diaries/test_visibility.py checks they decide as relation() + allows().


def friend_ids_sql(member_id: int) -> Select:
    """Sub-select: the ids of the member's maimiku."""
    return Friendship.select(Friendship.friend).where(Friendship.member == member_id)


def not_blocked_sql(viewer_id: int, member: Column) -> Combinable:
    """Where-clause: no block either way between the viewer and this member column."""
    blocked = Block.select(Block.blocked).where(Block.blocker == viewer_id)
    blockers = Block.select(Block.blocker).where(Block.blocked == viewer_id)
    return member.not_in(blocked) & member.not_in(blockers)


def visible_sql(viewer_id: int, owner: Column, visibility: Column) -> Combinable:
    """Where-clause, the SQL form of `allows(relation(viewer, owner), visibility)`: the
    viewer owns the row, or no block stands between them and its owner and its visibility
    lets them in (friends through Friendship, friends of friends through a Friendship
    joined to the viewer's friends)."""
    friends = friend_ids_sql(viewer_id)
    friends_of_friends = Friendship.select(Friendship.member).where(
        Friendship.friend.is_in(friends)
    )
    return (owner == viewer_id) | (
        not_blocked_sql(viewer_id, owner)
        & (
            (visibility == Visibility.EVERYONE.value)
            | ((visibility == Visibility.FRIENDS.value) & owner.is_in(friends))
            | (
                (visibility == Visibility.FRIENDS_OF_FRIENDS.value)
                & (owner.is_in(friends) | owner.is_in(friends_of_friends))
            )
        )
    )
