"""The navigation's badges in a real browser: one request for all of them, out-of-band."""

from __future__ import annotations

from ashiato.friends import service
from tests.factories import make_member
from tests.helpers import logged_in_page

OLD_BADGE_PATHS = (
    "/footprints/badge",
    "/footprints/notebook-badge",
    "/friends/requests/badge",
    "/diaries/comments/badge",
    "/messages/badge",
)


async def test_the_badges_arrive_in_one_request_and_follow_friend_requests(
    live_server, browser, settings
):
    me = await make_member("me@example.jp", "Me", locale="en")
    asker = await make_member("asker@example.jp", "Asker", locale="en")
    await service.send_request(asker, me.id, "", settings)
    page = await logged_in_page(browser, live_server, "me@example.jp")

    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url.removeprefix(live_server)))
    await page.goto(f"{live_server}/friends")
    badge = page.locator("#nav-badge-friend-requests .badge")
    await badge.wait_for(timeout=10000)
    assert await badge.inner_text() == "1"
    assert asked.count("/nav/badges") == 1, asked
    assert not any(path in OLD_BADGE_PATHS for path in asked), asked

    # Approving in place sends friendRequestsChanged: the menu asks once more, and the
    # badge goes away.
    await page.click("#friend-requests button.approve")
    await page.locator("#approved-notice").wait_for(timeout=10000)
    await badge.wait_for(state="detached", timeout=10000)
    assert asked.count("/nav/badges") == 2, asked
