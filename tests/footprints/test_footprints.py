"""Footprints through HTTP: who leaves one, once a day, the owner's page, badges, pruning."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from litestar.testing import AsyncTestClient

from ashiato.accounts import queries as account_queries
from ashiato.app import create_app
from ashiato.footprints import service
from ashiato.footprints.tables import Footprint
from ashiato.friends import service as friends
from ashiato.i18n import _, ngettext, using
from ashiato.members.tables import MemberStatus
from tests.factories import login, make_member
from tests.helpers import post_form

TOKYO_MIDNIGHT_UTC = dt.datetime(2026, 4, 1, 15, 0, tzinfo=dt.UTC)  # 2026-04-02 00:00 JST


async def footprints_of(owner_id: int) -> list[dict]:
    return await Footprint.select().where(Footprint.owner == owner_id).order_by(Footprint.id)


def visitor_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="visitor[^"]*" data-member="(\d+)"', html)]


async def test_visit_by_a_member_leaves_one_footprint_per_day_and_moves_its_time_forward(
    open_as,
):
    owner = await make_member("owner@example.jp", "おーなー")
    visitor = await make_member("visitor@example.jp", "びじたー")
    browser = await open_as("visitor@example.jp")

    assert (await browser.get(f"/members/{owner.id}")).status_code == 200
    [first] = await footprints_of(owner.id)
    assert (first["visitor"], first["visits"]) == (visitor.id, 1)

    assert (await browser.get(f"/members/{owner.id}")).status_code == 200
    [again] = await footprints_of(owner.id)
    assert again["id"] == first["id"] and again["visits"] == 2
    assert again["visited_at"] > first["visited_at"]
    assert await service.lifetime_footprints(owner.id) == 1  # a day's repeat is not new

    owner_browser = await open_as("owner@example.jp")
    page = await owner_browser.get("/footprints")
    assert visitor_ids(page.text) == [visitor.id]


async def test_a_new_tokyo_day_makes_a_new_footprint(settings):
    owner = await make_member("owner@example.jp")
    visitor = await make_member("visitor@example.jp")
    late = TOKYO_MIDNIGHT_UTC - dt.timedelta(minutes=1)  # 23:59 in Tokyo
    assert await service.record_visit(visitor, owner.id, now=late - dt.timedelta(hours=8))
    assert await service.record_visit(visitor, owner.id, now=late)
    assert len(await footprints_of(owner.id)) == 1
    assert await service.record_visit(visitor, owner.id, now=TOKYO_MIDNIGHT_UTC)  # 00:00 JST
    rows = await footprints_of(owner.id)
    assert [row["day"] for row in rows] == [dt.date(2026, 4, 1), dt.date(2026, 4, 2)]
    assert await service.lifetime_footprints(owner.id) == 2


async def test_an_older_write_arriving_late_does_not_move_a_footprint_back(settings):
    owner = await make_member("owner@example.jp")
    visitor = await make_member("visitor@example.jp")
    later = TOKYO_MIDNIGHT_UTC + dt.timedelta(hours=3)
    await service.record_visit(visitor, owner.id, now=later)
    await service.record_visit(visitor, owner.id, now=later - dt.timedelta(hours=1))
    [row] = await footprints_of(owner.id)
    assert row["visited_at"] == later


async def test_opening_your_own_profile_leaves_no_footprint(client):
    owner = await make_member("owner@example.jp")
    await login(client, "owner@example.jp")
    assert (await client.get(f"/members/{owner.id}")).status_code == 200
    assert (await client.get("/profile")).status_code == 200
    assert await footprints_of(owner.id) == []
    assert not await service.record_visit(owner, owner.id)


async def test_blocked_members_leave_no_footprint_either_way(people, open_as):
    owner, blocked = people["owner"], people["blocked"]
    blocked_browser = await open_as("blocked@example.jp")
    assert (await blocked_browser.get(f"/members/{owner.id}")).status_code == 403
    assert not await service.record_visit(blocked, owner.id)
    assert not await service.record_visit(owner, blocked.id)  # the blocker visiting
    owner_browser = await open_as("owner@example.jp")
    await owner_browser.get(f"/members/{blocked.id}")
    assert await footprints_of(owner.id) == [] and await footprints_of(blocked.id) == []


async def test_logged_out_and_pending_members_leave_no_footprint(client, settings):
    owner = await make_member("owner@example.jp")
    pending = await make_member("pending@example.jp", status=MemberStatus.PENDING)
    assert (await client.get(f"/members/{owner.id}")).status_code == 303  # to the login
    assert not await service.record_visit(None, owner.id)
    assert not await service.record_visit(pending, owner.id)
    assert await footprints_of(owner.id) == []


async def turn_footprints(browser, on: bool) -> None:
    editor = await browser.get("/profile/edit")
    form = {
        name: value
        for name, value in re.findall(r'<input[^>]*name="(\w+)" value="([^"]*)"', editor.text)
        if name not in ("_csrf_token", "footprints_enabled")
    }
    form.update(
        {f"{k}_visibility": "everyone" for k in ("photos", "gender", "age", "birthday")}
        | {f"{k}_visibility": "everyone" for k in ("region", "hobbies", "favourites")}
        | {"introduction_visibility": "everyone", "notebook_audience": "everyone"}
    )
    if on:
        form["footprints_enabled"] = "on"
    saved = await post_form(browser, "/profile/edit", form)
    assert saved.status_code == 303, saved.text


async def test_a_member_with_footprints_off_leaves_none(open_as):
    owner = await make_member("owner@example.jp")
    await make_member("shy@example.jp", "shy")
    shy = await open_as("shy@example.jp")
    await turn_footprints(shy, on=False)
    assert (await shy.get(f"/members/{owner.id}")).status_code == 200
    assert await footprints_of(owner.id) == []
    await turn_footprints(shy, on=True)
    await shy.get(f"/members/{owner.id}")
    assert len(await footprints_of(owner.id)) == 1


async def test_a_member_with_footprints_off_sees_no_visitors_and_gets_none(open_as):
    owner = await make_member("owner@example.jp")
    await make_member("visitor@example.jp")
    visitor = await open_as("visitor@example.jp")
    await visitor.get(f"/members/{owner.id}")  # one footprint while still on
    owner_browser = await open_as("owner@example.jp")
    await turn_footprints(owner_browser, on=False)

    page = await owner_browser.get("/footprints")
    assert page.status_code == 200
    assert 'id="footprints-off"' in page.text and visitor_ids(page.text) == []
    assert (await owner_browser.get("/footprints/badge")).text.strip() == ""
    await visitor.get(f"/members/{owner.id}/notebook")
    await visitor.get(f"/members/{owner.id}")
    [only] = await footprints_of(owner.id)
    assert only["visits"] == 1  # the visit while off was not recorded

    await turn_footprints(owner_browser, on=True)
    assert visitor_ids((await owner_browser.get("/footprints")).text) != []


async def test_the_list_shows_the_latest_visitors_up_to_the_length_setting(settings):
    owner = await make_member("owner@example.jp", locale="en")
    visitors = [await make_member(f"v{n}@example.jp", f"v{n}") for n in range(5)]
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    for n, visitor in enumerate(visitors):
        await service.record_visit(visitor, owner.id, now=start + dt.timedelta(minutes=n))
    app = create_app(replace(settings, footprint_list_length=3))
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as browser:
        browser.follow_redirects = False
        await login(browser, "owner@example.jp")
        page = await browser.get("/footprints")
    assert visitor_ids(page.text) == [visitors[4].id, visitors[3].id, visitors[2].id]


async def test_visits_show_how_long_ago_in_the_viewers_language(settings, open_as):
    owner = await make_member("owner@example.jp", locale="en")
    visitor = await make_member("visitor@example.jp", "たろう")
    await service.record_visit(
        visitor, owner.id, now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    )
    browser = await open_as("owner@example.jp")
    english = await browser.get("/footprints")
    assert "たろう" in english.text and "5 minutes ago" in english.text
    await post_form(browser, "/lang", {"locale": "ja", "next": "/footprints"})
    japanese = await browser.get("/footprints")
    assert "5 分前" in japanese.text


async def test_the_badge_counts_new_footprints_until_the_owner_looks(open_as):
    owner = await make_member("owner@example.jp")
    for name in ("a", "b", "c"):
        visitor = await make_member(f"{name}@example.jp")
        await service.record_visit(visitor, owner.id)
    browser = await open_as("owner@example.jp")
    badge = await browser.get("/footprints/badge")
    assert badge.status_code == 200
    assert re.fullmatch(r'\s*<span class="badge">3</span>\s*', badge.text)

    page = await browser.get("/footprints")
    with using("ja"):
        assert (
            ngettext(
                "%(num)s new footprint since your last look",
                "%(num)s new footprints since your last look",
                3,
            )
            in page.text
        )
    assert page.text.count('class="visitor new"') == 3
    assert (await browser.get("/footprints/badge")).text.strip() == ""

    again = await make_member("d@example.jp")
    await service.record_visit(again, owner.id)
    assert '<span class="badge">1</span>' in (await browser.get("/footprints/badge")).text


async def test_the_open_page_refreshes_as_a_fragment_keeping_what_was_new(open_as):
    owner = await make_member("owner@example.jp")
    first = await make_member("first@example.jp")
    await service.record_visit(first, owner.id)
    browser = await open_as("owner@example.jp")
    page = await browser.get("/footprints")
    poll = re.search(r'hx-get="(/footprints\?since=[^"]+)" hx-trigger="every \d+s"', page.text)
    assert poll, "the visitor list polls for itself"

    second = await make_member("second@example.jp")
    await service.record_visit(second, owner.id)
    fragment = await browser.get(
        poll.group(1).replace("&amp;", "&"), headers={"hx-request": "true"}
    )
    assert fragment.status_code == 200 and fragment.headers["vary"] == "HX-Request"
    assert "<html" not in fragment.text and 'id="visitors"' in fragment.text
    assert visitor_ids(fragment.text) == [second.id, first.id]
    assert fragment.text.count('class="visitor new"') == 2  # both new since the page opened


async def test_pruning_removes_old_footprints_but_not_the_lifetime_count(settings, client):
    owner = await make_member("owner@example.jp")
    old, recent = await make_member("old@example.jp"), await make_member("recent@example.jp")
    now = dt.datetime.now(dt.UTC)
    retention = settings.footprint_retention_days
    await service.record_visit(old, owner.id, now=now - dt.timedelta(days=retention + 2))
    await service.record_visit(old, owner.id, now=now - dt.timedelta(days=retention - 2))
    await service.record_visit(recent, owner.id, now=now)

    assert await service.prune(settings, now) == 1
    assert len(await footprints_of(owner.id)) == 2
    assert await service.prune(settings, now) == 0
    assert await service.lifetime_footprints(owner.id) == 3
    shorter = replace(settings, footprint_retention_days=1)
    assert await service.prune(shorter, now) == 1
    assert [row["visitor"] for row in await footprints_of(owner.id)] == [recent.id]

    await login(client, "owner@example.jp")
    profile = await client.get("/profile")
    with using("ja"):
        total = ngettext("%(num)s footprint in total", "%(num)s footprints in total", 3)
    assert total in profile.text


async def test_withdrawn_visitors_are_listed_anonymously_without_a_link(open_as):
    owner = await make_member("owner@example.jp")
    gone = await make_member("gone@example.jp", "もういない")
    await service.record_visit(gone, owner.id)
    await account_queries.update_member(gone.id, status=MemberStatus.WITHDRAWN)
    browser = await open_as("owner@example.jp")
    page = await browser.get("/footprints")
    assert "もういない" not in page.text
    with using("ja"):
        assert _("a withdrawn member") in page.text
    assert f'href="/members/{gone.id}"' not in page.text


async def test_the_footprint_page_runs_the_same_queries_for_any_number_of_visitors(
    open_as, query_counter
):
    owner = await make_member("owner@example.jp")
    browser = await open_as("owner@example.jp")

    async def queries_for_page() -> int:
        await browser.get("/footprints")  # marks seen: the next load does the same work
        query_counter.count = 0
        page = await browser.get("/footprints")
        assert page.status_code == 200
        return query_counter.count

    for n in range(2):
        await service.record_visit(await make_member(f"a{n}@example.jp"), owner.id)
    few = await queries_for_page()
    for n in range(12):
        visitor = await make_member(f"b{n}@example.jp")
        await service.record_visit(visitor, owner.id)
        await friends.make_friends(visitor, owner)
    many = await queries_for_page()
    assert visitor_ids((await browser.get("/footprints")).text).__len__() == 14
    assert many == few
