"""Why private messages refuse something: one exception class per reason, with its message.

Callers catch the class (the codes stay on the exceptions for logs and older callers).
"""

from __future__ import annotations

from ashiato.errors import NotFound, PermissionDenied
from ashiato.i18n import _


class NoSuchRecipient(NotFound):
    """Not an active member, or the sender themselves."""

    def __init__(self) -> None:
        super().__init__(_("This member cannot receive messages."), code="unknown_recipient")


class RecipientBlocked(PermissionDenied):
    """A block stands between the sender and the recipient."""

    def __init__(self) -> None:
        super().__init__(_("You cannot send a message to this member."), code="blocked")


class NoSuchMessage(NotFound):
    """Not a message of this member's, or one they deleted (they must not learn which)."""

    def __init__(self) -> None:
        super().__init__(_("This message does not exist."), code="unknown_message")
