"""Mobile addresses, the address layer of the mail gateway: the secret tokens of
regist+TOKEN@, post+TOKEN@ and reply+TOKEN@, carrier addresses and their verification by
empty mail (空メール), the sender rules, the mails already acted on, and the gateway's log.

It imports no diaries: what arrives at a post+ or reply+ address becomes a diary or a
comment in ashiato.mailpost, which builds on this layer and on diaries; diaries asks this
layer for the reply address of its comment notifications. The mail gateway (mailgate/) and
the web pages both call these functions; nothing here knows SMTP. A refusal is an
exception that carries its Refusal (ashiato.refusals), whose SMTP reply the gateway gives
and whose text pages and error mails show.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import sqlite3
from dataclasses import dataclass

from markupsafe import Markup

from ashiato import db
from ashiato.accounts.service import normalize_email, status_after_verification
from ashiato.errors import NotFound, PermissionDenied, Refused
from ashiato.i18n import _, using
from ashiato.members import can_act, require_active
from ashiato.members.queries import member_by_id, member_by_pc_email
from ashiato.members.tables import Member, MemberStatus
from ashiato.mobile import queries
from ashiato.mobile.qr import qr_svg
from ashiato.mobile.tables import AddressPurpose, GatewayAddress
from ashiato.outbox import service as outbox
from ashiato.refusals import Refusal, refusal_text, stored_refusal
from ashiato.settings import Settings
from mailgate.carriers import DEFAULT_CARRIER_DOMAINS, is_carrier_address, normalize_address

try:
    from asyncpg.exceptions import UniqueViolationError
except ImportError:  # pragma: no cover - asyncpg comes with piccolo[postgres]
    UniqueViolationError = None  # type: ignore[assignment,misc]

TOKEN_LENGTH = 16  # base32 letters and digits: 80 bits, unguessable over SMTP
_TOKEN = re.compile(rf"^[a-z2-7]{{{TOKEN_LENGTH}}}$")
PURPOSES = (AddressPurpose.REGIST, AddressPurpose.POST, AddressPurpose.REPLY)
# Purposes whose mail is written by a member (a diary or a comment), not a registration.
WRITING = (AddressPurpose.POST, AddressPurpose.REPLY)
EVENT_PAGE = 100


# -- refusals of the address layer (each carries its Refusal) ----------------------------


class UnknownAddress(NotFound):
    """No such gateway address (or no longer): 550 at RCPT."""

    refusal = Refusal.UNKNOWN_RECIPIENT

    def __init__(self) -> None:
        super().__init__(_("This address does not exist."))


class NotACarrier(Refused):
    refusal = Refusal.NON_CARRIER_SENDER


class SenderMismatch(Refused):
    refusal = Refusal.SENDER_MISMATCH


class MemberNotActive(Refused):
    refusal = Refusal.MEMBER_NOT_ACTIVE


class AddressTaken(Refused):
    refusal = Refusal.ADDRESS_TAKEN


class AddressUsed(Refused):
    refusal = Refusal.ADDRESS_USED


class AddressExpired(Refused):
    refusal = Refusal.ADDRESS_EXPIRED


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def carrier_domains(settings: Settings) -> tuple[str, ...]:
    """The sender domains accepted as mobile phones (a setting; Japan's carriers by default)."""
    return settings.carrier_domains or DEFAULT_CARRIER_DOMAINS


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
    member_id: int,
    purpose: str,
    settings: Settings,
    expires_at: dt.datetime | None = None,
    *,
    diary_id: int | None = None,
) -> GatewayAddress:
    nonce = secrets.token_hex(16)
    token = _token(settings, purpose, member_id, nonce)
    return await queries.insert_address(
        member=member_id,
        purpose=purpose,
        nonce=nonce,
        token_hash=_token_hash(token),
        expires_at=expires_at,
        diary=diary_id,
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


async def reply_address(member: Member, diary_id: int, settings: Settings) -> str:
    """The member's reply+TOKEN@ address for one diary (made on first use): mail to it
    becomes a comment on that diary. Call it inside the transaction that queues the mail
    carrying it, so the address and the mail are committed together."""
    row = await queries.reply_address_of(member.id, diary_id)
    if row is None:
        row = await _new_address(member.id, AddressPurpose.REPLY, settings, diary_id=diary_id)
    return await _shown_address(row, settings)


def notification_address(member: Member) -> str | None:
    """Where a member hears of what happens on the site (a comment on their diary): the
    phone if confirmed, else the confirmed PC address, else nowhere."""
    if member.mobile_email and member.mobile_verified_at is not None:
        return member.mobile_email
    if member.pc_email and member.pc_verified_at is not None:
        return member.pc_email
    return None


# -- the verification page ---------------------------------------------------------------


@dataclass(frozen=True)
class VerificationState:
    """What the waiting page shows: the address to mail, or the phone it confirmed."""

    address_id: int
    address: str = ""
    confirmed_address: str | None = None
    refusal: str | None = None  # why the last mail to this address was refused
    continue_url: str = "/"  # where the member goes on once the phone is confirmed

    @property
    def qr(self) -> Markup | None:
        """The QR code that opens a mail to the address on a phone."""
        return qr_svg(self.address) if self.address else None


async def verification_state(
    member: Member, settings: Settings, shown_id: int | None = None
) -> VerificationState:
    """The registration address to show (kept while it works), or the result of the one
    the page showed before (`shown_id`), so a waiting page learns that the mail arrived."""
    if member.status == MemberStatus.WITHDRAWN:
        raise PermissionDenied(_("Please log in with an active account."), code="not_active")
    continue_url = "/" if member.status == MemberStatus.ACTIVE else "/welcome"
    now = _now()
    row = await queries.address_by_id(shown_id) if shown_id else None
    if row is not None and row.member == member.id and row.purpose == AddressPurpose.REGIST:
        if row.used_at is not None:
            return VerificationState(
                address_id=row.id,
                confirmed_address=row.verified_address,
                continue_url=continue_url,
            )
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
        refusal=_stored_refusal_text(refused.reason, settings) if refused else None,
        continue_url=continue_url,
    )


def _stored_refusal_text(reason: str, settings: Settings) -> str:
    """The text of a refusal recorded in the log (a registration's need no numbers)."""
    try:
        return refusal_text(stored_refusal(reason), settings)
    except KeyError:  # a reason whose text names a number the log does not keep
        return refusal_text(Refusal.NOT_ACCEPTED, settings)


# -- mail arriving at the gateway --------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """The member behind regist+TOKEN@, post+TOKEN@ or reply+TOKEN@ (and its diary)."""

    purpose: str
    token: str
    address: GatewayAddress
    member: Member

    @property
    def diary_id(self) -> int | None:
        return self.address.diary


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
    if purpose == AddressPurpose.REPLY and row.diary is None:
        return None  # its diary was deleted
    member = await member_by_id(row.member)
    if member is None or member.status == MemberStatus.WITHDRAWN:
        return None
    return Recipient(purpose=purpose, token=token, address=row, member=member)


async def sender_of(purpose: str, token: str, sender: str, settings: Settings) -> Recipient:
    """The recipient of a mail to a writing address (post+ or reply+), once its sender
    passed the rules: raises UnknownAddress or the sender's refusal."""
    recipient = await resolve_recipient(purpose, token)
    if recipient is None or (purpose == AddressPurpose.REPLY and recipient.diary_id is None):
        raise UnknownAddress()
    await check_sender(recipient, sender, settings)
    return recipient


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
    always send with the handset's own address as MAIL FROM); so does a reply."""
    if recipient.purpose == AddressPurpose.REGIST:
        if not is_carrier_address(sender, carrier_domains(settings)):
            raise NotACarrier(settings)
        return
    if not is_verified_sender(recipient.member, sender):
        raise SenderMismatch(settings)
    if recipient.member.status != MemberStatus.ACTIVE:
        raise MemberNotActive(settings)


async def member_of_confirmed_address(sender: str) -> Member | None:
    """The member for whom `sender` is a confirmed address (PC, or a phone confirmed by
    an empty mail), if any."""
    if not sender:
        return None
    candidates = [await member_by_pc_email(normalize_email(sender.strip("<>")))]
    for member_id in await queries.members_confirmed_as(normalize_address(sender)):
        candidates.append(await member_by_id(member_id))
    for member in candidates:
        if member is not None and is_verified_sender(member, sender):
            return member
    return None


async def writer_of_confirmed_address(sender: str) -> Member | None:
    """As member_of_confirmed_address, only a member who may still act."""
    member = await member_of_confirmed_address(sender)
    return member if member is not None and can_act(member) else None


# -- mails acted on once -----------------------------------------------------------------


def _processed_key(member_id: int, purpose: str, message_id: str) -> str:
    return hashlib.sha256(f"{member_id}\n{purpose}\n{message_id}".encode()).hexdigest()


async def already_processed(member_id: int, purpose: str, message_id: str) -> bool:
    """Has a mail with this Message-ID already been acted on for this member and purpose?"""
    return await queries.processed(_processed_key(member_id, purpose, message_id))


async def mark_processed(member_id: int, purpose: str, message_id: str) -> None:
    """Remember a mail as acted on: call it inside the transaction that acts on it, so a
    resend racing the first delivery hits the unique key (see is_unique_violation)."""
    await queries.insert_processed(
        key=_processed_key(member_id, purpose, message_id),
        member=member_id,
        purpose=purpose,
        message_id=message_id[:255],
    )


def is_unique_violation(error: BaseException) -> bool:
    """A unique index refused a row (SQLite or PostgreSQL): a race with the same write."""
    if isinstance(error, sqlite3.IntegrityError):
        return True
    return UniqueViolationError is not None and isinstance(error, UniqueViolationError)


# -- registration by empty mail ----------------------------------------------------------


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
        raise UnknownAddress()
    await check_sender(recipient, sender, settings)
    member, row = recipient.member, recipient.address
    phone = normalize_address(sender)
    if await already_processed(member.id, AddressPurpose.REGIST, message_id):
        return Verification(member=member, mobile_address=phone, duplicate=True)
    now = _now()
    if row.used_at is not None:
        raise AddressUsed(settings)
    if row.expires_at is not None and row.expires_at <= now:
        raise AddressExpired(settings)
    try:
        async with db.transaction():
            if not await queries.use_address(row.id, phone, now):
                raise AddressUsed(settings)
            await mark_processed(member.id, AddressPurpose.REGIST, message_id)
            member.mobile_email = phone
            member.mobile_verified_at = now
            member.status = status_after_verification(member, settings)
            # The unique index on mobile_email keeps a phone with one member at a time.
            await queries.confirm_phone(member.id, phone, now, member.status)
            await _queue_confirmation(member, phone, settings)
    except Exception as error:
        if not is_unique_violation(error):
            raise
        if await already_processed(member.id, AddressPurpose.REGIST, message_id):
            return Verification(member=member, mobile_address=phone, duplicate=True)
        raise AddressTaken(settings) from error
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


# -- the gateway's log -------------------------------------------------------------------

_TOKEN_IN_ADDRESS = re.compile(r"^((?:regist|post|reply)\+)([^@]{0,4})[^@]*(@.*)?$", re.IGNORECASE)


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


async def refused_since(member_id: int, refusal: Refusal, since: dt.datetime) -> int:
    """How often the log shows this member refused for this reason since then."""
    return await queries.refusals_since(member_id, refusal.value, since)


async def gateway_events(admin: Member, limit: int = EVENT_PAGE) -> list[dict]:
    """Recent decisions of the gateway, newest first (administrators only)."""
    require_active(admin)
    if not admin.is_admin:
        raise PermissionDenied(_("Only administrators can do this."), code="not_admin")
    return await queries.recent_events(limit)
