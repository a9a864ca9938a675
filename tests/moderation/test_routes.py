"""Members report what they may see, of a kind a feature registered; administrators see and
resolve the queue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from ashiato.communities.service import membership
from ashiato.diaries import service as diaries
from ashiato.diaries.service import DiaryDraft
from ashiato.features import FEATURES
from ashiato.footprints import service as footprints
from ashiato.friends import service as friends
from ashiato.members import Visibility
from ashiato.members.tables import Member
from ashiato.messages import service as messages
from ashiato.moderation.tables import Report
from ashiato.registry import report_targets
from tests.factories import login, make_member
from tests.helpers import make_community, make_topic, post_form


async def test_a_report_reaches_the_moderators_once(client, other_client, settings):
    sender = await make_member("sender@example.jp", "送信者")
    member = await make_member("member@example.jp", "通報者")
    await make_member("admin@example.jp", is_admin=True)
    message_id = await messages.send(sender, member.id, "件名", "本文", settings)
    await login(client, "member@example.jp")
    form = {"kind": "message", "ref_id": str(message_id), "next": "/elsewhere", "reason": "spam"}
    first = await post_form(client, "/reports", form, headers={"hx-request": "true"})
    assert first.status_code == 200 and 'class="notice reported"' in first.text
    assert "<html" not in first.text  # the htmx fragment replaces the button
    await post_form(client, "/reports", form)
    assert await Report.count() == 1

    assert (await client.get("/admin/reports")).status_code == 403
    await login(other_client, "admin@example.jp")
    queue = await other_client.get("/admin/reports", headers={"accept-language": "en"})
    assert f'href="/messages/{message_id}"' in queue.text and "通報者" in queue.text
    assert "件名 本文" in queue.text and "by 送信者" in queue.text  # what and whose, as reported
    report = await Report.objects().first()
    await post_form(other_client, f"/admin/reports/{report.id}/resolve", {})
    assert f'href="/messages/{message_id}"' not in (await other_client.get("/admin/reports")).text


async def test_what_the_reporter_cannot_see_cannot_be_reported(client, settings):
    alice = await make_member("alice@example.jp")
    bob = await make_member("bob@example.jp")
    await make_member("eve@example.jp")
    message_id = await messages.send(alice, bob.id, "秘密", "本文", settings)
    await login(client, "eve@example.jp")
    response = await post_form(client, "/reports", {"kind": "message", "ref_id": str(message_id)})
    assert response.status_code == 404
    assert await Report.count() == 0


@pytest.mark.parametrize("kind", ["nonsense", "", "bbs_reply", "diary_photo"])
async def test_a_kind_no_feature_registered_is_refused_with_404(client, kind):
    await make_member("member@example.jp")
    await login(client, "member@example.jp")
    response = await post_form(client, "/reports", {"kind": kind, "ref_id": "1"})
    assert response.status_code == 404
    assert await Report.count() == 0


async def test_the_way_back_stays_on_the_site_and_the_link_comes_from_the_feature(client):
    member = await make_member("member@example.jp")
    reported = await make_member("other@example.jp")
    await login(client, "member@example.jp")
    form = {"kind": "member", "ref_id": str(reported.id), "next": "https://evil.example/"}
    response = await post_form(client, "/reports", form)
    assert response.status_code == 200
    assert "evil.example" not in response.text
    stored = await Report.objects().first()
    assert (stored.url, stored.reporter, stored.author) == (
        f"/members/{reported.id}",
        member.id,
        reported.id,
    )


def test_every_kind_with_a_report_button_is_registered():
    """The buttons in templates/diaries name these kinds; the other kinds are the ones
    members reported before by URL (now each resolved by its feature)."""
    registered = set(report_targets(FEATURES))
    assert registered == {
        "diary",
        "diary_comment",
        "message",
        "member",
        "notebook",
        "community",
        "bbs_topic",
    }


# -- each registered kind: stored for who may see it, 404 and nothing stored otherwise -------


@dataclass
class Case:
    item_id: int
    url: str
    author: Member
    viewer: Member  # may see the item
    outsider: Member  # may not (or, for a community, which every member may see: a missing one)
    outsider_item_id: int | None = None


async def _diary(settings) -> Case:  # type: ignore[no-untyped-def]
    author = await make_member("author@example.jp")
    friend = await make_member("friend@example.jp")
    stranger = await make_member("stranger@example.jp")
    await friends.make_friends(author, friend)
    draft = DiaryDraft(title="友達だけ", body="マイミクにだけ見せる", visibility=Visibility.FRIENDS)
    diary = await diaries.create_diary(author, draft, settings)
    return Case(diary.id, f"/diaries/{diary.id}", author, friend, stranger)


async def _diary_comment(settings) -> Case:  # type: ignore[no-untyped-def]
    author = await make_member("author@example.jp")
    friend = await make_member("friend@example.jp")
    stranger = await make_member("stranger@example.jp")
    await friends.make_friends(author, friend)
    draft = DiaryDraft(title="友達だけ", body="本文", visibility=Visibility.FRIENDS)
    diary = await diaries.create_diary(author, draft, settings)
    comment_id = await diaries.add_comment(friend, diary.id, "ひどいコメント", settings)
    url = f"/diaries/{diary.id}#comment-{comment_id}"
    return Case(comment_id, url, friend, author, stranger)


async def _message(settings) -> Case:  # type: ignore[no-untyped-def]
    sender = await make_member("sender@example.jp")
    recipient = await make_member("recipient@example.jp")
    other = await make_member("other@example.jp")
    message_id = await messages.send(sender, recipient.id, "件名", "本文", settings)
    return Case(message_id, f"/messages/{message_id}", sender, recipient, other)


async def _member(settings) -> Case:  # type: ignore[no-untyped-def]
    owner = await make_member("owner@example.jp")
    stranger = await make_member("stranger@example.jp")
    blocked = await make_member("blocked@example.jp")
    await friends.block(owner, blocked.id)
    return Case(owner.id, f"/members/{owner.id}", owner, stranger, blocked)


async def _notebook(settings) -> Case:  # type: ignore[no-untyped-def]
    owner = await make_member("owner@example.jp")
    writer = await make_member("writer@example.jp")
    stranger = await make_member("stranger@example.jp")
    blocked = await make_member("blocked@example.jp")
    await friends.make_friends(owner, writer)
    await friends.block(owner, blocked.id)
    entry = await footprints.write_in_notebook(writer, owner.id, "こんにちは")
    return Case(entry.id, f"/members/{owner.id}/notebook", writer, stranger, blocked)


async def _community(settings) -> Case:  # type: ignore[no-untyped-def]
    admin = await make_member("admin@example.jp")
    member = await make_member("member@example.jp")
    other = await make_member("other@example.jp")
    community = await make_community(admin)
    return Case(community.id, f"/communities/{community.id}", admin, member, other, 999_999)


async def _bbs_topic(settings) -> Case:  # type: ignore[no-untyped-def]
    admin = await make_member("admin@example.jp")
    member = await make_member("member@example.jp")
    outsider = await make_member("outsider@example.jp")
    community = await make_community(admin, topics_public="")  # topics for members only
    await membership.join(member, community.id)
    topic = await make_topic(member, community)
    url = f"/communities/{community.id}/topics/{topic.id}"
    return Case(topic.id, url, member, admin, outsider)


CASES: dict[str, Callable[..., Awaitable[Case]]] = {
    "diary": _diary,
    "diary_comment": _diary_comment,
    "message": _message,
    "member": _member,
    "notebook": _notebook,
    "community": _community,
    "bbs_topic": _bbs_topic,
}


def test_every_registered_kind_is_tested_here():
    assert set(CASES) == set(report_targets(FEATURES))


@pytest.mark.parametrize("kind", sorted(CASES))
async def test_a_report_by_someone_who_may_see_the_item_is_stored(client, settings, kind):
    case = await CASES[kind](settings)
    await login(client, case.viewer.pc_email)
    form = {"kind": kind, "ref_id": str(case.item_id), "reason": "ひどい"}
    response = await post_form(client, "/reports", form)
    assert response.status_code == 200, response.text
    stored = await Report.objects().first()
    assert (stored.kind, stored.ref_id, stored.url) == (kind, case.item_id, case.url)
    assert (stored.reporter, stored.author, stored.reason) == (
        case.viewer.id,
        case.author.id,
        "ひどい",
    )
    assert stored.excerpt


@pytest.mark.parametrize("kind", sorted(CASES))
async def test_a_report_by_someone_who_may_not_see_the_item_is_refused_with_404(
    client, settings, kind
):
    case = await CASES[kind](settings)
    await login(client, case.outsider.pc_email)
    item_id = case.outsider_item_id or case.item_id
    response = await post_form(client, "/reports", {"kind": kind, "ref_id": str(item_id)})
    assert response.status_code == 404, response.text
    assert await Report.count() == 0


@pytest.mark.parametrize("kind", sorted(CASES))
async def test_a_report_of_an_item_that_does_not_exist_is_refused_with_404(client, kind):
    await make_member("member@example.jp")
    await login(client, "member@example.jp")
    for ref_id in ("987654", "0", "abc", ""):
        response = await post_form(client, "/reports", {"kind": kind, "ref_id": ref_id})
        assert response.status_code == 404, (ref_id, response.text)
    assert await Report.count() == 0
