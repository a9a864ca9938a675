"""Maimiku requests over HTTP: ask, wait with a badge, approve or decline, end; blocks."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from ashiato.accounts import queries as accounts
from ashiato.errors import PermissionDenied
from ashiato.friends import queries, service
from ashiato.friends.errors import AlreadyAsked, FriendLimitReached
from ashiato.friends.tables import FriendRequest, FriendRequestStatus, Friendship
from ashiato.members.tables import MemberStatus
from tests.factories import login, make_member
from tests.friends.graphs import link, people
from tests.helpers import post_form

HTMX = {"HX-Request": "true"}


@pytest.fixture
async def pair(client, other_client, settings):
    """Aki (logged in on client) and Ben (logged in on other_client)."""
    aki = await make_member("aki@example.jp", "あき")
    ben = await make_member("ben@example.jp", "Ben")
    await login(client, "aki@example.jp")
    await login(other_client, "ben@example.jp")
    return aki, ben


async def badge(client) -> str:
    response = await client.get("/friends/requests/badge")
    assert response.status_code == 200
    return response.text.strip()


async def pending_rows() -> list[FriendRequest]:
    return await FriendRequest.objects().where(FriendRequest.status == FriendRequestStatus.PENDING)


async def test_a_request_waits_with_a_badge_and_approval_makes_both_maimiku(
    client, other_client, pair
):
    aki, ben = pair
    form = await client.get(f"/friends/add/{ben.id}")
    assert form.status_code == 200 and 'id="friend-request-form"' in form.text
    sent = await post_form(client, f"/friends/add/{ben.id}", {"message": "日記いつも読んでます"})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/members/{ben.id}"
    assert await badge(other_client) == '<span class="badge">1</span>'
    assert await badge(client) == ""  # the sender has nothing to answer

    page = await other_client.get("/friends")
    request_row = (await pending_rows())[0]
    assert f'id="friend-request-{request_row.id}"' in page.text
    assert "日記いつも読んでます" in page.text and "あき" in page.text
    mine = await client.get("/friends")
    assert f'id="sent-request-{request_row.id}"' in mine.text

    answered = await post_form(
        other_client, f"/friends/requests/{request_row.id}/approve", {}, headers=HTMX
    )
    assert answered.status_code == 200
    assert 'id="approved-notice"' in answered.text and "<html" not in answered.text
    assert "friend-request-" not in answered.text
    assert answered.headers["hx-trigger"] == "friendRequestsChanged"
    assert await queries.are_friends(aki.id, ben.id)
    assert await queries.are_friends(ben.id, aki.id)
    assert await badge(other_client) == ""
    assert (await FriendRequest.objects().first()).status == FriendRequestStatus.APPROVED
    listed = await client.get("/friends")
    assert f'data-member="{ben.id}"' in listed.text


async def test_declining_makes_no_maimiku_and_clears_the_badge(client, other_client, pair):
    aki, ben = pair
    await post_form(client, f"/friends/add/{ben.id}", {"message": ""})
    request_row = (await pending_rows())[0]
    declined = await post_form(other_client, f"/friends/requests/{request_row.id}/decline", {})
    assert declined.status_code == 303 and declined.headers["location"] == "/friends"
    assert not await queries.are_friends(aki.id, ben.id)
    assert await badge(other_client) == ""
    again = await post_form(other_client, f"/friends/requests/{request_row.id}/approve", {})
    assert again.status_code == 400  # already answered


async def test_only_the_recipient_answers_and_only_the_sender_takes_back(
    client, other_client, pair
):
    aki, ben = pair
    await post_form(client, f"/friends/add/{ben.id}", {"message": ""})
    request_row = (await pending_rows())[0]
    assert (
        await post_form(client, f"/friends/requests/{request_row.id}/approve", {})
    ).status_code == 404
    assert (
        await post_form(other_client, f"/friends/requests/{request_row.id}/cancel", {})
    ).status_code == 404
    taken_back = await post_form(client, f"/friends/requests/{request_row.id}/cancel", {})
    assert taken_back.status_code == 303
    assert await pending_rows() == []
    assert await badge(other_client) == ""


async def test_a_second_request_to_the_same_member_is_refused(client, pair):
    _, ben = pair
    await post_form(client, f"/friends/add/{ben.id}", {"message": "1"})
    again = await post_form(client, f"/friends/add/{ben.id}", {"message": "2"})
    assert again.status_code == 400
    assert len(await pending_rows()) == 1


async def test_a_request_to_someone_who_already_asked_you_approves_theirs(
    client, other_client, pair
):
    aki, ben = pair
    await post_form(client, f"/friends/add/{ben.id}", {"message": "hi"})
    crossing = await post_form(other_client, f"/friends/add/{aki.id}", {"message": "hi too"})
    assert crossing.status_code == 303
    assert await queries.are_friends(aki.id, ben.id) and await queries.are_friends(ben.id, aki.id)
    assert await pending_rows() == []
    assert await Friendship.count() == 2


async def test_concurrent_crossing_requests_never_leave_two_pending_requests(pair, settings):
    aki, ben = pair
    outcomes = await asyncio.gather(
        service.send_request(aki, ben.id, "", settings),
        service.send_request(ben, aki.id, "", settings),
    )
    assert sorted(outcome.became_friends for outcome in outcomes) == [False, True]
    assert await pending_rows() == []
    assert await Friendship.count() == 2


async def test_the_database_refuses_a_second_pending_request_between_two_members(pair):
    aki, ben = pair
    await queries.insert_request(aki.id, ben.id, "")
    with pytest.raises(queries.DuplicateRow):
        await queries.insert_request(ben.id, aki.id, "")


async def test_blocked_members_cannot_request_either_way(client, other_client, pair):
    aki, ben = pair
    await post_form(client, f"/friends/add/{ben.id}", {"message": "pending"})
    blocked = await post_form(client, f"/friends/blocks/{ben.id}", {})
    assert blocked.status_code == 303
    assert await pending_rows() == []  # a block cancels what was pending
    assert (await post_form(client, f"/friends/add/{ben.id}", {"message": ""})).status_code == 403
    assert (await other_client.get(f"/friends/add/{aki.id}")).status_code == 403
    refused = await post_form(other_client, f"/friends/add/{aki.id}", {"message": ""})
    assert refused.status_code == 403
    assert await pending_rows() == []
    page = await client.get("/friends")
    assert 'id="blocked-members"' in page.text and "Ben" in page.text
    await post_form(client, f"/friends/blocks/{ben.id}/remove", {})
    assert (
        await post_form(other_client, f"/friends/add/{aki.id}", {"message": ""})
    ).status_code == 303


async def test_a_block_ends_a_maimiku_relation(client, pair):
    aki, ben = pair
    await service.make_friends(aki, ben)
    await post_form(client, f"/friends/blocks/{ben.id}", {})
    assert await Friendship.count() == 0


async def test_either_member_can_end_the_friendship_and_both_rows_go(client, other_client, pair):
    aki, ben = pair
    await service.make_friends(aki, ben)
    await service.make_friends(aki, await make_member("cho@example.jp", "Cho"))
    ended = await post_form(other_client, f"/friends/{aki.id}/end", {"next": f"/members/{aki.id}"})
    assert ended.status_code == 303 and ended.headers["location"] == f"/members/{aki.id}"
    assert not await queries.are_friends(aki.id, ben.id)
    assert not await queries.are_friends(ben.id, aki.id)
    assert await Friendship.count() == 2  # aki and cho are still maimiku


async def test_requests_to_oneself_or_to_missing_members_are_refused(client, pair):
    aki, _ = pair
    gone = await make_member("gone@example.jp", "gone", status=MemberStatus.WITHDRAWN)
    assert (await post_form(client, f"/friends/add/{aki.id}", {"message": ""})).status_code == 400
    assert (await post_form(client, f"/friends/add/{gone.id}", {"message": ""})).status_code == 404
    assert (await client.get("/friends/add/999999")).status_code == 404


async def test_a_too_long_message_shows_the_form_again(client, pair):
    _, ben = pair
    response = await post_form(client, f"/friends/add/{ben.id}", {"message": "あ" * 501})
    assert response.status_code == 422
    assert 'id="message-error"' in response.text
    assert await pending_rows() == []


async def test_the_maimiku_limit_refuses_requests_and_approvals(pair, settings):
    aki, ben = pair
    cho = await make_member("cho@example.jp", "Cho")
    small = replace(settings, max_friends=1)
    await service.send_request(ben, aki.id, "", small)
    await service.make_friends(aki, cho)  # aki is now full
    with pytest.raises(FriendLimitReached) as refused:
        await service.send_request(aki, ben.id, "", small)  # crossing: would approve
    assert refused.value.code == "limit"
    request_row = (await pending_rows())[0]
    with pytest.raises(FriendLimitReached):
        await service.approve_request(aki, request_row.id, small)
    assert not await queries.are_friends(aki.id, ben.id)
    with pytest.raises(AlreadyAsked):
        await service.send_request(ben, aki.id, "", small)  # already pending
    dan = await make_member("dan@example.jp", "Dan")
    with pytest.raises(FriendLimitReached) as full:
        await service.send_request(dan, aki.id, "", small)
    assert full.value.code == "limit"


async def test_pending_and_withdrawn_members_cannot_act(pair, settings):
    _, ben = pair
    waiting = await make_member("wait@example.jp", "wait", status=MemberStatus.PENDING)
    with pytest.raises(PermissionDenied):
        await service.send_request(waiting, ben.id, "", settings)
    await accounts.update_member(ben.id, status=MemberStatus.WITHDRAWN)
    assert await service.pending_request_count(ben) == 0


async def test_the_friends_page_runs_as_many_queries_for_30_maimiku_as_for_3(
    client, pair, monkeypatch
):
    aki, _ = pair
    engine = type(Friendship._meta.db)
    calls = {"n": 0}
    original = engine.run_querystring

    async def counting(self, querystring, in_pool=True):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return await original(self, querystring, in_pool=in_pool)

    monkeypatch.setattr(engine, "run_querystring", counting)

    async def queries_for_page() -> int:
        calls["n"] = 0
        response = await client.get("/friends")
        assert response.status_code == 200
        return calls["n"]

    few = await people("f1", "f2", "f3")
    await link({**few, "aki": aki}, "aki-f1 aki-f2 aki-f3")
    with_three = await queries_for_page()
    assert with_three > 3  # the counter sees the page's queries
    many = await people(*[f"g{i}" for i in range(27)])
    await link({**many, "aki": aki}, " ".join(f"aki-g{i}" for i in range(27)))
    assert await queries_for_page() == with_three
