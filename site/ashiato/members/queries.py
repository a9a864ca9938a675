"""The kernel's reads of the member row: the member a session names (once per request), and
a member by id or PC address for any feature (accounts owns the writes of its columns)."""

from __future__ import annotations

from collections.abc import Iterable

from ashiato.members.tables import Member, MemberStatus


async def member_for_session(member_id: int | None) -> Member | None:
    """The member a session belongs to; withdrawn members are logged out."""
    if not member_id:
        return None
    member = await Member.objects().where(Member.id == member_id).first()
    if member is None or member.status == MemberStatus.WITHDRAWN:
        return None
    return member


async def member_by_id(member_id: int) -> Member | None:
    """The member row, whatever its status (the caller decides what a status allows)."""
    return await Member.objects().where(Member.id == member_id).first()


async def members_by_pc_emails(emails: Iterable[str]) -> dict[str, Member]:
    """The members with these PC addresses, by address (one query; unknown ones absent)."""
    wanted = sorted(set(emails))
    if not wanted:
        return {}
    rows = await Member.objects().where(Member.pc_email.is_in(wanted))
    return {member.pc_email: member for member in rows}


async def member_by_pc_email(email: str) -> Member | None:
    return await Member.objects().where(Member.pc_email == email).first()
