"""The mobile step over HTTP and SMTP: sign-up page, empty mail, page shows verified; the
policies; the posting address in settings; the gateway's log for administrators."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from ashiato.accounts import queries, service
from ashiato.accounts.forms import InvitationForm
from ashiato.app import create_app
from ashiato.members.tables import MemberStatus
from ashiato.mobile import service as mobile
from ashiato.outbox.service import deliver_due
from tests.factories import login, make_member
from tests.helpers import SIGNUP, browser_of, post_form
from tests.mailgate.gateway_client import empty_mail, running_gateway, send, token_of

HTMX = {"HX-Request": "true"}
REGIST_LINK = re.compile(r'id="regist-address" href="mailto:(regist\+[a-z2-7]+@[^"]+)"')
SHOWN = re.compile(r"/mobile/verification\?shown=(\d+)")


async def sign_up(app, client, settings, sink, email: str, headers: dict | None = None):
    """Invited, signed up and PC address confirmed, through the site; returns the member."""
    founder = await queries.member_by_pc_email("founder@example.jp") or await make_member(
        "founder@example.jp", is_admin=True
    )
    issued = await service.invite(founder, InvitationForm(email), settings)
    join_path = "/join/" + issued.url.rsplit("/", 1)[1]
    signed_up = await post_form(client, join_path, SIGNUP, headers=headers or {})
    assert signed_up.status_code == 303, signed_up.text
    await deliver_due(settings)
    verified = await client.get(sink.link(email, r"/verify/[A-Za-z0-9_-]+"))
    assert verified.status_code == 200
    return await queries.member_by_pc_email(email)


async def test_sign_up_then_an_empty_mail_then_the_page_shows_verified(app, client, settings, sink):
    settings = app.state.settings = replace(settings, mobile_verification="required")
    member = await sign_up(app, client, settings, sink, "taro@example.jp")
    assert member.status == MemberStatus.PENDING  # the phone is still missing

    welcome = await client.get("/welcome")
    assert welcome.status_code == 200
    address = REGIST_LINK.search(welcome.text).group(1)
    assert 'class="qr-code"' in welcome.text and "<svg" in welcome.text
    assert "style=" not in welcome.text.partition('id="mobile-verification"')[2]
    shown = SHOWN.search(welcome.text).group(1)

    waiting = await client.get(f"/mobile/verification?shown={shown}", headers=HTMX)
    assert waiting.status_code == 200
    assert 'hx-trigger="every 3s"' in waiting.text and "<html" not in waiting.text

    phone = "taro..yamada.@docomo.ne.jp"
    async with running_gateway(settings) as port:
        reply = await send(port, phone, address, empty_mail(phone, address, "<e2e@docomo.ne.jp>"))
    assert reply.code == 250, reply

    done = await client.get(f"/mobile/verification?shown={shown}", headers=HTMX)
    assert 'id="mobile-verified"' in done.text and phone in done.text
    assert "hx-trigger" not in done.text  # the polling stops
    assert 'id="mobile-continue" href="/"' in done.text
    assert (await queries.member_by_pc_email("taro@example.jp")).status == MemberStatus.ACTIVE
    assert (await client.get("/welcome")).headers["location"] == "/"


async def test_a_refused_mail_is_explained_on_the_waiting_page(app, client, settings, sink):
    settings = app.state.settings = replace(settings, mobile_verification="required")
    await sign_up(app, client, settings, sink, "taro@example.jp")
    welcome = await client.get("/welcome", headers={"Accept-Language": "en"})
    address = REGIST_LINK.search(welcome.text).group(1)
    shown = SHOWN.search(welcome.text).group(1)
    async with running_gateway(settings) as port:
        reply = await send(port, "taro@gmail.com", address, b"Subject: x\r\n\r\n")
    assert reply.code == 550
    page = await client.get(f"/mobile/verification?shown={shown}", headers=HTMX)
    assert 'id="mobile-refusal"' in page.text
    assert 'hx-trigger="every 3s"' in page.text  # still waiting for the phone


@pytest.mark.parametrize(
    ("forwarded", "needs_phone"),
    [
        ("203.0.113.9, 133.1.1.1", True),  # our proxy saw a Japanese address
        ("133.1.1.1, 8.8.8.8", False),  # a forged Japanese entry on the left does not count
        ("", False),
    ],
)
async def test_jp_only_asks_for_a_phone_only_when_the_sign_up_came_from_japan(
    settings, sink, forwarded, needs_phone
):
    # The test client's peer address is "testclient": trusted here as our reverse proxy.
    settings = replace(settings, mobile_verification="jp-only", forwarded_allow_ips=("testclient",))
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    app = create_app(settings)
    async with browser_of(app) as client:
        member = await sign_up(app, client, settings, sink, "taro@example.jp", headers)
        assert (member.signup_country == "JP") is needs_phone
        expected = MemberStatus.PENDING if needs_phone else MemberStatus.ACTIVE
        assert member.status == expected
        if needs_phone:
            assert REGIST_LINK.search((await client.get("/welcome")).text)


async def test_the_proxy_header_is_ignored_unless_the_settings_trust_it(
    app, client, settings, sink
):
    settings = app.state.settings = replace(settings, mobile_verification="jp-only")
    member = await sign_up(
        app, client, settings, sink, "taro@example.jp", {"X-Forwarded-For": "133.1.1.1"}
    )
    assert member.signup_country == "" and member.status == MemberStatus.ACTIVE


@pytest.mark.parametrize(
    ("policy", "status"), [("required", MemberStatus.PENDING), ("off", MemberStatus.ACTIVE)]
)
async def test_the_policy_decides_whether_a_phone_is_needed(
    app, client, settings, sink, policy, status
):
    settings = app.state.settings = replace(settings, mobile_verification=policy)
    member = await sign_up(app, client, settings, sink, "taro@example.jp")
    assert member.status == status


async def test_settings_show_the_posting_address_and_make_a_new_one_in_place(client, settings):
    member = await make_member("hanako@example.jp", "はなこ")
    await login(client, "hanako@example.jp")
    page = await client.get("/settings/mobile")
    assert page.status_code == 200
    old = re.search(r'id="post-address" href="mailto:([^"]+)"', page.text).group(1)
    assert old.startswith("post+") and old.endswith("@" + settings.mail_domain)
    assert page.text.count('class="qr-code"') == 2  # registration and posting addresses
    assert 'id="no-mobile"' in page.text
    assert 'id="posting-hints"' in page.text and "[friends]" in page.text

    again = await client.get("/settings/mobile")
    assert old in again.text  # the same address every time: members save it in the phone

    fresh = await post_form(client, "/settings/mobile/posting-address", {}, headers=HTMX)
    assert fresh.status_code == 200
    assert 'id="posting-address-regenerated"' in fresh.text and "<html" not in fresh.text
    assert 'id="posting-hints"' in fresh.text
    new = re.search(r'id="post-address" href="mailto:([^"]+)"', fresh.text).group(1)
    assert new != old
    assert await mobile.resolve_recipient("post", token_of(old)) is None
    resolved = await mobile.resolve_recipient("post", token_of(new))
    assert resolved is not None and resolved.member.id == member.id

    without_htmx = await post_form(client, "/settings/mobile/posting-address", {})
    assert without_htmx.status_code == 303


async def test_settings_change_the_phone_with_a_new_empty_mail(client, settings):
    await make_member("hanako@example.jp", "はなこ")
    await login(client, "hanako@example.jp")
    page = await client.get("/settings/mobile")
    address = REGIST_LINK.search(page.text).group(1)
    phone = "hanako.new@ezweb.ne.jp"
    async with running_gateway(settings) as port:
        reply = await send(port, phone, address, empty_mail(phone, address, "<n@ezweb.ne.jp>"))
    assert reply.code == 250, reply
    page = await client.get("/settings/mobile")
    assert 'id="current-mobile"' in page.text and phone in page.text


async def test_pending_members_reach_the_verification_page_but_not_settings(client, settings):
    await make_member("new@example.jp", status=MemberStatus.PENDING)
    await login(client, "new@example.jp")
    assert (await client.get("/mobile/verification")).status_code == 200
    assert (await client.get("/settings/mobile")).headers["location"] == "/welcome"


async def test_visitors_are_sent_to_the_login_page(client):
    for path in ("/mobile/verification", "/settings/mobile", "/admin/gateway"):
        response = await client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_administrators_see_recent_gateway_events(client, other_client, settings):
    member = await make_member("hanako@example.jp")
    await mobile.record_event(
        decision="refused",
        reason="sender-mismatch",
        stage="RCPT",
        purpose="post",
        member_id=member.id,
        mail_from="spoof@bulk.example.net",
        rcpt_to="post+abcdefghijklmnop@mail.example.jp",
        reply="550 5.7.1 Sender is not an address this member has confirmed",
    )
    await make_member("admin@example.jp", is_admin=True)
    await login(client, "admin@example.jp")
    page = await client.get("/admin/gateway")
    assert page.status_code == 200
    assert "sender-mismatch" in page.text and "spoof@bulk.example.net" in page.text
    assert "post+abcd…@mail.example.jp" in page.text
    assert "abcdefghijklmnop" not in page.text

    await login(other_client, "hanako@example.jp")
    assert (await other_client.get("/admin/gateway")).status_code == 403
