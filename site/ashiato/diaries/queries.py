"""Every query of diaries. Lists filter visibility in SQL and join names in the same query.

`visible_to()` is friends.audience's SQL twin of `allows(relation(viewer, author),
visibility)`: a diary is listed for a viewer when they wrote it, or when no block stands
between them and its author and its visibility lets them in. Tests check the two agree for
every level. Rows come back as the TypedDicts below (what templates read).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypedDict

from markupsafe import Markup
from piccolo.columns import Column
from piccolo.custom_types import Combinable

from ashiato.diaries.tables import (
    CommentHistoryEntry,
    Diary,
    DiaryComment,
    DiaryPhoto,
    DiarySettings,
)
from ashiato.friends import audience

History = CommentHistoryEntry


class DiaryRow(TypedDict, total=False):
    """A diary in a list (and, with body and source, the diary itself)."""

    id: int
    title: str
    visibility: str
    created_at: dt.datetime
    edited_at: dt.datetime | None
    photo_count: int
    comment_count: int
    last_comment_id: int
    last_comment_at: dt.datetime | None
    author_seen_comment_id: int
    author_id: int
    author_nickname: str
    author_status: str
    body: str
    source: str
    # added by the service for templates
    author_name: str
    body_html: Markup
    visibility_label: str
    new: bool


class PhotoRow(TypedDict, total=False):
    id: int
    position: int
    key: str
    width: int
    height: int


class CommentRow(TypedDict, total=False):
    """A comment, with its author's name (and, in the received list, its diary)."""

    id: int
    body: str
    created_at: dt.datetime
    author_id: int
    author_nickname: str
    author_status: str
    diary_id: int
    diary_title: str
    seen_comment_id: int
    # added by the service for templates
    author_name: str
    body_html: Markup
    new: bool


class HistoryRow(TypedDict, total=False):
    """A diary the member commented on (コメント記入履歴)."""

    id: int
    title: str
    created_at: dt.datetime
    comment_count: int
    last_comment_id: int
    last_comment_at: dt.datetime | None
    seen_comment_id: int
    last_commented_at: dt.datetime
    author_id: int
    author_nickname: str
    author_status: str
    # added by the service for templates
    author_name: str
    new: bool


def visible_to(viewer_id: int, author: Column, visibility: Column) -> Combinable:
    """Where-clause: the viewer may read a diary with this author and visibility column."""
    return audience.visible_sql(viewer_id, author, visibility)


DIARY_COLUMNS = (
    Diary.id,
    Diary.title,
    Diary.visibility,
    Diary.created_at,
    Diary.edited_at,
    Diary.photo_count,
    Diary.comment_count,
    Diary.last_comment_id,
    Diary.last_comment_at,
    Diary.author_seen_comment_id,
    Diary.author.id.as_alias("author_id"),
    Diary.author.nickname.as_alias("author_nickname"),
    Diary.author.status.as_alias("author_status"),
)


# Diaries


async def insert_diary(**values: Any) -> Diary:
    diary = Diary(**values)
    await diary.save()
    return diary


async def diary_by_id(diary_id: int) -> DiaryRow | None:
    return (
        await Diary.select(*DIARY_COLUMNS, Diary.body, Diary.source)
        .where(Diary.id == diary_id)
        .first()
    )


async def diary_id_by_source(author_id: int, source_message_id: str) -> int | None:
    row = (
        await Diary.select(Diary.id)
        .where(Diary.author == author_id, Diary.source_message_id == source_message_id)
        .first()
    )
    return row["id"] if row else None


async def update_diary(diary_id: int, **values: Any) -> None:
    await Diary.update(values).where(Diary.id == diary_id)


async def delete_diary(diary_id: int) -> None:
    """The diary and everything hanging off it (not relying on the engine's cascades)."""
    await History.delete().where(History.diary == diary_id)
    await DiaryComment.delete().where(DiaryComment.diary == diary_id)
    await DiaryPhoto.delete().where(DiaryPhoto.diary == diary_id)
    await Diary.delete().where(Diary.id == diary_id)


async def visible_diaries(
    viewer_id: int,
    *,
    author_id: int | None = None,
    friends_of: int | None = None,
    ids: Sequence[int] | None = None,
    text: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[DiaryRow]:
    """Diaries the viewer may read, newest first, in one query whatever the page size."""
    conditions = [visible_to(viewer_id, Diary.author, Diary.visibility)]
    if author_id is not None:
        conditions.append(Diary.author == author_id)
    if friends_of is not None:
        conditions.append(Diary.author.is_in(audience.friend_ids_sql(friends_of)))
    if ids is not None:
        if not ids:
            return []
        conditions.append(Diary.id.is_in(list(ids)))
    if text:
        pattern = f"%{text}%"
        if Diary._meta.db.engine_type == "sqlite":  # SQLite's LIKE ignores ASCII case
            conditions.append(Diary.title.like(pattern) | Diary.body.like(pattern))
        else:
            conditions.append(Diary.title.ilike(pattern) | Diary.body.ilike(pattern))
    return (
        await Diary.select(*DIARY_COLUMNS)
        .where(*conditions)
        .order_by(Diary.created_at, Diary.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )


# Photos


async def insert_photos(diary_id: int, photos: Sequence[PhotoRow]) -> None:
    if photos:
        await DiaryPhoto.insert(*[DiaryPhoto(diary=diary_id, **photo) for photo in photos])


async def photos_of(diary_id: int) -> list[PhotoRow]:
    return (
        await DiaryPhoto.select(
            DiaryPhoto.id, DiaryPhoto.position, DiaryPhoto.key, DiaryPhoto.width, DiaryPhoto.height
        )
        .where(DiaryPhoto.diary == diary_id)
        .order_by(DiaryPhoto.position, DiaryPhoto.id)
    )


async def photo_of(diary_id: int, photo_id: int) -> PhotoRow | None:
    return (
        await DiaryPhoto.select(DiaryPhoto.id, DiaryPhoto.key)
        .where(DiaryPhoto.diary == diary_id, DiaryPhoto.id == photo_id)
        .first()
    )


async def delete_photos(diary_id: int, photo_ids: Sequence[int]) -> None:
    if photo_ids:
        await DiaryPhoto.delete().where(
            DiaryPhoto.diary == diary_id, DiaryPhoto.id.is_in(list(photo_ids))
        )


# Comments

COMMENT_COLUMNS = (
    DiaryComment.id,
    DiaryComment.body,
    DiaryComment.created_at,
    DiaryComment.author.id.as_alias("author_id"),
    DiaryComment.author.nickname.as_alias("author_nickname"),
    DiaryComment.author.status.as_alias("author_status"),
)


async def comments_of(diary_id: int, viewer_id: int, after: int = 0) -> list[CommentRow]:
    """A diary's comments after an id, oldest first, without those of blocked members."""
    return (
        await DiaryComment.select(*COMMENT_COLUMNS)
        .where(
            DiaryComment.diary == diary_id,
            DiaryComment.id > after,
            audience.not_blocked_sql(viewer_id, DiaryComment.author),
        )
        .order_by(DiaryComment.id)
    )


async def comment_by_id(diary_id: int, comment_id: int) -> CommentRow | None:
    return (
        await DiaryComment.select(DiaryComment.id, DiaryComment.author.as_alias("author_id"))
        .where(DiaryComment.id == comment_id, DiaryComment.diary == diary_id)
        .first()
    )


async def diary_id_of_comment(comment_id: int) -> int | None:
    row = await DiaryComment.select(DiaryComment.diary).where(DiaryComment.id == comment_id).first()
    return row["diary"] if row else None


async def insert_comment(diary_id: int, author_id: int, body: str) -> DiaryComment:
    comment = DiaryComment(diary=diary_id, author=author_id, body=body)
    await comment.save()
    return comment


async def count_comment(
    diary_id: int, comment_id: int, when: dt.datetime, *, by_author: bool
) -> None:
    """A new comment: counters and the newest id, in the comment's transaction."""
    values: dict[Column, Any] = {
        Diary.comment_count: Diary.comment_count + 1,
        Diary.last_comment_id: comment_id,
        Diary.last_comment_at: when,
    }
    if by_author:
        values[Diary.author_seen_comment_id] = comment_id
    await Diary.update(values).where(Diary.id == diary_id)


async def delete_comment(diary_id: int, comment_id: int) -> None:
    """Remove a comment and recount the diary from what remains."""
    await DiaryComment.delete().where(DiaryComment.id == comment_id, DiaryComment.diary == diary_id)
    remaining = await DiaryComment.count().where(DiaryComment.diary == diary_id)
    newest = (
        await DiaryComment.select(DiaryComment.id, DiaryComment.created_at)
        .where(DiaryComment.diary == diary_id)
        .order_by(DiaryComment.id, ascending=False)
        .first()
    )
    await Diary.update(
        {
            Diary.comment_count: remaining,
            Diary.last_comment_id: newest["id"] if newest else 0,
            Diary.last_comment_at: newest["created_at"] if newest else None,
        }
    ).where(Diary.id == diary_id)


async def comments_since(member_id: int, since: dt.datetime) -> int:
    return await DiaryComment.count().where(
        DiaryComment.author == member_id, DiaryComment.created_at >= since
    )


async def comments_on_diaries_of(author_id: int, limit: int, offset: int) -> list[CommentRow]:
    """Recent comments by others on a member's diaries, newest first."""
    return (
        await DiaryComment.select(
            *COMMENT_COLUMNS,
            DiaryComment.diary.id.as_alias("diary_id"),
            DiaryComment.diary.title.as_alias("diary_title"),
            DiaryComment.diary.author_seen_comment_id.as_alias("seen_comment_id"),
        )
        .where(
            DiaryComment.diary.author == author_id,
            DiaryComment.author != author_id,
            audience.not_blocked_sql(author_id, DiaryComment.author),
        )
        .order_by(DiaryComment.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )


# コメント記入履歴


async def record_commenter(member_id: int, diary_id: int, comment_id: int, when: dt.datetime):
    """One history entry per member and diary; a new comment refreshes it."""
    await History.insert(
        History(
            member=member_id, diary=diary_id, seen_comment_id=comment_id, last_commented_at=when
        )
    ).on_conflict(
        target=(History.member, History.diary),
        action="DO UPDATE",
        values=[History.seen_comment_id, History.last_commented_at],
    )


async def seen_by_commenter(member_id: int, diary_id: int) -> int | None:
    """The newest comment a commenter has seen on a diary; None if they never commented."""
    row = (
        await History.select(History.seen_comment_id)
        .where(History.member == member_id, History.diary == diary_id)
        .first()
    )
    return row["seen_comment_id"] if row else None


async def mark_seen_by_commenter(member_id: int, diary_id: int, comment_id: int) -> None:
    await History.update({History.seen_comment_id: comment_id}).where(
        History.member == member_id,
        History.diary == diary_id,
        History.seen_comment_id < comment_id,
    )


async def mark_seen_by_author(diary_id: int, comment_id: int) -> None:
    await Diary.update({Diary.author_seen_comment_id: comment_id}).where(
        Diary.id == diary_id, Diary.author_seen_comment_id < comment_id
    )


async def commented_diaries(member_id: int, limit: int, offset: int) -> list[HistoryRow]:
    """Diaries the member commented on and may still read, latest comment first."""
    diary = History.diary
    return (
        await History.select(
            History.seen_comment_id,
            History.last_commented_at,
            diary.id.as_alias("id"),
            diary.title.as_alias("title"),
            diary.created_at.as_alias("created_at"),
            diary.comment_count.as_alias("comment_count"),
            diary.last_comment_id.as_alias("last_comment_id"),
            diary.last_comment_at.as_alias("last_comment_at"),
            diary.author.id.as_alias("author_id"),
            diary.author.nickname.as_alias("author_nickname"),
            diary.author.status.as_alias("author_status"),
        )
        .where(History.member == member_id, visible_to(member_id, diary.author, diary.visibility))
        .order_by(diary.last_comment_at, diary.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )


async def unseen_counts(member_id: int) -> tuple[int, int]:
    """(own diaries with comments not seen, commented diaries with new comments)."""
    own = await Diary.count().where(
        Diary.author == member_id, Diary.last_comment_id > Diary.author_seen_comment_id
    )
    diary = History.diary
    commented = await History.count().where(
        History.member == member_id,
        diary.last_comment_id > History.seen_comment_id,
        visible_to(member_id, diary.author, diary.visibility),
    )
    return own, commented


# Settings


async def default_visibility(member_id: int) -> str | None:
    row = (
        await DiarySettings.select(DiarySettings.default_visibility)
        .where(DiarySettings.member == member_id)
        .first()
    )
    return row["default_visibility"] if row else None


async def set_default_visibility(member_id: int, visibility: str) -> None:
    await DiarySettings.insert(
        DiarySettings(member=member_id, default_visibility=visibility)
    ).on_conflict(
        target=DiarySettings.member,
        action="DO UPDATE",
        values=[DiarySettings.default_visibility],
    )
