"""Mobile addresses: verification by empty mail (空メール), diaries and comments by mail,
comment notifications with a reply address, and the gateway's log.

The mail gateway (mailgate/) and the web pages both call these functions; nothing here
knows SMTP. Refusals are GatewayRefusal with a reason code (`non-carrier-sender`,
`sender-mismatch`, `empty-post`, …) that the gateway maps to its reply and the pages and
error mails translate (refusal_text). Diaries and comments are written by
ashiato.diaries.service, with the same rules as on the web.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ashiato import db
from ashiato.accounts import queries as account_queries
from ashiato.accounts.service import normalize_email, status_after_verification
from ashiato.diaries import service as diaries
from ashiato.diaries.service import DiaryError, DiaryView
from ashiato.diaries.tables import Diary
from ashiato.errors import DomainError, NotFound, PermissionDenied
from ashiato.i18n import _, ngettext, using
from ashiato.limits import RateLimited
from ashiato.members import VISIBILITY_LABELS, Visibility, can_act, display_name, require_active
from ashiato.members.tables import Member, MemberStatus
from ashiato.mobile import queries
from ashiato.mobile.tables import AddressPurpose, GatewayAddress
from ashiato.outbox import service as outbox
from ashiato.settings import Settings
from mailgate.carriers import DEFAULT_CARRIER_DOMAINS, is_carrier_address, normalize_address
from mailgate.decode import Attachment

log = logging.getLogger("ashiato.mobile")

TOKEN_LENGTH = 16  # base32 letters and digits: 80 bits, unguessable over SMTP
_TOKEN = re.compile(rf"^[a-z2-7]{{{TOKEN_LENGTH}}}$")
PURPOSES = (AddressPurpose.REGIST, AddressPurpose.POST, AddressPurpose.REPLY)
# Purposes whose mail is written by a member (a diary or a comment), not a registration.
WRITING = (AddressPurpose.POST, AddressPurpose.REPLY)
EVENT_PAGE = 100
UNKNOWN_ADDRESS_NOTICE_EVERY = dt.timedelta(hours=1)


class GatewayRefusal(DomainError):
    """This mail will never be accepted as it is; `code` says why (see refusal_text)."""

    status_code = 422


class TryLater(DomainError):
    """Not now, but the same mail may work later (a rate limit): the gateway answers 4xx,
    and the carrier keeps the mail and retries."""


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
        "unknown-recipient": _(
            "The address you wrote to does not exist (any more). Your posting address "
            "changes when you make a new one; the current one is on your mobile settings "
            "page: %(url)s",
            url=f"{settings.base_url}/settings/mobile",
        ),
        "empty-post": _(
            "Your mail had neither text nor a photo, so there was nothing to post. "
            "(A signature after a “--” line is not posted.)"
        ),
        "title-too-long": ngettext(
            "The subject is too long: a diary's title can have at most %(num)s character.",
            "The subject is too long: a diary's title can have at most %(num)s characters.",
            diaries.TITLE_MAX,
        ),
        "text-too-long": ngettext(
            "The text is too long: a diary can have at most %(num)s character.",
            "The text is too long: a diary can have at most %(num)s characters.",
            diaries.BODY_MAX,
        ),
        "too-many-photos": ngettext(
            "A diary can have at most %(num)s photo. Please attach fewer pictures.",
            "A diary can have at most %(num)s photos. Please attach fewer pictures.",
            diaries.MAX_PHOTOS,
        ),
        "bad-photo": _(
            "One of the attached pictures is damaged or is not a JPEG, PNG or GIF photo."
        ),
        "photo-too-large": _(
            "One of the attached photos is too large. Please send a smaller photo."
        ),
        "too-many-links": _(
            "New members can include at most %(n)s link(s) for their first %(days)s days.",
            n=settings.new_member_max_links,
            days=settings.new_member_days,
        ),
        "empty-reply": _(
            "Your reply had no text of its own (the quoted mail is left out), so there "
            "was no comment to post."
        ),
        "comment-too-long": ngettext(
            "Your reply is too long: a comment can have at most %(num)s character.",
            "Your reply is too long: a comment can have at most %(num)s characters.",
            diaries.COMMENT_MAX,
        ),
        "diary-unavailable": _(
            "The diary you replied to has been deleted or is no longer shown to you."
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
    always send with the handset's own address as MAIL FROM); so does a reply."""
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


# -- diaries and comments by mail --------------------------------------------------------


@dataclass(frozen=True)
class MailPost:
    """A diary as written on a phone: decoded subject and text, and its photos."""

    subject: str
    body: str
    photos: list[Attachment]  # as they arrived, EXIF still in them: storing strips it


@dataclass(frozen=True)
class PostOutcome:
    member: Member
    diary_id: int | None
    duplicate: bool = False


@dataclass(frozen=True)
class ReplyOutcome:
    member: Member
    diary_id: int
    comment_id: int | None
    duplicate: bool = False


# Called inside the transaction that writes a mail's diary or comment, after everything
# else: the gateway records its decision there, so the result and its record are committed
# together (or neither is).
Recorder = Callable[[], Awaitable[None]]

_VISIBILITY_TAG = re.compile(
    r"([ \t\u3000]*)[\[［【][ \t\u3000]*(友|非|friends|private)[ \t\u3000]*[\]］】]([ \t\u3000]*)",
    re.IGNORECASE,
)
_TAG_VISIBILITY = {
    "友": Visibility.FRIENDS,
    "friends": Visibility.FRIENDS,
    "非": Visibility.ONLY_ME,
    "private": Visibility.ONLY_ME,
}


def visibility_tag(subject: str) -> tuple[str, str | None]:
    """A tag in the subject chooses who reads a mailed diary, as a phone has no form for
    it: `[友]`/`[friends]` maimiku only, `[非]`/`[private]` only me (full-width brackets
    too). Returns the title without the tag, and the visibility (None: the member's
    default). With both tags the narrower audience wins."""
    found: set[Visibility] = set()

    def cut(match: re.Match[str]) -> str:
        found.add(_TAG_VISIBILITY[match.group(2).lower()])
        return " " if match.group(1) or match.group(3) else ""

    title = _VISIBILITY_TAG.sub(cut, subject).strip()
    for level in (Visibility.ONLY_ME, Visibility.FRIENDS):
        if level in found:
            return title, level.value
    return subject, None


# The diaries' error codes (DiaryInvalid, PhotoError, limits) as the gateway's reasons.
_REASON_FOR_DIARY_CODE = {
    "body_empty": "empty-post",
    "body_too_long": "text-too-long",
    "title_too_long": "title-too-long",
    "too_many_photos": "too-many-photos",
    "links": "too-many-links",
    "too_large": "photo-too-large",
    "too_many_pixels": "photo-too-large",
    "empty": "bad-photo",
    "not_a_photo": "bad-photo",
    "damaged": "bad-photo",
    "photo": "bad-photo",
    "comment_empty": "empty-reply",
    "comment_too_long": "comment-too-long",
}


def _gateway_error(error: DomainError, settings: Settings) -> DomainError:
    """A domain error of diaries as the gateway's refusal (5xx) or TryLater (4xx)."""
    if isinstance(error, GatewayRefusal | TryLater):
        return error
    if isinstance(error, RateLimited):
        return TryLater(error.message, code="rate-limited")
    if isinstance(error, NotFound):  # the diary is gone, or the replier may not read it
        return refuse("diary-unavailable", settings)
    if isinstance(error, PermissionDenied):
        return refuse("member-not-active", settings)
    return refuse(_REASON_FOR_DIARY_CODE.get(error.code, "not-accepted"), settings)


async def post_diary(
    member: Member,
    post: MailPost,
    settings: Settings,
    *,
    message_id: str,
    on_write: Callable[[Diary], Awaitable[None]] | None = None,
) -> Diary:
    """Create the diary of a mail post through diaries.create_diary, the web's own rules
    (title, text, at most three photos checked and stripped of EXIF); `on_write` commits
    accept_post's rows in the diary's transaction. The subject's tag chooses the audience."""
    title, visibility = visibility_tag(post.subject)
    return await diaries.create_diary(
        member,
        title,
        post.body,
        settings,
        visibility=visibility,
        photos=[photo.data for photo in post.photos],
        source="mail",
        source_message_id=message_id[:255],
        on_write=on_write,
    )


async def accept_post(
    token: str,
    sender: str,
    post: MailPost,
    *,
    message_id: str,
    settings: Settings,
    record: Recorder | None = None,
) -> PostOutcome:
    """A mail to post+TOKEN@ from one of the member's confirmed addresses becomes a diary,
    once per Message-ID. The diary, its photos, the Message-ID, the confirmation to the
    phone and the gateway's record (`record`) are one transaction. Raises GatewayRefusal
    (never accepted as it is), TryLater, or anything else for a failure of ours."""
    recipient = await resolve_recipient(AddressPurpose.POST, token)
    if recipient is None:
        raise NotFound(_("This address does not exist."), code="unknown-recipient")
    await check_sender(recipient, sender, settings)
    member = recipient.member
    key = _processed_key(member.id, AddressPurpose.POST, message_id)
    if await queries.processed(key):
        return PostOutcome(member=member, diary_id=None, duplicate=True)

    async def with_the_diary(diary: Diary) -> None:
        # Inside create_diary's transaction, after the photos were processed outside it.
        await queries.insert_processed(
            key=key, member=member.id, purpose=AddressPurpose.POST, message_id=message_id[:255]
        )
        await _queue_posted(member, sender, diary, settings)
        if record is not None:
            await record()

    try:
        diary = await post_diary(
            member, post, settings, message_id=message_id, on_write=with_the_diary
        )
    except DiaryError as error:
        if error.code == "duplicate_message":  # the diary of this mail exists already
            return PostOutcome(member=member, diary_id=None, duplicate=True)
        raise _gateway_error(error, settings) from error
    except DomainError as error:
        raise _gateway_error(error, settings) from error
    except Exception as error:
        if _is_unique_violation(error) and await queries.processed(key):
            return PostOutcome(member=member, diary_id=None, duplicate=True)
        raise
    return PostOutcome(member=member, diary_id=diary.id)


async def _queue_posted(member: Member, sender: str, diary: Diary, settings: Settings) -> None:
    """The confirmation to the phone, with the diary's link: SMTP's 250 is not shown."""
    with using(member.locale or settings.default_locale, member.time_zone):
        await outbox.enqueue(
            recipient=normalize_address(sender),
            subject=_("Your diary is posted"),
            body=_(
                "Hello %(name)s,\n\nYour diary “%(title)s” is posted.\n"
                "Who can read it: %(audience)s\n\n%(url)s\n",
                name=member.nickname,
                title=diary.title,
                audience=str(VISIBILITY_LABELS[Visibility(diary.visibility)]),
                url=f"{settings.base_url}/diaries/{diary.id}",
            ),
            kind="mobile_post_accepted",
        )


async def accept_reply(
    token: str,
    sender: str,
    text: str,
    *,
    message_id: str,
    settings: Settings,
    record: Recorder | None = None,
) -> ReplyOutcome:
    """A reply to a comment notification (reply+TOKEN@) from one of the member's confirmed
    addresses becomes a comment on that diary, once per Message-ID, through
    diaries.add_comment (so the member must still be allowed to read the diary). `text` is
    the member's own words, quotes and signature already trimmed by the gateway."""
    recipient = await resolve_recipient(AddressPurpose.REPLY, token)
    if recipient is None or recipient.diary_id is None:
        raise NotFound(_("This address does not exist."), code="unknown-recipient")
    await check_sender(recipient, sender, settings)
    member, diary_id = recipient.member, recipient.diary_id
    key = _processed_key(member.id, AddressPurpose.REPLY, message_id)
    if await queries.processed(key):
        return ReplyOutcome(member=member, diary_id=diary_id, comment_id=None, duplicate=True)
    try:
        async with db.transaction():
            comment_id = await diaries.add_comment(member, diary_id, text, settings)
            await queries.insert_processed(
                key=key, member=member.id, purpose=AddressPurpose.REPLY, message_id=message_id[:255]
            )
            if record is not None:
                await record()
    except DomainError as error:
        raise _gateway_error(error, settings) from error
    except Exception as error:
        if _is_unique_violation(error) and await queries.processed(key):
            return ReplyOutcome(member=member, diary_id=diary_id, comment_id=None, duplicate=True)
        raise
    return ReplyOutcome(member=member, diary_id=diary_id, comment_id=comment_id)


async def notify_refused(
    purpose: str, token: str, sender: str, code: str, settings: Settings
) -> bool:
    """Tell the member why a post or reply was refused, by mail to the address it came
    from: a phone does not show SMTP replies. Only to a confirmed address of the member
    behind the address (never to a forged or unknown sender); the caller never calls this
    for automatic mail. Returns whether a mail was queued."""
    if purpose not in WRITING:
        return False
    recipient = await resolve_recipient(purpose, token)
    if recipient is None or not is_verified_sender(recipient.member, sender):
        return False
    member = recipient.member
    with using(member.locale or settings.default_locale, member.time_zone):
        if purpose == AddressPurpose.POST:
            subject = _("Your diary could not be posted")
            body = _(
                "Hello %(name)s,\n\nYour mail to Ashiato could not be posted as a diary:\n"
                "%(reason)s\n",
                name=member.nickname,
                reason=refusal_text(code, settings),
            )
        else:
            subject = _("Your comment could not be posted")
            body = _(
                "Hello %(name)s,\n\nYour reply could not be posted as a comment:\n%(reason)s\n",
                name=member.nickname,
                reason=refusal_text(code, settings),
            )
        await outbox.enqueue(
            recipient=normalize_address(sender),
            subject=subject,
            body=body,
            kind=f"mobile_{purpose}_refused",
        )
    return True


async def member_of_confirmed_address(sender: str) -> Member | None:
    """The member for whom `sender` is a confirmed address (PC, or a phone confirmed by
    an empty mail), if any."""
    if not sender:
        return None
    candidates = [await account_queries.member_by_pc_email(normalize_email(sender.strip("<>")))]
    for member_id in await queries.members_confirmed_as(normalize_address(sender)):
        candidates.append(await account_queries.member_by_id(member_id))
    for member in candidates:
        if member is not None and is_verified_sender(member, sender):
            return member
    return None


async def notify_unknown_address(
    purpose: str, address: str, sender: str, settings: Settings
) -> int | None:
    """A member mailed a post+ address that does not exist (an old posting address) from a
    confirmed address: tell them, at most once an hour, since anyone can forge a sender.
    Returns the member's id, for the gateway's record (which the hourly limit counts), or
    None for anyone else. Not for reply+ addresses (of deleted diaries): this is decided at
    RCPT, before the headers could show an auto-reply to a notification, which must never
    be answered."""
    if purpose != AddressPurpose.POST:
        return None
    member = await member_of_confirmed_address(sender)
    if member is None or not can_act(member):
        return None
    since = _now() - UNKNOWN_ADDRESS_NOTICE_EVERY
    if await queries.refusals_since(member.id, "unknown-recipient", since):
        return member.id
    with using(member.locale or settings.default_locale, member.time_zone):
        await outbox.enqueue(
            recipient=normalize_address(sender),
            subject=_("Your mail could not be posted"),
            body=_(
                "Hello %(name)s,\n\nYour mail to %(address)s could not be posted:\n%(reason)s\n",
                name=member.nickname,
                address=mask_address(address),
                reason=refusal_text("unknown-recipient", settings),
            ),
            kind=f"mobile_{purpose}_refused",
        )
    return member.id


# -- comment notifications ---------------------------------------------------------------


def _notification_address(member: Member) -> str | None:
    """Where a member hears of comments: the phone if confirmed, else the PC address."""
    if member.mobile_email and member.mobile_verified_at is not None:
        return member.mobile_email
    if member.pc_email and member.pc_verified_at is not None:
        return member.pc_email
    return None


async def reply_address(member: Member, diary_id: int, settings: Settings) -> str:
    """The member's reply+TOKEN@ address for one diary (made on first use): mail to it
    becomes a comment on that diary."""
    row = await queries.reply_address_of(member.id, diary_id)
    if row is None:
        row = await _new_address(member.id, AddressPurpose.REPLY, settings, diary_id=diary_id)
    return await _shown_address(row, settings)


async def notify_comment(
    commenter: Member, diary: DiaryView, comment_id: int, body: str, settings: Settings
) -> None:
    """diaries.add_comment calls this once the comment is committed: the diary's author
    gets a mail in their language, at their phone if confirmed, whose Reply-To is their
    reply address for this diary. A failure here is logged, never the comment's failure."""
    try:
        for author in await diaries.comment_recipients(diary.id, commenter):
            address = _notification_address(author)
            if address is None:
                continue
            async with db.transaction():
                reply_to = await reply_address(author, diary.id, settings)
                with using(author.locale or settings.default_locale, author.time_zone):
                    name = display_name(commenter)
                    await outbox.enqueue(
                        recipient=address,
                        subject=_(
                            "%(name)s commented on your diary “%(title)s”",
                            name=name,
                            title=diary.title,
                        ),
                        body=_(
                            "Hello %(author)s,\n\n%(name)s commented on your diary "
                            "“%(title)s”:\n\n%(comment)s\n\nRead it on Ashiato:\n%(url)s\n\n"
                            "To answer, reply to this mail (from your phone, too): your "
                            "reply is posted as a comment, without the quoted text.\n",
                            author=author.nickname,
                            name=name,
                            title=diary.title,
                            comment=body.strip(),
                            url=f"{settings.base_url}/diaries/{diary.id}#comment-{comment_id}",
                        ),
                        kind="diary_comment",
                        reply_to=reply_to,
                    )
    except Exception:
        log.exception("mobile: the notification of comment %s was not queued", comment_id)


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


async def gateway_events(admin: Member, limit: int = EVENT_PAGE) -> list[dict]:
    """Recent decisions of the gateway, newest first (administrators only)."""
    require_active(admin)
    if not admin.is_admin:
        raise PermissionDenied(_("Only administrators can do this."), code="not_admin")
    return await queries.recent_events(limit)
