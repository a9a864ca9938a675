"""What members send to communities, as typed commands.

The web decodes each form into one of these (every field defaults to "", so a missing
field becomes a form error in the member's language, never a 400); the demo and the tests
build them directly. The service validates them (service/forms.py) and never sees a dict.
"""

from __future__ import annotations

import msgspec
from litestar.datastructures import UploadFile


class CommunityForm(msgspec.Struct, kw_only=True):
    """A community's settings, as typed on the new and edit forms."""

    name: str = ""
    category: str = ""
    description: str = ""
    join_policy: str = ""  # JoinPolicy; empty means open
    topic_policy: str = ""  # TopicPolicy; empty means members
    topics_public: str = ""  # a checkbox: "1" (or on/true/yes) when ticked
    remove_image: str = ""  # "1": drop the picture (edit form only)


class CommunityUpload(CommunityForm, kw_only=True):
    """The same form as it arrives from the browser: multipart, with its picture."""

    image: UploadFile | None = None

    async def image_bytes(self) -> bytes | None:
        return (await self.image.read() or None) if self.image else None


class TopicForm(msgspec.Struct, kw_only=True):
    """A topic, or an event (is_event "1") with its date, place and deadline."""

    title: str = ""
    body: str = ""
    is_event: str = ""
    event_at: str = ""  # datetime-local, in the member's time zone
    event_deadline: str = ""
    event_place: str = ""


class ReplyForm(msgspec.Struct, kw_only=True):
    body: str = ""
    after: str = ""  # the last reply number the live thread shows


class JoinForm(msgspec.Struct, kw_only=True):
    message: str = ""  # to the admins, when they approve members


class ReportForm(msgspec.Struct, kw_only=True):
    number: str = ""  # a reply's number; empty for the topic itself
    reason: str = ""


class SubAdminForm(msgspec.Struct, kw_only=True):
    on: str = ""  # "1" makes a sub-admin, anything else dismisses


class BackForm(msgspec.Struct, kw_only=True):
    next: str = ""  # the page a moderation form was on
