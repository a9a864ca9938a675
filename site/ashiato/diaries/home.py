"""What diaries adds to the member's home page (registered as the feature's home_section)."""

from __future__ import annotations

from ashiato.diaries import service
from ashiato.members.tables import Member
from ashiato.registry import Section
from ashiato.settings import Settings


async def home_section(member: Member, settings: Settings) -> Section:
    """マイミク最新日記: friends' newest diaries the member may read."""
    return Section(
        template="diaries/_home_section.html",
        context={"latest": await service.friends_latest(member)},
        order=10,
        stylesheet="diaries",
    )
