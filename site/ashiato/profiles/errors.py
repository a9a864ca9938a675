"""Why profiles refuses something: one exception class per reason, with its message.

Callers catch the class (the codes stay on the exceptions for logs and older callers).
"""

from __future__ import annotations

from ashiato.errors import DomainError, NotFound, PermissionDenied
from ashiato.i18n import _


class ProfileError(DomainError):
    """A profile rule refused the request (400)."""


class TooManyPhotos(ProfileError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            _("You can have at most %(n)s photos. Delete one first.", n=limit),
            code="too_many_photos",
        )


class NoSuchMember(NotFound):
    """Not a member, or not an active one: their pages do not exist for anyone."""

    def __init__(self) -> None:
        super().__init__(_("No such member."), code="unknown_member")


class NoSuchPhoto(NotFound):
    """Not a photo of this member, or one the viewer may not see (they must not learn which)."""

    def __init__(self) -> None:
        super().__init__(_("This photo does not exist."), code="unknown_photo")


class ProfileBlocked(PermissionDenied):
    """A block stands between the viewer and the owner."""

    def __init__(self) -> None:
        super().__init__(_("You cannot view this profile."), code="blocked")
