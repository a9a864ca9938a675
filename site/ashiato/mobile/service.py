"""Mobile addresses: verification by empty mail (空メール), posting addresses, gateway log.

The mail gateway (mailgate/) and the web pages both call these functions; nothing here
knows SMTP. Refusals are GatewayRefusal with a reason code (`non-carrier-sender`,
`sender-mismatch`, …) that the gateway maps to its reply and the pages translate.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import sqlite3
from dataclasses import dataclass, field

from ashiato import db
from ashiato.accounts import queries as account_queries
from ashiato.accounts.service import require_active, status_after_verification
from ashiato.accounts.tables import Member, MemberStatus
from ashiato.errors import DomainError, NotFound, PermissionDenied
from ashiato.i18n import _, using
from ashiato.mobile import queries
from ashiato.mobile.tables import AddressPurpose, GatewayAddress
from ashiato.outbox import service as outbox
from ashiato.settings import Settings
from mailgate.carriers import DEFAULT_CARRIER_DOMAINS, is_carrier_address, normalize_address

TOKEN_LENGTH = 16  # base32 letters and digits: 80 bits, unguessable over SMTP
_TOKEN = re.compile(rf"^[a-z2-7]{{{TOKEN_LENGTH}}}$")
PURPOSES = (AddressPurpose.REGIST, AddressPurpose.POST)
EVENT_PAGE = 100


class GatewayRefusal(DomainError):
    """This mail will never be accepted as it is; `code` says why (see refusal_text)."""

    status_code = 422


class PostingUnavailable(Exception):
    """Diaries by mail are not open yet: the gateway answers 451 so nothing is lost."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def carrier_domains(settings: Settings) -> tuple[str, ...]:
    """The sender domains accepted as mobile phones (a setting; Japan's carriers by default)."""
    return settings.carrier_domains or DEFAULT_CARRIER_DOMAINS


def refusal_text(code: str, settings: Settings) -> str:
    """Why a mail was refused, in the current language, for pages and error mails."""
    megabytes = settings.mail_size_limit / (1024 * 1024)
    texts = {
        "non-carrier-sender": _(
            "Only a mobile phone's address (docomo, au, SoftBank …) can be registered. "
            "Please send the mail from your phone."
        ),
        "address-taken": _("This mobile address is already registered by another member."),
        "address-used": _("This registration address has already been used."),
        "address-expired": _("This registration address has expired."),
        "auto-generated": _("Automatic replies are not accepted."),
        "sender-mismatch": _("The mail did not come from an address you have confirmed."),
        "member-not-active": _("Your account is not active yet."),
        "malformed-mime": _(
            "Your mail was damaged on its way and could not be read. Please send it again."
        ),
        "message-too-large": _(
            "Your mail is larger than %(size)s MB. Please send a smaller photo.",
            size=f"{megabytes:g}",
        ),
    }
    return texts.get(code, _("Your mail could not be accepted."))


def refuse(code: str, settings: Settings) -> GatewayRefusal:
    return GatewayRefusal(refusal_text(code, settings), code=code)


# -- the addresses -----------------------------------------------------------------------


def _token(settings: Settings, purpose: str, member_id: int, nonce: str) -> str:
    message = f"{purpose}:{member_id}:{nonce}".encode()
    digest = hmac.new(settings.secret_key.encode(), message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:TOKEN_LENGTH]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _mail_address(purpose: str, token: str, settings: Settings) -> str:
    return f"{purpose}+{token}@{settings.mail_domain}"


async def _new_address(
    member_id: int, purpose: str, settings: Settings, expires_at: dt.datetime | None = None
) -> GatewayAddress:
    nonce = secrets.token_hex(16)
    token = _token(settings, purpose, member_id, nonce)
    return await queries.insert_address(
        member=member_id,
        purpose=purpose,
        nonce=nonce,
        token_hash=_token_hash(token),
        expires_at=expires_at,
    )


async def _shown_address(row: GatewayAddress, settings: Settings) -> str:
    """The address of a row, as the member sees it. After a change of the secret key the
    old token cannot be derived again: the row gets a fresh one, so what is shown works."""
    token = _token(settings, row.purpose, row.member, row.nonce)
    if _token_hash(token) != row.token_hash:
        row.nonce = secrets.token_hex(16)
        token = _token(settings, row.purpose, row.member, row.nonce)
        row.token_hash = _token_hash(token)
        await queries.replace_token(row.id, row.nonce, row.token_hash)
    return _mail_address(row.purpose, token, settings)


async def _live_or_new(member: Member, purpose: str, settings: Settings) -> GatewayAddress:
    now = _now()
    row = await queries.live_address(member.id, purpose, now)
    if row is None:
        expires = (
            now + dt.timedelta(hours=settings.verification_hours)
            if purpose == AddressPurpose.REGIST
            else None
        )
        row = await _new_address(member.id, purpose, settings, expires)
    return row


async def posting_address(member: Member, settings: Settings) -> str:
    """The member's secret post+TOKEN@ address (made on first use)."""
    require_active(member)
    return await _shown_address(await _live_or_new(member, AddressPurpose.POST, settings), settings)


async def regenerate_posting_address(member: Member, settings: Settings) -> str:
    """A new posting address; mail to the old one is refused from now on."""
    require_active(member)
    async with db.transaction():
        await queries.revoke_addresses(member.id, AddressPurpose.POST, _now())
        row = await _new_address(member.id, AddressPurpose.POST, settings)
    return await _shown_address(row, settings)


async def operator_addresses(member: Member, settings: Settings) -> dict[str, str | None]:
    """Both addresses for `ashiato member show` (none for a withdrawn member)."""
    if member.status == MemberStatus.WITHDRAWN:
        return {"regist_address": None, "post_address": None}
    regist = await _live_or_new(member, AddressPurpose.REGIST, settings)
    post = await _live_or_new(member, AddressPurpose.POST, settings)
    return {
        "regist_address": await _shown_address(regist, settings),
        "post_address": await _shown_address(post, settings),
    }


# -- the verification page ---------------------------------------------------------------


@dataclass(frozen=True)
class VerificationState:
    """What the waiting page shows: the address to mail, or the phone it confirmed."""

    address_id: int
    address: str = ""
    confirmed_address: str | None = None
    refusal: str | None = None  # why the last mail to this address was refused


async def verification_state(
    member: Member, settings: Settings, shown_id: int | None = None
) -> VerificationState:
    """The registration address to show (kept while it works), or the result of the one
    the page showed before (`shown_id`), so a waiting page learns that the mail arrived."""
    if member.status == MemberStatus.WITHDRAWN:
        raise PermissionDenied(_("Please log in with an active account."), code="not_active")
    now = _now()
    row = await queries.address_by_id(shown_id) if shown_id else None
    if row is not None and row.member == member.id and row.purpose == AddressPurpose.REGIST:
        if row.used_at is not None:
            return VerificationState(address_id=row.id, confirmed_address=row.verified_address)
        if row.revoked_at is not None or (row.expires_at and row.expires_at <= now):
            row = None
    else:
        row = None
    if row is None:
        row = await _live_or_new(member, AddressPurpose.REGIST, settings)
    refused = await queries.last_refusal(member.id, AddressPurpose.REGIST, row.created_at)
    return VerificationState(
        address_id=row.id,
        address=await _shown_address(row, settings),
        refusal=refusal_text(refused.reason, settings) if refused else None,
    )


# -- mail arriving at the gateway --------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """The member behind regist+TOKEN@ or post+TOKEN@."""

    purpose: str
    token: str
    address: GatewayAddress
    member: Member


async def resolve_recipient(purpose: str, token: str) -> Recipient | None:
    """None for an address that does not exist (the gateway refuses it at RCPT).

    Used or expired registration addresses still resolve, so that a carrier's resend of
    the mail that used it can be recognised (and answered 250) by its Message-ID.
    """
    token = token.lower()
    if purpose not in PURPOSES or not _TOKEN.match(token):
        return None
    row = await queries.address_by_token_hash(_token_hash(token))
    if row is None or row.purpose != purpose or row.revoked_at is not None:
        return None
    member = await account_queries.member_by_id(row.member)
    if member is None or member.status == MemberStatus.WITHDRAWN:
        return None
    return Recipient(purpose=purpose, token=token, address=row, member=member)


def _verified_addresses(member: Member) -> set[str]:
    found = set()
    if member.mobile_email and member.mobile_verified_at is not None:
        found.add(normalize_address(member.mobile_email))
    if member.pc_email and member.pc_verified_at is not None:
        found.add(normalize_address(member.pc_email))
    return found


def is_verified_sender(member: Member, sender: str) -> bool:
    """Is this envelope sender one of the member's confirmed addresses? A quoted local
    part ("taro."@docomo.ne.jp) is the same mailbox as the bare one."""
    return bool(sender) and normalize_address(sender) in _verified_addresses(member)


async def check_sender(recipient: Recipient, sender: str, settings: Settings) -> None:
    """The sender rules, checked as early as RCPT: a phone registers only from a carrier
    domain; a post comes only from one of the member's confirmed addresses (carrier MTAs
    always send with the handset's own address as MAIL FROM)."""
    if recipient.purpose == AddressPurpose.REGIST:
        if not is_carrier_address(sender, carrier_domains(settings)):
            raise refuse("non-carrier-sender", settings)
        return
    if not is_verified_sender(recipient.member, sender):
        raise refuse("sender-mismatch", settings)
    if recipient.member.status != MemberStatus.ACTIVE:
        raise refuse("member-not-active", settings)


def _processed_key(member_id: int, purpose: str, message_id: str) -> str:
    return hashlib.sha256(f"{member_id}\n{purpose}\n{message_id}".encode()).hexdigest()


def _is_unique_violation(error: BaseException) -> bool:
    if isinstance(error, sqlite3.IntegrityError):
        return True
    try:
        from asyncpg.exceptions import UniqueViolationError
    except ImportError:  # pragma: no cover - asyncpg comes with piccolo[postgres]
        return False
    return isinstance(error, UniqueViolationError)


@dataclass(frozen=True)
class Verification:
    member: Member
    mobile_address: str
    duplicate: bool = False  # a resend of a mail that already verified: nothing changed


async def verify_mobile(
    token: str, sender: str, *, message_id: str, settings: Settings
) -> Verification:
    """An empty mail to regist+TOKEN@ from a phone: bind the phone to the member, mark it
    verified, update the account's status and queue a confirmation to the phone, all in
    one transaction. A resend with the same Message-ID changes nothing."""
    recipient = await resolve_recipient(AddressPurpose.REGIST, token)
    if recipient is None:
        raise NotFound(_("This address does not exist."), code="unknown-recipient")
    await check_sender(recipient, sender, settings)
    member, row = recipient.member, recipient.address
    phone = normalize_address(sender)
    key = _processed_key(member.id, AddressPurpose.REGIST, message_id)
    if await queries.processed(key):
        return Verification(member=member, mobile_address=phone, duplicate=True)
    now = _now()
    if row.used_at is not None:
        raise refuse("address-used", settings)
    if row.expires_at is not None and row.expires_at <= now:
        raise refuse("address-expired", settings)
    try:
        async with db.transaction():
            if not await queries.use_address(row.id, phone, now):
                raise refuse("address-used", settings)
            await queries.insert_processed(
                key=key,
                member=member.id,
                purpose=AddressPurpose.REGIST,
                message_id=message_id[:255],
            )
            member.mobile_email = phone
            member.mobile_verified_at = now
            member.status = status_after_verification(member, settings)
            # The unique index on mobile_email keeps a phone with one member at a time.
            await account_queries.update_member(
                member.id, mobile_email=phone, mobile_verified_at=now, status=member.status
            )
            await _queue_confirmation(member, phone, settings)
    except Exception as error:
        if not _is_unique_violation(error):
            raise
        if await queries.processed(key):  # the same mail, delivered twice at once
            return Verification(member=member, mobile_address=phone, duplicate=True)
        raise refuse("address-taken", settings) from error
    return Verification(member=member, mobile_address=phone)


async def _queue_confirmation(member: Member, phone: str, settings: Settings) -> None:
    path = "/" if member.status == MemberStatus.ACTIVE else "/welcome"
    with using(member.locale or settings.default_locale, member.time_zone):
        await outbox.enqueue(
            recipient=phone,
            subject=_("Your mobile address is confirmed"),
            body=_(
                "Hello %(name)s,\n\nThis phone (%(address)s) is now your mobile address "
                "on Ashiato.\n\nContinue here:\n%(url)s\n",
                name=member.nickname,
                address=phone,
                url=f"{settings.base_url}{path}",
            ),
            kind="mobile_verified",
        )


@dataclass(frozen=True)
class MailPhoto:
    """A photo as it arrived (EXIF still in it: storing must strip it)."""

    filename: str | None
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class MailPost:
    """A diary as written on a phone: decoded subject and text, and its photos."""

    subject: str
    body: str
    photos: list[MailPhoto]


@dataclass(frozen=True)
class PostOutcome:
    member: Member
    diary_id: int | None
    duplicate: bool = False


async def post_diary(member: Member, post: MailPost, settings: Settings) -> int:
    """Create the diary of a mail post and return its id; runs inside accept_post's
    transaction. Diaries by mail (part 2 of the gateway) fill this in; until then every
    otherwise valid post is deferred (451), never accepted and lost."""
    raise PostingUnavailable()


async def accept_post(
    token: str, sender: str, post: MailPost, *, message_id: str, settings: Settings
) -> PostOutcome:
    """A mail to post+TOKEN@ from one of the member's confirmed addresses becomes a diary,
    once per Message-ID."""
    recipient = await resolve_recipient(AddressPurpose.POST, token)
    if recipient is None:
        raise NotFound(_("This address does not exist."), code="unknown-recipient")
    await check_sender(recipient, sender, settings)
    member = recipient.member
    key = _processed_key(member.id, AddressPurpose.POST, message_id)
    if await queries.processed(key):
        return PostOutcome(member=member, diary_id=None, duplicate=True)
    try:
        async with db.transaction():
            diary_id = await post_diary(member, post, settings)
            await queries.insert_processed(
                key=key, member=member.id, purpose=AddressPurpose.POST, message_id=message_id[:255]
            )
    except Exception as error:
        if _is_unique_violation(error) and await queries.processed(key):
            return PostOutcome(member=member, diary_id=None, duplicate=True)
        raise
    return PostOutcome(member=member, diary_id=diary_id)


async def notify_refused_post(token: str, sender: str, code: str, settings: Settings) -> bool:
    """Tell the member why a post was refused, by mail to the address it came from: a
    phone does not show SMTP replies. Only to a confirmed address of the member behind
    the posting address (never to a forged or unknown sender); the caller never calls
    this for automatic mail. Returns whether a mail was queued."""
    recipient = await resolve_recipient(AddressPurpose.POST, token)
    if recipient is None or not is_verified_sender(recipient.member, sender):
        return False
    member = recipient.member
    with using(member.locale or settings.default_locale, member.time_zone):
        await outbox.enqueue(
            recipient=normalize_address(sender),
            subject=_("Your diary could not be posted"),
            body=_(
                "Hello %(name)s,\n\nYour mail to Ashiato could not be posted as a diary:\n"
                "%(reason)s\n",
                name=member.nickname,
                reason=refusal_text(code, settings),
            ),
            kind="mobile_post_refused",
        )
    return True


# -- the gateway's log -------------------------------------------------------------------

_TOKEN_IN_ADDRESS = re.compile(r"^((?:regist|post)\+)([^@]{0,4})[^@]*(@.*)?$", re.IGNORECASE)


def mask_address(address: str) -> str:
    """A gateway address with its secret token cut short, fit for logs and admin pages."""
    return _TOKEN_IN_ADDRESS.sub(lambda m: f"{m[1]}{m[2]}…{m[3] or ''}", address)


async def record_event(
    *,
    decision: str,
    reason: str = "",
    stage: str = "",
    purpose: str = "",
    member_id: int | None = None,
    mail_from: str = "",
    rcpt_to: str = "",
    message_id: str = "",
    size: int = 0,
    peer: str = "",
    reply: str = "",
) -> None:
    await queries.insert_event(
        decision=decision[:12],
        reason=reason[:40],
        stage=stage[:6],
        purpose=purpose[:10],
        member=member_id,
        mail_from=mail_from[:254],
        rcpt_to=mask_address(rcpt_to)[:254],
        message_id=message_id[:255],
        size=size,
        peer=peer[:64],
        reply=reply[:120],
    )


async def gateway_events(admin: Member, limit: int = EVENT_PAGE) -> list[dict]:
    """Recent decisions of the gateway, newest first (administrators only)."""
    require_active(admin)
    if not admin.is_admin:
        raise PermissionDenied(_("Only administrators can do this."), code="not_admin")
    return await queries.recent_events(limit)
