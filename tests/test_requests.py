"""Cheap requests around the page (issue 11, item 3): no session for visitors, sessions
written only when they change, long-cached static files by content-hashed names, templates
read once, and one request for all the navigation's badges."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ashiato import sessions
from ashiato.app import create_app, make_jinja_environment
from ashiato.assets import static_manifest
from ashiato.friends import service as friends
from tests.factories import login, make_member
from tests.helpers import post_form

SESSION_COOKIE = "ashiato_session"


def session_files(settings) -> dict[str, tuple[int, bytes]]:  # type: ignore[no-untyped-def]
    """Every file of the session store: name → (mtime in ns, contents)."""
    store = Path(settings.var_dir) / "sessions"
    if not store.exists():
        return {}
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in store.iterdir() if p.is_file()}


def session_cookies_set(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        value
        for key, value in response.headers.multi_items()
        if key == "set-cookie" and value.startswith(f"{SESSION_COOKIE}=")
    ]


def directives(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {part.strip() for part in response.headers["cache-control"].split(",")}


# -- sessions ---------------------------------------------------------------------------------


async def test_anonymous_requests_create_no_session(client, settings):
    for path in ("/", "/login", "/no/such/page", "/login"):
        response = await client.get(path)
        assert response.status_code in (200, 303, 404), path
        assert session_cookies_set(response) == [], (path, response.headers)
    assert SESSION_COOKIE not in client.cookies
    assert session_files(settings) == {}
    # The login form still works without one: the CSRF cookie is enough.
    assert "csrftoken" in client.cookies


async def test_a_logged_in_page_does_not_rewrite_its_session(client, settings):
    await make_member("m@example.jp")
    logged_in = await login(client, "m@example.jp")
    assert session_cookies_set(logged_in)
    stored = session_files(settings)
    assert len(stored) == 1

    for path in ("/", "/diaries", "/friends", "/nav/badges", "/no/such/page"):
        response = await client.get(path)
        assert response.status_code in (200, 404), path
        assert session_cookies_set(response) == [], path
    assert session_files(settings) == stored


async def test_a_session_is_rewritten_once_a_day_to_keep_it_alive(client, settings, monkeypatch):
    await make_member("m@example.jp")
    await login(client, "m@example.jp")
    stored = session_files(settings)
    tomorrow = sessions._today() + 1
    monkeypatch.setattr(sessions, "_today", lambda: tomorrow)
    renewed = await client.get("/")
    assert session_cookies_set(renewed)
    assert session_files(settings).keys() == stored.keys()
    assert session_files(settings) != stored
    again = session_files(settings)
    assert session_cookies_set(await client.get("/")) == []
    assert session_files(settings) == again


async def test_logout_deletes_the_stored_session(client, settings):
    await make_member("m@example.jp")
    await login(client, "m@example.jp")
    assert len(session_files(settings)) == 1
    response = await post_form(client, "/logout", {})
    assert response.status_code in (200, 303)
    assert session_files(settings) == {}
    assert 'id="login-form"' in (await client.get("/login")).text


async def test_a_cookie_naming_no_stored_session_is_cleared(client, settings):
    client.cookies.set(SESSION_COOKIE, "f" * 64, domain="testserver.local")
    response = await client.get("/login")
    assert response.status_code == 200
    cleared = session_cookies_set(response)
    assert cleared and cleared[0].startswith(f"{SESSION_COOKIE}=null")
    assert session_files(settings) == {}


# -- static files -----------------------------------------------------------------------------


async def test_pages_link_static_files_by_hashed_names_cached_for_a_year(client):
    page = await client.get("/login")
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    assert links and all(link.startswith("/static/v/") for link in links), links
    assert f"/static/v/{static_manifest()['site.css']}" in links
    assert f"/static/v/{static_manifest()['htmx/htmx.min.js']}" in links
    for link in links:
        response = await client.get(link)
        assert response.status_code == 200, link
        assert directives(response) == {"public", "max-age=31536000", "immutable"}
        assert "set-cookie" not in response.headers


async def test_plain_static_names_still_answer_with_a_short_lifetime(client):
    for path in ("/static/site.css", "/static/htmx/htmx.min.js"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert directives(response) == {"public", "max-age=300"}


async def test_only_current_hashes_of_known_files_are_served(client):
    site_css = static_manifest()["site.css"]
    stale = re.sub(r"\.[0-9a-f]{12}\.", ".000000000000.", site_css)
    for path in (f"/static/v/{stale}", "/static/v/site.css", "/static/v/../app.py"):
        assert (await client.get(path)).status_code == 404, path


# -- templates --------------------------------------------------------------------------------


def test_templates_are_read_once_unless_development_asks(settings):
    assert make_jinja_environment().auto_reload is False
    developing_environment = make_jinja_environment(auto_reload=True)
    assert developing_environment.auto_reload is True
    site_css = developing_environment.from_string("{{ static_url('site.css') }}").render()
    assert site_css == "/static/site.css"
    hashed = make_jinja_environment().from_string("{{ static_url('site.css') }}").render()
    assert hashed == f"/static/v/{static_manifest()['site.css']}"
    engine = create_app(settings).template_engine
    assert engine.engine.auto_reload is False  # type: ignore[union-attr]
    developing = create_app(replace(settings, template_reload=True)).template_engine
    assert developing.engine.auto_reload is True  # type: ignore[union-attr]


# -- navigation badges ------------------------------------------------------------------------


async def test_the_menu_asks_for_all_its_badges_in_one_request(client):
    await make_member("m@example.jp")
    await login(client, "m@example.jp")
    home = await client.get("/")
    nav = home.text.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert nav.count("hx-get=") == 1 and 'hx-get="/nav/badges"' in nav
    assert "every 60s" in nav and "friendRequestsChanged from:body" in nav
    names = re.findall(r'<span class="nav-badge" id="nav-badge-([\w-]+)"></span>', nav)
    assert set(names) == {"footprints", "notebook", "friend-requests", "diaries", "messages"}


async def test_one_badge_request_answers_every_badge_out_of_band(
    client, other_client, settings, count_queries
):
    aki = await make_member("aki@example.jp")
    ben = await make_member("ben@example.jp")
    await login(client, "aki@example.jp")
    await login(other_client, "ben@example.jp")
    await friends.send_request(aki, ben.id, "", settings)

    count_queries.reset()
    response = await other_client.get("/nav/badges")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    spans = re.findall(
        r'<span class="nav-badge" id="nav-badge-([\w-]+)" hx-swap-oob="true">(.*?)</span>\n',
        response.text,
        flags=re.S,
    )
    shown = dict(spans)
    assert set(shown) == {"footprints", "notebook", "friend-requests", "diaries", "messages"}
    assert shown["friend-requests"] == '<span class="badge">1</span>'
    assert all(shown[name] == "" for name in shown if name != "friend-requests")
    combined = count_queries.count

    # The same counts by the features' own badge routes: a member lookup for each request.
    count_queries.reset()
    for path in (
        "/footprints/badge",
        "/footprints/notebook-badge",
        "/friends/requests/badge",
        "/diaries/comments/badge",
        "/messages/badge",
    ):
        assert (await other_client.get(path)).status_code == 200
    assert combined <= count_queries.count - 4, (combined, count_queries.count)


async def test_the_badges_are_for_active_members_only(client):
    response = await client.get("/nav/badges")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
