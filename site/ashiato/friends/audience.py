"""Who may see what: the one place that answers it, for every feature.

A visibility level is stored on diaries, profile fields, notebooks… and checked here with
the viewer, so no handler or template decides.
"""

from __future__ import annotations

from enum import StrEnum

from ashiato.accounts.tables import Member, MemberStatus
from ashiato.friends import queries
from ashiato.i18n import lazy_gettext


class Visibility(StrEnum):
    EVERYONE = "everyone"  # every logged-in member (the site is members-only)
    FRIENDS_OF_FRIENDS = "friends_of_friends"
    FRIENDS = "friends"
    ONLY_ME = "only_me"


VISIBILITY_LABELS = {
    Visibility.EVERYONE: lazy_gettext("All members"),
    Visibility.FRIENDS_OF_FRIENDS: lazy_gettext("Friends of friends"),
    Visibility.FRIENDS: lazy_gettext("Friends only"),
    Visibility.ONLY_ME: lazy_gettext("Only me"),
}


class Relation(StrEnum):
    """How the viewer stands to an owner, from closest to farthest."""

    SELF = "self"
    FRIEND = "friend"
    FRIEND_OF_FRIEND = "friend_of_friend"
    MEMBER = "member"
    BLOCKED = "blocked"  # a block in either direction
    NONE = "none"  # logged out, pending or withdrawn: sees nothing


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


def allows(relation_: Relation, visibility: str) -> bool:
    """Does this relation fall inside this audience?"""
    if relation_ == Relation.SELF:
        return True
    if relation_ in (Relation.NONE, Relation.BLOCKED):
        return False
    level = Visibility(visibility)
    if level == Visibility.EVERYONE:
        return True
    if level == Visibility.FRIENDS_OF_FRIENDS:
        return relation_ in (Relation.FRIEND, Relation.FRIEND_OF_FRIEND)
    if level == Visibility.FRIENDS:
        return relation_ == Relation.FRIEND
    return False


async def can_see(viewer: Member | None, owner_id: int, visibility: str) -> bool:
    return allows(await relation(viewer, owner_id), visibility)
