"""The maimiku block of a profile and the full list: faces, count, buttons, privacy."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from ashiato.app import make_jinja_environment
from ashiato.friends import routes, service
from ashiato.friends.audience import viewing
from ashiato.i18n import using
from ashiato.registry import no_faces
from tests.factories import login, make_member
from tests.friends.graphs import link, people


def render(section) -> str:
    """The section as the profile page includes it."""
    template = make_jinja_environment().get_template(section.template)
    owner = section.context["friends"].owner
    request = SimpleNamespace(url=SimpleNamespace(path=f"/members/{owner.id}"))
    face_urls = {i: f"/faces/{i}" for i in section.faces}  # what the profile page passes
    with using("en"):
        return template.render(
            section=section.context, face_urls=face_urls, request=request, csrf_token=lambda: "t"
        )


@pytest.fixture
async def circle(settings):
    members = await people("owner", "friend", "stranger", *[f"f{i}" for i in range(11)])
    await link(members, "owner-friend " + " ".join(f"owner-f{i}" for i in range(11)))
    return members


async def test_a_profile_shows_nine_of_the_maimiku_and_their_count(circle):
    section = await routes.profile_section(await viewing(circle["stranger"], circle["owner"]))
    assert section.template == "friends/_profile_faces.html"
    friends = section.context["friends"]
    assert friends.count == 12 and len(friends.faces) == 9
    maimiku = {circle[n].id for n in ["friend", *[f"f{i}" for i in range(11)]]}
    assert {m.id for m in friends.faces} <= maimiku
    html = render(section)
    assert len(re.findall(r'class="face-item"', html)) == 9
    for member in friends.faces:  # the faces the section asks the profile page for
        assert f'src="/faces/{member.id}"' in html
    assert "(12)" in html and f'href="/friends/of/{circle["owner"].id}"' in html
    assert 'id="add-maimiku"' in html


@pytest.mark.parametrize(
    ("viewer", "marker"),
    [
        ("owner", 'href="/friends/graph"'),
        ("friend", 'id="end-maimiku"'),
        ("stranger", 'id="add-maimiku"'),
    ],
)
async def test_the_buttons_follow_how_the_viewer_stands(circle, viewer, marker):
    html = render(await routes.profile_section(await viewing(circle[viewer], circle["owner"])))
    assert marker in html


async def test_pending_requests_show_on_both_profiles(circle, settings):
    await service.send_request(circle["stranger"], circle["owner"].id, "hi", settings)
    sender_view = render(
        await routes.profile_section(await viewing(circle["stranger"], circle["owner"]))
    )
    assert 'id="request-sent"' in sender_view
    recipient_view = render(
        await routes.profile_section(await viewing(circle["owner"], circle["stranger"]))
    )
    assert 'id="request-received"' in recipient_view and "/approve" in recipient_view


async def test_a_hidden_list_shows_only_to_its_owner(circle):
    await service.set_friend_list_hidden(circle["owner"], True)
    other = render(await routes.profile_section(await viewing(circle["friend"], circle["owner"])))
    assert 'id="maimiku-private"' in other and 'class="face-item"' not in other
    own = await routes.profile_section(await viewing(circle["owner"], circle["owner"]))
    assert own.context["friends"].count == 12


async def test_blocks_hide_the_section_and_the_blocked_faces(circle):
    await service.block(circle["owner"], circle["stranger"].id)
    assert await routes.profile_section(await viewing(circle["stranger"], circle["owner"])) is None
    blocker_view = render(
        await routes.profile_section(await viewing(circle["owner"], circle["stranger"]))
    )
    assert 'id="unblock"' in blocker_view
    await service.block(circle["f0"], circle["friend"].id)
    seen = await routes.profile_section(await viewing(circle["friend"], circle["owner"]))
    assert seen.context["friends"].count == 11  # the owner's 12 maimiku but f0
    listing = await service.friend_list(circle["friend"], circle["owner"].id, faces=no_faces)
    assert circle["f0"].id not in {m.id for m in listing.members} and listing.total == 11


async def test_the_full_list_pages_thirty_at_a_time(client, settings):
    owner = await make_member("owner@example.jp", "owner")
    members = await people(*[f"p{i}" for i in range(33)])
    await link({**members, "owner": owner}, " ".join(f"owner-p{i}" for i in range(33)))
    await make_member("viewer@example.jp", "viewer")
    await login(client, "viewer@example.jp")
    first = await client.get(f"/friends/of/{owner.id}")
    assert first.status_code == 200
    assert first.text.count('class="face-item"') == 30 and 'rel="next"' in first.text
    second = await client.get(f"/friends/of/{owner.id}?page=2")
    assert second.text.count('class="face-item"') == 3
    await service.set_friend_list_hidden(owner, True)
    assert (await client.get(f"/friends/of/{owner.id}")).status_code == 403
