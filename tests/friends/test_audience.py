"""The audience rules every feature relies on: self, friend, friend of friend, block."""

from __future__ import annotations

import pytest

from ashiato.friends import service
from ashiato.friends.audience import can_see, relation
from ashiato.members import Relation, Visibility, allows
from ashiato.members.tables import MemberStatus
from tests.factories import make_member


@pytest.fixture
async def people(settings):
    names = ["owner", "friend", "fof", "stranger", "blocked", "pending"]
    made = {}
    for name in names:
        status = MemberStatus.PENDING if name == "pending" else MemberStatus.ACTIVE
        made[name] = await make_member(f"{name}@example.jp", name, status=status)
    await service.make_friends(made["owner"], made["friend"])
    await service.make_friends(made["friend"], made["fof"])
    await service.make_friends(made["owner"], made["blocked"])
    await service.block(made["owner"], made["blocked"].id)
    return made


async def test_relations(people):
    owner = people["owner"].id
    assert await relation(people["owner"], owner) == Relation.SELF
    assert await relation(people["friend"], owner) == Relation.FRIEND
    assert await relation(people["fof"], owner) == Relation.FRIEND_OF_FRIEND
    assert await relation(people["stranger"], owner) == Relation.MEMBER
    assert await relation(people["blocked"], owner) == Relation.BLOCKED
    assert await relation(people["pending"], owner) == Relation.NONE
    assert await relation(None, owner) == Relation.NONE


@pytest.mark.parametrize(
    ("visibility", "who_sees"),
    [
        (Visibility.EVERYONE, {"owner", "friend", "fof", "stranger"}),
        (Visibility.FRIENDS_OF_FRIENDS, {"owner", "friend", "fof"}),
        (Visibility.FRIENDS, {"owner", "friend"}),
        (Visibility.ONLY_ME, {"owner"}),
    ],
)
async def test_each_audience(people, visibility, who_sees):
    owner = people["owner"].id
    seen = {name for name, m in people.items() if await can_see(m, owner, visibility)}
    assert seen == who_sees
    assert not await can_see(None, owner, visibility)


def test_blocked_and_logged_out_see_nothing_even_public():
    assert not allows(Relation.BLOCKED, Visibility.EVERYONE)
    assert not allows(Relation.NONE, Visibility.EVERYONE)


async def test_accepted_invitation_makes_inviter_and_invitee_maimiku(client, settings, sink):
    from ashiato.accounts import service as accounts
    from ashiato.accounts.forms import InvitationForm
    from ashiato.friends import queries
    from tests.helpers import SIGNUP, post_form

    inviter = await make_member("inviter@example.jp")
    issued = await accounts.invite(inviter, InvitationForm("new@example.jp"), settings)
    response = await post_form(client, f"/join/{issued.token}", SIGNUP)
    assert response.status_code == 303
    new = await accounts.queries.member_by_pc_email("new@example.jp")
    assert await queries.are_friends(inviter.id, new.id)
    assert await queries.are_friends(new.id, inviter.id)


async def test_an_inviter_at_the_maimiku_limit_gets_no_new_maimiku(client, app, settings, sink):
    from dataclasses import replace

    from ashiato.accounts import service as accounts
    from ashiato.accounts.forms import InvitationForm
    from ashiato.friends import queries
    from ashiato.friends import service as friends_service
    from tests.helpers import SIGNUP, post_form

    app.state.settings = replace(settings, max_friends=1)
    inviter = await make_member("inviter@example.jp")
    await friends_service.make_friends(inviter, await make_member("old@example.jp"))
    issued = await accounts.invite(inviter, InvitationForm("new@example.jp"), settings)
    assert (await post_form(client, f"/join/{issued.token}", SIGNUP)).status_code == 303
    new = await accounts.queries.member_by_pc_email("new@example.jp")
    assert not await queries.are_friends(inviter.id, new.id)
