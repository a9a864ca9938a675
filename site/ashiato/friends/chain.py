"""The shortest chain of maimiku between two members: a breadth-first search from both ends.

Each step reads one whole frontier at once (friends.queries.friend_pairs_of_many), always on
the side with the smaller frontier, so a 6-step search between members with 20 maimiku each
reads about 400 members instead of 20**6. The permission checks (who the viewer may look
for, whom a chain must avoid) are friends.service.shortest_chain's; this module only
searches. tests/friends/test_chain.py holds it against a plain one-sided search.
"""

from __future__ import annotations

from ashiato.friends import queries

CHAIN_MAX_STEPS = 6
# The chain search stops (answers "not found") rather than expand a frontier larger than
# this: with 20 maimiku each, a 6-step search expands frontiers of about 400 members.
FRONTIER_LIMIT = 5_000


async def chain_ids(
    source: int,
    target: int,
    avoid: set[int] | frozenset[int] = frozenset(),
    max_steps: int = CHAIN_MAX_STEPS,
) -> list[int] | None:
    """The shortest chain source → … → target, by breadth-first search from both ends.

    Each step reads one whole frontier from the (member, friend) index, always on the side
    with the smaller frontier. Members in `avoid` are skipped; members in between must be
    active and not hiding their maimiku list. None when there is no chain of at most
    max_steps, or when a frontier would exceed FRONTIER_LIMIT (the search stays bounded).
    """
    if source == target:
        return [source]
    parents: tuple[dict[int, int | None], dict[int, int | None]] = ({source: None}, {target: None})
    depth_of: tuple[dict[int, int], dict[int, int]] = ({source: 0}, {target: 0})
    frontiers = ([source], [target])
    depths = [0, 0]
    ends = (source, target)
    while frontiers[0] and frontiers[1] and depths[0] + depths[1] < max_steps:
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        if len(frontiers[side]) > FRONTIER_LIMIT:
            return None
        mine, theirs = parents[side], parents[1 - side]
        found: dict[int, int] = {}
        for member, friend in await queries.friend_pairs_of_many(frontiers[side]):
            if friend not in mine and friend not in found and friend not in avoid:
                found[friend] = member
        depths[side] += 1
        meetings = [m for m in found if m in theirs]
        if meetings:
            inner = [m for m in meetings if m not in ends]
            passable = await queries.passable_members(inner) if inner else set()
            usable = [m for m in meetings if m in ends or m in passable]
            if usable:
                meet = min(usable, key=lambda m: (depth_of[1 - side][m], m))
                mine.update({meet: found[meet]})
                return _join(parents, meet)
        if depths[0] + depths[1] >= max_steps:
            return None  # no need to check members that no further step will expand
        candidates = [m for m in found if m not in meetings]
        passable = await queries.passable_members(candidates)
        frontier = sorted(m for m in candidates if m in passable)
        for member in frontier:
            mine[member] = found[member]
            depth_of[side][member] = depths[side]
        frontiers = (frontier, frontiers[1]) if side == 0 else (frontiers[0], frontier)
    return None


def _join(parents: tuple[dict[int, int | None], dict[int, int | None]], meet: int) -> list[int]:
    forward: list[int] = []
    node: int | None = meet
    while node is not None:
        forward.append(node)
        node = parents[0][node]
    forward.reverse()
    node = parents[1][meet]
    while node is not None:
        forward.append(node)
        node = parents[1][node]
    return forward
