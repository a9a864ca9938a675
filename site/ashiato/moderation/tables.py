"""Reports of content, waiting for a moderator."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from ashiato.members.tables import Member


class Report(Table):
    """A member flags an item (a diary, a comment, a reply, a message…) for moderators."""

    reporter = ForeignKey(Member, index=True)
    kind = Varchar(length=30, help_text="a registered ReportTarget kind: diary, message, member…")
    ref_id = Integer(help_text="the reported item's id in its feature")
    url = Varchar(length=300, default="", help_text="where a moderator can see the item")
    excerpt = Varchar(length=300, default="", help_text="the item's text when it was reported")
    author = ForeignKey(
        Member,
        null=True,
        default=None,
        on_delete=OnDelete.set_null,
        help_text="who wrote the reported item (the member, for a profile)",
    )
    reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = ForeignKey(Member, null=True, default=None)
