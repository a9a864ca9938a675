"""Communities over HTTP: join policies and counts, topic permissions, numbered replies
with >>N links and live updates, events, moderation and what non-members may see."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import re

from litestar.testing import AsyncTestClient
from PIL import Image

from ashiato.accounts import queries as account_queries
from ashiato.app import make_jinja_environment
from ashiato.communities import queries
from ashiato.communities.service import membership, moderation, roles, threads, topics
from ashiato.communities.tables import Community, CommunityReport, Topic
from ashiato.features import FEATURES
from ashiato.friends import service as friends
from ashiato.friends.audience import viewing
from ashiato.i18n import _, ngettext, using
from ashiato.members.tables import MemberStatus
from ashiato.registry import profile_sections
from tests.factories import login, make_member
from tests.helpers import csrf_token, make_community, make_topic, post_form

HX = {"HX-Request": "true"}


def member_count_shown(html: str) -> str:
    found = re.search(r'id="member-count">([^<]*)<', html)
    assert found, "no member count on the page"
    return found.group(1)


def count_text(n: int) -> str:
    with using("en"):
        return ngettext("%(num)s member", "%(num)s members", n)


async def english_member(email: str, nickname: str):  # type: ignore[no-untyped-def]
    return await make_member(email, nickname, locale="en")


# -- joining -----------------------------------------------------------------------------


async def test_creating_a_community_makes_the_creator_its_admin_and_first_member(client):
    await english_member("admin@example.jp", "Admin")
    await login(client, "admin@example.jp")
    created = await post_form(
        client,
        "/communities",
        {
            "name": "Nintendo DS",
            "category": "games",
            "description": "Touch screens & two screens",
            "join_policy": "open",
            "topic_policy": "members",
            "topics_public": "1",
        },
    )
    assert created.status_code == 303
    page = await client.get(created.headers["location"])
    assert page.status_code == 200
    assert 'id="community-name">Nintendo DS<' in page.text
    assert member_count_shown(page.text) == count_text(1)
    assert 'id="you-are-admin"' in page.text
    assert "Touch screens &amp; two screens" in page.text

    invalid = await post_form(client, "/communities", {"name": "", "category": "nope"})
    assert invalid.status_code == 422
    assert 'id="name-error"' in invalid.text and 'id="category-error"' in invalid.text


async def test_open_community_join_and_leave_update_the_count_everywhere(client, other_client):
    admin = await english_member("admin@example.jp", "Admin")
    community = await make_community(admin, "ラーメン二郎")
    await english_member("taro@example.jp", "Taro")
    await login(other_client, "taro@example.jp")

    joined = await post_form(other_client, f"/communities/{community.id}/join", {}, headers=HX)
    assert joined.status_code == 200
    assert member_count_shown(joined.text) == count_text(2)
    assert 'id="leave-form"' in joined.text  # the fragment swapped in place

    browse = await other_client.get("/communities")
    assert re.search(r"ラーメン二郎</a>\s*<span class=\"member-count\"[^>]*>\(2\)", browse.text)
    assert 'id="my-communities"' in browse.text and "ラーメン二郎" in browse.text

    left = await post_form(other_client, f"/communities/{community.id}/leave", {})
    assert left.status_code == 303
    page = await other_client.get(f"/communities/{community.id}")
    assert member_count_shown(page.text) == count_text(1)
    assert 'id="join-form"' in page.text

    await login(client, "admin@example.jp")
    refused = await post_form(client, f"/communities/{community.id}/leave", {})
    assert refused.status_code == 400  # the admin hands the role over first
    assert (await queries.membership(community.id, admin.id)) is not None


async def test_approval_community_waits_for_an_admin_to_approve(client, other_client):
    admin = await english_member("admin@example.jp", "Admin")
    community = await make_community(admin, "Quiet Readers", join_policy="approval")
    hanako = await english_member("hanako@example.jp", "Hanako")
    await login(other_client, "hanako@example.jp")

    asked = await post_form(
        other_client, f"/communities/{community.id}/join", {"message": "入れてください"}, headers=HX
    )
    assert 'id="request-pending"' in asked.text
    assert member_count_shown(asked.text) == count_text(1)
    assert await queries.membership(community.id, hanako.id) is None

    await login(client, "admin@example.jp")
    manage = await client.get(f"/communities/{community.id}/manage")
    assert "Hanako" in manage.text and "入れてください" in manage.text
    approved = await post_form(
        client, f"/communities/{community.id}/requests/{hanako.id}/approve", {}
    )
    assert approved.status_code == 303
    page = await other_client.get(f"/communities/{community.id}")
    assert 'id="you-are-member"' in page.text
    assert member_count_shown(page.text) == count_text(2)

    # Only the admins approve.
    stranger = await english_member("s@example.jp", "Stranger")
    await membership.join(stranger, community.id)
    refused = await post_form(
        other_client, f"/communities/{community.id}/requests/{stranger.id}/approve", {}
    )
    assert refused.status_code == 403
    assert await queries.membership(community.id, stranger.id) is None


async def test_concurrent_joins_and_leaves_over_http_keep_the_count_exact(app, client):
    admin = await english_member("admin@example.jp", "Admin")
    community = await make_community(admin)
    members = [await english_member(f"m{i}@example.jp", f"M{i}") for i in range(10)]
    async with contextlib.AsyncExitStack() as stack:
        clients = []
        for member in members:
            browser = await stack.enter_async_context(
                AsyncTestClient(app=app, base_url="http://testserver.local")
            )
            browser.follow_redirects = False
            await login(browser, member.pc_email)
            clients.append(browser)

        path = f"/communities/{community.id}"
        answers = await asyncio.gather(
            *(post_form(browser, f"{path}/join", {}) for browser in clients),
            *(post_form(browser, f"{path}/join", {}) for browser in clients[:5]),  # twice
        )
        assert {answer.status_code for answer in answers} == {303}
        assert await queries.member_count(community.id) == 11
        answers = await asyncio.gather(
            *(post_form(browser, f"{path}/leave", {}) for browser in clients[:6]),
            *(post_form(browser, f"{path}/leave", {}) for browser in clients[:3]),  # twice
            *(post_form(browser, f"{path}/join", {}) for browser in clients[6:]),
        )
        assert {answer.status_code for answer in answers} == {303}
    assert await queries.member_count(community.id) == 5
    await login(client, "admin@example.jp")
    assert member_count_shown((await client.get(path)).text) == count_text(5)


# -- who sees and writes topics ----------------------------------------------------------


async def test_non_members_read_public_topics_but_not_private_ones(client, other_client):
    admin = await english_member("admin@example.jp", "Admin")
    public = await make_community(admin, "Open Kitchen")
    private = await make_community(admin, "Secret Garden", topics_public="")
    public_topic = await make_topic(admin, public, "Recipes", "Share them")
    private_topic = await make_topic(admin, private, "Hidden plans", "Do not tell")
    await english_member("guest@example.jp", "Guest")
    await login(other_client, "guest@example.jp")

    page = await other_client.get(f"/communities/{public.id}")
    assert "Recipes" in page.text
    thread = await other_client.get(f"/communities/{public.id}/topics/{public_topic.id}")
    assert thread.status_code == 200 and "Share them" in thread.text
    assert 'id="reply-form"' not in thread.text and 'id="reply-members-only"' in thread.text
    replied = await post_form(
        other_client, f"/communities/{public.id}/topics/{public_topic.id}/replies", {"body": "hi"}
    )
    assert replied.status_code == 403

    page = await other_client.get(f"/communities/{private.id}")
    assert page.status_code == 200
    assert 'id="topics-members-only"' in page.text and "Hidden plans" not in page.text
    for path in (
        f"/communities/{private.id}/topics/{private_topic.id}",
        f"/communities/{private.id}/topics",
    ):
        assert (await other_client.get(path)).status_code == 403
    poll = await other_client.get(
        f"/communities/{private.id}/topics/{private_topic.id}/replies?after=0", headers=HX
    )
    assert poll.status_code == 403

    await post_form(other_client, f"/communities/{private.id}/join", {})
    thread = await other_client.get(f"/communities/{private.id}/topics/{private_topic.id}")
    assert thread.status_code == 200 and "Do not tell" in thread.text


async def test_who_may_start_topics_follows_the_community_setting(client, other_client):
    admin = await english_member("admin@example.jp", "Admin")
    announcements = await make_community(admin, "Announcements", topic_policy="admins")
    chat = await make_community(admin, "Chat")
    member = await english_member("m@example.jp", "Member")
    await login(other_client, "m@example.jp")
    topic = {"title": "Hello", "body": "First post"}

    outsider = await post_form(other_client, f"/communities/{chat.id}/topics", topic)
    assert outsider.status_code == 403
    assert (await other_client.get(f"/communities/{chat.id}/topics/new")).status_code == 403
    for community in (announcements, chat):
        await membership.join(member, community.id)
    page = await other_client.get(f"/communities/{announcements.id}")
    assert 'id="new-topic-link"' not in page.text
    refused = await post_form(other_client, f"/communities/{announcements.id}/topics", topic)
    assert refused.status_code == 403
    form = await other_client.get(f"/communities/{announcements.id}/topics/new")
    assert form.status_code == 403
    assert (await other_client.get(f"/communities/{chat.id}/topics/new")).status_code == 200
    started = await post_form(other_client, f"/communities/{chat.id}/topics", topic)
    assert started.status_code == 303
    assert "First post" in (await other_client.get(started.headers["location"])).text

    await roles.set_sub_admin(admin, announcements.id, member.id, True)
    allowed = await post_form(other_client, f"/communities/{announcements.id}/topics", topic)
    assert allowed.status_code == 303


async def test_a_form_sent_without_its_fields_is_shown_again_with_errors(client):
    admin = await english_member("admin@example.jp", "Admin")
    community = await make_community(admin)
    topic = await make_topic(admin, community)
    await login(client, "admin@example.jp")
    base = f"/communities/{community.id}"

    for path, marker in (
        (f"{base}/topics", 'id="title-error"'),
        (f"{base}/topics/{topic.id}/replies", 'id="body-error"'),
        (f"{base}/topics/{topic.id}/report", 'id="reason-error"'),
        ("/communities", 'id="name-error"'),
    ):
        answer = await post_form(client, path, {})  # only the CSRF token
        assert answer.status_code == 422, path
        assert marker in answer.text, path


# -- replies -----------------------------------------------------------------------------


async def test_replies_are_numbered_and_gt_gt_n_links_to_the_reply_on_its_page(
    client, other_client
):
    admin = await english_member("admin@example.jp", "Admin")
    community = await make_community(admin)
    topic = await make_topic(admin, community)
    bulk = [{"number": n, "author": admin.id, "body": f"reply number {n}"} for n in range(1, 121)]
    await queries.insert_replies_in_bulk(topic.id, bulk)
    await login(client, "admin@example.jp")
    path = f"/communities/{community.id}/topics/{topic.id}"

    posted = await post_form(client, f"{path}/replies", {"body": "同意です >>5 <i>!</i>"})
    assert posted.status_code == 303
    assert posted.headers["location"] == f"{path}?page=3#reply-121"

    newest = await client.get(path)  # the newest page by default
    assert 'id="reply-121"' in newest.text and 'id="reply-101"' in newest.text
    assert 'id="reply-100"' not in newest.text
    assert f'<a class="reply-ref" href="{path}?page=1#reply-5">&gt;&gt;5</a>' in newest.text
    assert "&lt;i&gt;!&lt;/i&gt;" in newest.text
    assert 'id="thread-live"' in newest.text and 'id="reply-form"' in newest.text

    first = await client.get(f"{path}?page=1")
    assert 'id="reply-1"' in first.text and 'id="reply-50"' in first.text
    assert 'id="reply-51"' not in first.text
    assert 'id="thread-live"' not in first.text  # only the newest page is live
    assert 'id="newest-link"' in first.text


async def test_a_reply_posted_with_htmx_clears_the_form_and_the_other_member_polls_it(
    client, other_client
):
    admin = await english_member("admin@example.jp", "Admin")
    community = await make_community(admin)
    topic = await make_topic(admin, community)
    reader = await english_member("reader@example.jp", "Reader")
    await membership.join(reader, community.id)
    await threads.post_reply(reader, community.id, topic.id, "one")
    await login(client, "admin@example.jp")
    await login(other_client, "reader@example.jp")
    path = f"/communities/{community.id}/topics/{topic.id}"

    nothing_new = await other_client.get(f"{path}/replies?after=1", headers=HX)
    assert nothing_new.status_code == 204

    posted = await post_form(
        client, f"{path}/replies", {"body": "two >>1", "after": "1"}, headers=HX
    )
    assert posted.status_code == 200
    assert re.search(r'<textarea name="body"[^>]*></textarea>', posted.text)  # emptied
    assert 'hx-swap-oob="beforeend:#reply-list"' in posted.text
    assert 'id="reply-2"' in posted.text and 'id="reply-1"' not in posted.text
    assert re.search(r'id="thread-live"[^>]*replies\?after=2"', posted.text)

    polled = await other_client.get(f"{path}/replies?after=1", headers=HX)
    assert polled.status_code == 200
    assert 'id="reply-2"' in polled.text and "two" in polled.text
    assert 'id="reply-1"' not in polled.text
    assert re.search(r'id="thread-live"[^>]*replies\?after=2"', polled.text)
    assert 'hx-swap-oob="true"' in polled.text

    empty = await post_form(client, f"{path}/replies", {"body": "   ", "after": "2"}, headers=HX)
    assert empty.status_code == 422 and 'id="body-error"' in empty.text

    plain = await other_client.get(f"{path}/replies?after=1")
    assert plain.status_code == 303  # not htmx: the thread page itself


async def test_writers_edit_their_replies_and_admins_delete_others_replies(client, other_client):
    admin = await english_member("admin@example.jp", "Admin")
    community = await make_community(admin)
    topic = await make_topic(admin, community)
    writer = await english_member("writer@example.jp", "Writer")
    bystander = await english_member("by@example.jp", "Bystander")
    for member in (writer, bystander):
        await membership.join(member, community.id)
    await threads.post_reply(writer, community.id, topic.id, "typo hear")
    await threads.post_reply(writer, community.id, topic.id, "spam spam")
    path = f"/communities/{community.id}/topics/{topic.id}"

    await login(other_client, "by@example.jp")
    assert (await other_client.get(f"{path}/replies/1/edit")).status_code == 403
    assert (await post_form(other_client, f"{path}/replies/1/delete", {})).status_code == 403
    assert (
        await post_form(other_client, f"{path}/edit", {"title": "x", "body": "y"})
    ).status_code == 403

    await login(other_client, "writer@example.jp")
    edited = await post_form(other_client, f"{path}/replies/1/edit", {"body": "typo here"})
    assert edited.status_code == 303
    page = await other_client.get(path)
    assert "typo here" in page.text and "typo hear" not in page.text

    await login(client, "admin@example.jp")
    assert (await post_form(client, f"{path}/replies/2/edit", {"body": "x"})).status_code == 403
    removed = await post_form(client, f"{path}/replies/2/delete", {}, headers=HX)
    assert removed.status_code == 200 and 'id="reply-2"' in removed.text
    with using("en"):
        assert _("This reply was removed by an admin.") in removed.text
    page = await other_client.get(path)
    assert "spam spam" not in page.text and 'id="reply-2"' in page.text  # the number stays
    numbered = await threads.post_reply(writer, community.id, topic.id, "three")
    assert numbered == 3

    deleted = await post_form(client, f"{path}/delete", {})
    assert deleted.status_code == 303
    assert await Topic.count().where(Topic.id == topic.id) == 0


# -- events ------------------------------------------------------------------------------


async def test_members_join_and_leave_an_event_until_its_deadline(client, other_client):
    admin = await english_member("admin@example.jp", "Admin")
    community = await make_community(admin)
    guest = await english_member("guest@example.jp", "Guest")
    await membership.join(guest, community.id)
    await login(client, "admin@example.jp")
    await login(other_client, "guest@example.jp")

    when = (dt.datetime.now() + dt.timedelta(days=7)).strftime("%Y-%m-%dT18:30")
    deadline = (dt.datetime.now() + dt.timedelta(days=5)).strftime("%Y-%m-%dT12:00")
    created = await post_form(
        client,
        f"/communities/{community.id}/topics",
        {
            "is_event": "1",
            "title": "オフ会 in 新宿",
            "body": "みんなで食べに行きましょう",
            "event_at": when,
            "event_place": "新宿駅東口",
            "event_deadline": deadline,
        },
    )
    assert created.status_code == 303
    path = created.headers["location"]
    page = await other_client.get(path)
    assert "新宿駅東口" in page.text and 'id="join-event-form"' in page.text

    joined = await post_form(other_client, f"{path}/participants", {}, headers=HX)
    assert joined.status_code == 200
    assert 'id="you-take-part"' in joined.text and "Guest" in joined.text
    with using("en"):
        assert ngettext("%(num)s participant", "%(num)s participants", 1) in joined.text
    again = await post_form(other_client, f"{path}/participants", {}, headers=HX)
    assert 'id="participant-count">1 participant<' in again.text.replace("\n", "")

    left = await post_form(other_client, f"{path}/participants/leave", {})
    assert left.status_code == 303
    topic_id = int(path.rsplit("/", 1)[1])
    assert (await queries.topic_with_author(topic_id)).participant_count == 0

    # Past the deadline nobody joins any more.
    await queries.update_topic(
        topic_id, event_deadline=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    )
    closed = await post_form(other_client, f"{path}/participants", {})
    assert closed.status_code == 400
    assert 'id="event-closed"' in (await other_client.get(path)).text

    past = await post_form(
        client,
        f"/communities/{community.id}/topics",
        {"is_event": "1", "title": "Late", "body": "x", "event_at": "2001-01-01T10:00"},
    )
    assert past.status_code == 422 and 'id="event_at-error"' in past.text


# -- moderation --------------------------------------------------------------------------


async def test_admins_remove_and_ban_members_and_a_banned_member_cannot_rejoin(
    client, other_client
):
    admin = await english_member("admin@example.jp", "Admin")
    community = await make_community(admin)
    troll = await english_member("troll@example.jp", "Troll")
    await membership.join(troll, community.id)
    await login(client, "admin@example.jp")
    await login(other_client, "troll@example.jp")
    base = f"/communities/{community.id}"

    removed = await post_form(client, f"{base}/members/{troll.id}/remove", {})
    assert removed.status_code == 303
    assert await queries.membership(community.id, troll.id) is None
    await post_form(other_client, f"{base}/join", {})
    assert await queries.membership(community.id, troll.id) is not None

    banned = await post_form(client, f"{base}/members/{troll.id}/ban", {})
    assert banned.status_code == 303
    assert await queries.membership(community.id, troll.id) is None
    refused = await post_form(other_client, f"{base}/join", {})
    assert refused.status_code == 403
    page = await other_client.get(base)
    assert 'id="banned"' in page.text and member_count_shown(page.text) == count_text(1)
    assert 'id="manage-link"' not in page.text
    assert (await other_client.get(f"{base}/manage")).status_code == 403
    assert (await post_form(other_client, f"{base}/members/{admin.id}/ban", {})).status_code == 403

    manage = await client.get(f"{base}/manage")
    assert "Troll" in manage.text
    await post_form(client, f"{base}/members/{troll.id}/unban", {})
    assert (await post_form(other_client, f"{base}/join", {})).status_code == 303


async def test_members_report_a_reply_and_the_admins_see_and_resolve_it(client, other_client):
    admin = await english_member("admin@example.jp", "Admin")
    community = await make_community(admin)
    topic = await make_topic(admin, community, "Trading", "Trade here")
    reporter = await english_member("rep@example.jp", "Reporter")
    await membership.join(reporter, community.id)
    await threads.post_reply(admin, community.id, topic.id, "buy cheap pills")
    await login(other_client, "rep@example.jp")
    path = f"/communities/{community.id}/topics/{topic.id}"

    form = await other_client.get(f"{path}/report?number=1")
    assert 'id="report-form"' in form.text
    sent = await post_form(other_client, f"{path}/report", {"number": "1", "reason": "スパムです"})
    assert sent.status_code == 200 and 'id="report-sent"' in sent.text
    empty = await post_form(other_client, f"{path}/report", {"reason": ""})
    assert empty.status_code == 422

    await login(client, "admin@example.jp")
    manage = await client.get(f"/communities/{community.id}/manage")
    assert "スパムです" in manage.text and f"{path}?page=1#reply-1" in manage.text
    report_id = (await CommunityReport.select(CommunityReport.id).first())["id"]
    await post_form(client, f"/communities/{community.id}/reports/{report_id}/resolve", {})
    assert "スパムです" not in (await client.get(f"/communities/{community.id}/manage")).text


async def test_the_admin_hands_the_role_over_to_a_member(client, other_client):
    admin = await english_member("admin@example.jp", "Admin")
    community = await make_community(admin)
    heir = await english_member("heir@example.jp", "Heir")
    outsider = await english_member("out@example.jp", "Out")
    await membership.join(heir, community.id)
    await login(client, "admin@example.jp")
    base = f"/communities/{community.id}"

    refused = await post_form(client, f"{base}/members/{outsider.id}/hand-over", {})
    assert refused.status_code == 400
    handed = await post_form(client, f"{base}/members/{heir.id}/hand-over", {})
    assert handed.status_code == 303
    await login(other_client, "heir@example.jp")
    assert 'id="you-are-admin"' in (await other_client.get(base)).text
    assert 'id="you-are-member"' in (await client.get(base)).text
    assert (await client.get(f"{base}/edit")).status_code == 403
    assert (await post_form(client, f"{base}/leave", {})).status_code == 303


async def test_members_take_over_when_the_admin_withdrew(client):
    admin = await english_member("admin@example.jp", "Admin")
    community = await make_community(admin)
    member = await english_member("m@example.jp", "Member")
    await membership.join(member, community.id)
    await login(client, "m@example.jp")
    base = f"/communities/{community.id}"
    assert 'id="claim-admin"' not in (await client.get(base)).text

    await account_queries.update_member(admin.id, status=MemberStatus.WITHDRAWN)
    page = await client.get(base)
    assert 'id="claim-admin"' in page.text
    with using("en"):
        assert _("a withdrawn member") in page.text and "Admin</a>" not in page.text
    claimed = await post_form(client, f"{base}/claim-admin", {})
    assert claimed.status_code == 303
    assert 'id="you-are-admin"' in (await client.get(base)).text


# -- where communities appear ------------------------------------------------------------


async def test_community_search_over_http_in_japanese_and_english(client):
    admin = await english_member("admin@example.jp", "Admin")
    await make_community(admin, "ラーメン二郎")
    await make_community(admin, "Nintendo DS", category="games", description="Portable")
    await login(client, "admin@example.jp")

    jiro = await client.get("/communities", params={"q": "二郎"}, headers=HX)
    assert jiro.status_code == 200 and 'id="community-results"' in jiro.text
    assert "ラーメン二郎" in jiro.text and "Nintendo DS" not in jiro.text
    assert "<html" not in jiro.text  # the fragment only
    ds = await client.get("/communities", params={"q": "portable"})
    assert (
        "Nintendo DS" in ds.text and "ラーメン二郎</a>" not in ds.text.split("community-results")[1]
    )
    games = await client.get("/communities", params={"category": "games", "order": "newest"})
    results = games.text.split('id="community-results"')[1]
    assert "Nintendo DS" in results and "ラーメン二郎" not in results
    none = await client.get("/communities", params={"q": "存在しない"})
    assert 'id="no-communities"' in none.text


async def test_a_members_communities_show_on_their_profile_with_counts(settings):
    owner = await english_member("owner@example.jp", "Owner")
    viewer = await english_member("viewer@example.jp", "Viewer")
    big = await make_community(owner, "Big one")
    await membership.join(viewer, big.id)
    await make_community(owner, "Small one")

    sections = await profile_sections(FEATURES, await viewing(viewer, owner))
    section = next(s for s in sections if s.template == "communities/_profile_communities.html")
    assert section.context["total"] == 2
    counts = {c.name: c.member_count for c in section.context["communities"]}
    assert counts == {"Big one": 2, "Small one": 1}

    html = (
        make_jinja_environment()
        .get_template("communities/_profile_communities.html")
        .render(section=section.context)
    )
    assert "Big one" in html and "(2)" in html

    await friends.block(owner, viewer.id)
    assert await membership.communities_of(viewer, owner) == ([], 0)


async def test_home_lists_the_latest_topics_of_my_communities(client):
    admin = await english_member("admin@example.jp", "Admin")
    mine = await make_community(admin, "Mine")
    other = await make_community(admin, "Not mine")
    await make_topic(admin, mine, "Old topic")
    await make_topic(admin, other, "Elsewhere")
    fresh = await make_topic(admin, mine, "Fresh topic")
    member = await english_member("m@example.jp", "Member")
    await membership.join(member, mine.id)
    await login(client, "m@example.jp")

    fragment = await client.get("/communities/home-latest", headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.index("Fresh topic") < fragment.text.index("Old topic")
    assert "Elsewhere" not in fragment.text
    assert f"/communities/{mine.id}/topics/{fresh.id}" in fragment.text
    latest = await topics.latest_topics_in_my_communities(member)
    assert [t.title for t in latest] == ["Fresh topic", "Old topic"]


# -- queries -----------------------------------------------------------------------------


async def test_thread_and_community_pages_run_a_constant_number_of_queries(client, count_queries):
    admin = await english_member("admin@example.jp", "Admin")
    community = await make_community(admin)
    members = [await english_member(f"m{i}@example.jp", f"M{i}") for i in range(12)]
    for member in members:
        await membership.join(member, community.id)
    short = await make_topic(admin, community, "Short")
    long = await make_topic(admin, community, "Long")
    for topic, count in ((short, 10), (long, 300)):
        await queries.insert_replies_in_bulk(
            topic.id,
            [
                {"number": n, "author": members[n % 12].id, "body": f">>{n // 2} reply {n}"}
                for n in range(1, count + 1)
            ],
        )
    await login(client, "admin@example.jp")

    async def queries_for(path: str) -> int:
        count_queries.reset()
        response = await client.get(path)
        assert response.status_code == 200
        return count_queries.count

    base = f"/communities/{community.id}/topics"
    short_thread = await queries_for(f"{base}/{short.id}?page=1")
    long_thread = await queries_for(f"{base}/{long.id}?page=2")  # a full page of 50
    newest_long = await queries_for(f"{base}/{long.id}")
    assert short_thread == long_thread == newest_long
    assert 3 <= long_thread <= 6, count_queries.statements

    few = await queries_for(f"/communities/{community.id}")
    for i in range(15):
        await make_topic(members[i % 12], community, f"More {i}")
    many = await queries_for(f"/communities/{community.id}")
    assert few == many
    assert 3 <= many <= 10, count_queries.statements
    browse = await queries_for("/communities")
    for i in range(10):
        await make_community(members[i], f"Another {i}")
    assert await queries_for("/communities") == browse


async def test_member_count_column_matches_rows_after_a_mixed_history(settings):
    admin = await make_member("admin@example.jp", "admin")
    community = await make_community(admin, join_policy="approval")
    members = [await make_member(f"x{i}@example.jp") for i in range(3)]
    for m in members:
        await membership.join(m, community.id)
    await membership.approve(admin, community.id, members[0].id)
    await membership.approve(admin, community.id, members[0].id)  # twice: counted once
    await moderation.ban(admin, community.id, members[1].id)
    await membership.approve(admin, community.id, members[1].id)  # banned: not admitted
    await membership.decline(admin, community.id, members[2].id)
    stored = await Community.select(Community.member_count).where(Community.id == community.id)
    assert stored[0]["member_count"] == await queries.member_count(community.id) == 2


# -- the community image -----------------------------------------------------------------


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SomeCamera"  # Make
    exif.get_ifd(0x8825)[2] = (35.0, 39.0, 29.0)  # GPSLatitude
    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), "orange").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


async def test_the_community_image_goes_through_the_photo_pipeline(client, other_client):
    await english_member("admin@example.jp", "Admin")
    await english_member("m@example.jp", "Member")
    await login(client, "admin@example.jp")
    fields = {"name": "Photo club", "category": "hobbies", "join_policy": "open"}
    token = await csrf_token(client)
    created = await client.post(
        "/communities",
        data={**fields, "_csrf_token": token},
        files={"image": ("club.jpg", jpeg_with_gps(), "image/jpeg")},
    )
    assert created.status_code == 303, created.text
    path = created.headers["location"]
    assert 'id="community-image"' in (await client.get(path)).text

    await login(other_client, "m@example.jp")
    served = await other_client.get(f"{path}/image")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    stored = Image.open(io.BytesIO(served.content))
    assert stored.size == (600, 400)
    assert not stored.getexif()  # no camera, no GPS
    thumb = await other_client.get(f"{path}/image?size=thumb")
    assert Image.open(io.BytesIO(thumb.content)).size[0] <= 240
    listed = await other_client.get("/communities")
    assert f'src="{path}/image?size=thumb"' in listed.text

    refused = await client.post(
        f"{path}/edit",
        data={**fields, "_csrf_token": token},
        files={"image": ("evil.jpg", b"<html>not a photo</html>", "image/jpeg")},
    )
    assert refused.status_code == 422 and 'id="image-error"' in refused.text
    removed = await client.post(
        f"{path}/edit",
        data={**fields, "remove_image": "1", "_csrf_token": token},
        files={"image": ("", b"", "application/octet-stream")},
    )
    assert removed.status_code == 303
    assert (await other_client.get(f"{path}/image")).status_code == 404
