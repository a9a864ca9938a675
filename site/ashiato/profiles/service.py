"""Profile rules: which fields a viewer sees, editing, photos, and members' preferences.

Every field has its own audience (ashiato.members.Visibility); the nickname and
the face in lists are the only things every member sees. Other features ask here for a
member's preferences (`footprints_off`, `notebook_audience`) and face (`face_urls`; the
features profiles depends on get it through the registry: Feature.faces, Section.faces).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from ashiato import db, registry
from ashiato.errors import FormInvalid
from ashiato.friends.audience import decided, relation
from ashiato.i18n import _, current_locale, current_time_zone, lazy_gettext
from ashiato.members import (
    GENDERS,
    VISIBILITY_LABELS,
    Relation,
    Visibility,
    allows,
    display_name,
    parse_birth_date,
    require_active,
)
from ashiato.members.queries import member_by_id
from ashiato.members.tables import Member, MemberStatus
from ashiato.photos import process_upload
from ashiato.profiles import queries
from ashiato.profiles.errors import NoSuchMember, NoSuchPhoto, ProfileBlocked, TooManyPhotos
from ashiato.profiles.errors import ProfileError as ProfileError  # callers catch it from here
from ashiato.profiles.forms import ProfileForm
from ashiato.profiles.tables import Profile, ProfilePhoto
from ashiato.registry import Feature, Section, Viewing
from ashiato.settings import Settings

MAX_PHOTOS = 3
# The profile fields kept on the member row: asked at sign-up (accounts asks this module to
# check them, see check_member_fields) and edited here. This module owns their rules.
MEMBER_FIELD_LIMITS = {"nickname": 40, "region": 40, "introduction": 2000}
LIMITS = {**MEMBER_FIELD_LIMITS, "hobbies": 1000, "favourites": 1000}
# The fields with an audience of their own, in the order the profile shows them.
FIELDS = ("photos", "gender", "age", "birthday", "region", "hobbies", "favourites", "introduction")
FIELD_LABELS = {
    "photos": lazy_gettext("Photos"),
    "gender": lazy_gettext("Gender"),
    "age": lazy_gettext("Age"),
    "birthday": lazy_gettext("Birthday"),
    "region": lazy_gettext("Region"),
    "hobbies": lazy_gettext("Hobbies"),
    "favourites": lazy_gettext("Favourite things"),
    "introduction": lazy_gettext("Introduction"),
}
GENDER_LABELS = {
    "": lazy_gettext("Not stated"),
    "female": lazy_gettext("Female"),
    "male": lazy_gettext("Male"),
    "other": lazy_gettext("Other"),
}
# Who may write in the footprint notebook: "only me" would make it a diary, so not offered.
NOTEBOOK_AUDIENCES = (Visibility.EVERYONE, Visibility.FRIENDS_OF_FRIENDS, Visibility.FRIENDS)
# The editor's "preview as": the closest relation inside each audience.
PREVIEW_RELATIONS = {
    Visibility.EVERYONE: Relation.MEMBER,
    Visibility.FRIENDS_OF_FRIENDS: Relation.FRIEND_OF_FRIEND,
    Visibility.FRIENDS: Relation.FRIEND,
    Visibility.ONLY_ME: Relation.SELF,
}


@dataclass(frozen=True)
class ProfileField:
    key: str
    label: str
    value: str
    visibility: str  # a Visibility value
    audience: str  # its label, shown to the owner: who else sees this field


@dataclass(frozen=True)
class ProfilePicture:
    id: int
    url: str
    thumbnail_url: str
    is_main: bool
    width: int
    height: int


@dataclass(frozen=True)
class ProfileView:
    """A profile as one viewer may see it: plain data for the template."""

    owner: Member
    name: str
    relation: Relation
    fields: list[ProfileField]
    photos: list[ProfilePicture]
    face_url: str | None
    is_self: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    notebook_audience: str = Visibility.EVERYONE  # who may write in the owner's notebook


@dataclass(frozen=True)
class Editor:
    """What the profile editor shows: current values, audiences, photos, preferences."""

    values: ProfileForm
    photos: list[ProfilePicture]
    max_photos: int = MAX_PHOTOS


# The profile whose sections are being built (see sections_of): what other features ask of
# its owner's preferences is answered from the row the page has already read.
_shown: ContextVar[ProfileView | None] = ContextVar("ashiato_shown_profile", default=None)


def photo_url(member_id: int, photo_id: int, *, thumbnail: bool = False) -> str:
    """Where a profile photo is served (after a permission check) — never a static path."""
    return f"/members/{member_id}/photos/{photo_id}" + ("/thumb" if thumbnail else "")


def _default_profile(member_id: int) -> Profile:
    return Profile(member=member_id)


async def _profile(member_id: int) -> Profile:
    """The stored row, or an unsaved one with the defaults (rows are made on first save)."""
    return await queries.profile_of(member_id) or _default_profile(member_id)


async def _pictures(member_id: int, profile: Profile) -> list[ProfilePicture]:
    if not profile._exists_in_db:  # the defaults: nothing stored yet
        return []
    return [_picture(member_id, photo) for photo in await queries.photos_of(profile.id)]


def _picture(member_id: int, photo: ProfilePhoto) -> ProfilePicture:
    return ProfilePicture(
        id=photo.id,
        url=photo_url(member_id, photo.id),
        thumbnail_url=photo_url(member_id, photo.id, thumbnail=True),
        is_main=photo.is_main,
        width=photo.width,
        height=photo.height,
    )


def age_on(birth_date: dt.date, today: dt.date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def _field_values(owner: Member, profile: Profile) -> dict[str, str]:
    """Each field as text in the current locale ('' when the member left it empty)."""
    today = dt.datetime.now(ZoneInfo(current_time_zone())).date()
    birth = owner.birth_date
    return {
        "gender": str(GENDER_LABELS[owner.gender])
        if owner.gender in GENDERS and owner.gender
        else "",
        "age": _("%(years)s years old", years=age_on(birth, today)) if birth else "",
        "birthday": format_skeleton("MMMd", birth, locale=current_locale()) if birth else "",
        "region": owner.region,
        "hobbies": profile.hobbies,
        "favourites": profile.favourites,
        "introduction": owner.introduction,
    }


def build_view(
    owner: Member,
    profile: Profile,
    pictures: list[ProfilePicture],
    relation_: Relation,
    *,
    errors: dict[str, str] | None = None,
) -> ProfileView:
    """The profile as someone in `relation_` to the owner sees it (no queries)."""
    visible = {key: allows(relation_, getattr(profile, f"{key}_visibility")) for key in FIELDS}
    values = _field_values(owner, profile)
    fields = [
        ProfileField(
            key=key,
            label=str(FIELD_LABELS[key]),
            value=values[key],
            visibility=getattr(profile, f"{key}_visibility"),
            audience=str(VISIBILITY_LABELS[Visibility(getattr(profile, f"{key}_visibility"))]),
        )
        for key in FIELDS
        if key != "photos" and visible[key] and values[key]
    ]
    photos = pictures if visible["photos"] else []
    main = next((p for p in photos if p.is_main), None)
    return ProfileView(
        owner=owner,
        name=display_name(owner),
        relation=relation_,
        fields=fields,
        photos=photos,
        face_url=main.thumbnail_url if main else None,
        is_self=relation_ == Relation.SELF,
        errors=errors or {},
        notebook_audience=profile.notebook_audience,
    )


async def member_to_view(viewer: Member, owner_id: int) -> Member:
    """The owner of a page an active viewer opens: an existing, active member."""
    require_active(viewer)
    owner = await member_by_id(owner_id)
    if owner is None or owner.status != MemberStatus.ACTIVE:
        raise NoSuchMember()
    return owner


async def view_profile(viewer: Member, owner_id: int) -> ProfileView:
    """A member's profile as the viewer may see it; blocked members see nothing."""
    owner = await member_to_view(viewer, owner_id)
    relation_ = await relation(viewer, owner.id)
    if relation_ == Relation.BLOCKED:
        raise ProfileBlocked()
    profile = await _profile(owner.id)
    return build_view(owner, profile, await _pictures(owner.id, profile), relation_)


async def sections_of(
    features: Sequence[Feature], viewer: Member, view: ProfileView
) -> list[Section]:
    """Every feature's section of this profile, each handed the one `Viewing` the view
    decided (owner and relation are not looked up again, by the sections or the services
    they call)."""
    shown = _shown.set(view)
    try:
        with decided(Viewing(viewer, view.owner, view.relation)) as viewing:
            return await registry.profile_sections(features, viewing)
    finally:
        _shown.reset(shown)


# -- editing ----------------------------------------------------------------------------


async def editor(member: Member) -> Editor:
    require_active(member)
    profile = await _profile(member.id)
    values = ProfileForm(
        nickname=member.nickname,
        gender=member.gender,
        birth_date=member.birth_date.isoformat() if member.birth_date else "",
        region=member.region,
        introduction=member.introduction,
        hobbies=profile.hobbies,
        favourites=profile.favourites,
        footprints_enabled="on" if profile.footprints_enabled else "",
        notebook_audience=profile.notebook_audience,
        **{f"{key}_visibility": getattr(profile, f"{key}_visibility") for key in FIELDS},
    )
    return Editor(values=values, photos=await _pictures(member.id, profile))


def check_member_fields(
    *, nickname: str, gender: str, birth_date: str, region: str, introduction: str
) -> tuple[dict[str, object], dict[str, str]]:
    """The profile fields kept on the member row, as typed in a form (sign-up or editor):
    their clean values, and a translated error per field that breaks a rule."""
    errors: dict[str, str] = {}
    text = {"nickname": nickname, "region": region, "introduction": introduction}
    text = {name: value.strip() for name, value in text.items()}
    for name, limit in MEMBER_FIELD_LIMITS.items():
        if len(text[name]) > limit:
            errors[name] = _("At most %(n)s characters.", n=limit)
    if not text["nickname"]:
        errors["nickname"] = _("Enter a nickname.")
    if gender not in GENDERS:
        errors["gender"] = _("Choose one of the options.")
    birth, birth_error = parse_birth_date(birth_date)
    if birth_error:
        errors["birth_date"] = birth_error
    return {**text, "gender": gender, "birth_date": birth}, errors


def _validate(form: ProfileForm) -> tuple[dict[str, object], dict[str, object], dict[str, str]]:
    """Split a submitted editor form into Member values, Profile values and errors."""
    member_values, errors = check_member_fields(
        nickname=form.nickname,
        gender=form.gender,
        birth_date=form.birth_date,
        region=form.region,
        introduction=form.introduction,
    )
    text = {name: getattr(form, name).strip() for name in ("hobbies", "favourites")}
    for name, value in text.items():
        if len(value) > LIMITS[name]:
            errors[name] = _("At most %(n)s characters.", n=LIMITS[name])
    profile_values: dict[str, object] = {
        "hobbies": text["hobbies"],
        "favourites": text["favourites"],
        "footprints_enabled": form.footprints_enabled == "on",
    }
    for key in FIELDS:
        name = f"{key}_visibility"
        value = getattr(form, name) or Visibility.EVERYONE
        if value not in Visibility.__members__.values():
            errors[name] = _("Choose one of the options.")
        profile_values[name] = value
    audience = form.notebook_audience or Visibility.EVERYONE
    if audience not in NOTEBOOK_AUDIENCES:
        errors["notebook_audience"] = _("Choose one of the options.")
    profile_values["notebook_audience"] = audience
    return member_values, profile_values, errors


async def save_profile(member: Member, form: ProfileForm) -> None:
    """Save the editor: fields, who sees each, footprints on/off, notebook writers."""
    require_active(member)
    member_values, profile_values, errors = _validate(form)
    if errors:
        raise FormInvalid(errors)
    async with db.transaction():
        # Nickname, gender, birthday, region and introduction are asked at sign-up and
        # live on the member row; the rest on this feature's Profile row.
        await queries.update_member_fields(member.id, **member_values)
        profile = await queries.ensure_profile(member.id)
        await queries.update_profile(
            profile.id, **profile_values, updated_at=dt.datetime.now(dt.UTC)
        )
    for name, value in member_values.items():
        setattr(member, name, value)


async def preview_profile(member: Member, form: ProfileForm, audience: str) -> ProfileView:
    """The profile as it would look after saving, to someone in `audience` (nothing saved)."""
    require_active(member)
    member_values, profile_values, errors = _validate(form)
    stored = await _profile(member.id)
    pictures = await _pictures(member.id, stored)
    owner = Member(**{**member.to_dict(), **member_values})
    draft = Profile(
        **{**stored.to_dict(), **{k: v for k, v in profile_values.items() if k not in errors}}
    )
    for key in FIELDS:  # an invalid audience previews as the strictest one
        if f"{key}_visibility" in errors:
            setattr(draft, f"{key}_visibility", Visibility.ONLY_ME)
    if "nickname" in errors:
        owner.nickname = member.nickname
    if "birth_date" in errors:
        owner.birth_date = member.birth_date
    relation_ = PREVIEW_RELATIONS.get(audience, Relation.MEMBER)  # type: ignore[call-overload]
    return build_view(owner, draft, pictures, relation_, errors=errors)


# -- photos -----------------------------------------------------------------------------


async def add_photo(member: Member, data: bytes, settings: Settings) -> ProfilePicture:
    """Up to three photos; the first becomes the main one (the member's face)."""
    require_active(member)
    profile = await queries.ensure_profile(member.id)
    existing = await queries.photos_of(profile.id)
    if len(existing) >= MAX_PHOTOS:
        raise TooManyPhotos(MAX_PHOTOS)
    processed = await asyncio.to_thread(process_upload, data, settings)
    photo = await queries.insert_photo(
        profile=profile.id,
        photo_key=processed.key,
        width=processed.width,
        height=processed.height,
        is_main=not existing,
    )
    return _picture(member.id, photo)


async def _own_photo(member: Member, photo_id: int) -> tuple[Profile, ProfilePhoto]:
    require_active(member)
    profile = await queries.profile_of(member.id)
    photos = await queries.photos_of(profile.id) if profile else []
    photo = next((p for p in photos if p.id == photo_id), None)
    if profile is None or photo is None:
        raise NoSuchPhoto()
    return profile, photo


async def make_main_photo(member: Member, photo_id: int) -> None:
    profile, photo = await _own_photo(member, photo_id)
    async with db.transaction():
        await queries.set_main_photo(profile.id, photo.id)


async def delete_photo(member: Member, photo_id: int) -> None:
    """Remove a photo; if it was the main one, the oldest remaining one takes its place.

    The file stays in the media store: another feature's row may share its content hash.
    """
    profile, photo = await _own_photo(member, photo_id)
    async with db.transaction():
        await queries.delete_photo(photo.id)
        if photo.is_main:
            remaining = await queries.photos_of(profile.id)
            if remaining:
                await queries.set_main_photo(profile.id, remaining[0].id)


async def photo_to_serve(viewer: Member, owner_id: int, photo_id: int) -> str:
    """The stored key of a profile photo, if the viewer may see the owner's photos."""
    require_active(viewer)
    photo = await queries.photo_of_member(owner_id, photo_id)
    if photo is None or not allows(await relation(viewer, owner_id), photo["visibility"]):
        raise NoSuchPhoto()
    return photo["photo_key"]


# -- what other features ask ------------------------------------------------------------


async def face_urls(member_ids: Sequence[int]) -> dict[int, str]:
    """member id → thumbnail URL of the main photo, for lists of faces (one query).

    Only members whose photos every member may see have one here; the others show their
    initial (a list has no single viewer relation to check per face).
    """
    faces = await queries.public_faces(sorted(set(member_ids)))
    return {m: photo_url(m, p, thumbnail=True) for m, p in faces.items()}


async def inviter_photo_key(inviter_id: int) -> str | None:
    """The inviter's main photo for the holder of their invitation (not a member yet): only
    when the inviter shows photos to all members, the same rule as faces in lists."""
    photo_id = (await queries.public_faces([inviter_id])).get(inviter_id)
    if photo_id is None:
        return None
    photo = await queries.photo_of_member(inviter_id, photo_id)
    return photo["photo_key"] if photo else None


async def footprints_off(member_ids: list[int]) -> set[int]:
    """Members among these who turned footprints off (they leave none and see none)."""
    return await queries.footprints_off(member_ids)


async def footprints_enabled(member: Member) -> bool:
    return member.id not in await queries.footprints_off([member.id])


async def notebook_audience(owner_id: int) -> str:
    """Who may write in the owner's footprint notebook (a Visibility value)."""
    shown = _shown.get()
    if shown is not None and shown.owner.id == owner_id:
        return shown.notebook_audience
    return (await _profile(owner_id)).notebook_audience


def visibility_choices() -> list[tuple[str, str]]:
    return [(level.value, str(VISIBILITY_LABELS[level])) for level in Visibility]


def notebook_audience_choices() -> list[tuple[str, str]]:
    return [(level.value, str(VISIBILITY_LABELS[level])) for level in NOTEBOOK_AUDIENCES]
