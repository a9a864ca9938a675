"""Every query of private messages. Lists join the other side's name in the same query."""

from __future__ import annotations

import datetime as dt
from typing import NotRequired, TypedDict, cast

from ashiato.messages.tables import Folder, PrivateMessage

PM = PrivateMessage


class MessageRow(TypedDict):
    """A message in a list: LIST_COLUMNS, both sides' nicknames and statuses joined (the
    service adds the names to show: sender_name, recipient_name)."""

    id: int
    subject: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    sender_id: int
    sender_nickname: str | None
    sender_status: str | None
    recipient_id: int
    recipient_nickname: str | None
    recipient_status: str | None
    sender_name: NotRequired[str]
    recipient_name: NotRequired[str]


class MessageDetail(MessageRow):
    """One message opened: the list columns, its text and each side's folder."""

    body: str
    sender_folder: str
    recipient_folder: str


LIST_COLUMNS = (
    PM.id,
    PM.subject,
    PM.created_at,
    PM.read_at,
    PM.sender.id.as_alias("sender_id"),
    PM.sender.nickname.as_alias("sender_nickname"),
    PM.sender.status.as_alias("sender_status"),
    PM.recipient.id.as_alias("recipient_id"),
    PM.recipient.nickname.as_alias("recipient_nickname"),
    PM.recipient.status.as_alias("recipient_status"),
)


async def insert(**values: object) -> PrivateMessage:
    message = PM(**values)
    await message.save()
    return message


async def by_id(message_id: int) -> MessageDetail | None:
    row = (
        await PM.select(*LIST_COLUMNS, PM.body, PM.sender_folder, PM.recipient_folder)
        .where(PM.id == message_id)
        .first()
    )
    return cast("MessageDetail | None", row)


async def received(member_id: int, folder: str, limit: int, offset: int) -> list[MessageRow]:
    return cast(
        "list[MessageRow]",
        await PM.select(*LIST_COLUMNS)
        .where(PM.recipient == member_id, PM.recipient_folder == folder)
        .order_by(PM.id, ascending=False)
        .limit(limit)
        .offset(offset),
    )


async def sent(member_id: int, folder: str, limit: int, offset: int) -> list[MessageRow]:
    return cast(
        "list[MessageRow]",
        await PM.select(*LIST_COLUMNS)
        .where(PM.sender == member_id, PM.sender_folder == folder)
        .order_by(PM.id, ascending=False)
        .limit(limit)
        .offset(offset),
    )


async def trashed(member_id: int, limit: int, offset: int) -> list[MessageRow]:
    """Both sides' trash in one list."""
    return cast(
        "list[MessageRow]",
        await PM.select(*LIST_COLUMNS)
        .where(
            ((PM.recipient == member_id) & (PM.recipient_folder == Folder.TRASHED))
            | ((PM.sender == member_id) & (PM.sender_folder == Folder.TRASHED))
        )
        .order_by(PM.id, ascending=False)
        .limit(limit)
        .offset(offset),
    )


async def unread_count(member_id: int) -> int:
    return await PM.count().where(
        PM.recipient == member_id, PM.read_at.is_null(), PM.recipient_folder == Folder.KEPT
    )


async def sent_since(member_id: int, since: dt.datetime) -> int:
    return await PM.count().where(PM.sender == member_id, PM.created_at >= since)


async def mark_read(message_id: int, now: dt.datetime) -> None:
    await PM.update({PM.read_at: now}).where(PM.id == message_id, PM.read_at.is_null())


async def file_for_recipient(message_id: int, folder: str) -> None:
    await PM.update({PM.recipient_folder: folder}).where(PM.id == message_id)


async def file_for_sender(message_id: int, folder: str) -> None:
    await PM.update({PM.sender_folder: folder}).where(PM.id == message_id)
