"""The mail gateway's use-cases: a mail to post+TOKEN@ becomes a diary, a reply to a comment
notification (reply+TOKEN@) becomes a comment, and a refused one is explained to the member
by mail. Built on the address layer (ashiato.mobile: tokens, sender rules, mails acted on,
the log) and on ashiato.diaries, whose rules are the web's own.

The gateway (mailgate/) calls these functions; nothing here knows SMTP. A refusal is a
DomainError carrying its Refusal (ashiato.refusals): the gateway answers its SMTP reply
(5xx, or 4xx for a limit of the moment) and these functions write the member's error mail.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ashiato.diaries import service as diaries
from ashiato.diaries.service import DiaryDraft, DuplicateDiary
from ashiato.diaries.tables import Diary
from ashiato.errors import DomainError, PermissionDenied
from ashiato.i18n import _, using
from ashiato.members import VISIBILITY_LABELS, Visibility
from ashiato.members.tables import Member
from ashiato.mobile import service as mobile
from ashiato.mobile.tables import AddressPurpose
from ashiato.outbox import service as outbox
from ashiato.refusals import Refusal, refusal_text
from ashiato.settings import Settings
from mailgate.carriers import normalize_address
from mailgate.decode import Attachment

UNKNOWN_ADDRESS_NOTICE_EVERY = dt.timedelta(hours=1)


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


def _as_refusal(error: DomainError, settings: Settings) -> DomainError:
    """A diaries error as the gateway sees it: it carries its Refusal already, except the
    kernel's PermissionDenied of a member who may no longer act."""
    if error.refusal is None and isinstance(error, PermissionDenied):
        return mobile.MemberNotActive(settings)
    return error


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
    draft = DiaryDraft(
        title=title,
        body=post.body,
        visibility=visibility,
        photos=[photo.data for photo in post.photos],
    )
    return await diaries.create_diary(
        member,
        draft,
        settings,
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
    phone and the gateway's record (`record`) are one transaction. Raises a DomainError
    carrying its Refusal, or anything else for a failure of ours."""
    recipient = await mobile.sender_of(AddressPurpose.POST, token, sender, settings)
    member = recipient.member
    if await mobile.already_processed(member.id, AddressPurpose.POST, message_id):
        return PostOutcome(member=member, diary_id=None, duplicate=True)

    async def with_the_diary(diary: Diary) -> None:
        # Inside create_diary's transaction, after the photos were processed outside it.
        await mobile.mark_processed(member.id, AddressPurpose.POST, message_id)
        await _queue_posted(member, sender, diary, settings)
        if record is not None:
            await record()

    try:
        diary = await post_diary(
            member, post, settings, message_id=message_id, on_write=with_the_diary
        )
    except DuplicateDiary:  # the diary of this mail exists already
        return PostOutcome(member=member, diary_id=None, duplicate=True)
    except DomainError as error:
        raise _as_refusal(error, settings) from error
    except Exception as error:
        if mobile.is_unique_violation(error) and await mobile.already_processed(
            member.id, AddressPurpose.POST, message_id
        ):
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
    recipient = await mobile.sender_of(AddressPurpose.REPLY, token, sender, settings)
    member, diary_id = recipient.member, recipient.diary_id
    assert diary_id is not None  # sender_of refuses a reply address without its diary
    if await mobile.already_processed(member.id, AddressPurpose.REPLY, message_id):
        return ReplyOutcome(member=member, diary_id=diary_id, comment_id=None, duplicate=True)

    async def with_the_comment(_comment_id: int) -> None:
        await mobile.mark_processed(member.id, AddressPurpose.REPLY, message_id)
        if record is not None:
            await record()

    try:
        comment_id = await diaries.add_comment(
            member, diary_id, text, settings, on_write=with_the_comment
        )
    except DomainError as error:
        raise _as_refusal(error, settings) from error
    except Exception as error:
        if mobile.is_unique_violation(error) and await mobile.already_processed(
            member.id, AddressPurpose.REPLY, message_id
        ):
            return ReplyOutcome(member=member, diary_id=diary_id, comment_id=None, duplicate=True)
        raise
    return ReplyOutcome(member=member, diary_id=diary_id, comment_id=comment_id)


async def notify_refused(
    purpose: str,
    token: str,
    sender: str,
    refusal: Refusal,
    settings: Settings,
    params: dict[str, int] | None = None,
) -> bool:
    """Tell the member why a post or reply was refused, by mail to the address it came
    from: a phone does not show SMTP replies. Only to a confirmed address of the member
    behind the address (never to a forged or unknown sender); the caller never calls this
    for automatic mail. Returns whether a mail was queued."""
    if purpose not in mobile.WRITING:
        return False
    recipient = await mobile.resolve_recipient(purpose, token)
    if recipient is None or not mobile.is_verified_sender(recipient.member, sender):
        return False
    member = recipient.member
    with using(member.locale or settings.default_locale, member.time_zone):
        reason = refusal_text(refusal, settings, params)
        if purpose == AddressPurpose.POST:
            subject = _("Your diary could not be posted")
            body = _(
                "Hello %(name)s,\n\nYour mail to Ashiato could not be posted as a diary:\n"
                "%(reason)s\n",
                name=member.nickname,
                reason=reason,
            )
        else:
            subject = _("Your comment could not be posted")
            body = _(
                "Hello %(name)s,\n\nYour reply could not be posted as a comment:\n%(reason)s\n",
                name=member.nickname,
                reason=reason,
            )
        await outbox.enqueue(
            recipient=normalize_address(sender),
            subject=subject,
            body=body,
            kind=f"mobile_{purpose}_refused",
        )
    return True


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
    member = await mobile.writer_of_confirmed_address(sender)
    if member is None:
        return None
    since = dt.datetime.now(dt.UTC) - UNKNOWN_ADDRESS_NOTICE_EVERY
    if await mobile.refused_since(member.id, Refusal.UNKNOWN_RECIPIENT, since):
        return member.id
    with using(member.locale or settings.default_locale, member.time_zone):
        await outbox.enqueue(
            recipient=normalize_address(sender),
            subject=_("Your mail could not be posted"),
            body=_(
                "Hello %(name)s,\n\nYour mail to %(address)s could not be posted:\n%(reason)s\n",
                name=member.nickname,
                address=mobile.mask_address(address),
                reason=refusal_text(Refusal.UNKNOWN_RECIPIENT, settings),
            ),
            kind=f"mobile_{purpose}_refused",
        )
    return member.id
