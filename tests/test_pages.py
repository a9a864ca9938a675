"""Pages every visitor sees: language, switcher, security headers, htmx from a package."""

from __future__ import annotations

import re

from ashiato.diaries.service import DiaryDraft
from tests.factories import login, make_member
from tests.helpers import post_form


async def test_top_page_is_japanese_by_default_and_english_on_request(client):
    ja = await client.get("/")
    assert ja.status_code == 200
    assert '<html lang="ja">' in ja.text and "ログイン" in ja.text
    en = await client.get("/", headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in en.text and "Log in" in en.text


async def test_language_switch_is_remembered(client):
    switched = await post_form(client, "/lang", {"locale": "en", "next": "/login"})
    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    page = await client.get("/login", headers={"accept-language": "ja"})
    assert '<html lang="en">' in page.text


async def test_member_language_setting_wins_over_the_browser(client):
    await make_member("m@example.jp", locale="en")
    await login(client, "m@example.jp")
    page = await client.get("/", headers={"accept-language": "ja"})
    assert '<html lang="en">' in page.text
    await post_form(client, "/lang", {"locale": "ja", "next": "/"})
    page = await client.get("/", headers={"accept-language": "en"})
    assert '<html lang="ja">' in page.text


async def test_security_headers_and_cookie_flags(client):
    response = await client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    await make_member("m@example.jp")
    login_response = await login(client, "m@example.jp")
    session_cookie = [
        value
        for key, value in login_response.headers.multi_items()
        if key == "set-cookie" and value.startswith("ashiato_session=")
    ]
    assert (
        session_cookie and "HttpOnly" in session_cookie[0] and "SameSite=lax" in session_cookie[0]
    )


async def test_htmx_is_served_from_the_installed_package(client):
    page = await client.get("/")
    hashed = re.search(r'<script src="(/static/v/htmx/htmx\.min\.[0-9a-f]{12}\.js)"', page.text)
    assert hashed, page.text
    script = await client.get(hashed.group(1))
    assert script.status_code == 200 and "htmx" in script.text[:2000]
    plain = await client.get("/static/htmx/htmx.min.js")
    assert plain.status_code == 200 and plain.content == script.content


async def test_unknown_page_is_a_translated_404(client):
    response = await client.get("/no/such/page", headers={"accept-language": "en"})
    assert response.status_code == 404
    assert "This page does not exist." in response.text


async def test_navigation_lists_every_section_for_members(client):
    await make_member("m@example.jp", locale="en")
    await login(client, "m@example.jp")
    home = await client.get("/")
    for path in ("/profile", "/friends", "/diaries", "/communities", "/messages", "/search"):
        assert f'href="{path}"' in home.text


async def test_login_issues_a_new_session_id(client):
    """A session ID planted before login (session fixation) is not the one logged in."""
    await make_member("m@example.jp")
    client.cookies.set("ashiato_session", "planted-by-an-attacker" * 3, domain="testserver.local")
    await client.get("/login")
    await login(client, "m@example.jp")
    assert client.cookies["ashiato_session"] != "planted-by-an-attacker" * 3
    assert 'id="login-form"' not in (await client.get("/")).text


async def test_home_shows_latest_topics_in_my_communities(client):
    from ashiato.communities.commands import CommunityForm, TopicForm
    from ashiato.communities.service import communities, topics

    member = await make_member("m@example.jp", locale="en")
    community = await communities.create_community(
        member,
        CommunityForm(
            name="ラーメン二郎",
            category="food",
            description="二郎",
            join_policy="open",
            topic_policy="members",
            topics_public="1",
        ),
    )
    await topics.start_topic(member, community.id, TopicForm(title="おすすめの店", body="教えて"))
    await login(client, "m@example.jp")
    home = await client.get("/")
    assert 'id="home-latest-topics"' in home.text and "おすすめの店" in home.text


async def test_home_shows_friends_latest_diaries(client, settings):
    from ashiato.diaries import service as diaries
    from ashiato.friends import service as friends

    member = await make_member("m@example.jp", locale="en")
    friend = await make_member("f@example.jp", "友だち")
    await friends.make_friends(member, friend)
    await diaries.create_diary(
        friend, DiaryDraft(title="今日のランチ", body="おいしかった"), settings
    )
    await login(client, "m@example.jp")
    home = await client.get("/")
    assert "今日のランチ" in home.text
