"""Why the friends feature refuses something: one exception class per reason.

Each carries its translated message (written here once) and the HTTP status of its base
(ashiato.errors); callers catch the class they care about instead of comparing `code`
strings, which stay on the exceptions for logs and older callers.
"""

from __future__ import annotations

from ashiato.errors import DomainError, NotFound, PermissionDenied
from ashiato.i18n import _
from ashiato.members import display_name
from ashiato.members.tables import Member


class FriendsError(DomainError):
    """A maimiku or block rule refused the request (400)."""


class CannotAddYourself(FriendsError):
    def __init__(self) -> None:
        super().__init__(_("You cannot add yourself."), code="self")


class CannotBlockYourself(FriendsError):
    def __init__(self) -> None:
        super().__init__(_("You cannot block yourself."), code="self")


class FriendLimitReached(FriendsError):
    """One of the two already has the most maimiku a member can have."""

    def __init__(self, member: Member, limit: int) -> None:
        super().__init__(
            _(
                "%(name)s already has %(num)s maimiku, the most a member can have.",
                name=display_name(member),
                num=limit,
            ),
            code="limit",
        )


class AlreadyFriends(FriendsError):
    def __init__(self, other: Member) -> None:
        super().__init__(
            _("You and %(name)s are already maimiku.", name=display_name(other)),
            code="already_friends",
        )


class AlreadyAsked(FriendsError):
    """The sender's earlier request to the same member still waits for an answer."""

    def __init__(self, other: Member) -> None:
        super().__init__(
            _(
                "You have already asked %(name)s. Please wait for an answer.",
                name=display_name(other),
            ),
            code="duplicate",
        )


class RequestAnswered(FriendsError):
    def __init__(self) -> None:
        super().__init__(_("This request has already been answered."), code="answered")


class TryAgain(FriendsError):
    """Another request wrote the same row at the same moment (PostgreSQL)."""

    def __init__(self) -> None:
        super().__init__(_("Please try again."), code="busy")


class NoSuchMember(NotFound):
    """Not an active member, or one in a block with the viewer (who must not learn which)."""

    def __init__(self) -> None:
        super().__init__(_("This member does not exist."), code="no_member")


class NoSuchRequest(NotFound):
    def __init__(self) -> None:
        super().__init__(_("This request does not exist."), code="no_request")


class NoSuchIntroduction(NotFound):
    def __init__(self) -> None:
        super().__init__(_("This introduction does not exist."), code="no_introduction")


class Blocked(PermissionDenied):
    """A block stands between the two members."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("You cannot do this."), code="blocked")


class RequestBlocked(Blocked):
    def __init__(self) -> None:
        super().__init__(_("You cannot send a maimiku request to this member."))


class ListHidden(PermissionDenied):
    def __init__(self, owner: Member) -> None:
        super().__init__(
            _("%(name)s keeps their maimiku list private.", name=display_name(owner)),
            code="hidden",
        )


class NotFriends(PermissionDenied):
    """Only a member's maimiku may introduce them."""

    def __init__(self, subject: Member) -> None:
        super().__init__(
            _("Only maimiku of %(name)s can introduce them.", name=display_name(subject)),
            code="not_friends",
        )


class NotYourIntroduction(PermissionDenied):
    """The subject hides an introduction, the subject or its author deletes it; nobody else."""

    def __init__(self) -> None:
        super().__init__(_("You cannot do this."), code="not_yours")
