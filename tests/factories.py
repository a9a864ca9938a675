"""Members for tests, made through the same services the site uses."""

from __future__ import annotations

import datetime as dt

from ashiato.accounts import queries, service
from ashiato.members.tables import Member, MemberStatus
from tests.conftest import HASH_PROFILE

PASSWORD = "correct horse battery"


async def make_member(
    email: str,
    nickname: str = "",
    *,
    status: str = MemberStatus.ACTIVE,
    locale: str = "",
    is_admin: bool = False,
    invited_by: int | None = None,
) -> Member:
    now = dt.datetime.now(dt.UTC)
    return await queries.insert_member(
        pc_email=email,
        pc_verified_at=now if status != MemberStatus.PENDING else None,
        password_hash=service.password_hasher(HASH_PROFILE).hash(PASSWORD),
        nickname=nickname or email.partition("@")[0],
        full_name=nickname or email,
        status=status,
        locale=locale,
        is_admin=is_admin,
        invited_by=invited_by,
        approved_at=now,
    )


async def login(client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    from tests.conftest import post_form

    response = await post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 303, response.text
    return response
