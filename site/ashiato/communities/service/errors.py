"""Every reason a community rule says no, one exception type each.

Callers catch the type they care about (or its base: NotFound, PermissionDenied,
CommunityError); the app maps the bases to 404, 403 and 400 with the translated text.
"""

from __future__ import annotations

from typing import ClassVar

from ashiato.errors import DomainError, NotFound, PermissionDenied
from ashiato.i18n import lazy_gettext


class _FixedText:
    """A refusal whose text its class fixes: `raise AdminCannotLeave()`."""

    text: ClassVar[object]  # a lazy_gettext string, translated when raised

    def __init__(self) -> None:
        super().__init__(str(self.text), code=type(self).__name__)  # type: ignore[call-arg]


class CommunityError(DomainError):
    """A community rule refused the request (400)."""


# -- 404 ---------------------------------------------------------------------------------


class CommunityNotFound(_FixedText, NotFound):
    text = lazy_gettext("This community does not exist.")


class TopicNotFound(_FixedText, NotFound):
    text = lazy_gettext("This topic does not exist.")


class ReplyNotFound(_FixedText, NotFound):
    text = lazy_gettext("This reply does not exist.")


class EventNotFound(_FixedText, NotFound):
    text = lazy_gettext("This event does not exist.")


class NoImage(_FixedText, NotFound):
    text = lazy_gettext("This community has no image.")


class MemberNotFound(_FixedText, NotFound):
    text = lazy_gettext("This member does not exist.")


# -- 403 ---------------------------------------------------------------------------------


class MembersOnly(_FixedText, PermissionDenied):
    text = lazy_gettext("Only members of this community can read its topics.")


class JoinFirst(_FixedText, PermissionDenied):
    text = lazy_gettext("Join this community first.")


class ManagersOnly(_FixedText, PermissionDenied):
    text = lazy_gettext("Only the admin and sub-admins of this community can do this.")


class AdminOnly(_FixedText, PermissionDenied):
    text = lazy_gettext("Only the admin of this community can do this.")


class AdminsStartTopics(_FixedText, PermissionDenied):
    text = lazy_gettext("Only the admins of this community can start topics.")


class WriterOnly(_FixedText, PermissionDenied):
    text = lazy_gettext("Only the writer can edit this.")


class TopicNotDeletable(_FixedText, PermissionDenied):
    text = lazy_gettext("You cannot delete this topic.")


class ReplyNotDeletable(_FixedText, PermissionDenied):
    text = lazy_gettext("You cannot delete this reply.")


class Banned(_FixedText, PermissionDenied):
    text = lazy_gettext("You cannot join this community.")


class NotRemovable(_FixedText, PermissionDenied):
    text = lazy_gettext("You cannot remove this member.")


class NotBannable(_FixedText, PermissionDenied):
    text = lazy_gettext("You cannot ban this member.")


# -- 400 ---------------------------------------------------------------------------------


class AdminCannotLeave(_FixedText, CommunityError):
    text = lazy_gettext("The admin cannot leave. Hand the role over to another member first.")


class HasAdmin(_FixedText, CommunityError):
    text = lazy_gettext("This community already has an admin.")


class AdminTaken(_FixedText, CommunityError):
    text = lazy_gettext("Another member became the admin first.")


class NoLongerAdmin(_FixedText, CommunityError):
    text = lazy_gettext("You are no longer the admin.")


class NotMemberForSubAdmin(_FixedText, CommunityError):
    text = lazy_gettext("Only members can be sub-admins.")


class NotMemberForAdmin(_FixedText, CommunityError):
    text = lazy_gettext("Only members can become the admin.")


class CannotTakeRole(_FixedText, CommunityError):
    text = lazy_gettext("This member cannot take on a role.")


class EventClosed(_FixedText, CommunityError):
    text = lazy_gettext("The deadline for this event has passed.")


class EventPast(_FixedText, CommunityError):
    text = lazy_gettext("This event has already taken place.")
