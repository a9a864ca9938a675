"""Membership rules: who may invite, sign up, log in, and what makes an account active.

Every function checks its own preconditions and raises a translated DomainError; web
handlers, the CLI and the mail gateway only call these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ashiato import db
from ashiato.accounts import queries
from ashiato.accounts.tables import Invitation
from ashiato.accounts.throttle import LoginThrottle
from ashiato.errors import DomainError, FormInvalid, NotFound, PermissionDenied
from ashiato.friends import queries as friend_queries
from ashiato.i18n import _, current_locale, using
from ashiato.members import GENDERS, parse_birth_date, require_active
from ashiato.members.tables import Member, MemberStatus
from ashiato.outbox import service as outbox
from ashiato.settings import Settings

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,252}\.[A-Za-z]{2,}$")
PASSWORD_MIN = 8
LIMITS = {"nickname": 40, "full_name": 80, "region": 40, "introduction": 2000, "message": 1000}


class AccountError(DomainError):
    """A membership rule refused the request."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    """Tokens are stored hashed: a leaked table does not hand out invitations."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


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
        raise AccountError(_("This e-mail address is already registered."), code="email_taken")
    now = _now()
    return await queries.insert_member(
        pc_email=email,
        pc_verified_at=now,
        password_hash=hash_password(password),
        nickname=nickname[: LIMITS["nickname"]] or email.partition("@")[0][:40],
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


async def invite(inviter: Member, email: str, message: str, settings: Settings) -> IssuedInvitation:
    """Invite someone by e-mail; the mail is queued in the same transaction."""
    require_active(inviter)
    email = normalize_email(email)
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
            raise AccountError(
                _("You have used all %(n)s of your invitations.", n=settings.invitation_quota),
                code="quota",
            )
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
        raise NotFound(_("This invitation does not exist."), code="unknown_invitation")
    if invitation.used_at is not None:
        raise AccountError(_("This invitation has already been used."), code="used")
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
        raise NotFound(_("This invitation link is not valid."), code="unknown_invitation")
    if invitation.revoked_at is not None:
        raise AccountError(_("This invitation has been withdrawn."), code="revoked")
    if invitation.used_at is not None:
        raise AccountError(_("This invitation has already been used."), code="used")
    if invitation.expires_at <= _now():
        raise AccountError(_("This invitation has expired."), code="expired")
    inviter = await queries.member_by_id(invitation.inviter)
    if inviter is None or inviter.status == MemberStatus.WITHDRAWN:
        raise AccountError(_("This invitation has been withdrawn."), code="revoked")
    return OpenInvitation(invitation=invitation, inviter=inviter)


# -- sign-up and verification ------------------------------------------------------------


def _validate_profile(form: dict[str, str], *, require_password: bool) -> dict[str, object]:
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for name in ("nickname", "full_name", "region", "introduction"):
        value = (form.get(name) or "").strip()
        if len(value) > LIMITS[name]:
            errors[name] = _("At most %(n)s characters.", n=LIMITS[name])
        values[name] = value
    if not values["nickname"]:
        errors["nickname"] = _("Enter a nickname.")
    if not values["full_name"]:
        errors["full_name"] = _("Enter your name.")
    gender = form.get("gender") or ""
    if gender not in GENDERS:
        errors["gender"] = _("Choose one of the options.")
    values["gender"] = gender
    values["birth_date"], birth_error = parse_birth_date(form.get("birth_date"))
    if birth_error:
        errors["birth_date"] = birth_error
    if require_password:
        password = form.get("password") or ""
        if len(password) < PASSWORD_MIN:
            errors["password"] = _("The password needs at least %(n)s characters.", n=PASSWORD_MIN)
        elif len(password) > 200:
            errors["password"] = _("At most %(n)s characters.", n=200)
        elif password != (form.get("password_confirm") or ""):
            errors["password_confirm"] = _("The two passwords differ.")
        values["password"] = password
    if errors:
        raise FormInvalid(errors)
    return values


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


async def sign_up(
    token: str, form: dict[str, str], settings: Settings, *, country: str = ""
) -> Member:
    """Create a pending account from an invitation and send the PC verification link."""
    opened = await open_invitation(token)
    values = _validate_profile(form, require_password=True)
    email = opened.invitation.email
    if await queries.email_taken(email):
        raise AccountError(_("This e-mail address is already registered."), code="email_taken")
    async with db.transaction():
        member = await queries.insert_member(
            pc_email=email,
            password_hash=hash_password(str(values.pop("password"))),
            invited_by=opened.inviter.id,
            locale=current_locale(),
            time_zone=settings.default_time_zone,
            signup_country=country[:2],
            status=MemberStatus.PENDING,
            **values,
        )
        if not await queries.claim_invitation(opened.invitation.id, member.id, _now()):
            raise AccountError(_("This invitation has already been used."), code="used")
        # As in mixi, the person who invited you is your first maimiku (within the limit).
        if await friend_queries.count_active_friends(opened.inviter.id) < settings.max_friends:
            await friend_queries.insert_friendship(opened.inviter.id, member.id)
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
        raise NotFound(_("This confirmation link is not valid."), code="unknown_token")
    if verification.used_at is not None:
        raise AccountError(_("This confirmation link has already been used."), code="used")
    if verification.expires_at <= _now():
        raise AccountError(
            _("This confirmation link has expired. Log in to get a new one."), code="expired"
        )
    member = await queries.member_by_id(verification.member)
    if member is None or member.pc_email != verification.email:
        raise NotFound(_("This confirmation link is not valid."), code="unknown_token")
    async with db.transaction():
        if not await queries.use_verification(verification.id, _now()):
            raise AccountError(_("This confirmation link has already been used."), code="used")
        member.pc_verified_at = _now()
        member.status = status_after_verification(member, settings)
        await queries.update_member(
            member.id, pc_verified_at=member.pc_verified_at, status=member.status
        )
    return member


async def approve(admin: Member, member_id: int, settings: Settings) -> Member:
    require_active(admin)
    if not admin.is_admin:
        raise PermissionDenied(_("Only administrators can do this."), code="not_admin")
    member = await queries.member_by_id(member_id)
    if member is None:
        raise NotFound(_("No such member."), code="unknown_member")
    member.approved_at = _now()
    member.status = status_after_verification(member, settings)
    await queries.update_member(member.id, approved_at=member.approved_at, status=member.status)
    return member


async def awaiting_approval(admin: Member) -> list[Member]:
    require_active(admin)
    if not admin.is_admin:
        raise PermissionDenied(_("Only administrators can do this."), code="not_admin")
    return await queries.members_awaiting_approval()


# -- login, password, withdrawal ---------------------------------------------------------


def _password_matches(member: Member, password: str) -> bool:
    try:
        return _hasher.verify(member.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def authenticate(
    email: str, password: str, *, client: str, throttle: LoginThrottle
) -> Member:
    """Check a login; repeated failures for an address or a client are slowed down."""
    email = normalize_email(email)
    keys = [f"email:{email.lower()}", f"client:{client}"]
    if await throttle.blocked(keys):
        raise AccountError(
            _("Too many failed logins. Please wait a few minutes and try again."),
            code="throttled",
        )
    member = await queries.member_by_pc_email(email) if email else None
    if member is None or not _password_matches(member, password):
        if member is None:
            hash_password(password)  # same work either way: no timing hint about accounts
        await throttle.failed(keys)
        raise AccountError(_("The e-mail address or password is wrong."), code="bad_login")
    await throttle.reset(keys[:1])
    if _hasher.check_needs_rehash(member.password_hash):
        await queries.update_member(member.id, password_hash=hash_password(password))
    await queries.update_member(member.id, last_login_at=_now())
    return member


async def change_password(member: Member, current: str, new: str, confirm: str) -> None:
    if not _password_matches(member, current):
        raise FormInvalid({"current_password": _("The current password is wrong.")})
    if len(new) < PASSWORD_MIN:
        raise FormInvalid(
            {"password": _("The password needs at least %(n)s characters.", n=PASSWORD_MIN)}
        )
    if new != confirm:
        raise FormInvalid({"password_confirm": _("The two passwords differ.")})
    await queries.update_member(member.id, password_hash=hash_password(new))


async def set_locale(member: Member, locale: str) -> None:
    await queries.update_member(member.id, locale=locale)


async def withdraw(member: Member, password: str) -> None:
    """退会: the account closes, its addresses are freed, its content stays anonymous."""
    if not _password_matches(member, password):
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
        # Maimiku end with the account (and its pending requests); what it wrote stays.
        await friend_queries.forget_member(member.id, _now())
