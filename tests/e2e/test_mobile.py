"""The welcome page in a real browser turns to "confirmed" by itself when the phone's
empty mail reaches the gateway."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace

import pytest

from ashiato.accounts import queries
from ashiato.members.tables import MemberStatus
from tests.factories import PASSWORD, make_member
from tests.mailgate.gateway_client import empty_mail, running_gateway, send


@pytest.fixture
def mobile_required(monkeypatch):
    """Read by the `ashiato serve` process that live_server starts after this."""
    monkeypatch.setenv("ASHIATO_MOBILE_VERIFICATION", "required")


@pytest.fixture
def live_required(mobile_required, live_server):
    return live_server


async def test_the_waiting_page_shows_the_phone_confirmed_without_a_reload(
    live_required, browser, settings, sink
):
    member = await make_member("taro@example.jp", "たろう", status=MemberStatus.PENDING)
    await queries.update_member(member.id, pc_verified_at=dt.datetime.now(dt.UTC))

    page = await browser.new_page(locale="ja-JP")
    await page.goto(f"{live_required}/login")
    await page.fill("#login-form input[name=email]", "taro@example.jp")
    await page.fill("#login-form input[name=password]", PASSWORD)
    await page.click("#login-form button[type=submit]")
    await page.wait_for_url(f"{live_required}/welcome")
    address = (await page.locator("#regist-address").inner_text()).strip()
    assert address.startswith("regist+")
    assert await page.locator("#mobile-verification svg.qr-code").count() == 1
    await page.evaluate("window.__not_reloaded = true")

    phone = "taro.yamada@docomo.ne.jp"
    gateway_settings = replace(settings, mobile_verification="required")
    async with running_gateway(gateway_settings) as port:
        reply = await send(port, phone, address, empty_mail(phone, address, "<e2e@docomo.ne.jp>"))
    assert reply.code == 250, reply

    await page.locator("#mobile-verified").wait_for(timeout=15000)
    assert phone in await page.locator("#mobile-verified").inner_text()
    assert await page.evaluate("window.__not_reloaded === true")  # swapped by htmx polling
    await page.click("#mobile-continue")
    await page.wait_for_url(f"{live_required}/")
    assert (await queries.member_by_pc_email("taro@example.jp")).status == MemberStatus.ACTIVE

    # The live server's outbox sender answers the phone.
    for _ in range(150):
        if sink.to(phone):
            break
        await asyncio.sleep(0.1)
    assert sink.to(phone)
