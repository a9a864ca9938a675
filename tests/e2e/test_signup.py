"""A new member signs up from an invitation in a real browser and switches the language."""

from __future__ import annotations

import asyncio

from ashiato.accounts import queries, service
from ashiato.accounts.forms import InvitationForm
from ashiato.members.tables import MemberStatus
from tests.factories import PASSWORD, make_member


async def wait_for_link(sink, address: str, pattern: str, seconds: float = 15) -> str:
    for _ in range(int(seconds * 10)):
        try:
            return sink.link(address, pattern)
        except AssertionError:
            await asyncio.sleep(0.1)
    return sink.link(address, pattern)


async def test_sign_up_from_an_invitation_then_switch_language(
    live_server, browser, settings, sink
):
    founder = await make_member("founder@example.jp", "ゆき", is_admin=True, locale="ja")
    issued = await service.invite(
        founder, InvitationForm("newbie@example.jp", "おいでよ"), settings
    )
    token = issued.url.rsplit("/", 1)[1]

    page = await browser.new_page(locale="ja-JP")
    await page.goto(f"{live_server}/join/{token}")
    assert await page.locator("html").get_attribute("lang") == "ja"
    assert "ゆき" in await page.locator("#inviter").inner_text()
    await page.fill("input[name=nickname]", "しんじん")
    await page.fill("input[name=full_name]", "新人 一郎")
    await page.fill("input[name=password]", "new member password")
    await page.fill("input[name=password_confirm]", "new member password")
    await page.click("#signup-form button[type=submit]")
    await page.wait_for_url(f"{live_server}/welcome")
    assert "newbie@example.jp" in await page.locator("#welcome").inner_text()

    # The background sender in `ashiato serve` delivers the verification mail to the sink.
    verify_link = await wait_for_link(sink, "newbie@example.jp", r"http://\S+/verify/\S+")
    await page.goto(verify_link)
    assert await page.locator("#verified").count() == 1
    member = await queries.member_by_pc_email("newbie@example.jp")
    assert member.status == MemberStatus.ACTIVE

    await page.goto(f"{live_server}/")
    assert await page.locator("html").get_attribute("lang") == "ja"
    await page.click("#language-switch button[value=en]")
    await page.wait_for_function("document.documentElement.lang === 'en'")
    assert "Log out" in await page.locator(".site-nav").inner_text()
    await page.reload()
    assert await page.locator("html").get_attribute("lang") == "en"  # remembered


async def test_invitation_form_updates_in_place_with_htmx(live_server, browser, settings, sink):
    await make_member("host@example.jp", "Host", locale="en")
    page = await browser.new_page()
    await page.goto(f"{live_server}/login")
    await page.fill("#login-form input[name=email]", "host@example.jp")
    await page.fill("#login-form input[name=password]", PASSWORD)
    await page.click("#login-form button[type=submit]")
    await page.wait_for_url(f"{live_server}/")
    await page.goto(f"{live_server}/settings/invitations")
    await page.evaluate("window.__not_reloaded = true")
    await page.fill("#invite-form input[name=email]", "pal@example.jp")
    await page.click("#invite-form button[type=submit]")
    await page.locator(".invitation-email", has_text="pal@example.jp").wait_for(timeout=10000)
    assert await page.evaluate("window.__not_reloaded === true")  # swapped, not reloaded
    assert "pal@example.jp" in await page.locator("#invite-form .notice").inner_text()
    await page.fill("#invite-form input[name=email]", "not an address")
    await page.locator("#invite-form input[name=email]").evaluate("e => e.type = 'text'")
    await page.click("#invite-form button[type=submit]")
    await page.locator("#email-error").wait_for(timeout=10000)
    assert await page.evaluate("window.__not_reloaded === true")
