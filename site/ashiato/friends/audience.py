"""How a viewer stands to an owner (self, maimiku, friend of a friend, blocked…).

The relation needs the friend graph, so it is worked out here; what a relation allows is the
kernel's pure rule (`ashiato.members.allows`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from piccolo.columns import Column
from piccolo.custom_types import Combinable
from piccolo.query import Select

from ashiato.friends import queries
from ashiato.friends.tables import Block, Friendship
from ashiato.members import Relation, Visibility, allows
from ashiato.members.tables import Member, MemberStatus
from ashiato.registry import Viewing

# The viewing a page has decided (see `decided`): services that ask for the same viewer and
# owner while it stands get its relation without asking the database again.
_decided: ContextVar[Viewing | None] = ContextVar("ashiato_decided_viewing", default=None)


async def relation(viewer: Member | None, owner_id: int) -> Relation:
    if viewer is None or viewer.status != MemberStatus.ACTIVE:
        return Relation.NONE
    if viewer.id == owner_id:
        return Relation.SELF
    known = _decided.get()
    if known is not None and known.viewer.id == viewer.id and known.owner.id == owner_id:
        return known.relation
    flags = await queries.relation_flags(viewer.id, owner_id)  # one query
    if flags["blocked"]:
        return Relation.BLOCKED
    if flags["friends"]:
        return Relation.FRIEND
    if flags["share_a_friend"]:
        return Relation.FRIEND_OF_FRIEND
    return Relation.MEMBER


async def viewing(viewer: Member, owner: Member) -> Viewing:
    """The viewer, the owner and their relation, for handing to profile sections."""
    return Viewing(viewer, owner, await relation(viewer, owner.id))


@contextmanager
def decided(viewing_: Viewing) -> Iterator[Viewing]:
    """While a page builds its sections from one viewing, `relation` answers for that
    viewer and owner from it (the sections' services keep their own checks, which then
    cost no query). Only within the block: a later change of the graph is seen again."""
    token = _decided.set(viewing_)
    try:
        yield viewing_
    finally:
        _decided.reset(token)


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
