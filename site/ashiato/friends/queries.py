"""Every query of the friend graph, requests, introductions, blocks and list privacy.

The graph queries take whole frontiers of member ids at once: one array parameter on
PostgreSQL (`= ANY($1)`, read from the (member, friend) unique index), chunked IN lists
on SQLite. Member rows are read here only joined to, or filtered for, the friend graph.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TypedDict

from piccolo.columns.combination import WhereRaw

try:
    from asyncpg.exceptions import UniqueViolationError
except ImportError:  # pragma: no cover - asyncpg is installed with piccolo[postgres]
    UniqueViolationError = None  # type: ignore[assignment,misc]

from ashiato.friends.tables import (
    Block,
    FriendRequest,
    FriendRequestStatus,
    FriendSettings,
    Friendship,
    Introduction,
)
from ashiato.members.tables import Member, MemberStatus

SQLITE_CHUNK = 500  # ids per IN list on SQLite (well under its variable limit)


class DuplicateRow(Exception):
    """A unique index refused a row another request wrote first."""


def _on_postgres() -> bool:
    return Friendship._meta.db.engine_type == "postgres"


def _is_unique_violation(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc)
    return UniqueViolationError is not None and isinstance(exc, UniqueViolationError)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), SQLITE_CHUNK):
        yield list(ids[start : start + SQLITE_CHUNK])


# -- the friend graph ---------------------------------------------------------------------


async def are_friends(a: int, b: int) -> bool:
    return await Friendship.exists().where(Friendship.member == a, Friendship.friend == b)


async def share_a_friend(a: int, b: int) -> bool:
    """Is there an X with a–X and X–b? One query: a's friends joined to b's friends."""
    a_friends = Friendship.select(Friendship.friend).where(Friendship.member == a)
    return await Friendship.exists().where(
        Friendship.member == b, Friendship.friend.is_in(a_friends)
    )


class RelationFlags(TypedDict):
    blocked: bool
    friends: bool
    share_a_friend: bool


async def relation_flags(a: int, b: int) -> RelationFlags:
    """A block either way, a–b friendship and a shared friend, in one query (the three
    questions a relation asks; is_blocked_between, are_friends and share_a_friend each)."""
    rows = await Friendship.raw(
        'SELECT EXISTS(SELECT 1 FROM "block" WHERE ("blocker" = {} AND "blocked" = {})'
        ' OR ("blocker" = {} AND "blocked" = {})) AS "blocked",'
        ' EXISTS(SELECT 1 FROM "friendship" WHERE "member" = {} AND "friend" = {})'
        ' AS "friends",'
        ' EXISTS(SELECT 1 FROM "friendship" WHERE "member" = {} AND "friend" IN'
        ' (SELECT "friend" FROM "friendship" WHERE "member" = {})) AS "share_a_friend"',
        a,
        b,
        b,
        a,
        a,
        b,
        b,
        a,
    )
    row = rows[0]
    return RelationFlags(
        blocked=bool(row["blocked"]),
        friends=bool(row["friends"]),
        share_a_friend=bool(row["share_a_friend"]),
    )


async def friend_ids(member_id: int) -> list[int]:
    rows = await Friendship.select(Friendship.friend).where(Friendship.member == member_id)
    return [row["friend"] for row in rows]


async def insert_friendship(a: int, b: int) -> None:
    """Both rows of a friendship; a row that already exists is left as it is."""
    await Friendship.insert(
        Friendship(member=a, friend=b), Friendship(member=b, friend=a)
    ).on_conflict(action="DO NOTHING")


async def delete_friendship(a: int, b: int) -> None:
    await Friendship.delete().where(
        ((Friendship.member == a) & (Friendship.friend == b))
        | ((Friendship.member == b) & (Friendship.friend == a))
    )


async def count_active_friends(member_id: int, exclude: Iterable[int] = ()) -> int:
    query = Friendship.count().where(
        Friendship.member == member_id, Friendship.friend.status == MemberStatus.ACTIVE
    )
    excluded = list(exclude)
    if excluded:
        query = query.where(Friendship.friend.not_in(excluded))
    return await query


async def active_friend_ids(member_id: int, exclude: Iterable[int] = ()) -> list[int]:
    """Active maimiku of a member, most recent first (at most max_friends rows)."""
    query = (
        Friendship.select(Friendship.friend)
        .where(Friendship.member == member_id, Friendship.friend.status == MemberStatus.ACTIVE)
        .order_by(Friendship.created_at, ascending=False)
        .order_by(Friendship.friend)
    )
    excluded = list(exclude)
    if excluded:
        query = query.where(Friendship.friend.not_in(excluded))
    return [row["friend"] for row in await query]


async def random_active_friends(
    member_id: int, viewer_id: int, limit: int
) -> tuple[int, list[Member]]:
    """How many active maimiku the member has, leaving out anyone in a block with the
    viewer, and a random `limit` of them (id, nickname, status: what a face prints), in one
    query whatever the count."""
    rows = await Friendship.raw(
        'SELECT "member"."id", "member"."nickname", "member"."status",'
        ' COUNT(*) OVER () AS "total"'
        ' FROM "friendship" JOIN "member" ON "member"."id" = "friendship"."friend"'
        ' WHERE "friendship"."member" = {} AND "member"."status" = {}'
        ' AND "member"."id" NOT IN (SELECT "blocked" FROM "block" WHERE "blocker" = {})'
        ' AND "member"."id" NOT IN (SELECT "blocker" FROM "block" WHERE "blocked" = {})'
        " ORDER BY RANDOM() LIMIT {}",
        member_id,
        MemberStatus.ACTIVE,
        viewer_id,
        viewer_id,
        limit,
    )
    if not rows:
        return 0, []
    members = [Member(id=r["id"], nickname=r["nickname"], status=r["status"]) for r in rows]
    return rows[0]["total"], members


async def active_friends_page(
    member_id: int, *, offset: int, limit: int, exclude: Iterable[int] = ()
) -> list[Member]:
    """One page of a member's active maimiku as Member rows, most recent first."""
    query = (
        Friendship.objects(Friendship.friend)
        .where(Friendship.member == member_id, Friendship.friend.status == MemberStatus.ACTIVE)
        .order_by(Friendship.created_at, ascending=False)
        .order_by(Friendship.friend)
        .offset(offset)
        .limit(limit)
    )
    excluded = list(exclude)
    if excluded:
        query = query.where(Friendship.friend.not_in(excluded))
    return [row.friend for row in await query]


async def members_by_ids(ids: Sequence[int]) -> dict[int, Member]:
    """Active members among ids (withdrawn and pending members are left out)."""
    found: dict[int, Member] = {}
    if _on_postgres():  # one statement text whatever the number of ids: prepared once
        rows = await Member.objects().where(
            WhereRaw('"member"."id" = ANY({})', list(ids)), Member.status == MemberStatus.ACTIVE
        )
        return {member.id: member for member in rows}
    for chunk in _chunks(list(ids)):
        rows = await Member.objects().where(
            Member.id.is_in(chunk), Member.status == MemberStatus.ACTIVE
        )
        found.update({member.id: member for member in rows})
    return found


class GraphFaceRow(TypedDict):
    id: int
    nickname: str
    hides: bool  # hides their maimiku list


async def graph_faces(ids: Sequence[int]) -> dict[int, GraphFaceRow]:
    """id, nickname and whether they hide their maimiku list, of the active members among
    ids: plain rows, as the graph explorer draws up to hundreds of them per click."""
    if not ids:
        return {}
    if _on_postgres():
        rows = await Member.raw(
            "SELECT m.id, m.nickname, EXISTS (SELECT 1 FROM friend_settings s "
            "WHERE s.member = m.id AND s.hide_friend_list) AS hides "
            "FROM member m WHERE m.id = ANY({}) AND m.status = {}",
            list(ids),
            MemberStatus.ACTIVE,
        )
        return {row["id"]: GraphFaceRow(**row) for row in rows}
    found: dict[int, GraphFaceRow] = {}
    for chunk in _chunks(list(ids)):
        rows = await Member.select(Member.id, Member.nickname).where(
            Member.id.is_in(chunk), Member.status == MemberStatus.ACTIVE
        )
        found.update({row["id"]: GraphFaceRow(**row, hides=False) for row in rows})
    for member_id in await hiding_among(list(found)):
        found[member_id]["hides"] = True
    return found


async def active_member(member_id: int) -> Member | None:
    return (
        await Member.objects()
        .where(Member.id == member_id, Member.status == MemberStatus.ACTIVE)
        .first()
    )


async def member_exists(member_id: int) -> bool:
    return await Member.exists().where(Member.id == member_id)


async def members_named(text: str, limit: int) -> list[Member]:
    """Active members whose nickname is, or else contains, text (the chain search box)."""
    exact = await (
        Member.objects()
        .where(Member.nickname == text, Member.status == MemberStatus.ACTIVE)
        .order_by(Member.id)
        .limit(limit)
    )
    if exact:
        return exact
    pattern = "%" + text.replace("\\", "").replace("%", "").replace("_", "") + "%"
    return await (
        Member.objects()
        .where(
            Member.nickname.ilike(pattern) if _on_postgres() else Member.nickname.like(pattern),
            Member.status == MemberStatus.ACTIVE,
        )
        .order_by(Member.nickname)
        .order_by(Member.id)
        .limit(limit)
    )


async def friend_pairs_of_many(ids: Sequence[int]) -> list[tuple[int, int]]:
    """(member, friend) for every friend of every id: one breadth-first step."""
    if not ids:
        return []
    if _on_postgres():
        rows = await Friendship.raw(
            "SELECT member, friend FROM friendship WHERE member = ANY({})", list(ids)
        )
        return [(row["member"], row["friend"]) for row in rows]
    pairs: list[tuple[int, int]] = []
    for chunk in _chunks(list(ids)):
        rows = await Friendship.select(Friendship.member, Friendship.friend).where(
            Friendship.member.is_in(chunk)
        )
        pairs.extend((row["member"], row["friend"]) for row in rows)
    return pairs


async def passable_members(ids: Sequence[int]) -> set[int]:
    """Those of ids a chain may pass through: active, and not hiding their maimiku list."""
    if not ids:
        return set()
    if _on_postgres():
        rows = await Member.raw(
            "SELECT m.id FROM member m WHERE m.id = ANY({}) AND m.status = {} "
            "AND NOT EXISTS (SELECT 1 FROM friend_settings s "
            "WHERE s.member = m.id AND s.hide_friend_list)",
            list(ids),
            MemberStatus.ACTIVE,
        )
        return {row["id"] for row in rows}
    found: set[int] = set()
    for chunk in _chunks(list(ids)):
        rows = await Member.select(Member.id).where(
            Member.id.is_in(chunk), Member.status == MemberStatus.ACTIVE
        )
        found.update(row["id"] for row in rows)
    return found - await hiding_among(list(found))


async def edges_among(ids: Sequence[int]) -> list[tuple[int, int]]:
    """Every maimiku pair (low, high) with both ends in ids (ids: a drawn graph, bounded)."""
    if not ids:
        return []
    if _on_postgres():
        rows = await Friendship.raw(
            "SELECT member, friend FROM friendship "
            "WHERE member = ANY({}) AND friend = ANY({}) AND member < friend",
            list(ids),
            list(ids),
        )
        return [(row["member"], row["friend"]) for row in rows]
    wanted = set(ids)
    return [(a, b) for a, b in await friend_pairs_of_many(list(ids)) if a < b and b in wanted]


# -- maimiku requests ---------------------------------------------------------------------


def pair_key(a: int, b: int) -> str:
    low, high = sorted((a, b))
    return f"{low}:{high}"


async def pending_between(a: int, b: int) -> FriendRequest | None:
    return await FriendRequest.objects().where(FriendRequest.pending_pair == pair_key(a, b)).first()


async def insert_request(sender: int, recipient: int, message: str) -> FriendRequest:
    """Raises DuplicateRow when a pending request between the two was stored first."""
    request = FriendRequest(
        sender=sender,
        recipient=recipient,
        message=message,
        status=FriendRequestStatus.PENDING,
        pending_pair=pair_key(sender, recipient),
    )
    try:
        await request.save()
    except Exception as exc:
        if _is_unique_violation(exc):
            raise DuplicateRow(str(exc)) from exc
        raise
    return request


async def request_by_id(request_id: int) -> FriendRequest | None:
    return await FriendRequest.objects().where(FriendRequest.id == request_id).first()


async def close_request(request_id: int, status: str, now: dt.datetime) -> bool:
    """Answer a pending request; False when someone answered it first."""
    closed = await (
        FriendRequest.update(
            {
                FriendRequest.status: status,
                FriendRequest.answered_at: now,
                FriendRequest.pending_pair: None,
            }
        )
        .where(
            FriendRequest.id == request_id,
            FriendRequest.status == FriendRequestStatus.PENDING,
        )
        .returning(FriendRequest.id)
    )
    return bool(closed)


async def cancel_pending_between(a: int, b: int, now: dt.datetime) -> None:
    await FriendRequest.update(
        {
            FriendRequest.status: FriendRequestStatus.CANCELLED,
            FriendRequest.answered_at: now,
            FriendRequest.pending_pair: None,
        }
    ).where(FriendRequest.pending_pair == pair_key(a, b))


async def forget_member(member_id: int, now: dt.datetime) -> None:
    """A withdrawn member leaves every maimiku relation and pending request."""
    await Friendship.delete().where(
        (Friendship.member == member_id) | (Friendship.friend == member_id)
    )
    await FriendRequest.update(
        {
            FriendRequest.status: FriendRequestStatus.CANCELLED,
            FriendRequest.answered_at: now,
            FriendRequest.pending_pair: None,
        }
    ).where(
        (FriendRequest.status == FriendRequestStatus.PENDING)
        & ((FriendRequest.sender == member_id) | (FriendRequest.recipient == member_id))
    )


async def incoming_requests(member_id: int) -> list[FriendRequest]:
    """Pending requests to a member from active senders, newest first, senders joined."""
    return await (
        FriendRequest.objects(FriendRequest.sender)
        .where(
            FriendRequest.recipient == member_id,
            FriendRequest.status == FriendRequestStatus.PENDING,
            FriendRequest.sender.status == MemberStatus.ACTIVE,
        )
        .order_by(FriendRequest.created_at, ascending=False)
    )


async def outgoing_requests(member_id: int) -> list[FriendRequest]:
    return await (
        FriendRequest.objects(FriendRequest.recipient)
        .where(
            FriendRequest.sender == member_id,
            FriendRequest.status == FriendRequestStatus.PENDING,
            FriendRequest.recipient.status == MemberStatus.ACTIVE,
        )
        .order_by(FriendRequest.created_at, ascending=False)
    )


async def count_incoming_requests(member_id: int) -> int:
    return await FriendRequest.count().where(
        FriendRequest.recipient == member_id,
        FriendRequest.status == FriendRequestStatus.PENDING,
        FriendRequest.sender.status == MemberStatus.ACTIVE,
    )


# -- introductions ------------------------------------------------------------------------


async def introduction_by(author: int, subject: int) -> Introduction | None:
    return (
        await Introduction.objects()
        .where(Introduction.author == author, Introduction.subject == subject)
        .first()
    )


async def introduction_by_id(introduction_id: int) -> Introduction | None:
    return await Introduction.objects().where(Introduction.id == introduction_id).first()


async def insert_introduction(author: int, subject: int, body: str) -> None:
    try:
        await Introduction.insert(Introduction(author=author, subject=subject, body=body))
    except Exception as exc:
        if _is_unique_violation(exc):
            raise DuplicateRow(str(exc)) from exc
        raise


async def update_introduction(introduction_id: int, **values: object) -> None:
    await Introduction.update({getattr(Introduction, k): v for k, v in values.items()}).where(
        Introduction.id == introduction_id
    )


async def delete_introduction(introduction_id: int) -> None:
    await Introduction.delete().where(Introduction.id == introduction_id)


async def delete_introductions_between(a: int, b: int) -> None:
    await Introduction.delete().where(
        ((Introduction.author == a) & (Introduction.subject == b))
        | ((Introduction.author == b) & (Introduction.subject == a))
    )


async def introductions_of(
    subject: int, *, include_hidden: bool, unblocked_for: int | None = None
) -> list[Introduction]:
    """Introductions of a member by active authors, newest first, authors joined; with
    `unblocked_for`, none by a member in a block with that viewer."""
    query = (
        Introduction.objects(Introduction.author)
        .where(
            Introduction.subject == subject,
            Introduction.author.status == MemberStatus.ACTIVE,
        )
        .order_by(Introduction.updated_at, ascending=False)
    )
    if unblocked_for is not None:
        query = query.where(
            Introduction.author.not_in(
                Block.select(Block.blocked).where(Block.blocker == unblocked_for)
            ),
            Introduction.author.not_in(
                Block.select(Block.blocker).where(Block.blocked == unblocked_for)
            ),
        )
    if not include_hidden:
        query = query.where(Introduction.hidden == False)  # noqa: E712 (a SQL expression)
    return await query


async def introductions_by(author: int) -> list[Introduction]:
    return await (
        Introduction.objects(Introduction.subject)
        .where(
            Introduction.author == author,
            Introduction.subject.status == MemberStatus.ACTIVE,
        )
        .order_by(Introduction.updated_at, ascending=False)
    )


# -- friend-list privacy ------------------------------------------------------------------


async def hides_friend_list(member_id: int) -> bool:
    return await FriendSettings.exists().where(
        FriendSettings.member == member_id,
        FriendSettings.hide_friend_list == True,  # noqa: E712 (a SQL expression)
    )


async def hiding_among(ids: Sequence[int]) -> set[int]:
    if _on_postgres():
        rows = await FriendSettings.select(FriendSettings.member).where(
            WhereRaw('"friend_settings"."member" = ANY({})', list(ids)),
            FriendSettings.hide_friend_list == True,  # noqa: E712 (a SQL expression)
        )
        return {row["member"] for row in rows}
    found: set[int] = set()
    for chunk in _chunks(list(ids)):
        rows = await FriendSettings.select(FriendSettings.member).where(
            FriendSettings.member.is_in(chunk),
            FriendSettings.hide_friend_list == True,  # noqa: E712 (a SQL expression)
        )
        found.update(row["member"] for row in rows)
    return found


async def set_hide_friend_list(member_id: int, hide: bool) -> None:
    await FriendSettings.insert(
        FriendSettings(member=member_id, hide_friend_list=hide)
    ).on_conflict(
        target=FriendSettings.member,
        action="DO UPDATE",
        values=[FriendSettings.hide_friend_list],
    )


# -- blocks -------------------------------------------------------------------------------


async def is_blocked_between(a: int, b: int) -> bool:
    """A block in either direction."""
    return await Block.exists().where(
        ((Block.blocker == a) & (Block.blocked == b))
        | ((Block.blocker == b) & (Block.blocked == a))
    )


async def has_blocked(blocker: int, blocked: int) -> bool:
    return await Block.exists().where(Block.blocker == blocker, Block.blocked == blocked)


async def blocked_ids_around(member_id: int) -> set[int]:
    """Everyone in a block with this member, whichever side blocked."""
    rows = await Block.select(Block.blocker, Block.blocked).where(
        (Block.blocker == member_id) | (Block.blocked == member_id)
    )
    return {row["blocked"] if row["blocker"] == member_id else row["blocker"] for row in rows}


async def blocked_by(member_id: int) -> list[Block]:
    return await (
        Block.objects(Block.blocked)
        .where(Block.blocker == member_id)
        .order_by(Block.created_at, ascending=False)
    )


async def insert_block(blocker: int, blocked: int) -> None:
    await Block.insert(Block(blocker=blocker, blocked=blocked)).on_conflict(action="DO NOTHING")


async def delete_block(blocker: int, blocked: int) -> None:
    await Block.delete().where(Block.blocker == blocker, Block.blocked == blocked)
