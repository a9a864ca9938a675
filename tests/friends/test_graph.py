"""The graph explorer over HTTP: open faces, overlaps, privacy, blocks, chains, views."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from ashiato.friends import service
from ashiato.i18n import _, using
from tests.factories import login, make_member
from tests.friends.graphs import link, people

HTMX = {"HX-Request": "true"}


def nodes(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'<g class="graph-node[^"]*"\s+data-member="(\d+)"', html)}


def edges(html: str) -> dict[frozenset[int], str]:
    """Each drawn line by its two members, with its classes."""
    flat = re.sub(r"\s+", " ", html)
    return {
        frozenset((int(a), int(b))): classes
        for a, b, classes in re.findall(r'data-pair="(\d+)-(\d+)" class="([^"]*)"', flat)
    }


def state_of(html: str) -> list[tuple[str, str]]:
    """The hidden inputs that carry the explorer's state, as the form would send them."""
    fields = re.findall(r'<input type="hidden" name="(group|chain|view)" value="([^"]*)">', html)
    return [(name, value.replace("&#34;", '"')) for name, value in fields]


async def open_face(client, html: str, member_id: int, **headers):
    query = urlencode([*state_of(html), ("expand", str(member_id))])
    return await client.get(f"/friends/graph?{query}", headers=headers)


@pytest.fixture
async def town(client, settings):
    """me knows a and b; a and b know each other and c; c knows d; h and k hide their lists."""
    me = await make_member("me@example.jp", "me", locale="en")
    others = await people("a", "b", "c", "d", "h", "k", "x")
    town = {"me": me, **others}
    await link(town, "me-a me-b a-b a-c b-c c-d me-h h-k a-k")
    await service.set_friend_list_hidden(town["h"], True)
    await service.set_friend_list_hidden(town["k"], True)
    await login(client, "me@example.jp")
    return town


def ids(town, *names: str) -> set[int]:
    return {town[name].id for name in names}


async def test_the_viewer_is_drawn_at_the_centre_with_their_maimiku(client, town):
    page = await client.get("/friends/graph")
    assert page.status_code == 200 and "<html" in page.text
    assert nodes(page.text) == ids(town, "me", "a", "b", "h")
    assert 'class="graph-node me opened"' in page.text
    assert f'data-focus="{town["me"].id}"' in page.text
    lines = edges(page.text)
    assert lines[frozenset(ids(town, "me", "a"))] == "graph-edge"
    # a and b are both my maimiku and each other's: where the circles overlap
    assert lines[frozenset(ids(town, "a", "b"))] == "graph-edge overlap"
    fragment = await client.get("/friends/graph", headers=HTMX)
    assert "<html" not in fragment.text and 'id="graph"' in fragment.text


async def test_opening_two_faces_adds_their_maimiku_and_draws_the_overlap(client, town):
    page = await client.get("/friends/graph")
    opened_a = await open_face(client, page.text, town["a"].id, **HTMX)
    assert opened_a.status_code == 200
    assert nodes(opened_a.text) == ids(town, "me", "a", "b", "h", "c", "k")
    assert f'data-focus="{town["a"].id}"' in opened_a.text
    assert "overlap" not in edges(opened_a.text)[frozenset(ids(town, "a", "c"))]
    assert "overlap" in edges(opened_a.text)[frozenset(ids(town, "b", "c"))]
    opened_b = await open_face(client, opened_a.text, town["b"].id, **HTMX)
    assert nodes(opened_b.text) == nodes(opened_a.text)  # b adds nobody new
    opened_c = await open_face(client, opened_b.text, town["c"].id)
    assert town["d"].id in nodes(opened_c.text) and "<html" in opened_c.text


async def test_a_hidden_list_is_drawn_without_its_maimiku(client, town):
    page = await client.get("/friends/graph")
    opened_h = await open_face(client, page.text, town["h"].id)
    assert nodes(opened_h.text) == nodes(page.text)  # k is not revealed through h
    with using("en"):
        assert _("%(name)s keeps their maimiku list private.", name="h") in opened_h.text
    opened_a = await open_face(client, opened_h.text, town["a"].id)
    lines = edges(opened_a.text)
    assert frozenset(ids(town, "a", "k")) in lines  # a's list is public
    assert frozenset(ids(town, "h", "k")) not in lines  # both hide their lists
    assert 'private"' in opened_a.text


async def test_blocked_members_are_never_drawn(client, town):
    await service.block(town["c"], town["me"].id)
    page = await client.get("/friends/graph")
    opened_a = await open_face(client, page.text, town["a"].id)
    assert town["c"].id not in nodes(opened_a.text)
    forged = await client.get(
        "/friends/graph?" + urlencode([("group", f"{town['me'].id}:{town['c'].id}")])
    )
    assert town["c"].id not in nodes(forged.text)


async def test_the_chain_search_draws_the_shortest_chain(client, town):
    found = await client.get("/friends/graph?" + urlencode({"find": "1", "q": "d"}))
    assert found.status_code == 200
    chain = re.search(r'id="graph-chain".*?</ol>', found.text, re.S).group(0)
    me, via, c, d = (int(i) for i in re.findall(r'data-member="(\d+)"', chain))
    assert (me, c, d) == (town["me"].id, town["c"].id, town["d"].id)
    assert via in ids(town, "a", "b")
    assert town["d"].id in nodes(found.text)
    chain_lines = [pair for pair, classes in edges(found.text).items() if "on-chain" in classes]
    assert len(chain_lines) == 3
    # the chain stays drawn while one goes on exploring
    opened = await open_face(client, found.text, town["d"].id)
    assert len([c for c in edges(opened.text).values() if "on-chain" in c]) == 3


async def test_the_chain_search_answers_when_there_is_no_chain_or_no_such_member(client, town):
    lonely = await client.get("/friends/graph?" + urlencode({"find": "1", "q": "x"}))
    assert 'id="graph-no-chain"' in lonely.text
    nobody = await client.get("/friends/graph?" + urlencode({"find": "1", "q": "nobody"}))
    with using("en"):
        assert _("No member is called %(name)s.", name="nobody") in nobody.text


async def test_several_matching_names_are_offered_as_choices(client, town):
    await people("dan", "dana")
    page = await client.get("/friends/graph?" + urlencode({"find": "1", "q": "da"}))
    assert 'id="graph-matches"' in page.text
    assert page.text.count('name="to"') == 2


async def test_show_all_fits_every_face_in_the_view(client, town):
    page = await client.get("/friends/graph")
    opened = await open_face(client, page.text, town["a"].id)
    query = urlencode([*state_of(opened.text), ("set_view", "fit")])
    fitted = await client.get(f"/friends/graph?{query}")
    assert 'id="graph-focus"' in fitted.text
    x, y, width, height = map(float, re.search(r'viewBox="([^"]+)"', fitted.text).group(1).split())
    for cx, cy in re.findall(r'<circle cx="([-\d.]+)" cy="([-\d.]+)"', fitted.text):
        assert x < float(cx) < x + width and y < float(cy) < y + height


async def test_a_forged_or_broken_state_still_draws_the_viewer(client, town):
    broken = await client.get("/friends/graph?group=nonsense&group=1:2,x&chain=9,a&view=zz")
    assert broken.status_code == 200
    assert town["me"].id in nodes(broken.text)
    not_shown = await client.get(f"/friends/graph?expand={town['d'].id}")
    assert town["d"].id not in nodes(not_shown.text)  # only shown faces open
