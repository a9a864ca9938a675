"""Maimiku and block rules. Requests, introductions and the graph explorer build on these."""

from __future__ import annotations

from ashiato import db
from ashiato.accounts.service import require_active
from ashiato.accounts.tables import Member
from ashiato.errors import DomainError
from ashiato.friends import queries
from ashiato.i18n import _


class FriendsError(DomainError):
    """A maimiku or block rule refused the request."""


async def make_friends(a: Member, b: Member) -> None:
    """Make a and b maimiku of each other (used by approvals and accepted invitations)."""
    if a.id == b.id:
        raise FriendsError(_("You cannot add yourself."), code="self")
    async with db.transaction():
        if not await queries.are_friends(a.id, b.id):
            await queries.insert_friendship(a.id, b.id)


async def end_friendship(member: Member, other_id: int) -> None:
    require_active(member)
    await queries.delete_friendship(member.id, other_id)


async def block(member: Member, other_id: int) -> None:
    """Blocking also ends a maimiku relation: a friend one cannot hear from is none."""
    require_active(member)
    if member.id == other_id:
        raise FriendsError(_("You cannot block yourself."), code="self")
    async with db.transaction():
        await queries.insert_block(member.id, other_id)
        await queries.delete_friendship(member.id, other_id)


async def unblock(member: Member, other_id: int) -> None:
    require_active(member)
    await queries.delete_block(member.id, other_id)
