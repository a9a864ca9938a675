"""What communities adds to the member's home page (registered as the feature's home_section)."""

from __future__ import annotations

from ashiato.communities import service
from ashiato.members.tables import Member
from ashiato.registry import Section
from ashiato.settings import Settings


async def home_section(member: Member, settings: Settings) -> Section:
    """The latest topics in the member's communities."""
    return Section(
        template="communities/_home_section.html",
        context={"latest_topics": await service.latest_topics_in_my_communities(member)},
        order=20,
        stylesheet="communities",
    )
