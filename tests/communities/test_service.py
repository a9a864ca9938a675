"""Community rules through the service: exact counts and reply numbers under concurrency,
escaping and >>N links, search, and the admin role after the admin withdrew."""

from __future__ import annotations

import asyncio

import pytest

from ashiato.accounts import queries as account_queries
from ashiato.communities import queries
from ashiato.communities.service import (
    communities,
    errors,
    membership,
    moderation,
    roles,
    text,
    threads,
)
from ashiato.communities.tables import Community, TopicReply
from ashiato.errors import PermissionDenied
from ashiato.members.tables import MemberStatus
from tests.factories import make_member
from tests.helpers import make_community, make_topic


async def make_members(count: int, prefix: str = "m"):  # type: ignore[no-untyped-def]
    return [await make_member(f"{prefix}{i}@example.jp", f"{prefix}{i}") for i in range(count)]


async def stored_count(community_id: int) -> int:
    row = await Community.select(Community.member_count).where(Community.id == community_id)
    return row[0]["member_count"]


async def test_concurrent_joins_and_leaves_keep_the_member_count_exact(settings):
    admin = await make_member("admin@example.jp", "admin")
    community = await make_community(admin)
    members = await make_members(24)

    # Everyone joins at once, each of them twice.
    await asyncio.gather(*(membership.join(m, community.id) for m in members + members))
    assert await stored_count(community.id) == 25 == await queries.member_count(community.id)

    # Half leave while the other half "join" again and a newcomer joins, all at once.
    newcomer = await make_member("new@example.jp", "new")
    await asyncio.gather(
        *(membership.leave(m, community.id) for m in members[:12]),
        *(membership.leave(m, community.id) for m in members[:12]),
        *(membership.join(m, community.id) for m in members[12:]),
        membership.join(newcomer, community.id),
    )
    assert await stored_count(community.id) == 14 == await queries.member_count(community.id)


async def test_concurrent_replies_never_share_a_number(settings):
    admin = await make_member("admin@example.jp", "admin")
    community = await make_community(admin)
    members = await make_members(8)
    for member in members:
        await membership.join(member, community.id)
    topic = await make_topic(admin, community)

    numbers = await asyncio.gather(
        *(
            threads.post_reply(member, community.id, topic.id, f"reply {i}")
            for i in range(3)
            for member in members
        )
    )
    assert sorted(numbers) == list(range(1, 25))
    stored = await TopicReply.select(TopicReply.number).where(TopicReply.topic == topic.id)
    assert sorted(row["number"] for row in stored) == list(range(1, 25))
    assert (await queries.topic_with_author(topic.id)).reply_count == 24


def test_member_text_is_escaped_and_reply_numbers_link_to_their_page():
    html = str(
        text.render_text(
            '<script>alert("x")</script> see >>3 and ＞＞１２０ but not >>999\n'
            "https://example.com/?a=1&b=<2>",
            community_id=7,
            topic_id=9,
            last_number=200,
        )
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert (
        '<a class="reply-ref" href="/communities/7/topics/9?page=1#reply-3">&gt;&gt;3</a>' in html
    )
    assert 'href="/communities/7/topics/9?page=3#reply-120"' in html  # 50 replies a page
    assert "&gt;&gt;999" in html and "reply-999" not in html  # no such reply yet
    assert '<a href="https://example.com/?a=1&amp;b=" rel="nofollow' in html
    assert "&lt;2&gt;" in html and "<br>" in html


async def test_search_finds_two_character_japanese_words_and_ignores_case_and_width(settings):
    admin = await make_member("admin@example.jp", "admin")
    await make_community(admin, "ラーメン二郎")
    await make_community(
        admin, "Nintendo DS", category="games", description="Portable games, 通信対戦"
    )
    await make_community(admin, "100% 果汁", category="food", description="ジュース")

    async def names(q: str, **kwargs: str) -> list[str]:
        found = await communities.browse(admin, q=q, **kwargs)
        return [c.name for c in found.communities]

    assert await names("二郎") == ["ラーメン二郎"]
    assert await names("nintendo") == ["Nintendo DS"]
    assert await names("ＮＩＮＴＥＮＤＯ ds") == ["Nintendo DS"]  # full-width, any case
    assert await names("通信") == ["Nintendo DS"]  # the description too
    assert await names("100%") == ["100% 果汁"]
    assert await names("_") == []  # LIKE wildcards are searched for literally
    assert await names("", category="games") == ["Nintendo DS"]
    assert await names("ramen nintendo") == []  # every word must match


async def test_a_member_takes_over_a_community_whose_admin_withdrew_first_come(settings):
    admin = await make_member("admin@example.jp", "admin")
    community = await make_community(admin)
    first, second = await make_members(2)
    outsider = await make_member("out@example.jp", "out")
    for member in (first, second):
        await membership.join(member, community.id)

    page = await communities.community_page(first, community.id)
    assert not page.can_claim_admin
    with pytest.raises(errors.CommunityError):
        await roles.claim_admin(first, community.id)

    await account_queries.update_member(admin.id, status=MemberStatus.WITHDRAWN)
    assert (await communities.community_page(first, community.id)).can_claim_admin
    assert not (await communities.community_page(outsider, community.id)).can_claim_admin
    with pytest.raises(errors.CommunityError):
        await roles.claim_admin(outsider, community.id)

    results = await asyncio.gather(
        roles.claim_admin(first, community.id),
        roles.claim_admin(second, community.id),
        return_exceptions=True,
    )
    assert sum(1 for r in results if r is None) == 1
    assert all(isinstance(r, errors.CommunityError) for r in results if r is not None)
    new_admin = (await queries.community_with_admin(community.id)).admin.id
    assert new_admin in (first.id, second.id)
    assert (await communities.community_page(first, community.id)).standing.is_admin == (
        new_admin == first.id
    )


async def test_sub_admins_moderate_members_but_not_each_other_or_the_admin(settings):
    admin = await make_member("admin@example.jp", "admin")
    community = await make_community(admin)
    sub, other_sub, member = await make_members(3)
    for m in (sub, other_sub, member):
        await membership.join(m, community.id)
    await roles.set_sub_admin(admin, community.id, sub.id, True)
    await roles.set_sub_admin(admin, community.id, other_sub.id, True)

    with pytest.raises(PermissionDenied):
        await moderation.remove_member(sub, community.id, other_sub.id)
    with pytest.raises(PermissionDenied):
        await moderation.ban(sub, community.id, admin.id)
    with pytest.raises(PermissionDenied):
        await roles.set_sub_admin(sub, community.id, member.id, True)
    await moderation.remove_member(sub, community.id, member.id)
    assert await queries.membership(community.id, member.id) is None
    assert await stored_count(community.id) == 3
