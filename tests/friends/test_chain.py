"""The shortest chain of maimiku on known small graphs, against a plain breadth-first search."""

from __future__ import annotations

import random
from collections import deque

import pytest

from ashiato.accounts import queries as accounts
from ashiato.errors import NotFound
from ashiato.friends import chain as chain_search
from ashiato.friends import queries, service
from ashiato.members.tables import MemberStatus
from tests.friends.graphs import link, people

# me → a → b → c → t is 4 steps; me → p → q → t is 3; l1 … l6 lead 6 and 7 steps away.
EDGES = "me-a a-b b-c c-t me-p p-q q-t me-l1 l1-l2 l2-l3 l3-l4 l4-l5 l5-six six-seven a-p"


@pytest.fixture
async def graph(settings):
    members = await people(
        "me", "a", "b", "c", "t", "p", "q", "l1", "l2", "l3", "l4", "l5", "six", "seven", "lone"
    )
    await link(members, EDGES)
    return members


def names(graph, chain) -> list[str]:
    by_id = {member.id: name for name, member in graph.items()}
    return [by_id[member.id] for member in chain]


async def test_the_shortest_of_two_chains_is_found(graph):
    chain = await service.shortest_chain(graph["me"], graph["t"].id)
    assert names(graph, chain) == ["me", "p", "q", "t"]


async def test_a_direct_maimiku_is_one_step_and_oneself_is_none(graph):
    assert names(graph, await service.shortest_chain(graph["me"], graph["a"].id)) == ["me", "a"]
    assert names(graph, await service.shortest_chain(graph["me"], graph["me"].id)) == ["me"]


async def test_the_search_works_from_either_end(graph):
    chain = await service.shortest_chain(graph["t"], graph["me"].id)
    assert names(graph, chain) == ["t", "q", "p", "me"]


async def test_chains_stop_at_six_steps(graph):
    assert len(await service.shortest_chain(graph["me"], graph["six"].id)) == 7
    assert await service.shortest_chain(graph["me"], graph["seven"].id) is None
    assert await service.shortest_chain(graph["me"], graph["lone"].id) is None
    short = await service.shortest_chain(graph["me"], graph["six"].id, max_steps=5)
    assert short is None


async def test_a_hidden_friend_list_is_never_passed_through(graph):
    await service.set_friend_list_hidden(graph["q"], True)
    chain = await service.shortest_chain(graph["me"], graph["t"].id)
    assert names(graph, chain) == ["me", "a", "b", "c", "t"]
    # …but a member hiding their list can still be found at the end of a chain
    assert names(graph, await service.shortest_chain(graph["me"], graph["q"].id)) == [
        "me",
        "p",
        "q",
    ]


async def test_members_in_a_block_with_the_viewer_are_avoided(graph):
    await service.set_friend_list_hidden(graph["q"], True)
    await service.block(graph["b"], graph["me"].id)  # b blocked me: not through b either
    assert await service.shortest_chain(graph["me"], graph["t"].id) is None
    with pytest.raises(NotFound):
        await service.shortest_chain(graph["me"], graph["b"].id)


async def test_withdrawn_members_break_the_chain(graph):
    await accounts.update_member(graph["p"].id, status=MemberStatus.WITHDRAWN)
    chain = await service.shortest_chain(graph["me"], graph["t"].id)
    assert names(graph, chain) == ["me", "a", "b", "c", "t"]


async def test_a_frontier_over_the_limit_stops_the_search(graph, monkeypatch):
    monkeypatch.setattr(chain_search, "FRONTIER_LIMIT", 1)
    # me has 3 maimiku and t has 2: both second frontiers are over the limit
    assert await service.shortest_chain(graph["me"], graph["t"].id) is None
    assert len(await service.shortest_chain(graph["me"], graph["a"].id)) == 2


def plain_bfs(adjacency: dict[int, set[int]], source: int, target: int, passable) -> int | None:
    seen = {source: 0}
    queue = deque([source])
    while queue:
        node = queue.popleft()
        if node == target:
            return seen[node]
        if node != source and not passable(node):
            continue
        for friend in adjacency[node]:
            if friend not in seen:
                seen[friend] = seen[node] + 1
                queue.append(friend)
    return None


async def test_lengths_match_a_plain_search_on_a_random_graph(settings):
    rng = random.Random(7)
    members = await people(*[f"m{i}" for i in range(40)])
    ids = [member.id for member in members.values()]
    adjacency: dict[int, set[int]] = {i: set() for i in ids}
    for _ in range(55):
        a, b = rng.sample(ids, 2)
        if b not in adjacency[a]:
            adjacency[a].add(b)
            adjacency[b].add(a)
            await queries.insert_friendship(a, b)
    hidden = set(rng.sample(ids, 5))
    for member_id in hidden:
        await queries.set_hide_friend_list(member_id, True)
    chains_found, longest = 0, 0
    for _ in range(40):
        source, target = rng.sample(ids, 2)
        expected = plain_bfs(adjacency, source, target, lambda n: n not in hidden)
        found = await chain_search.chain_ids(source, target)
        if expected is None or expected > chain_search.CHAIN_MAX_STEPS:
            assert found is None
        else:
            assert found is not None and len(found) - 1 == expected
            assert found[0] == source and found[-1] == target
            assert all(b in adjacency[a] for a, b in zip(found, found[1:], strict=False))
            assert not hidden & set(found[1:-1])
            chains_found += 1
            longest = max(longest, expected)
    # The comparison means something only if the graph has chains to find (some of them
    # several steps long), not only pairs that both searches call unconnected.
    assert chains_found >= 10 and longest >= 3, (chains_found, longest)
