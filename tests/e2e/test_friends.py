"""The maimiku graph and requests in a real browser: htmx swaps, no reloads."""

from __future__ import annotations

from ashiato.friends import service
from tests.factories import make_member
from tests.friends.graphs import link, people
from tests.helpers import logged_in_page


async def test_opening_two_faces_shows_where_their_circles_overlap(live_server, browser):
    me = await make_member("me@example.jp", "Me", locale="en")
    town = {"me": me, **await people("Aoi", "Ben", "Chika", "Dai")}
    # Aoi's Chika and Ben's Dai are maimiku: that only shows once both faces are open.
    await link(town, "me-Aoi me-Ben Aoi-Chika Ben-Dai Chika-Dai")
    ids = {name: member.id for name, member in town.items()}
    page = await logged_in_page(browser, live_server, "me@example.jp")
    await page.goto(f"{live_server}/friends/graph")
    await page.evaluate("window.__not_reloaded = true")
    assert await page.locator("#graph-canvas .graph-node").count() == 3

    await page.click(f'#graph-canvas .graph-node[data-member="{ids["Aoi"]}"] button')
    await page.locator(f'#graph-canvas .graph-node[data-member="{ids["Chika"]}"]').wait_for()
    assert await page.locator("#graph-canvas line.overlap").count() == 0

    await page.click(f'#graph-canvas .graph-node[data-member="{ids["Ben"]}"] button')
    await page.locator(f'#graph-canvas .graph-node[data-member="{ids["Dai"]}"]').wait_for()
    overlap = page.locator("#graph-canvas line.overlap")
    assert await overlap.count() == 1
    pair = await overlap.get_attribute("data-pair")
    assert set(pair.split("-")) == {str(ids["Chika"]), str(ids["Dai"])}
    assert await page.evaluate("window.__not_reloaded === true")  # swapped by htmx
    assert "expand=" in page.url  # the address holds the state: reload draws the same
    await page.reload()
    assert await page.locator("#graph-canvas line.overlap").count() == 1

    await page.click("#graph-fit")
    await page.locator("#graph-focus").wait_for()
    await page.fill("#graph-q", "Dai")
    await page.press("#graph-q", "Enter")
    await page.locator("#graph-chain").wait_for()
    assert await page.locator("#graph-canvas line.on-chain").count() == 2


async def test_a_request_is_approved_in_place(live_server, browser, settings):
    me = await make_member("me@example.jp", "Me", locale="en")
    asker = await make_member("asker@example.jp", "Asker", locale="en")
    await service.send_request(asker, me.id, "Let's be maimiku!", settings)
    page = await logged_in_page(browser, live_server, "me@example.jp")
    await page.goto(f"{live_server}/friends")
    await page.evaluate("window.__not_reloaded = true")
    assert "Let's be maimiku!" in await page.locator("#friend-requests").inner_text()
    await page.click("#friend-requests button.approve")
    await page.locator("#approved-notice").wait_for(timeout=10000)
    assert await page.locator("#friend-requests .friend-request").count() == 0
    assert await page.evaluate("window.__not_reloaded === true")
