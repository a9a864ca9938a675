"""What the diary pages' forms send, decoded by Litestar into these types (every field
defaults to "", so a missing field is a form error in the member's language, never a 400).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.datastructures import UploadFile

from ashiato.diaries.service import DiaryDraft, DiaryEdit


def _many(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@dataclass
class DiaryForm:
    """The diary form, multipart for its photos. `photos` is as the multipart parser gives
    it (one file, several, or "" for a file field left empty); `remove_photo` the ids of
    photos to drop (edit form)."""

    title: str = ""
    body: str = ""
    visibility: str = ""
    photos: Any = None
    remove_photo: Any = None

    async def uploads(self) -> list[bytes]:
        found = []
        for upload in _many(self.photos):
            if isinstance(upload, UploadFile):
                content = await upload.read()
                if content:  # an empty file field means "no photo here"
                    found.append(content)
        return found

    def removed(self) -> list[int]:
        return [int(value) for value in _many(self.remove_photo) if str(value).isdigit()]

    def fields(self) -> dict[str, str]:
        """What the member typed, to show the form again."""
        return {"title": self.title, "body": self.body, "visibility": self.visibility}

    async def draft(self) -> DiaryDraft:
        return DiaryDraft(
            title=self.title,
            body=self.body,
            visibility=self.visibility or None,
            photos=await self.uploads(),
        )

    async def edit(self) -> DiaryEdit:
        return DiaryEdit(
            title=self.title,
            body=self.body,
            visibility=self.visibility,
            remove_photo_ids=self.removed(),
            new_photos=await self.uploads(),
        )


@dataclass
class CommentForm:
    body: str = ""


@dataclass
class SettingsForm:
    visibility: str = ""
