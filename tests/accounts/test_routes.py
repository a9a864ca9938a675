"""Invitation-only membership through HTTP, with mail taken from a real SMTP sink."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest

from ashiato.accounts import queries
from ashiato.accounts.forms import InvitationForm
from ashiato.accounts.tables import Invitation
from ashiato.app import create_app
from ashiato.i18n import _, using
from ashiato.members.tables import Member, MemberStatus
from ashiato.outbox.service import deliver_due
from tests.factories import PASSWORD, login, make_member
from tests.helpers import SIGNUP, browser_of, csrf_token, post_form


async def invite_by_web(client, settings, sink, email: str) -> str:
    """An active member invites `email`; returns the invitation path from the real mail."""
    response = await post_form(
        client, "/settings/invitations", {"email": email, "message": "一緒にやろう"}
    )
    assert response.status_code == 200, response.text
    assert await deliver_due(settings) >= 1
    return sink.link(email, r"/join/[A-Za-z0-9_-]+")


async def test_invitation_signup_verification_and_login(client, other_client, settings, sink):
    await make_member("founder@example.jp", "創設者", is_admin=True)
    await queries.update_member(
        (await queries.member_by_pc_email("founder@example.jp")).id,
        introduction="写真が好きな管理人です",
    )
    await login(client, "founder@example.jp")
    join_path = await invite_by_web(client, settings, sink, "taro@example.jp")

    invitation_mail = sink.to("taro@example.jp")[0]
    assert "創設者" in str(invitation_mail["Subject"])
    assert "写真が好きな管理人です" in sink.text(invitation_mail)

    page = await other_client.get(join_path)
    assert page.status_code == 200
    assert "創設者" in page.text and "写真が好きな管理人です" in page.text  # the inviter's profile
    assert "taro@example.jp" in page.text

    signed_up = await post_form(other_client, join_path, SIGNUP)
    assert signed_up.status_code == 303
    assert signed_up.headers["location"] == "/welcome"
    member = await queries.member_by_pc_email("taro@example.jp")
    assert member.status == MemberStatus.PENDING
    waiting = await other_client.get("/welcome")
    assert "taro@example.jp" in waiting.text

    await deliver_due(settings)
    verify_path = sink.link("taro@example.jp", r"/verify/[A-Za-z0-9_-]+")
    verified = await other_client.get(verify_path)
    assert verified.status_code == 200
    assert (await queries.member_by_pc_email("taro@example.jp")).status == MemberStatus.ACTIVE

    await post_form(other_client, "/logout", {})
    assert (await other_client.get("/")).text.count('id="login-form"') == 1
    logged_in = await post_form(
        other_client, "/login", {"email": "taro@example.jp", "password": SIGNUP["password"]}
    )
    assert logged_in.status_code == 303
    home = await other_client.get("/")
    assert "たろう" in home.text and 'id="login-form"' not in home.text


async def test_invitation_link_works_once(client, other_client, settings, sink):
    await make_member("founder@example.jp", is_admin=True)
    await login(client, "founder@example.jp")
    join_path = await invite_by_web(client, settings, sink, "once@example.jp")
    assert (await post_form(other_client, join_path, SIGNUP)).status_code == 303

    again = await other_client.get(join_path)
    assert again.status_code == 400
    with using("ja"):
        assert _("This invitation has already been used.") in again.text
    second = await post_form(other_client, join_path, SIGNUP)
    assert second.status_code == 400
    assert await Member.count().where(Member.pc_email == "once@example.jp") == 1


async def test_expired_and_revoked_invitations_are_refused(client, other_client, settings, sink):
    await make_member("founder@example.jp", is_admin=True)
    await login(client, "founder@example.jp")
    expired_path = await invite_by_web(client, settings, sink, "late@example.jp")
    await Invitation.update({Invitation.expires_at: dt.datetime.now(dt.UTC)}).where(
        Invitation.email == "late@example.jp"
    )
    response = await other_client.get(expired_path, headers={"accept-language": "en"})
    assert response.status_code == 400
    assert "expired" in response.text

    revoked_path = await invite_by_web(client, settings, sink, "nope@example.jp")
    invitation = await Invitation.objects().where(Invitation.email == "nope@example.jp").first()
    revoked = await post_form(client, f"/settings/invitations/{invitation.id}/revoke", {})
    assert revoked.status_code == 200
    response = await other_client.get(revoked_path, headers={"accept-language": "en"})
    assert response.status_code == 400
    assert "withdrawn" in response.text

    unknown = await other_client.get("/join/not-a-real-token", headers={"accept-language": "en"})
    assert unknown.status_code == 404
    assert "not valid" in unknown.text


async def test_verification_link_is_single_use_and_expires(client, other_client, settings, sink):
    await make_member("founder@example.jp", is_admin=True)
    await login(client, "founder@example.jp")
    join_path = await invite_by_web(client, settings, sink, "v@example.jp")
    await post_form(other_client, join_path, SIGNUP)
    await deliver_due(settings)
    verify_path = sink.link("v@example.jp", r"/verify/[A-Za-z0-9_-]+")
    assert (await other_client.get(verify_path)).status_code == 200
    reused = await other_client.get(verify_path)
    assert reused.status_code == 400
    with using("ja"):  # the member chose Japanese at sign-up, whatever the browser says
        assert _("This confirmation link has already been used.") in reused.text

    from ashiato.accounts.tables import EmailVerification

    await post_form(other_client, "/logout", {})
    join_path = await invite_by_web(client, settings, sink, "w@example.jp")
    await post_form(other_client, join_path, SIGNUP)
    await deliver_due(settings)
    verify_path = sink.link("w@example.jp", r"/verify/[A-Za-z0-9_-]+")
    await EmailVerification.update(
        {EmailVerification.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
    ).where(EmailVerification.email == "w@example.jp")
    late = await other_client.get(verify_path)
    assert late.status_code == 400
    with using("ja"):
        assert _("This confirmation link has expired. Log in to get a new one.") in late.text
    assert (await queries.member_by_pc_email("w@example.jp")).status == MemberStatus.PENDING


async def test_state_change_without_csrf_token_is_refused(client):
    await make_member("m@example.jp")
    await csrf_token(client)
    response = await client.post("/login", data={"email": "m@example.jp", "password": PASSWORD})
    assert response.status_code == 403
    forged = await client.post(
        "/login",
        data={"email": "m@example.jp", "password": PASSWORD, "_csrf_token": "forged"},
    )
    assert forged.status_code == 403
    assert "ashiato_session" not in client.cookies or (await client.get("/")).text.count(
        'id="login-form"'
    )


async def test_htmx_request_sends_csrf_header(client, settings, sink):
    await make_member("m@example.jp")
    await login(client, "m@example.jp")
    token = client.cookies["csrftoken"]
    response = await client.post(
        "/settings/invitations",
        data={"email": "friend@example.jp", "message": ""},
        headers={"x-csrftoken": token, "hx-request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="invitations">')  # only the fragment
    assert "<html" not in response.text
    assert response.headers["vary"] == "HX-Request"


async def test_failed_logins_are_rate_limited(client, settings):
    await make_member("m@example.jp")
    for _attempt in range(settings.login_attempts):
        response = await post_form(client, "/login", {"email": "m@example.jp", "password": "x"})
        assert response.status_code == 400
    blocked = await post_form(client, "/login", {"email": "m@example.jp", "password": PASSWORD})
    assert blocked.status_code == 429


async def test_signup_errors_are_translated_and_keep_what_was_typed(
    client, other_client, settings, sink
):
    await make_member("founder@example.jp", is_admin=True)
    await login(client, "founder@example.jp")
    join_path = await invite_by_web(client, settings, sink, "typo@example.jp")
    bad = {**SIGNUP, "nickname": "", "birth_date": "1985-13-45", "password_confirm": "other"}
    response = await post_form(other_client, join_path, bad, headers={"accept-language": "ja"})
    assert response.status_code == 422
    assert "ニックネームを入力してください" in response.text
    assert 'value="山田 太郎"' in response.text  # kept
    assert SIGNUP["password"] not in response.text  # passwords are never echoed
    assert await Member.count().where(Member.pc_email == "typo@example.jp") == 0

    too_long = {**SIGNUP, "nickname": "あ" * 41}
    response = await post_form(other_client, join_path, too_long, headers={"accept-language": "en"})
    assert response.status_code == 422
    assert "At most 40 characters" in response.text


async def test_inviting_a_registered_address_is_refused(client):
    await make_member("founder@example.jp", is_admin=True)
    await make_member("taken@example.jp")
    await login(client, "founder@example.jp")
    response = await post_form(
        client,
        "/settings/invitations",
        {"email": "taken@example.jp"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 422
    assert "already registered" in response.text
    invalid = await post_form(
        client,
        "/settings/invitations",
        {"email": "not an address"},
        headers={"accept-language": "en"},
    )
    assert invalid.status_code == 422 and "valid e-mail" in invalid.text
    assert await Invitation.count() == 0


async def test_invitation_quota_is_a_setting(app, client, settings):
    app.state.settings = replace(settings, invitation_quota=2)
    await make_member("m@example.jp")
    await login(client, "m@example.jp")
    for n in range(2):
        ok = await post_form(client, "/settings/invitations", {"email": f"f{n}@example.jp"})
        assert ok.status_code == 200
    refused = await post_form(
        client,
        "/settings/invitations",
        {"email": "f3@example.jp"},
        headers={"accept-language": "en"},
    )
    assert refused.status_code == 400
    assert "all 2 of your invitations" in refused.text
    assert await Invitation.count() == 2


async def test_admin_approval_when_required(app, client, other_client, settings, sink):
    app.state.settings = replace(settings, require_admin_approval=True)
    settings = app.state.settings
    await make_member("founder@example.jp", is_admin=True)
    await login(client, "founder@example.jp")
    join_path = await invite_by_web(client, settings, sink, "new@example.jp")
    await post_form(other_client, join_path, SIGNUP)
    await deliver_due(settings)
    await other_client.get(sink.link("new@example.jp", r"/verify/[A-Za-z0-9_-]+"))
    member = await queries.member_by_pc_email("new@example.jp")
    assert member.status == MemberStatus.AWAITING_APPROVAL
    assert (await other_client.get("/")).headers.get("location") == "/welcome"

    listing = await client.get("/admin/approvals")
    assert f'data-id="{member.id}"' in listing.text
    assert (await post_form(client, f"/admin/approvals/{member.id}", {})).status_code == 303
    assert (await queries.member_by_pc_email("new@example.jp")).status == MemberStatus.ACTIVE

    refused = await post_form(other_client, f"/admin/approvals/{member.id}", {})
    assert refused.status_code == 403


async def test_withdrawal_keeps_the_row_and_frees_the_address(client, other_client, settings, sink):
    from ashiato.friends import queries as friend_queries
    from ashiato.friends import service as friends
    from ashiato.friends.tables import FriendRequest

    member = await make_member("leaving@example.jp", "去る人")
    pal = await make_member("pal@example.jp")
    await friends.make_friends(member, pal)
    stranger = await make_member("stranger@example.jp")
    await friends.send_request(stranger, member.id, "よろしく", settings)
    await login(client, "leaving@example.jp")
    wrong = await post_form(client, "/settings/withdraw", {"password": "wrong"})
    assert wrong.status_code == 422
    done = await post_form(client, "/settings/withdraw", {"password": PASSWORD})
    assert done.status_code == 303
    row = await queries.member_by_id(member.id)
    assert row.status == MemberStatus.WITHDRAWN and row.pc_email is None
    assert not await friend_queries.are_friends(pal.id, member.id)
    assert not await friend_queries.are_friends(member.id, pal.id)
    assert await FriendRequest.count().where(FriendRequest.status == "pending") == 0

    from ashiato.members import display_name

    with using("en"):
        assert display_name(row) == "a withdrawn member"
    again = await post_form(
        other_client, "/login", {"email": "leaving@example.jp", "password": PASSWORD}
    )
    assert again.status_code == 400

    await make_member("founder@example.jp", is_admin=True)
    await login(other_client, "founder@example.jp")
    path = await invite_by_web(other_client, settings, sink, "leaving@example.jp")
    assert re.match(r"/join/", path)


async def test_password_change(client):
    await make_member("m@example.jp")
    await login(client, "m@example.jp")
    bad = await post_form(
        client,
        "/settings/password",
        {
            "current_password": "nope",
            "password": "new password 1",
            "password_confirm": "new password 1",
        },
    )
    assert bad.status_code == 422
    ok = await post_form(
        client,
        "/settings/password",
        {
            "current_password": PASSWORD,
            "password": "new password 1",
            "password_confirm": "new password 1",
        },
    )
    assert ok.status_code == 200
    await post_form(client, "/logout", {})
    await login(client, "m@example.jp", "new password 1")


async def test_pages_for_members_redirect_visitors_to_login(client):
    response = await client.get("/settings/invitations")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/settings/invitations")


async def test_login_redirect_stays_on_this_site(client):
    await make_member("m@example.jp")
    token = await csrf_token(client)
    response = await client.post(
        "/login",
        data={
            "email": "m@example.jp",
            "password": PASSWORD,
            "next": "https://evil.example/",
            "_csrf_token": token,
        },
    )
    assert response.headers["location"] == "/"


async def test_invitation_page_shows_the_inviters_photo_to_the_invitee(
    client, other_client, settings
):
    import io

    from PIL import Image

    from ashiato.accounts import service as accounts
    from ashiato.profiles import service as profiles

    inviter = await make_member("founder@example.jp", "写真の人", is_admin=True)
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), (230, 120, 20)).save(picture, "JPEG")
    await profiles.add_photo(inviter, picture.getvalue(), settings)
    issued = await accounts.invite(inviter, InvitationForm("guest@example.jp"), settings)
    page = await other_client.get(f"/join/{issued.token}")
    photo_path = f"/join/{issued.token}/inviter-photo"
    assert f'src="{photo_path}"' in page.text
    photo = await other_client.get(photo_path)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert (await other_client.get("/join/not-a-token/inviter-photo")).status_code == 404


async def test_resending_the_confirmation_link_with_and_without_htmx(client, settings, sink):
    from ashiato.members.tables import MemberStatus as Status

    await make_member("pending@example.jp", status=Status.PENDING)
    await login(client, "pending@example.jp")
    plain = await post_form(client, "/welcome/resend", {}, headers={"accept-language": "en"})
    assert plain.status_code == 303 and plain.headers["location"] == "/welcome?resent=1"
    page = await client.get("/welcome?resent=1", headers={"accept-language": "en"})
    assert "A new confirmation link is on its way." in page.text
    fragment = await post_form(client, "/welcome/resend", {}, headers={"hx-request": "true"})
    assert fragment.status_code == 200 and 'role="status"' in fragment.text
    assert "<html" not in fragment.text
    assert await deliver_due(settings) == 2


async def fail_logins(client, count: int, prefix: str, headers: dict | None = None) -> None:
    """`count` wrong logins from one client, each for another address (so only the
    client's count, not an address's, can reach the limit)."""
    for n in range(count):
        wrong = {"email": f"{prefix}{n}@example.jp", "password": "x"}
        response = await post_form(client, "/login", wrong, headers=headers or {})
        assert response.status_code == 400


async def test_a_success_clears_the_client_count_so_a_shared_address_locks_nobody_out(
    client, settings
):
    """Members behind one proxy or carrier gateway share a client key: one member's
    typos must not lock the others out once anyone has logged in correctly."""
    await make_member("m@example.jp")
    await make_member("other@example.jp")
    await fail_logins(client, settings.login_attempts - 1, "typo")
    await login(client, "m@example.jp")
    await post_form(client, "/logout", {})
    await fail_logins(client, settings.login_attempts - 1, "again")
    # Without the reset the client key would count twice the limit less two by now.
    await login(client, "other@example.jp")


async def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(client, settings):
    await make_member("m@example.jp")
    for n in range(settings.login_attempts):
        await fail_logins(client, 1, f"nobody{n}-", {"X-Forwarded-For": f"203.0.113.{n + 1}"})
    # Every failure counted against the peer itself, whatever the header said.
    fresh = {"X-Forwarded-For": "198.51.100.7"}
    blocked = await post_form(
        client, "/login", {"email": "m@example.jp", "password": PASSWORD}, headers=fresh
    )
    assert blocked.status_code == 429


async def test_the_forwarded_for_of_a_trusted_proxy_names_the_client(settings):
    # The test client's peer address is "testclient": our reverse proxy here.
    settings = replace(settings, forwarded_allow_ips=("testclient",))
    await make_member("m@example.jp")
    async with browser_of(create_app(settings)) as client:
        guesser = {"X-Forwarded-For": "203.0.113.9"}
        await fail_logins(client, settings.login_attempts, "nobody", guesser)
        still_blocked = await post_form(
            client, "/login", {"email": "m@example.jp", "password": PASSWORD}, headers=guesser
        )
        assert still_blocked.status_code == 429
        # A forged entry left of our proxy's does not count: the right-most one does.
        another = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
        allowed = await post_form(
            client, "/login", {"email": "m@example.jp", "password": PASSWORD}, headers=another
        )
        assert allowed.status_code == 303


async def test_withdrawal_hooks_run_inside_the_withdrawal_transaction(settings):
    from ashiato.accounts import service as accounts
    from ashiato.accounts.forms import WithdrawalForm

    member = await make_member("leaving@example.jp")
    seen: list[int] = []

    async def failing_hook(member_id: int) -> None:
        seen.append(member_id)
        raise RuntimeError("a feature could not let go")

    with pytest.raises(RuntimeError):
        await accounts.withdraw(member, WithdrawalForm(PASSWORD), settings, [failing_hook])
    assert seen == [member.id]
    row = await queries.member_by_id(member.id)
    assert row.status == MemberStatus.ACTIVE and row.pc_email == "leaving@example.jp"


async def test_the_password_hash_cost_comes_from_the_settings(settings):
    from argon2 import extract_parameters, profiles

    from ashiato.accounts import service as accounts

    for name in ("CHEAPEST", "RFC_9106_LOW_MEMORY"):
        hashed = accounts.hash_password(
            "secret words", replace(settings, password_hash_profile=name)
        )
        assert extract_parameters(hashed).memory_cost == getattr(profiles, name).memory_cost


async def test_a_login_rehashes_a_password_hashed_at_another_cost(client, settings):
    from argon2 import extract_parameters, profiles

    from ashiato.accounts import service as accounts

    member = await make_member("m@example.jp")
    stronger = replace(settings, password_hash_profile="RFC_9106_LOW_MEMORY")
    await queries.update_member(member.id, password_hash=accounts.hash_password(PASSWORD, stronger))
    await login(client, "m@example.jp")
    rehashed = (await queries.member_by_id(member.id)).password_hash
    assert extract_parameters(rehashed).memory_cost == profiles.CHEAPEST.memory_cost
