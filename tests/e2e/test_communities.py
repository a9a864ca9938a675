"""Two members in one community thread: a reply by one appears for the other, live."""

from __future__ import annotations

from ashiato.communities.commands import CommunityForm, TopicForm
from ashiato.communities.service import communities, membership, threads, topics
from tests.factories import make_member
from tests.helpers import logged_in_page


async def test_a_reply_by_one_member_appears_for_the_other_within_ten_seconds(live_server, browser):
    hanako = await make_member("hanako@example.jp", "はなこ", locale="ja")
    kenji = await make_member("kenji@example.jp", "けんじ", locale="ja")
    community = await communities.create_community(
        hanako,
        CommunityForm(name="ラーメン二郎", category="food", description="二郎", topics_public="1"),
    )
    await membership.join(kenji, community.id)
    topic = await topics.start_topic(
        hanako, community.id, TopicForm(title="おすすめの店", body="教えてください")
    )
    await threads.post_reply(kenji, community.id, topic.id, "三田本店です")
    thread = f"{live_server}/communities/{community.id}/topics/{topic.id}"

    writer = await logged_in_page(browser, live_server, "hanako@example.jp")
    reader = await logged_in_page(browser, live_server, "kenji@example.jp")
    await writer.goto(thread)
    await reader.goto(thread)
    for page in (writer, reader):
        await page.evaluate("window.__not_reloaded = true")
    assert await reader.locator("#reply-list .reply").count() == 1

    await writer.fill("#reply-form textarea[name=body]", ">>1 いいですね、行きます！")
    await writer.click("#reply-form button[type=submit]")
    # The writer sees the reply at once, and the form is empty again.
    await writer.locator("#reply-2").wait_for(timeout=10000)
    assert await writer.locator("#reply-form textarea[name=body]").input_value() == ""
    assert await writer.locator("#reply-2 a.reply-ref").get_attribute("href") == (
        f"/communities/{community.id}/topics/{topic.id}?page=1#reply-1"
    )

    assert await writer.evaluate("window.__not_reloaded === true")  # posted with htmx

    # The reader's page picks it up without reloading, within 10 s.
    await reader.locator("#reply-2").wait_for(timeout=10000)
    assert "いいですね" in await reader.locator("#reply-2 .reply-body").inner_text()
    assert await reader.evaluate("window.__not_reloaded === true")

    # The reader answers in turn; neither page shows a reply twice.
    await reader.fill("#reply-form textarea[name=body]", "じゃあ土曜日に")
    await reader.click("#reply-form button[type=submit]")
    await writer.locator("#reply-3").wait_for(timeout=10000)
    await writer.wait_for_timeout(3500)  # one more poll round
    for page in (writer, reader):
        assert await page.evaluate("window.__not_reloaded === true")
        assert await page.locator("#reply-list .reply").count() == 3
        assert await page.locator("#reply-2").count() == 1
