"""The footprint notebook (足あと帳) through HTTP: writing, deleting, paging, who may write."""

from __future__ import annotations

import re

import pytest

from ashiato.footprints import service
from ashiato.footprints.tables import NotebookEntry
from ashiato.i18n import _, using
from tests.factories import make_member
from tests.helpers import post_form

HTMX = {"hx-request": "true"}


def entry_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="entry-(\d+)"', html)]


async def set_notebook_audience(browser, audience: str) -> None:
    editor = await browser.get("/profile/edit")
    nickname = re.search(r'name="nickname" value="([^"]*)"', editor.text).group(1)
    saved = await post_form(
        browser,
        "/profile/edit",
        {"nickname": nickname, "notebook_audience": audience, "footprints_enabled": "on"},
    )
    assert saved.status_code == 303, saved.text


async def test_a_visitor_writes_a_greeting_with_htmx_and_it_appears_first(open_as):
    owner = await make_member("owner@example.jp", "おーなー")
    await make_member("visitor@example.jp", "びじたー")
    visitor = await open_as("visitor@example.jp")
    first = await post_form(
        visitor, f"/members/{owner.id}/notebook", {"body": "足あとから来ました！"}, headers=HTMX
    )
    assert first.status_code == 200
    assert "<html" not in first.text and 'id="notebook"' in first.text
    second = await post_form(
        visitor, f"/members/{owner.id}/notebook", {"body": "Nice to meet you"}, headers=HTMX
    )
    texts = re.findall(r'<p class="entry-text">([^<]*)</p>', second.text)
    assert texts == ["Nice to meet you", "足あとから来ました！"]

    profile = await visitor.get(f"/members/{owner.id}")
    assert "足あとから来ました！" in profile.text and 'id="notebook"' in profile.text


async def test_without_htmx_writing_redirects_back_to_the_notebook(open_as):
    owner = await make_member("owner@example.jp")
    await make_member("visitor@example.jp")
    visitor = await open_as("visitor@example.jp")
    written = await post_form(visitor, f"/members/{owner.id}/notebook", {"body": "こんにちは"})
    assert written.status_code == 303
    assert written.headers["location"] == f"/members/{owner.id}/notebook"
    page = await visitor.get(written.headers["location"])
    assert page.status_code == 200 and "こんにちは" in page.text and "<html" in page.text


@pytest.mark.parametrize("body", ["", "   ", "あ" * 201])
async def test_empty_or_long_greetings_are_refused_in_place(open_as, body):
    owner = await make_member("owner@example.jp")
    await make_member("visitor@example.jp")
    visitor = await open_as("visitor@example.jp")
    refused = await post_form(
        visitor, f"/members/{owner.id}/notebook", {"body": body}, headers=HTMX
    )
    assert refused.status_code == 422
    assert 'id="body-error"' in refused.text
    assert await NotebookEntry.count() == 0


async def test_the_owner_deletes_any_entry_and_a_writer_only_their_own(open_as):
    owner = await make_member("owner@example.jp")
    writer = await make_member("writer@example.jp")
    other = await make_member("other@example.jp")
    mine = await service.write_in_notebook(writer, owner.id, "writer's greeting")
    theirs = await service.write_in_notebook(other, owner.id, "other's greeting")
    also_theirs = await service.write_in_notebook(other, owner.id, "other's second")

    writer_browser = await open_as("writer@example.jp")
    page = await writer_browser.get(f"/members/{owner.id}/notebook")
    assert f"/notebook/{mine.id}/delete" in page.text
    assert f"/notebook/{theirs.id}/delete" not in page.text
    refused = await post_form(
        writer_browser, f"/members/{owner.id}/notebook/{theirs.id}/delete", {}
    )
    assert refused.status_code == 403
    deleted = await post_form(
        writer_browser, f"/members/{owner.id}/notebook/{mine.id}/delete", {}, headers=HTMX
    )
    assert deleted.status_code == 200
    assert entry_ids(deleted.text) == [also_theirs.id, theirs.id]

    owner_browser = await open_as("owner@example.jp")
    page = await owner_browser.get(f"/members/{owner.id}/notebook")
    assert f"/notebook/{theirs.id}/delete" in page.text
    gone = await post_form(owner_browser, f"/members/{owner.id}/notebook/{theirs.id}/delete", {})
    assert gone.status_code == 303
    assert [e.id for e in await NotebookEntry.objects()] == [also_theirs.id]


@pytest.mark.parametrize(
    ("audience", "may_write"),
    [
        ("everyone", {"owner", "friend", "fof", "stranger"}),
        ("friends_of_friends", {"owner", "friend", "fof"}),
        ("friends", {"owner", "friend"}),
    ],
)
async def test_the_owners_choice_decides_who_may_write(people, open_as, audience, may_write):
    owner = people["owner"]
    await set_notebook_audience(await open_as("owner@example.jp"), audience)
    for name in ("owner", "friend", "fof", "stranger", "blocked"):
        browser = await open_as(f"{name}@example.jp")
        page = await browser.get(f"/members/{owner.id}/notebook")
        written = await post_form(
            browser, f"/members/{owner.id}/notebook", {"body": f"from {name}"}, headers=HTMX
        )
        if name in may_write:
            assert 'id="notebook-form"' in page.text, name
            assert written.status_code == 200, name
        else:
            assert 'id="notebook-form"' not in page.text, name
            assert written.status_code == 403, name
    written_by = {e.writer for e in await NotebookEntry.objects()}
    assert written_by == {people[name].id for name in may_write}


async def test_a_blocked_member_can_neither_read_nor_write(people, open_as):
    owner = people["owner"]
    await service.write_in_notebook(people["friend"], owner.id, "secret plans")
    blocked = await open_as("blocked@example.jp")
    read = await blocked.get(f"/members/{owner.id}/notebook")
    assert read.status_code == 403 and "secret plans" not in read.text
    written = await post_form(
        blocked, f"/members/{owner.id}/notebook", {"body": "let me in"}, headers=HTMX
    )
    assert written.status_code == 403
    # The owner blocked them; the owner cannot write in the blocked member's notebook either.
    owner_browser = await open_as("owner@example.jp")
    assert (await owner_browser.get(f"/members/{people['blocked'].id}/notebook")).status_code == 403
    replied = await post_form(
        owner_browser, f"/members/{people['blocked'].id}/notebook", {"body": "go away"}
    )
    assert replied.status_code == 403
    stored = [(e.owner, e.body) for e in await NotebookEntry.objects()]
    assert stored == [(owner.id, "secret plans")]  # nothing of either refused write


async def test_the_notebook_is_paged_newest_first(open_as):
    owner = await make_member("owner@example.jp")
    writer = await make_member("writer@example.jp")
    written = [
        (await service.write_in_notebook(writer, owner.id, f"greeting {n}")).id for n in range(13)
    ]
    browser = await open_as("writer@example.jp")
    first = await browser.get(f"/members/{owner.id}/notebook")
    assert entry_ids(first.text) == written[::-1][:10]
    assert f"/members/{owner.id}/notebook?page=2" in first.text
    second = await browser.get(f"/members/{owner.id}/notebook?page=2", headers=HTMX)
    assert "<html" not in second.text
    assert entry_ids(second.text) == written[::-1][10:]
    assert "?page=3" not in second.text and "?page=1" in second.text


async def test_the_owner_gets_a_badge_for_new_greetings_until_opening_the_notebook(open_as):
    owner = await make_member("owner@example.jp")
    friend = await make_member("friend@example.jp")
    browser = await open_as("owner@example.jp")
    assert (await browser.get("/footprints/notebook-badge")).text.strip() == ""
    await service.write_in_notebook(friend, owner.id, "one")
    await service.write_in_notebook(friend, owner.id, "two")
    await service.write_in_notebook(owner, owner.id, "my own reply")  # not new to me
    assert '<span class="badge">2</span>' in (await browser.get("/footprints/notebook-badge")).text
    footprint_page = await browser.get("/footprints")
    assert 'id="own-notebook-link"' in footprint_page.text
    assert '<span class="badge">2</span>' in footprint_page.text

    notebook = await browser.get(f"/members/{owner.id}/notebook")
    assert notebook.text.count('class="notebook-entry new"') == 2
    assert (await browser.get("/footprints/notebook-badge")).text.strip() == ""
    assert (
        'class="notebook-entry new"'
        not in (await browser.get(f"/members/{owner.id}/notebook")).text
    )


async def test_a_writer_sees_why_they_cannot_write(people, open_as):
    owner = people["owner"]
    await set_notebook_audience(await open_as("owner@example.jp"), "friends")
    stranger = await open_as("stranger@example.jp", **{"accept-language": "en"})
    page = await stranger.get(f"/members/{owner.id}/notebook")
    with using("en"):  # test members have no locale: the browser's language applies
        expected = _(
            "Only these members can write in this notebook: %(audience)s.",
            audience=_("Friends only"),
        )
    assert expected in page.text


async def test_the_notebook_page_runs_the_same_queries_for_any_number_of_entries(
    open_as, query_counter
):
    owner = await make_member("owner@example.jp")
    browser = await open_as("owner@example.jp")

    async def queries_for_page() -> int:
        await browser.get(f"/members/{owner.id}/notebook")  # marks seen
        query_counter.count = 0
        assert (await browser.get(f"/members/{owner.id}/notebook")).status_code == 200
        return query_counter.count

    writer = await make_member("w0@example.jp")
    await service.write_in_notebook(writer, owner.id, "hello")
    few = await queries_for_page()
    for n in range(1, 10):
        writer = await make_member(f"w{n}@example.jp")
        await service.write_in_notebook(writer, owner.id, f"hello {n}")
    assert await queries_for_page() == few
