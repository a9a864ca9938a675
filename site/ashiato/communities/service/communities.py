"""Communities themselves: create and edit one, its page, its picture, browse and search."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from ashiato import db
from ashiato.communities import queries
from ashiato.communities.commands import CommunityForm
from ashiato.communities.service import events
from ashiato.communities.service.errors import NoImage
from ashiato.communities.service.forms import CATEGORIES, LIMITS, community_values, fold
from ashiato.communities.service.people import Person, people, person_of
from ashiato.communities.service.permissions import (
    Standing,
    can_claim_admin,
    can_read_topics,
    can_start_topic,
    community_or_404,
    require_admin,
    standing_in,
)
from ashiato.communities.service.topics import TopicSummary, summaries
from ashiato.communities.tables import Community, Topic
from ashiato.errors import FormInvalid
from ashiato.members import require_active
from ashiato.members.tables import Member
from ashiato.pagination import Pagination
from ashiato.photos import PhotoError, process_upload
from ashiato.settings import Settings

ORDERS = ("members", "newest")
TOPICS_ON_COMMUNITY_PAGE = 20
BROWSE_PAGE_SIZE = 30


async def _stored_image(image: bytes | None, settings: Settings | None) -> str | None:
    """Run an uploaded picture through the photo pipeline (no EXIF, re-encoded, thumbnail);
    its refusal is shown on the form's image field."""
    if not image:
        return None
    assert settings is not None, "a community image needs the settings (media_dir)"
    try:
        photo = await asyncio.to_thread(process_upload, image, settings)
    except PhotoError as exc:
        raise FormInvalid({"image": exc.message}) from None
    return photo.key


async def create_community(
    creator: Member,
    form: CommunityForm,
    image: bytes | None = None,
    settings: Settings | None = None,
) -> Community:
    """The creator becomes its admin and first member."""
    require_active(creator)
    values = community_values(form)
    key = await _stored_image(image, settings) or ""
    async with db.transaction():
        community = await queries.insert_community(
            admin=creator.id, member_count=0, image=key, **values.columns()
        )
        await queries.add_member(community.id, creator.id)
    community.member_count = 1
    return community


async def community_for_admin(actor: Member, community_id: int) -> Community:
    """The community, for its settings form."""
    community, standing = await standing_in(actor, community_id)
    require_admin(standing)
    return community


async def update_community(
    actor: Member,
    community_id: int,
    form: CommunityForm,
    image: bytes | None = None,
    settings: Settings | None = None,
) -> None:
    """The admin changes the settings; a new image replaces the old, or it is removed."""
    await community_for_admin(actor, community_id)
    columns = community_values(form).columns()
    key = await _stored_image(image, settings)
    if key:
        columns["image"] = key
    elif form.remove_image == "1":
        columns["image"] = ""
    await queries.update_community(community_id, **columns)


async def image_key(viewer: Member, community_id: int) -> str:
    """The community's picture, for any member (communities are visible site-wide)."""
    require_active(viewer)
    community = await community_or_404(community_id)
    if not community.image:
        raise NoImage()
    return community.image


@dataclass
class CommunityPage:
    community: Community
    admin: Person
    standing: Standing
    category: str
    can_read_topics: bool
    can_start_topic: bool
    can_claim_admin: bool
    topics: list[TopicSummary] = field(default_factory=list)
    events: list[Topic] = field(default_factory=list)
    members: list[Person] = field(default_factory=list)
    sub_admins: list[Person] = field(default_factory=list)


async def community_page(viewer: Member, community_id: int) -> CommunityPage:
    """Everything the community page shows, in a fixed number of queries."""
    community, standing = await standing_in(viewer, community_id, full=True)
    readable = can_read_topics(community, standing)
    page = CommunityPage(
        community=community,
        admin=person_of(community.admin),  # type: ignore[arg-type]
        standing=standing,
        category=str(CATEGORIES.get(community.category, community.category)),
        can_read_topics=readable,
        can_start_topic=can_start_topic(community, standing),
        can_claim_admin=can_claim_admin(community, standing),
    )
    if readable:
        topics = await queries.recent_topics(community.id, limit=TOPICS_ON_COMMUNITY_PAGE)
        page.topics = summaries(topics)
        page.events = await events.upcoming(community)
    page.members = people(await queries.members_page(community.id, offset=0, limit=9))
    page.sub_admins = people(await queries.sub_admins(community.id))
    return page


def search_words(q: str) -> list[str]:
    return [word[:50] for word in fold(q[: LIMITS["search"]]).split()][:5]


@dataclass
class Browse:
    communities: list[Community]
    page: int
    has_next: bool
    q: str
    category: str
    order: str

    @property
    def pager(self) -> Pagination:
        return Pagination(page=self.page, has_next=self.has_next)


async def browse(
    viewer: Member, *, q: str = "", category: str = "", order: str = "", page: int = 1
) -> Browse:
    """Browse by category, by size or newest, or search name and description."""
    require_active(viewer)
    category = category if category in CATEGORIES else ""
    order = order if order in ORDERS else "members"
    page = max(1, page)
    found = await queries.browse(
        words=search_words(q),
        category=category,
        order=order,
        offset=(page - 1) * BROWSE_PAGE_SIZE,
        limit=BROWSE_PAGE_SIZE + 1,
    )
    return Browse(
        communities=found[:BROWSE_PAGE_SIZE],
        page=page,
        has_next=len(found) > BROWSE_PAGE_SIZE,
        q=q[: LIMITS["search"]],
        category=category,
        order=order,
    )
