"""Members for tests, made through the same services the site uses."""

from __future__ import annotations

import datetime as dt
from functools import cache

from argon2 import PasswordHasher, profiles

from ashiato.accounts import queries
from ashiato.members.tables import Member, MemberStatus
from tests.helpers import PASSWORD, post_form

__all__ = ["PASSWORD", "login", "login_as", "make_member"]


@cache
def password_hash() -> str:
    """PASSWORD hashed once per test process, at the cost the tests' settings name
    (password_hash_profile="CHEAPEST"): hashing at the production cost for every member
    was over half of the suite's time. Argon2 hashes carry their parameters, so the
    site verifies this one whatever its own profile."""
    return PasswordHasher.from_parameters(profiles.CHEAPEST).hash(PASSWORD)


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
        password_hash=password_hash(),
        nickname=nickname or email.partition("@")[0],
        full_name=nickname or email,
        status=status,
        locale=locale,
        is_admin=is_admin,
        invited_by=invited_by,
        approved_at=now,
    )


async def login(client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    response = await post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 303, response.text
    return response


async def login_as(client, member: Member) -> None:  # type: ignore[no-untyped-def]
    await login(client, member.pc_email)
