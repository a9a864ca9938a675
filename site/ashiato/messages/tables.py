"""Private messages (メッセージ) between two members."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from ashiato.members.tables import Member


class Folder:
    """Where a message sits for one side: each side files it independently."""

    KEPT = "kept"
    TRASHED = "trashed"
    DELETED = "deleted"


class PrivateMessage(Table):
    sender = ForeignKey(Member, index=True)
    recipient = ForeignKey(Member, index=True)
    subject = Varchar(length=100)
    body = Text()
    reply_to = ForeignKey("self", null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    read_at = Timestamptz(null=True, default=None)
    sender_folder = Varchar(length=10, default=Folder.KEPT)
    recipient_folder = Varchar(length=10, default=Folder.KEPT, index=True)
