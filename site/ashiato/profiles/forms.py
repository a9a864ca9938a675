"""The forms of the profile pages, as Litestar decodes them.

Every field defaults to "", so a field the browser left out is judged by the service
(which answers in the member's language) instead of becoming a 400. `ProfileForm` is also
the command the editor's service functions take, and what the editor shows again.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from litestar.datastructures import UploadFile


class ProfileForm(msgspec.Struct):
    """The profile editor: the fields, who sees each, footprints on/off, notebook writers."""

    nickname: str = ""
    gender: str = ""
    birth_date: str = ""  # YYYY-MM-DD, or "" when not given
    region: str = ""
    introduction: str = ""
    hobbies: str = ""
    favourites: str = ""
    footprints_enabled: str = ""  # "on" when the checkbox is ticked
    notebook_audience: str = ""  # a Visibility value; "" is everyone
    photos_visibility: str = ""
    gender_visibility: str = ""
    age_visibility: str = ""
    birthday_visibility: str = ""
    region_visibility: str = ""
    hobbies_visibility: str = ""
    favourites_visibility: str = ""
    introduction_visibility: str = ""
    preview_as: str = ""  # only the preview reads it: the audience to preview as


@dataclass
class PhotoUpload:
    """The photo upload form (multipart): the file, if the browser sent one."""

    photo: UploadFile | None = None
