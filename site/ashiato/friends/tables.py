"""The friend graph (maimiku), requests, introductions, blocks and friend-list privacy."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from ashiato.members.tables import Member


class Friendship(Table):
    """One directed edge per direction: (A, B) and (B, A) both exist for maimiku A–B.

    Two rows per friendship make "friends of X" a single range read of the unique index
    on (member, friend), which is what the faces, the audience checks and the graph
    explorer need; the same index refuses a duplicate edge. `friend` has its own index
    for deletions that start from the other side. The composite unique indexes of this
    module are made by the hand-written migration `..._pair_indexes` (PAIR_INDEXES), as
    Piccolo adds composite constraints with ALTER TABLE, which SQLite lacks.
    """

    member = ForeignKey(Member, index=False, help_text="covered by friendship_pair")
    friend = ForeignKey(Member, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class FriendRequestStatus:
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"  # withdrawn by the sender, or made moot by a block


class FriendRequest(Table):
    """A maimiku request waiting for the other side's answer.

    `pending_pair` is "low:high" of the two member ids while the request is pending and
    NULL afterwards: its unique index lets at most one pending request exist between two
    members whichever way round, so concurrent crossing requests cannot both be stored.
    """

    sender = ForeignKey(Member, index=True)
    recipient = ForeignKey(Member, index=True)
    message = Text(default="")
    status = Varchar(
        length=12,
        default=FriendRequestStatus.PENDING,
        help_text="pending, approved, declined, cancelled",
    )
    pending_pair = Varchar(
        length=24,
        null=True,
        default=None,
        unique=True,
        help_text="'low:high' member ids while pending, else NULL",
    )
    created_at = Timestamptz(default=TimestamptzNow())
    answered_at = Timestamptz(null=True, default=None)


class Introduction(Table):
    """紹介文: what a maimiku wrote about a member, shown on that member's profile."""

    author = ForeignKey(Member, index=False, help_text="covered by introduction_pair")
    subject = ForeignKey(Member, index=True)
    body = Text(help_text="at most INTRODUCTION_MAX_LENGTH characters")
    hidden = Boolean(default=False, help_text="hidden from the profile by its subject")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class FriendSettings(Table):
    """A member's choices about their maimiku list (one row, made on first change)."""

    member = ForeignKey(Member, unique=True, index=True)
    hide_friend_list = Boolean(
        default=False, help_text="others see neither the list nor the member's graph edges"
    )


class Block(Table):
    """The blocker no longer hears from the blocked member anywhere on the site."""

    blocker = ForeignKey(Member, index=False, help_text="covered by block_pair")
    blocked = ForeignKey(Member, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


# Composite unique indexes, created by a migration of their own (see Friendship).
PAIR_INDEXES = {
    "friendship_pair": ("friendship", ("member", "friend")),
    "introduction_pair": ("introduction", ("author", "subject")),
    "block_pair": ("block", ("blocker", "blocked")),
}
