"""In real browsers: A's open 足あと page shows B's visit without a reload, and B's greeting
appears in A's notebook in place."""

from __future__ import annotations

from tests.factories import make_member
from tests.helpers import logged_in_page


async def test_a_visit_appears_on_the_open_footprint_page_and_a_greeting_in_the_notebook(
    live_server, browser
):
    a = await make_member("a@example.jp", "あきこ")
    b = await make_member("b@example.jp", "ぼぶ")
    page_a = await logged_in_page(browser, live_server, "a@example.jp", locale="ja-JP")
    page_b = await logged_in_page(browser, live_server, "b@example.jp", locale="ja-JP")

    await page_a.goto(f"{live_server}/footprints")
    assert await page_a.locator("#no-visitors").count() == 1
    await page_a.evaluate("window.__not_reloaded = true")

    await page_b.goto(f"{live_server}/members/{a.id}")
    assert "あきこ" in await page_b.locator("#profile-name").inner_text()

    visitor = page_a.locator(f'#visitor-list .visitor[data-member="{b.id}"]')
    await visitor.wait_for(timeout=10_000)
    assert "ぼぶ" in await visitor.inner_text()
    assert "new" in (await visitor.get_attribute("class") or "")
    assert await page_a.evaluate("window.__not_reloaded === true")  # swapped in, not reloaded

    await page_b.evaluate("window.__not_reloaded = true")
    await page_b.fill("#notebook-form input[name=body]", "足あとから来ました。よろしくね！")
    await page_b.click("#notebook-form button[type=submit]")
    greeting = page_b.locator("#notebook-entries .entry-text", has_text="足あとから来ました")
    await greeting.wait_for(timeout=10_000)
    assert await page_b.evaluate("window.__not_reloaded === true")
    assert await page_b.locator("#notebook-form input[name=body]").input_value() == ""

    await page_a.goto(f"{live_server}/members/{a.id}/notebook")
    mine = page_a.locator("#notebook-entries .notebook-entry.new", has_text="足あとから来ました")
    assert await mine.count() == 1
