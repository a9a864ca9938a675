"""Every query of mobile; nothing else touches these tables."""

from __future__ import annotations

import datetime as dt

from ashiato.members.tables import Member
from ashiato.mobile.tables import AddressPurpose, GatewayAddress, GatewayEvent, ProcessedMail


async def insert_address(**values: object) -> GatewayAddress:
    address = GatewayAddress(**values)
    await address.save()
    return address


async def address_by_token_hash(token_hash: str) -> GatewayAddress | None:
    return await GatewayAddress.objects().where(GatewayAddress.token_hash == token_hash).first()


async def address_by_id(address_id: int) -> GatewayAddress | None:
    return await GatewayAddress.objects().where(GatewayAddress.id == address_id).first()


async def live_address(member_id: int, purpose: str, now: dt.datetime) -> GatewayAddress | None:
    """The member's newest address of this purpose that still works."""
    return (
        await GatewayAddress.objects()
        .where(
            GatewayAddress.member == member_id,
            GatewayAddress.purpose == purpose,
            GatewayAddress.used_at.is_null(),
            GatewayAddress.revoked_at.is_null(),
            (GatewayAddress.expires_at.is_null()) | (GatewayAddress.expires_at > now),
        )
        .order_by(GatewayAddress.id, ascending=False)
        .first()
    )


async def reply_address_of(member_id: int, diary_id: int) -> GatewayAddress | None:
    """The member's newest reply address for this diary."""
    return (
        await GatewayAddress.objects()
        .where(
            GatewayAddress.member == member_id,
            GatewayAddress.purpose == AddressPurpose.REPLY,
            GatewayAddress.diary == diary_id,
            GatewayAddress.revoked_at.is_null(),
        )
        .order_by(GatewayAddress.id, ascending=False)
        .first()
    )


async def members_confirmed_as(address: str) -> list[int]:
    """Members whose registration address confirmed this phone, newest first."""
    rows = (
        await GatewayAddress.select(GatewayAddress.member)
        .where(
            GatewayAddress.purpose == AddressPurpose.REGIST,
            GatewayAddress.verified_address == address,
        )
        .order_by(GatewayAddress.id, ascending=False)
        .limit(5)
    )
    return list(dict.fromkeys(row["member"] for row in rows))


async def revoke_addresses(member_id: int, purpose: str, now: dt.datetime) -> None:
    await GatewayAddress.update({GatewayAddress.revoked_at: now}).where(
        GatewayAddress.member == member_id,
        GatewayAddress.purpose == purpose,
        GatewayAddress.revoked_at.is_null(),
    )


async def replace_token(address_id: int, nonce: str, token_hash: str) -> None:
    await GatewayAddress.update(
        {GatewayAddress.nonce: nonce, GatewayAddress.token_hash: token_hash}
    ).where(GatewayAddress.id == address_id)


async def use_address(address_id: int, verified_address: str, now: dt.datetime) -> bool:
    """Mark a registration address used, only if nobody used it first."""
    used = await (
        GatewayAddress.update(
            {GatewayAddress.used_at: now, GatewayAddress.verified_address: verified_address}
        )
        .where(GatewayAddress.id == address_id, GatewayAddress.used_at.is_null())
        .returning(GatewayAddress.id)
    )
    return bool(used)


async def confirm_phone(member_id: int, phone: str, now: dt.datetime, status: str) -> None:
    """The member's confirmed phone (mobile's own columns of the member row) and the
    status it earned; the unique index on mobile_email keeps a phone with one member."""
    await Member.update(
        {Member.mobile_email: phone, Member.mobile_verified_at: now, Member.status: status}
    ).where(Member.id == member_id)


async def processed(key: str) -> bool:
    return await ProcessedMail.exists().where(ProcessedMail.key == key)


async def insert_processed(**values: object) -> None:
    await ProcessedMail.insert(ProcessedMail(**values))


async def insert_event(**values: object) -> None:
    await GatewayEvent.insert(GatewayEvent(**values))


async def recent_events(limit: int) -> list[dict]:
    """The newest events with the member's nickname: one query whatever the page size."""
    return (
        await GatewayEvent.select(
            *GatewayEvent.all_columns(),
            GatewayEvent.member.nickname.as_alias("member_nickname"),
        )
        .order_by(GatewayEvent.id, ascending=False)
        .limit(limit)
    )


async def last_refusal(member_id: int, purpose: str, since: dt.datetime) -> GatewayEvent | None:
    return (
        await GatewayEvent.objects()
        .where(
            GatewayEvent.member == member_id,
            GatewayEvent.purpose == purpose,
            GatewayEvent.decision == "refused",
            GatewayEvent.created_at >= since,
        )
        .order_by(GatewayEvent.id, ascending=False)
        .first()
    )


async def refusals_since(member_id: int, reason: str, since: dt.datetime) -> int:
    return await GatewayEvent.count().where(
        GatewayEvent.member == member_id,
        GatewayEvent.reason == reason,
        GatewayEvent.decision == "refused",
        GatewayEvent.created_at >= since,
    )
