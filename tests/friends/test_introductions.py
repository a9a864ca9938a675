"""Introductions (紹介文): written by a maimiku, shown on the profile, hidden or deleted."""

from __future__ import annotations

import pytest

from ashiato.friends import service
from ashiato.friends.tables import Introduction
from tests.factories import login, make_member
from tests.helpers import post_form


@pytest.fixture
async def trio(client, other_client, settings):
    """Aki is introduced by her maimiku Ben (other_client); Cho is a stranger to both."""
    aki = await make_member("aki@example.jp", "あき")
    ben = await make_member("ben@example.jp", "Ben")
    cho = await make_member("cho@example.jp", "Cho")
    await service.make_friends(aki, ben)
    await login(client, "aki@example.jp")
    await login(other_client, "ben@example.jp")
    return aki, ben, cho


async def write(other_client, aki, body: str):
    return await post_form(other_client, f"/friends/introductions/{aki.id}", {"body": body})


async def test_a_maimiku_writes_an_introduction_that_shows_on_the_profile(other_client, trio):
    aki, ben, cho = trio
    form = await other_client.get(f"/friends/introductions/{aki.id}")
    assert form.status_code == 200 and 'id="introduction-form"' in form.text
    written = await write(other_client, aki, "大学のサークル仲間です。\n写真がとても上手！")
    assert written.status_code == 303
    assert written.headers["location"] == f"/members/{aki.id}#introductions"
    seen_by_stranger = await service.introductions_about(cho, aki.id)
    assert [(i.author.id, i.body) for i in seen_by_stranger] == [
        (ben.id, "大学のサークル仲間です。\n写真がとても上手！")
    ]
    assert not seen_by_stranger[0].can_hide and not seen_by_stranger[0].can_delete


async def test_rewriting_replaces_the_one_introduction(other_client, trio):
    aki, _, _ = trio
    await write(other_client, aki, "first")
    await write(other_client, aki, "second")
    assert [row["body"] for row in await Introduction.select(Introduction.body)] == ["second"]
    form = await other_client.get(f"/friends/introductions/{aki.id}")
    assert "second" in form.text


async def test_only_maimiku_can_introduce(client, trio):
    aki, ben, cho = trio
    await login(client, "cho@example.jp")
    assert (await client.get(f"/friends/introductions/{aki.id}")).status_code == 403
    refused = await post_form(client, f"/friends/introductions/{aki.id}", {"body": "hi"})
    assert refused.status_code == 403
    assert await Introduction.count() == 0


async def test_empty_or_too_long_introductions_are_refused(other_client, trio):
    aki, _, _ = trio
    empty = await write(other_client, aki, "   ")
    assert empty.status_code == 422 and 'id="body-error"' in empty.text
    too_long = await write(other_client, aki, "あ" * 1001)
    assert too_long.status_code == 422
    assert await Introduction.count() == 0


async def test_the_subject_hides_shows_and_deletes_introductions(client, other_client, trio):
    aki, ben, cho = trio
    await write(other_client, aki, "いい人です")
    entry = await Introduction.objects().first()
    # the author may not hide what shows on someone else's profile
    assert (
        await post_form(other_client, f"/friends/introductions/entry/{entry.id}/hide", {})
    ).status_code == 403
    hidden = await post_form(client, f"/friends/introductions/entry/{entry.id}/hide", {})
    assert hidden.status_code == 303
    assert await service.introductions_about(cho, aki.id) == []
    mine = await service.introductions_about(aki, aki.id)
    assert [(i.hidden, i.can_hide, i.can_delete) for i in mine] == [(True, True, True)]
    page = await client.get("/friends")
    assert f'id="introduction-{entry.id}"' in page.text
    await post_form(client, f"/friends/introductions/entry/{entry.id}/show", {})
    assert len(await service.introductions_about(cho, aki.id)) == 1
    deleted = await post_form(
        client, f"/friends/introductions/entry/{entry.id}/delete", {"next": "/friends"}
    )
    assert deleted.status_code == 303 and deleted.headers["location"] == "/friends"
    assert await Introduction.count() == 0


async def test_the_author_may_delete_but_a_stranger_may_not(client, other_client, trio):
    aki, _, _ = trio
    await write(other_client, aki, "いい人です")
    entry = await Introduction.objects().first()
    await login(client, "cho@example.jp")
    stranger = await post_form(client, f"/friends/introductions/entry/{entry.id}/delete", {})
    assert stranger.status_code == 403
    own = await post_form(other_client, f"/friends/introductions/entry/{entry.id}/delete", {})
    assert own.status_code == 303
    assert await Introduction.count() == 0


async def test_ending_the_friendship_removes_the_introductions_both_ways(
    client, other_client, trio
):
    aki, ben, _ = trio
    await write(other_client, aki, "from ben")
    await post_form(client, f"/friends/introductions/{ben.id}", {"body": "from aki"})
    assert await Introduction.count() == 2
    await post_form(client, f"/friends/{ben.id}/end", {})
    assert await Introduction.count() == 0
