"""The kernel's one query: the member a session names, loaded once per request."""

from __future__ import annotations

from ashiato.members.tables import Member, MemberStatus


async def member_for_session(member_id: int | None) -> Member | None:
    """The member a session belongs to; withdrawn members are logged out."""
    if not member_id:
        return None
    member = await Member.objects().where(Member.id == member_id).first()
    if member is None or member.status == MemberStatus.WITHDRAWN:
        return None
    return member
