"""Members in every relation to an author (images and form helpers: tests/helpers.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from ashiato.accounts import queries as account_queries
from ashiato.friends import service as friends
from ashiato.members.tables import Member
from tests.factories import make_member


async def make_old(member: Member) -> None:
    """Older than the new-member window, so links are not limited."""
    await account_queries.update_member(
        member.id, created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    )


@dataclass
class Circle:
    """An author and a member in each relation to them."""

    author: Member
    friend: Member  # maimiku of the author
    friend_of_friend: Member  # maimiku of the friend only
    stranger: Member  # no relation
    blocked: Member  # a friend of the friend, but the author blocked them

    def by_role(self, role: str) -> Member | None:
        return None if role == "logged_out" else getattr(self, role)


@pytest.fixture
async def circle(settings) -> Circle:
    author = await make_member("author@example.jp", "書き手")
    friend = await make_member("friend@example.jp", "マイミク")
    fof = await make_member("fof@example.jp", "友達の友達")
    stranger = await make_member("stranger@example.jp", "他人")
    blocked = await make_member("blocked@example.jp", "ブロック")
    for member in (author, friend, fof, stranger, blocked):
        await make_old(member)
    await friends.make_friends(author, friend)
    await friends.make_friends(friend, fof)
    await friends.make_friends(friend, blocked)
    await friends.block(author, blocked.id)
    return Circle(author, friend, fof, stranger, blocked)
