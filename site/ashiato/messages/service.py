"""Private messages: who may write to whom, each side's folders, unread counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

from ashiato.errors import FormInvalid
from ashiato.friends.audience import is_blocked_between
from ashiato.i18n import _
from ashiato.limits import check_links, check_rate, hour_ago
from ashiato.members import can_act, name_for, require_active
from ashiato.members.queries import member_by_id
from ashiato.members.tables import Member
from ashiato.messages import queries
from ashiato.messages.errors import NoSuchMessage, NoSuchRecipient, RecipientBlocked
from ashiato.messages.queries import MessageDetail, MessageRow
from ashiato.messages.tables import Folder
from ashiato.settings import Settings

SUBJECT_MAX = 100
BODY_MAX = 5000
PAGE_SIZE = 20

Row = TypeVar("Row", MessageRow, MessageDetail)


@dataclass(frozen=True)
class Draft:
    """A new message's form: empty, or a reply that quotes the original."""

    recipient_id: int
    recipient_nickname: str
    subject: str = ""
    body: str = ""
    reply_to: int | None = None


async def _recipient(sender: Member, recipient_id: int) -> Member:
    recipient = await member_by_id(recipient_id)
    if recipient is None or not can_act(recipient) or recipient.id == sender.id:
        raise NoSuchRecipient()
    if await is_blocked_between(sender.id, recipient.id):
        raise RecipientBlocked()
    return recipient


async def draft(sender: Member, recipient_id: int, reply_to: int | None = None) -> Draft:
    require_active(sender)
    recipient = await _recipient(sender, recipient_id)
    if reply_to is None:
        return Draft(recipient_id=recipient.id, recipient_nickname=recipient.nickname)
    original = await read(sender, reply_to, mark=False)
    subject = original["subject"]
    if not subject.startswith("Re:"):
        subject = f"Re: {subject}"
    quoted = "\n".join(f"> {line}" for line in original["body"].splitlines())
    return Draft(
        recipient_id=recipient.id,
        recipient_nickname=recipient.nickname,
        subject=subject[:SUBJECT_MAX],
        body=f"\n\n{quoted}",
        reply_to=reply_to,
    )


async def send(
    sender: Member,
    recipient_id: int,
    subject: str,
    body: str,
    settings: Settings,
    reply_to: int | None = None,
) -> int:
    require_active(sender)
    subject, body = subject.strip(), body.rstrip()
    errors = {}
    if not subject:
        errors["subject"] = _("Enter a subject.")
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = _("At most %(n)s characters.", n=SUBJECT_MAX)
    if not body.strip():
        errors["body"] = _("Write a message.")
    elif len(body) > BODY_MAX:
        errors["body"] = _("At most %(n)s characters.", n=BODY_MAX)
    if errors:
        raise FormInvalid(errors)
    recipient = await _recipient(sender, recipient_id)
    check_rate(await queries.sent_since(sender.id, hour_ago()), settings.messages_per_hour)
    check_links(sender, body, settings)
    if reply_to is not None:
        await read(sender, reply_to, mark=False)  # only a message one may read can be quoted
    message = await queries.insert(
        sender=sender.id, recipient=recipient.id, subject=subject, body=body, reply_to=reply_to
    )
    return message.id


async def read(member: Member, message_id: int, *, mark: bool = True) -> MessageDetail:
    """A message its sender or recipient may open (not one they deleted), with both names
    (`sender_name`, `recipient_name`) set."""
    require_active(member)
    message = await queries.by_id(message_id)
    if message is None:
        raise NoSuchMessage()
    is_sender = message["sender_id"] == member.id
    is_recipient = message["recipient_id"] == member.id
    if not (
        (is_sender and message["sender_folder"] != Folder.DELETED)
        or (is_recipient and message["recipient_folder"] != Folder.DELETED)
    ):
        raise NoSuchMessage()
    if mark and is_recipient and message["read_at"] is None:
        await queries.mark_read(message_id, dt.datetime.now(dt.UTC))
    return _named([message])[0]


async def move(member: Member, message_id: int, folder: str) -> None:
    """Trash, restore or delete for this member's side only; the other side keeps theirs."""
    message = await read(member, message_id, mark=False)
    if message["recipient_id"] == member.id:
        await queries.file_for_recipient(message_id, folder)
    if message["sender_id"] == member.id:
        await queries.file_for_sender(message_id, folder)


def _named(rows: list[Row]) -> list[Row]:
    """Each row with `sender_name` and `recipient_name`: how the two sides are shown."""
    for row in rows:
        row["sender_name"] = name_for(row["sender_nickname"], row["sender_status"])
        row["recipient_name"] = name_for(row["recipient_nickname"], row["recipient_status"])
    return rows


async def inbox(member: Member, page: int = 1) -> list[MessageRow]:
    require_active(member)
    offset = (page - 1) * PAGE_SIZE
    return _named(await queries.received(member.id, Folder.KEPT, PAGE_SIZE, offset))


async def sent_box(member: Member, page: int = 1) -> list[MessageRow]:
    require_active(member)
    return _named(await queries.sent(member.id, Folder.KEPT, PAGE_SIZE, (page - 1) * PAGE_SIZE))


async def trash(member: Member, page: int = 1) -> list[MessageRow]:
    require_active(member)
    return _named(await queries.trashed(member.id, PAGE_SIZE, (page - 1) * PAGE_SIZE))


async def unread_count(member: Member) -> int:
    return await queries.unread_count(member.id)
