"""The members kernel: what every feature asks about a member, and nothing else.

Pure rules only (no queries, no feature imports): whether a member may act, how a member is
named, which genders and birth dates a member row takes, and which audiences a relation
falls inside. How the viewer stands to an owner is worked out by
`friends.audience.relation` (it needs the friend graph); what that relation allows is
answered here, so every feature decides visibility the same way.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TypeVar

from ashiato.errors import PermissionDenied
from ashiato.i18n import _, lazy_gettext
from ashiato.members.tables import Member, MemberStatus

__all__ = [
    "GENDERS",
    "VISIBILITY_LABELS",
    "Member",
    "MemberStatus",
    "Relation",
    "Visibility",
    "allows",
    "can_act",
    "display_name",
    "name_for",
    "parse_birth_date",
    "require_active",
]

M = TypeVar("M", bound=Member)

# The values of Member.gender ("" is "not stated"); sign-up and the profile editor offer them.
GENDERS = ("", "female", "male", "other")


def display_name(member: Member | None) -> str:
    """How a member is named on the site; withdrawn members are anonymous."""
    if member is None:
        return _("a withdrawn member")
    return name_for(member.nickname, member.status)


def name_for(nickname: str | None, status: str | None) -> str:
    """display_name for rows selected with a join (nickname and status columns)."""
    if nickname is None or status == MemberStatus.WITHDRAWN:
        return _("a withdrawn member")
    return nickname


def can_act(member: Member | None) -> bool:
    return member is not None and member.status == MemberStatus.ACTIVE


def require_active(member: M | None) -> M:
    if member is None or not can_act(member):
        raise PermissionDenied(_("Please log in with an active account."), code="not_active")
    return member


def parse_birth_date(raw: str | None) -> tuple[dt.date | None, str | None]:
    """A birth date from a form: (date or None when empty, translated error or None)."""
    birth = (raw or "").strip()
    if not birth:
        return None, None
    try:
        birth_date = dt.date.fromisoformat(birth)
    except ValueError:
        return None, _("Enter a date like 1985-04-01.")
    if not dt.date(1900, 1, 1) <= birth_date <= dt.date.today():
        return None, _("Enter a date like 1985-04-01.")
    return birth_date, None


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


def allows(relation: Relation, visibility: str) -> bool:
    """Does this relation fall inside this audience?"""
    if relation == Relation.SELF:
        return True
    if relation in (Relation.NONE, Relation.BLOCKED):
        return False
    level = Visibility(visibility)
    if level == Visibility.EVERYONE:
        return True
    if level == Visibility.FRIENDS_OF_FRIENDS:
        return relation in (Relation.FRIEND, Relation.FRIEND_OF_FRIEND)
    if level == Visibility.FRIENDS:
        return relation == Relation.FRIEND
    return False
