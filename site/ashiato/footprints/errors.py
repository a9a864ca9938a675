"""Why footprints refuses something: one exception class per reason, with its message.

Callers catch the class (the codes stay on the exceptions for logs and older callers).
"""

from __future__ import annotations

from ashiato.errors import DomainError, NotFound, PermissionDenied
from ashiato.i18n import _
from ashiato.members import VISIBILITY_LABELS, Visibility


class FootprintError(DomainError):
    """A footprint or notebook rule refused the request (400)."""


class NotebookBlocked(PermissionDenied):
    """A block stands between the reader and the notebook's owner."""

    def __init__(self) -> None:
        super().__init__(_("You cannot view this notebook."), code="blocked")


class NotebookClosed(PermissionDenied):
    """The owner lets only this audience write in their notebook."""

    def __init__(self, audience: str) -> None:
        super().__init__(
            _(
                "Only these members can write in this notebook: %(audience)s.",
                audience=VISIBILITY_LABELS[Visibility(audience)],
            ),
            code="notebook_closed",
        )


class NoSuchEntry(NotFound):
    def __init__(self) -> None:
        super().__init__(_("This entry does not exist."), code="unknown_entry")


class NotYourEntry(PermissionDenied):
    """Only the notebook's owner and the entry's writer may delete an entry."""

    def __init__(self) -> None:
        super().__init__(_("You cannot delete this entry."), code="not_yours")
