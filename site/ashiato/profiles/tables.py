"""A member's profile additions and preferences, and their profile photos.

Nickname, gender, birthday, region and introduction live on accounts.Member (asked at
sign-up); everything else a profile shows or decides is here, one row per member, made the
first time the member saves something (a member without a row has the defaults).
"""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from ashiato.members.tables import Member


class Profile(Table):
    """Per-member profile fields and choices: who sees each field, footprints, notebook."""

    member = ForeignKey(Member, unique=True, index=True, help_text="one profile per member")
    hobbies = Text(default="", help_text="趣味, free text")
    favourites = Text(default="", help_text="好きなもの, free text")
    photos_visibility = Varchar(length=20, default="everyone", help_text="a Visibility value")
    introduction_visibility = Varchar(length=20, default="everyone")
    gender_visibility = Varchar(length=20, default="everyone")
    age_visibility = Varchar(length=20, default="everyone")
    birthday_visibility = Varchar(length=20, default="friends")
    region_visibility = Varchar(length=20, default="everyone")
    hobbies_visibility = Varchar(length=20, default="everyone")
    favourites_visibility = Varchar(length=20, default="everyone")
    footprints_enabled = Boolean(
        default=True, help_text="off: leaves no footprints and sees no visitors (as in mixi)"
    )
    notebook_audience = Varchar(
        length=20, default="everyone", help_text="who may write in the 足あと帳 (a Visibility)"
    )
    updated_at = Timestamptz(default=TimestamptzNow())


class ProfilePhoto(Table):
    """One of up to three profile photos; the main one is the member's face everywhere."""

    profile = ForeignKey(Profile, index=True)
    photo_key = Varchar(length=80, help_text="ashiato.photos key of the re-encoded file")
    width = Integer(default=0)
    height = Integer(default=0)
    is_main = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
