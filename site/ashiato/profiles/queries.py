"""Every query of profiles; nothing else touches these tables.

The profile fields asked at sign-up (nickname, gender, birth date, region, introduction)
live on the kernel's member row; the editor writes them here, beside its own row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict, cast

from ashiato.members.tables import Member
from ashiato.profiles.tables import Profile, ProfilePhoto


async def profile_of(member_id: int) -> Profile | None:
    return await Profile.objects().where(Profile.member == member_id).first()


async def ensure_profile(member_id: int) -> Profile:
    """The member's row, made on first use (concurrent first uses make one row)."""
    await Profile.insert(Profile(member=member_id)).on_conflict(
        target=Profile.member, action="DO NOTHING"
    )
    profile = await profile_of(member_id)
    assert profile is not None
    return profile


async def update_member_fields(member_id: int, **values: object) -> None:
    """The profile fields that live on the member row (nickname, gender, birth date, region,
    introduction): asked at sign-up, but this feature's to edit."""
    await Member.update({getattr(Member, k): v for k, v in values.items()}).where(
        Member.id == member_id
    )


async def update_profile(profile_id: int, **values: object) -> None:
    await Profile.update({getattr(Profile, k): v for k, v in values.items()}).where(
        Profile.id == profile_id
    )


async def footprints_off(member_ids: list[int]) -> set[int]:
    """Which of these members turned footprints off (no row: the default, on)."""
    rows = await Profile.select(Profile.member).where(
        Profile.member.is_in(member_ids),
        Profile.footprints_enabled == False,  # noqa: E712
    )
    return {row["member"] for row in rows}


async def photos_of(profile_id: int) -> list[ProfilePhoto]:
    """The profile's photos, the main one first, then oldest first."""
    return (
        await ProfilePhoto.objects()
        .where(ProfilePhoto.profile == profile_id)
        .order_by(ProfilePhoto.is_main, ascending=False)
        .order_by(ProfilePhoto.id)
    )


class MemberPhoto(TypedDict):
    id: int
    photo_key: str
    visibility: str  # the owner's photos_visibility


async def photo_of_member(member_id: int, photo_id: int) -> MemberPhoto | None:
    """A photo with its owner's photo visibility, only if it belongs to that member."""
    row = (
        await ProfilePhoto.select(
            ProfilePhoto.id,
            ProfilePhoto.photo_key,
            ProfilePhoto.profile.photos_visibility.as_alias("visibility"),
        )
        .where(ProfilePhoto.id == photo_id, ProfilePhoto.profile.member == member_id)
        .first()
    )
    return cast("MemberPhoto | None", row)


async def public_faces(member_ids: Sequence[int]) -> dict[int, int]:
    """member id → main photo id, for members whose photos every member may see."""
    if not member_ids:
        return {}
    rows = await ProfilePhoto.select(
        ProfilePhoto.id, ProfilePhoto.profile.member.as_alias("member_id")
    ).where(
        ProfilePhoto.profile.member.is_in(member_ids),
        ProfilePhoto.is_main == True,  # noqa: E712
        ProfilePhoto.profile.photos_visibility == "everyone",
    )
    return {row["member_id"]: row["id"] for row in rows}


async def insert_photo(**values: object) -> ProfilePhoto:
    photo = ProfilePhoto(**values)
    await photo.save()
    return photo


async def set_main_photo(profile_id: int, photo_id: int) -> None:
    """Call inside a transaction: exactly one main photo afterwards."""
    await ProfilePhoto.update({ProfilePhoto.is_main: False}).where(
        ProfilePhoto.profile == profile_id, ProfilePhoto.id != photo_id
    )
    await ProfilePhoto.update({ProfilePhoto.is_main: True}).where(
        ProfilePhoto.profile == profile_id, ProfilePhoto.id == photo_id
    )


async def delete_photo(photo_id: int) -> None:
    await ProfilePhoto.delete().where(ProfilePhoto.id == photo_id)
