"""Small friend graphs for tests, written straight through the queries (fast: no hashing)."""

from __future__ import annotations

from ashiato.accounts import queries as accounts
from ashiato.friends import queries
from ashiato.members.tables import Member, MemberStatus


async def people(*names: str, status: str = MemberStatus.ACTIVE) -> dict[str, Member]:
    """Active members named after their nickname (they cannot log in: see make_member)."""
    made = {}
    for name in names:
        made[name] = await accounts.insert_member(
            pc_email=f"{name}@graph.example.jp",
            password_hash="!",
            nickname=name,
            status=status,
        )
    return made


async def link(members: dict[str, Member], edges: str) -> None:
    """Make maimiku of "a-b c-d …" (both Friendship rows, as the service does)."""
    for edge in edges.split():
        a, b = edge.split("-")
        await queries.insert_friendship(members[a].id, members[b].id)
