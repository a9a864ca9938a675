"""Domain errors: raised by services, mapped once to HTTP answers and gateway replies."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. `message` is already translated into the current locale."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class FormInvalid(DomainError):
    """Field-by-field errors for a form that is shown again with what the member typed."""

    status_code = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()), code="form_invalid")
        self.errors = errors
