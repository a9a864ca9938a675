"""Membership rules: who may invite, sign up, log in, and what makes an account active.

Every function checks its own preconditions and raises a translated DomainError; web
handlers, the CLI and the mail gateway only call these.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import argon2.profiles
from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ashiato import db
from ashiato.accounts import queries
from ashiato.accounts.forms import (
    Credentials,
    InvitationForm,
    PasswordChangeForm,
    SignUpForm,
    WithdrawalForm,
)
from ashiato.accounts.tables import Invitation
from ashiato.accounts.throttle import LoginThrottle
from ashiato.errors import DomainError, FormInvalid, NotFound, PermissionDenied
from ashiato.friends import service as friends
from ashiato.i18n import _, current_locale, lazy_gettext, using
from ashiato.members import require_active
from ashiato.members.tables import Member, MemberStatus
from ashiato.outbox import service as outbox
from ashiato.profiles import service as profiles
from ashiato.registry import WithdrawalHook
from ashiato.settings import Settings

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,252}\.[A-Za-z]{2,}$")
PASSWORD_MIN = 8
PASSWORD_MAX = 200
# Accounts' own fields; the profile fields asked at sign-up are profiles' rules.
LIMITS = {"full_name": 80, "message": 1000}


# -- errors: one subclass per reason, each with its message ------------------------------


class AccountError(DomainError):
    """A membership rule refused the request. Each reason is a subclass that knows its
    translated message (made in the current locale when raised) and its code."""

    reason: ClassVar[str] = "account"
    text: ClassVar[object] = ""  # a lazy_gettext string

    def __init__(self, message: str = "") -> None:
        super().__init__(message or str(self.text), code=self.reason)


class UnknownInvitation(AccountError, NotFound):
    reason = "unknown_invitation"
    text = lazy_gettext("This invitation link is not valid.")


class InvitationUsed(AccountError):
    reason = "used"
    text = lazy_gettext("This invitation has already been used.")


class InvitationRevoked(AccountError):
    reason = "revoked"
    text = lazy_gettext("This invitation has been withdrawn.")


class InvitationExpired(AccountError):
    reason = "expired"
    text = lazy_gettext("This invitation has expired.")


class InvitationQuotaUsed(AccountError):
    reason = "quota"

    def __init__(self, quota: int) -> None:
        super().__init__(_("You have used all %(n)s of your invitations.", n=quota))


class EmailTaken(AccountError):
    reason = "email_taken"
    text = lazy_gettext("This e-mail address is already registered.")


class UnknownVerification(AccountError, NotFound):
    reason = "unknown_token"
    text = lazy_gettext("This confirmation link is not valid.")


class VerificationUsed(AccountError):
    reason = "used"
    text = lazy_gettext("This confirmation link has already been used.")


class VerificationExpired(AccountError):
    reason = "expired"
    text = lazy_gettext("This confirmation link has expired. Log in to get a new one.")


class LoginThrottled(AccountError):
    status_code = 429
    reason = "throttled"
    text = lazy_gettext("Too many failed logins. Please wait a few minutes and try again.")


class BadLogin(AccountError):
    reason = "bad_login"
    text = lazy_gettext("The e-mail address or password is wrong.")


class NotAdmin(AccountError, PermissionDenied):
    reason = "not_admin"
    text = lazy_gettext("Only administrators can do this.")


class UnknownMember(AccountError, NotFound):
    reason = "unknown_member"
    text = lazy_gettext("No such member.")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    """Tokens are stored hashed: a leaked table does not hand out invitations."""
    return hashlib.sha256(token.encode()).hexdigest()


@functools.cache
def password_hasher(profile: str) -> PasswordHasher:
    """Argon2id with the cost of a named profile of argon2.profiles (settings choose it:
    RFC_9106_LOW_MEMORY by default, CHEAPEST for tests). A hash keeps its own parameters,
    so any hasher verifies it; a login re-hashes one made with other parameters."""
    parameters = getattr(argon2.profiles, profile, None)
    if not isinstance(parameters, Parameters):
        known = [name for name in dir(argon2.profiles) if name.isupper()]
        raise ValueError(f"ASHIATO_PASSWORD_HASH_PROFILE must be one of {known}, not {profile!r}")
    return PasswordHasher.from_parameters(parameters)


def hash_password(password: str, settings: Settings) -> str:
    return password_hasher(settings.password_hash_profile).hash(password)


def normalize_email(email: str) -> str:
    """Trim, and lowercase the domain (local parts are the recipient's business)."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else email.strip()


def valid_email(email: str) -> bool:
    return bool(EMAIL_RE.match(email)) and len(email) <= 254


def mobile_required(member: Member, settings: Settings) -> bool:
    if settings.mobile_verification == "required":
        return True
    if settings.mobile_verification == "jp-only":
        return member.signup_country == "JP"
    return False


def status_after_verification(member: Member, settings: Settings) -> str:
    """The status an account earns from what it has verified so far."""
    if member.status == MemberStatus.WITHDRAWN:
        return MemberStatus.WITHDRAWN
    if member.is_admin and member.invited_by is None:
        return MemberStatus.ACTIVE  # the founder made by the CLI
    if member.pc_verified_at is None:
        return MemberStatus.PENDING
    if mobile_required(member, settings) and member.mobile_verified_at is None:
        return MemberStatus.PENDING
    if settings.require_admin_approval and member.approved_at is None:
        return MemberStatus.AWAITING_APPROVAL
    return MemberStatus.ACTIVE


# -- founding member ---------------------------------------------------------------------


async def create_founder(email: str, password: str, nickname: str, settings: Settings) -> Member:
    """The first administrator, made from the command line without an invitation."""
    email = normalize_email(email)
    errors = {}
    if not valid_email(email):
        errors["email"] = _("Enter a valid e-mail address.")
    if len(password) < PASSWORD_MIN:
        errors["password"] = _("The password needs at least %(n)s characters.", n=PASSWORD_MIN)
    if errors:
        raise FormInvalid(errors)
    if await queries.email_taken(email):
        raise EmailTaken()
    now = _now()
    longest = profiles.MEMBER_FIELD_LIMITS["nickname"]
    return await queries.insert_member(
        pc_email=email,
        pc_verified_at=now,
        password_hash=hash_password(password, settings),
        nickname=nickname[:longest] or email.partition("@")[0][:longest],
        status=MemberStatus.ACTIVE,
        is_admin=True,
        approved_at=now,
        time_zone=settings.default_time_zone,
    )


# -- invitations -------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str
    url: str


def invitation_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/join/{token}"


async def invite(inviter: Member, form: InvitationForm, settings: Settings) -> IssuedInvitation:
    """Invite someone by e-mail; the mail is queued in the same transaction."""
    require_active(inviter)
    email = normalize_email(form.email)
    message = form.message
    errors = {}
    if not valid_email(email):
        errors["email"] = _("Enter a valid e-mail address.")
    if len(message) > LIMITS["message"]:
        errors["message"] = _("The message can be at most %(n)s characters.", n=LIMITS["message"])
    if errors:
        raise FormInvalid(errors)
    if await queries.email_taken(email):
        raise FormInvalid({"email": _("This e-mail address is already registered.")})
    if not inviter.is_admin:
        used = await queries.open_invitation_count(inviter.id)
        if used >= settings.invitation_quota:
            raise InvitationQuotaUsed(settings.invitation_quota)
    token = new_token()
    url = invitation_url(settings, token)
    async with db.transaction():
        invitation = await queries.insert_invitation(
            token_hash=token_hash(token),
            email=email,
            message=message,
            inviter=inviter.id,
            expires_at=_now() + dt.timedelta(days=settings.invitation_days),
        )
        # The invitee has no account yet: write in the inviter's language.
        with using(inviter.locale or current_locale()):
            await outbox.enqueue(
                recipient=email,
                subject=_("%(name)s invites you to Ashiato", name=inviter.nickname),
                body=_(
                    "%(name)s has invited you to Ashiato, an invitation-only community.\n\n"
                    "%(message)s\n\n"
                    "About %(name)s:\n%(introduction)s\n\n"
                    "Join here (valid for %(days)s days):\n%(url)s\n",
                    name=inviter.nickname,
                    message=message,
                    introduction=inviter.introduction or "-",
                    days=settings.invitation_days,
                    url=url,
                ),
                kind="invitation",
            )
    return IssuedInvitation(invitation=invitation, token=token, url=url)


async def revoke_invitation(actor: Member, invitation_id: int) -> None:
    require_active(actor)
    invitation = await queries.invitation_by_id(invitation_id)
    if invitation is None or (invitation.inviter != actor.id and not actor.is_admin):
        raise UnknownInvitation(_("This invitation does not exist."))
    if invitation.used_at is not None:
        raise InvitationUsed()
    await queries.update_invitation(invitation.id, revoked_at=_now())


async def list_invitations(actor: Member) -> list[Invitation]:
    require_active(actor)
    return await queries.invitations_by(actor.id)


@dataclass(frozen=True)
class OpenInvitation:
    invitation: Invitation
    inviter: Member


async def open_invitation(token: str) -> OpenInvitation:
    """The invitation behind a link, with the inviter's profile; refuses dead links."""
    invitation = await queries.invitation_by_token_hash(token_hash(token))
    if invitation is None:
        raise UnknownInvitation()
    if invitation.revoked_at is not None:
        raise InvitationRevoked()
    if invitation.used_at is not None:
        raise InvitationUsed()
    if invitation.expires_at <= _now():
        raise InvitationExpired()
    inviter = await queries.member_by_id(invitation.inviter)
    if inviter is None or inviter.status == MemberStatus.WITHDRAWN:
        raise InvitationRevoked()
    return OpenInvitation(invitation=invitation, inviter=inviter)


# -- sign-up and verification ------------------------------------------------------------


def _password_errors(password: str, confirm: str) -> dict[str, str]:
    if len(password) < PASSWORD_MIN:
        return {"password": _("The password needs at least %(n)s characters.", n=PASSWORD_MIN)}
    if len(password) > PASSWORD_MAX:
        return {"password": _("At most %(n)s characters.", n=PASSWORD_MAX)}
    if password != confirm:
        return {"password_confirm": _("The two passwords differ.")}
    return {}


def _validate_sign_up(form: SignUpForm) -> dict[str, object]:
    """The new member's values: the profile fields by profiles' rules, the rest by ours."""
    values, errors = profiles.check_member_fields(
        nickname=form.nickname,
        gender=form.gender,
        birth_date=form.birth_date,
        region=form.region,
        introduction=form.introduction,
    )
    full_name = form.full_name.strip()
    if len(full_name) > LIMITS["full_name"]:
        errors["full_name"] = _("At most %(n)s characters.", n=LIMITS["full_name"])
    elif not full_name:
        errors["full_name"] = _("Enter your name.")
    errors.update(_password_errors(form.password, form.password_confirm))
    if errors:
        raise FormInvalid(errors)
    return {**values, "full_name": full_name}


async def _queue_pc_verification(member: Member, email: str, settings: Settings) -> None:
    token = new_token()
    await queries.insert_verification(
        token_hash=token_hash(token),
        member=member.id,
        email=email,
        expires_at=_now() + dt.timedelta(hours=settings.verification_hours),
    )
    url = f"{settings.base_url}/verify/{token}"
    with using(member.locale or current_locale(), member.time_zone):
        await outbox.enqueue(
            recipient=email,
            subject=_("Confirm your e-mail address for Ashiato"),
            body=_(
                "Hello %(name)s,\n\nOpen this link to confirm your e-mail address "
                "(valid for %(hours)s hours):\n%(url)s\n",
                name=member.nickname,
                hours=settings.verification_hours,
                url=url,
            ),
            kind="pc_verification",
        )


async def sign_up(token: str, form: SignUpForm, settings: Settings, *, country: str = "") -> Member:
    """Create a pending account from an invitation and send the PC verification link."""
    opened = await open_invitation(token)
    values = _validate_sign_up(form)
    email = opened.invitation.email
    if await queries.email_taken(email):
        raise EmailTaken()
    password_hash = hash_password(form.password, settings)  # slow: outside the transaction
    async with db.transaction():
        member = await queries.insert_member(
            pc_email=email,
            password_hash=password_hash,
            invited_by=opened.inviter.id,
            locale=current_locale(),
            time_zone=settings.default_time_zone,
            signup_country=country[:2],
            status=MemberStatus.PENDING,
            **values,
        )
        if not await queries.claim_invitation(opened.invitation.id, member.id, _now()):
            raise InvitationUsed()
        # As in mixi, the person who invited you is your first maimiku (within the limit).
        await friends.befriend_on_invitation(opened.inviter.id, member.id, settings)
        await _queue_pc_verification(member, email, settings)
    return member


async def resend_pc_verification(member: Member, settings: Settings) -> None:
    if member.pc_verified_at is not None or member.pc_email is None:
        return
    async with db.transaction():
        await _queue_pc_verification(member, member.pc_email, settings)


async def verify_pc_email(token: str, settings: Settings) -> Member:
    verification = await queries.verification_by_token_hash(token_hash(token))
    if verification is None:
        raise UnknownVerification()
    if verification.used_at is not None:
        raise VerificationUsed()
    if verification.expires_at <= _now():
        raise VerificationExpired()
    member = await queries.member_by_id(verification.member)
    if member is None or member.pc_email != verification.email:
        raise UnknownVerification()
    async with db.transaction():
        if not await queries.use_verification(verification.id, _now()):
            raise VerificationUsed()
        member.pc_verified_at = _now()
        member.status = status_after_verification(member, settings)
        await queries.update_member(
            member.id, pc_verified_at=member.pc_verified_at, status=member.status
        )
    return member


async def approve(admin: Member, member_id: int, settings: Settings) -> Member:
    require_active(admin)
    if not admin.is_admin:
        raise NotAdmin()
    member = await queries.member_by_id(member_id)
    if member is None:
        raise UnknownMember()
    member.approved_at = _now()
    member.status = status_after_verification(member, settings)
    await queries.update_member(member.id, approved_at=member.approved_at, status=member.status)
    return member


async def awaiting_approval(admin: Member) -> list[Member]:
    require_active(admin)
    if not admin.is_admin:
        raise NotAdmin()
    return await queries.members_awaiting_approval()


# -- login, password, withdrawal ---------------------------------------------------------


def _password_matches(member: Member, password: str, settings: Settings) -> bool:
    try:
        return password_hasher(settings.password_hash_profile).verify(
            member.password_hash, password
        )
    except (VerificationError, InvalidHashError):
        return False


async def authenticate(
    credentials: Credentials, settings: Settings, *, client: str, throttle: LoginThrottle
) -> Member:
    """Check a login; repeated failures for an address or a client are slowed down.

    A success clears both counts: the client key is often a proxy or a carrier gateway
    that many members share, and one member's typos must not lock the others out.
    """
    email = normalize_email(credentials.email)
    password = credentials.password
    keys = [f"email:{email.lower()}", f"client:{client}"]
    if await throttle.blocked(keys):
        raise LoginThrottled()
    member = await queries.member_by_pc_email(email) if email else None
    if member is None or not _password_matches(member, password, settings):
        if member is None:
            hash_password(password, settings)  # same work either way: no timing hint
        await throttle.failed(keys)
        raise BadLogin()
    await throttle.reset(keys)
    if password_hasher(settings.password_hash_profile).check_needs_rehash(member.password_hash):
        await queries.update_member(member.id, password_hash=hash_password(password, settings))
    await queries.update_member(member.id, last_login_at=_now())
    return member


async def change_password(member: Member, form: PasswordChangeForm, settings: Settings) -> None:
    if not _password_matches(member, form.current_password, settings):
        raise FormInvalid({"current_password": _("The current password is wrong.")})
    errors = _password_errors(form.password, form.password_confirm)
    if errors:
        raise FormInvalid(errors)
    await queries.update_member(member.id, password_hash=hash_password(form.password, settings))


async def set_locale(member: Member, locale: str) -> None:
    """The member's language, kept for mail and for pages on other devices."""
    await queries.update_member(member.id, locale=locale)


async def withdraw(
    member: Member,
    form: WithdrawalForm,
    settings: Settings,
    hooks: Sequence[WithdrawalHook] = (),
) -> None:
    """退会: the account closes, its addresses are freed, its content stays anonymous.

    `hooks` are the features' withdrawal hooks (registry.withdrawal_hooks): each ends
    what its feature keeps for a member (maimiku, pending requests …) in this transaction.
    """
    if not _password_matches(member, form.password, settings):
        raise FormInvalid({"password": _("The password is wrong.")})
    async with db.transaction():
        await queries.update_member(
            member.id,
            status=MemberStatus.WITHDRAWN,
            withdrawn_at=_now(),
            pc_email=None,
            mobile_email=None,
            password_hash="!",  # no password can match: the account cannot log in again
        )
        for hook in hooks:
            await hook(member.id)
