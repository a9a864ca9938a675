"""Every query of accounts; nothing else touches these tables."""

from __future__ import annotations

import datetime as dt

from ashiato.accounts.tables import EmailVerification, Invitation

# The kernel's member reads, under the names this module's callers have always used.
from ashiato.members.queries import member_by_id as member_by_id
from ashiato.members.queries import member_by_pc_email as member_by_pc_email
from ashiato.members.queries import members_by_pc_emails as members_by_pc_emails
from ashiato.members.tables import Member, MemberStatus


async def email_taken(email: str) -> bool:
    return await Member.exists().where((Member.pc_email == email) | (Member.mobile_email == email))


async def insert_member(**values: object) -> Member:
    member = Member(**values)
    await member.save()
    return member


async def update_member(member_id: int, **values: object) -> None:
    await Member.update({getattr(Member, k): v for k, v in values.items()}).where(
        Member.id == member_id
    )


async def members_awaiting_approval() -> list[Member]:
    return await Member.objects().where(Member.status == MemberStatus.AWAITING_APPROVAL)


async def insert_invitation(**values: object) -> Invitation:
    invitation = Invitation(**values)
    await invitation.save()
    return invitation


async def invitation_by_token_hash(token_hash: str) -> Invitation | None:
    return await Invitation.objects().where(Invitation.token_hash == token_hash).first()


async def invitation_by_id(invitation_id: int) -> Invitation | None:
    return await Invitation.objects().where(Invitation.id == invitation_id).first()


async def invitations_by(inviter_id: int) -> list[Invitation]:
    return (
        await Invitation.objects()
        .where(Invitation.inviter == inviter_id)
        .order_by(Invitation.id, ascending=False)
    )


async def open_invitation_count(inviter_id: int) -> int:
    """Invitations that still use quota: not revoked (used ones count, as in mixi)."""
    return await Invitation.count().where(
        Invitation.inviter == inviter_id, Invitation.revoked_at.is_null()
    )


async def claim_invitation(invitation_id: int, member_id: int, now: dt.datetime) -> bool:
    """Mark an invitation used, only if nobody used it first (single use under races)."""
    used = await (
        Invitation.update({Invitation.used_at: now, Invitation.member: member_id})
        .where(
            Invitation.id == invitation_id,
            Invitation.used_at.is_null(),
            Invitation.revoked_at.is_null(),
        )
        .returning(Invitation.id)
    )
    return bool(used)


async def update_invitation(invitation_id: int, **values: object) -> None:
    await Invitation.update({getattr(Invitation, k): v for k, v in values.items()}).where(
        Invitation.id == invitation_id
    )


async def insert_verification(**values: object) -> EmailVerification:
    verification = EmailVerification(**values)
    await verification.save()
    return verification


async def verification_by_token_hash(token_hash: str) -> EmailVerification | None:
    return (
        await EmailVerification.objects().where(EmailVerification.token_hash == token_hash).first()
    )


async def use_verification(verification_id: int, now: dt.datetime) -> bool:
    used = await (
        EmailVerification.update({EmailVerification.used_at: now})
        .where(EmailVerification.id == verification_id, EmailVerification.used_at.is_null())
        .returning(EmailVerification.id)
    )
    return bool(used)
