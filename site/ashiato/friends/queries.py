"""Every query of the friend graph and blocks."""

from __future__ import annotations

from ashiato.friends.tables import Block, Friendship


async def are_friends(a: int, b: int) -> bool:
    return await Friendship.exists().where(Friendship.member == a, Friendship.friend == b)


async def share_a_friend(a: int, b: int) -> bool:
    """Is there an X with a–X and X–b? One query: a's friends joined to b's friends."""
    a_friends = Friendship.select(Friendship.friend).where(Friendship.member == a)
    return await Friendship.exists().where(
        Friendship.member == b, Friendship.friend.is_in(a_friends)
    )


async def friend_ids(member_id: int) -> list[int]:
    rows = await Friendship.select(Friendship.friend).where(Friendship.member == member_id)
    return [row["friend"] for row in rows]


async def insert_friendship(a: int, b: int) -> None:
    await Friendship.insert(Friendship(member=a, friend=b), Friendship(member=b, friend=a))


async def delete_friendship(a: int, b: int) -> None:
    await Friendship.delete().where(
        ((Friendship.member == a) & (Friendship.friend == b))
        | ((Friendship.member == b) & (Friendship.friend == a))
    )


async def is_blocked_between(a: int, b: int) -> bool:
    """A block in either direction."""
    return await Block.exists().where(
        ((Block.blocker == a) & (Block.blocked == b))
        | ((Block.blocker == b) & (Block.blocked == a))
    )


async def has_blocked(blocker: int, blocked: int) -> bool:
    return await Block.exists().where(Block.blocker == blocker, Block.blocked == blocked)


async def insert_block(blocker: int, blocked: int) -> None:
    if not await has_blocked(blocker, blocked):
        await Block.insert(Block(blocker=blocker, blocked=blocked))


async def delete_block(blocker: int, blocked: int) -> None:
    await Block.delete().where(Block.blocker == blocker, Block.blocked == blocked)
