"""The friend graph and blocks."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

from ashiato.accounts.tables import Member


class Friendship(Table):
    """One directed edge per direction: (A, B) and (B, A) both exist for maimiku A–B.

    Two rows per friendship make "friends of X" a single index range read on (member,
    friend), which is what the faces, the audience checks and the graph explorer need.
    """

    member = ForeignKey(Member, index=True)
    friend = ForeignKey(Member, index=True, index_method=IndexMethod.btree)
    created_at = Timestamptz(default=TimestamptzNow())


class FriendRequest(Table):
    """A maimiku request waiting for the other side's answer."""

    sender = ForeignKey(Member, index=True)
    recipient = ForeignKey(Member, index=True)
    message = Text(default="")
    status = Varchar(length=12, default="pending", help_text="pending, approved, declined")
    created_at = Timestamptz(default=TimestamptzNow())
    answered_at = Timestamptz(null=True, default=None)


class Block(Table):
    """The blocker no longer hears from the blocked member anywhere on the site."""

    blocker = ForeignKey(Member, index=True)
    blocked = ForeignKey(Member, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
