"""Phone width is a first-class layout: at 375 px and at 1,200 px no page scrolls sideways."""

from __future__ import annotations

import os
from pathlib import Path

from ashiato.diaries import service as diaries
from ashiato.diaries.service import DiaryDraft
from ashiato.friends import service as friends
from tests.factories import make_member
from tests.helpers import logged_in_page

LONG_URL = "https://example.jp/" + "a-very-long-path-segment/" * 8 + "?q=足あと"
PAGES = [
    "/",
    "/profile",
    "/profile/edit",
    "/members/{friend}",
    "/footprints",
    "/members/{friend}/notebook",
    "/diaries",
    "/diaries/{diary}",
    "/diaries/new",
    "/friends",
    "/friends/graph",
    "/communities",
    "/communities/new",
    "/messages",
    "/messages/new?to={friend}",
    "/settings",
    "/settings/invitations",
    "/settings/mobile",
]


async def test_no_page_scrolls_sideways_on_a_phone_or_a_desktop(live_server, browser, settings):
    me = await make_member("me@example.jp", "ながいニックネームのメンバーさん", locale="en")
    friend = await make_member("friend@example.jp", "Pal", locale="en")
    await friends.make_friends(me, friend)
    body = f"Look: {LONG_URL}\n" + "とても長い文章。" * 40
    diary = await diaries.create_diary(
        me, DiaryDraft(title="A diary with a long link", body=body), settings
    )
    await diaries.add_comment(friend, diary.id, f"{LONG_URL} いいね！", settings)
    shots = os.environ.get("ASHIATO_LAYOUT_SHOTS")  # a folder to keep screenshots in, if set

    page = await logged_in_page(browser, live_server, "me@example.jp")
    for width in (375, 1200):
        await page.set_viewport_size({"width": width, "height": 800})
        for path in PAGES:
            address = path.format(friend=friend.id, diary=diary.id)
            response = await page.goto(live_server + address)
            assert response is not None and response.ok, address
            overflow = await page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{address} is {overflow}px too wide at {width}px"
            if shots:
                name = address.strip("/").replace("/", "_").replace("?", "_") or "home"
                await page.screenshot(path=str(Path(shots) / f"{width}-{name}.png"), full_page=True)
