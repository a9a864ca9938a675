"""Domain errors: raised by services, mapped once to HTTP answers and gateway replies.

An error may carry a `Refusal` (ashiato.refusals): the reason the mail gateway answers
with its SMTP reply and the member reads in an error mail. Subclasses name one reason
each (`refusal = Refusal.…` on the class), so no caller branches on `code` strings.
"""

from __future__ import annotations

from collections.abc import Mapping

from ashiato.refusals import Refusal, refusal_text
from ashiato.settings import Settings


class DomainError(Exception):
    """A rule said no. `message` is already translated into the current locale; `refusal`
    (if any) says why in the terms the gateway shares, `params` the numbers it names."""

    status_code = 400
    refusal: Refusal | None = None

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        refusal: Refusal | None = None,
        params: Mapping[str, int] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if refusal is not None:
            self.refusal = refusal
        self.params: dict[str, int] = dict(params or {})
        self.code = code or (self.refusal.value if self.refusal else "")


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class FormInvalid(DomainError):
    """Field-by-field errors for a form that is shown again with what the member typed."""

    status_code = 422

    def __init__(
        self,
        errors: dict[str, str],
        *,
        refusal: Refusal | None = None,
        params: Mapping[str, int] | None = None,
    ) -> None:
        message = "; ".join(errors.values())
        super().__init__(message, code="form_invalid", refusal=refusal, params=params)
        self.errors = errors


class Refused(DomainError):
    """A refusal that is nothing but its reason: its message is the reason's text.
    Subclass it per reason (`refusal = Refusal.…`)."""

    status_code = 422
    refusal = Refusal.NOT_ACCEPTED

    def __init__(self, settings: Settings, **params: int) -> None:
        super().__init__(refusal_text(self.refusal, settings, params), params=params)


def refusal_of(error: DomainError) -> Refusal:
    """The reason an error gives the gateway (NOT_ACCEPTED for a rule without one)."""
    return error.refusal or Refusal.NOT_ACCEPTED
