"""Live comments in a real browser: posted with htmx, and another member's appear."""

from __future__ import annotations

import asyncio

from ashiato.diaries import service
from ashiato.diaries.service import DiaryDraft
from ashiato.friends import service as friends
from tests.factories import make_member
from tests.helpers import logged_in_page


async def test_comment_posts_with_htmx_and_another_members_comment_appears(
    live_server, browser, settings
):
    author = await make_member("author@example.jp", "Writer", locale="en")
    friend = await make_member("friend@example.jp", "Pal", locale="en")
    await friends.make_friends(author, friend)
    diary = await service.create_diary(
        author,
        DiaryDraft(title="Autumn walk", body="Leaves everywhere.", visibility="friends"),
        settings,
    )

    reader = await logged_in_page(browser, live_server, "author@example.jp")
    errors: list[str] = []
    reader.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    reader.on("pageerror", lambda exc: errors.append(str(exc)))
    await reader.goto(f"{live_server}/diaries/{diary.id}")
    assert "Leaves everywhere." in await reader.locator("#diary-body").inner_text()
    await reader.evaluate("window.__not_reloaded = true")

    await reader.fill("#comment-body", "Thanks for reading!")
    await reader.click("#comment-form button[type=submit]")
    mine = reader.locator(".comment .comment-body", has_text="Thanks for reading!")
    await mine.wait_for(timeout=10_000)
    assert await reader.locator("#comment-body").input_value() == ""  # the form cleared
    assert await reader.evaluate("window.__not_reloaded === true")  # swapped, not reloaded

    other = await logged_in_page(browser, live_server, "friend@example.jp")
    await other.goto(f"{live_server}/diaries/{diary.id}")
    await other.fill("#comment-body", "Beautiful colours!")
    await other.click("#comment-form button[type=submit]")
    await other.locator(".comment-body", has_text="Beautiful colours!").wait_for(timeout=10_000)

    # The author's open page picks the friend's comment up by itself, within 10 s.
    theirs = reader.locator(".comment .comment-body", has_text="Beautiful colours!")
    await theirs.wait_for(timeout=10_000)
    assert await reader.evaluate("window.__not_reloaded === true")
    await asyncio.sleep(3.5)  # one more poll: nothing is appended twice
    assert await theirs.count() == 1 and await mine.count() == 1
    assert await reader.locator("#comment-list > li.comment").count() == 2
    assert errors == []  # no CSP violation, no htmx error
