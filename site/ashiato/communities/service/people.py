"""Members as community pages show them: withdrawn members are anonymous and not linked."""

from __future__ import annotations

from dataclasses import dataclass

from ashiato.communities.queries import MemberRow
from ashiato.members import name_for
from ashiato.members.tables import Member, MemberStatus


@dataclass(frozen=True)
class Person:
    id: int
    nickname: str
    withdrawn: bool = False
    role: str = ""  # member, sub_admin or admin, where a page shows it


def person(member_id: int, nickname: str, status: str, role: str = "") -> Person:
    return Person(member_id, name_for(nickname, status), status == MemberStatus.WITHDRAWN, role)


def person_of(member: Member) -> Person:
    return person(member.id, member.nickname, member.status)


def people(rows: list[MemberRow]) -> list[Person]:
    return [person(row["id"], row["nickname"], row["status"]) for row in rows]
