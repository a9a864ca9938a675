"""The presentation layer: stylesheets per page, the one pager, the form macros, and static
files served without sessions or database work."""

from __future__ import annotations

import re

import pytest

from ashiato import i18n
from ashiato.app import make_jinja_environment
from ashiato.assets import static_dir, templates_dir
from ashiato.features import FEATURES
from ashiato.pagination import Pagination
from tests.factories import login, make_member


def stylesheets(html: str) -> set[str]:
    hashed = r'<link rel="stylesheet" href="/static/v/(\w+)\.[0-9a-f]{12}\.css">'
    return set(re.findall(hashed, html))


# -- static files ---------------------------------------------------------------------------


async def test_static_files_skip_the_session_and_the_member_lookup(client, count_queries):
    await make_member("m@example.jp")
    await login(client, "m@example.jp")
    count_queries.reset()
    page = await client.get("/")
    assert page.status_code == 200 and count_queries.count > 0  # a page does look the member up

    count_queries.reset()
    hashed = re.findall(r'(?:href|src)="(/static/v/[^"]+)"', page.text)
    assert len(hashed) >= 2, page.text  # site.css and htmx at least
    for path in ("/static/site.css", "/static/diaries.css", "/static/htmx/htmx.min.js", *hashed):
        response = await client.get(path)
        assert response.status_code == 200
        assert count_queries.count == 0, count_queries.statements
        assert "set-cookie" not in response.headers, response.headers.get("set-cookie")


# -- stylesheets per page ---------------------------------------------------------------------


async def test_a_feature_page_loads_site_css_and_its_own_stylesheet_only(client):
    await make_member("m@example.jp")
    await login(client, "m@example.jp")
    diaries = await client.get("/diaries")
    assert stylesheets(diaries.text) == {"site", "diaries"}
    assert '<main id="main" class="diaries">' in diaries.text
    login_page = await client.get("/settings")
    assert stylesheets(login_page.text) == {"site"}


async def test_home_loads_the_stylesheets_of_the_sections_it_shows(client):
    await make_member("m@example.jp")
    await login(client, "m@example.jp")
    home = await client.get("/")
    assert stylesheets(home.text) == {"site", "diaries", "communities"}


async def test_a_profile_loads_the_stylesheets_of_its_sections(client):
    await make_member("owner@example.jp")
    viewer = await make_member("viewer@example.jp")
    owner_id = viewer.id - 1
    await login(client, "viewer@example.jp")
    profile = await client.get(f"/members/{owner_id}")
    assert profile.status_code == 200
    shown = stylesheets(profile.text)
    assert {"site", "profiles", "footprints", "friends"} <= shown
    assert "communities" not in shown  # the owner is in none, so that section is absent
    assert 'id="profile-communities"' not in profile.text


def test_every_stylesheet_a_feature_or_a_page_names_exists():
    named = {f.stylesheet for f in FEATURES if f.stylesheet}
    for template in templates_dir().rglob("*.html"):
        text = template.read_text()
        named |= set(re.findall(r'{% set feature = "(\w+)" %}', text))
        for listed in re.findall(r"{% set more_stylesheets = \[([^\]]*)\]", text):
            named |= set(re.findall(r'"(\w+)"', listed))
    assert named, "no page names a stylesheet"
    for name in named:
        assert (static_dir() / f"{name}.css").is_file(), name


def test_feature_stylesheets_do_not_redefine_the_components():
    """.hint, .pager, .badge, buttons… are styled once, in site.css; a feature's sheet scopes
    every rule under its root class and never restyles a component as a whole."""
    components = {
        ".hint",
        ".pager",
        ".badge",
        ".tag",
        ".card",
        ".tabs",
        ".empty",
        ".actions",
        ".field",
        ".list",
        ".faces",
        ".face",
        "a.button",
        ".button",
        "button",
        "button.secondary",
        "button.danger",
        "button.link",
        "fieldset",
        "legend",
        "label",
        ".choice",
        ".field-error",
        ".form-error",
        ".notice",
        ".visually-hidden",
        ".breadcrumb",
    }
    for sheet in static_dir().glob("*.css"):
        if sheet.name == "site.css":
            continue
        root = f".{sheet.stem}"
        css = re.sub(r"/\*.*?\*/", "", sheet.read_text(), flags=re.S)
        for rule in re.findall(r"([^{}@]+)\{[^{}]*\}", css):
            for selector in (s.strip() for s in rule.split(",")):
                assert selector.startswith(root), f"{sheet.name}: {selector} is not scoped"
                assert selector[len(root) :].strip() not in components, f"{sheet.name}: {selector}"


# -- the pager --------------------------------------------------------------------------------


def render(source: str, **context: object) -> str:
    with i18n.using("en"):
        return make_jinja_environment().from_string(source).render(**context)


PAGER = '{% from "partials/_pager.html" import pager %}{{ pager(p, **options) }}'


def test_pagination_counts_clamps_and_probes():
    assert Pagination.counted(page=9, total=101, per_page=50) == Pagination(3, False, 3)
    assert Pagination.counted(page=0, total=0, per_page=50) == Pagination(1, False, 1)
    rows, pagination = Pagination.probe(list(range(11)), page=2, per_page=10)
    assert rows == list(range(10)) and pagination == Pagination(2, True)
    assert not Pagination(1, False).is_paged and Pagination(2, False).has_previous
    assert Pagination.offset(3, 20) == 40 and Pagination.offset(0, 20) == 0


def test_a_single_page_shows_no_pager():
    assert render(PAGER, p=Pagination(1, False), options={}).strip() == ""


def test_the_pager_keeps_the_query_and_marks_previous_and_next():
    html = render(PAGER, p=Pagination.numbered(2, 3), options={"url": "/communities?q=a%26b"})
    assert '<a href="/communities?q=a%26b&amp;page=1" rel="prev">Previous</a>' in html
    assert '<a href="/communities?q=a%26b&amp;page=3" rel="next">Next</a>' in html
    assert 'aria-current="page">Page 2 of 3</span>' in html and "First" not in html


def test_a_chronological_pager_with_htmx_and_a_thread_pager():
    html = render(PAGER, p=Pagination(2, True), options={"chronological": True, "target": "#x"})
    assert '<a href="?page=1" rel="prev" hx-get="?page=1" hx-target="#x"' in html
    assert ">Newer</a>" in html and ">Older</a>" in html and "Page 2<" in html
    thread = render(PAGER, p=Pagination.numbered(3, 5), options={"newest": "/t/1#newest"})
    assert '<a href="?page=1" class="first">First</a>' in thread
    assert '<a href="/t/1#newest" class="newest">Newest</a>' in thread


# -- form macros ------------------------------------------------------------------------------

FIELD = (
    '{% from "partials/_forms.html" import field %}{{ field("email", "E-mail", v, errors, **o) }}'
)


def test_a_field_ties_its_label_hint_and_error_to_the_control():
    html = render(FIELD, v="a@b", errors={"email": "Wrong"}, o={"hint": "Yours", "required": True})
    assert '<label for="field-email">E-mail</label>' in html
    control = re.search(r"<input[^>]*>", html).group(0)
    assert 'name="email" id="field-email"' in control and 'value="a@b"' in control
    assert 'aria-describedby="email-hint email-error"' in control
    assert 'aria-invalid="true"' in control and " required" in control
    assert '<p class="hint" id="email-hint">Yours</p>' in html
    assert '<p class="field-error" id="email-error">Wrong</p>' in html


def test_a_field_without_an_error_is_not_marked_invalid():
    html = render(FIELD, v="", errors={}, o={"control": "textarea", "rows": 3})
    assert '<textarea name="email" id="field-email" rows="3"></textarea>' in html
    assert "aria-invalid" not in html and "aria-describedby" not in html


@pytest.mark.parametrize("value", ['"><script>', "<b>"])
def test_a_field_escapes_its_value(value):
    html = render(FIELD, v=value, errors={"email": value}, o={})
    assert "<script>" not in html and "<b>" not in html
