"""The forms of accounts as typed bodies, and the commands its services take.

Handlers receive them decoded from the URL-encoded body; every field defaults to "", so a
missing field becomes a form error in the member's language, never a 400. Services take
the same types (a login is a `Credentials`, whatever page it came from).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Credentials:
    email: str = ""
    password: str = ""


@dataclass(frozen=True)
class LoginForm(Credentials):
    next: str = ""


@dataclass(frozen=True)
class LanguageForm:
    locale: str = ""
    next: str = ""


@dataclass(frozen=True)
class InvitationForm:
    email: str = ""
    message: str = ""


@dataclass(frozen=True)
class SignUpForm:
    """Who the invitee is (the profile fields are profiles' rules) and their password."""

    nickname: str = ""
    full_name: str = ""
    gender: str = ""
    birth_date: str = ""
    region: str = ""
    introduction: str = ""
    password: str = ""
    password_confirm: str = ""


@dataclass(frozen=True)
class PasswordChangeForm:
    current_password: str = ""
    password: str = ""
    password_confirm: str = ""


@dataclass(frozen=True)
class WithdrawalForm:
    password: str = ""


def shown_again(form: object) -> dict[str, str]:
    """What a form shows again after an error: what was typed, never a password."""
    return {k: v for k, v in asdict(form).items() if "password" not in k}  # type: ignore[call-overload]
