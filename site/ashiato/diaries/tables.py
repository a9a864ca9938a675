"""Diaries (日記), their photos and comments, and each member's diary settings."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from ashiato.members.tables import Member


class Diary(Table):
    """A member's diary entry.

    The comment counters are kept on the row (updated in the transaction that adds or
    removes a comment) so every list shows counts and "new" marks without a query per row.
    `source_message_id` is the Message-ID of a diary posted by mail: unique per author
    (index diary_source_message; NULLs are distinct), so the mail gateway can detect a
    message delivered twice. The composite indexes are made by a hand-written migration
    (Piccolo cannot add composite constraints on SQLite).
    """

    author = ForeignKey(Member, index=False, help_text="covered by diary_author_created")
    title = Varchar(length=100)
    body = Text()
    visibility = Varchar(
        length=20,
        default="everyone",
        help_text="everyone, friends_of_friends, friends, only_me",
    )
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    edited_at = Timestamptz(null=True, default=None)
    photo_count = SmallInt(default=0)
    comment_count = Integer(default=0)
    last_comment_id = Integer(default=0, help_text="id of the newest comment, 0 if none")
    last_comment_at = Timestamptz(null=True, default=None)
    author_seen_comment_id = Integer(
        default=0, help_text="newest comment the author has seen (the new-comment badge)"
    )
    source = Varchar(length=10, default="web", help_text="web or mail")
    source_message_id = Varchar(
        length=255, null=True, default=None, help_text="Message-ID of a diary posted by mail"
    )


class DiaryPhoto(Table):
    """One of a diary's (at most three) photos; the file is kept by ashiato.photos."""

    diary = ForeignKey(Diary, index=True, on_delete=OnDelete.cascade)
    position = SmallInt(default=0, help_text="order on the page, from 0")
    key = Varchar(length=80, help_text="ashiato.photos key: <sha256>.<ext>")
    width = Integer(default=0)
    height = Integer(default=0)


class DiaryComment(Table):
    diary = ForeignKey(Diary, index=True, on_delete=OnDelete.cascade)
    author = ForeignKey(Member, index=True)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class CommentHistoryEntry(Table):
    """コメント記入履歴: a diary the member commented on, and the newest comment they saw."""

    member = ForeignKey(Member, index=False, help_text="covered by comment_history_pair")
    diary = ForeignKey(Diary, index=True, on_delete=OnDelete.cascade)
    last_commented_at = Timestamptz(default=TimestamptzNow())
    seen_comment_id = Integer(default=0)


class DiarySettings(Table):
    """A member's diary choices (one row, made on first change)."""

    member = ForeignKey(Member, unique=True, index=True)
    default_visibility = Varchar(
        length=20, default="everyone", help_text="visibility preselected for a new diary"
    )
